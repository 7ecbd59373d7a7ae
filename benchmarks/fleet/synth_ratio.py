#!/usr/bin/env python3
"""Synth time of the fleet with sensible_alarms against the same fleet without alarms, at several sizes.

The fleet runner (run.py) synthesizes each variant once at the largest size; this measures only the
synth ratio, in pairs: at each size, ``--pairs`` times, the ``none`` and ``sensible`` variants of
benchmarks/fleet/app.py one after the other in fresh processes (the order alternating from pair to
pair, so a slow spell of the shared machine hits both sides), the load average recorded before each
pair. Reported per size: the median and range of the per-pair ratios of wall time, of the construct
phase (Python building the tree through jsii), of the synth phase (``app.synth()``: Node.js resolving,
writing and validating the assembly, with sensible_alarms' policy plugin, as the README adds it), of
each phase's CPU time (Python and Node.js, which stretches far less with the load than wall time) and
of peak memory (Python + Node.js), and the plugin's share of the sensible run; never absolute times
alone.

Usage: python synth_ratio.py [--sizes 10,50,100] [--pairs 2] [--output benchmarks/results/fleet_synth.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from synth_timing import synthesize

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results" / "fleet_synth.json"
VARIANTS = ("none", "sensible")


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3)}


def measure(services: int, pairs: int, workdir: Path) -> dict[str, Any]:
    runs = []
    for pair in range(pairs):
        order = VARIANTS if pair % 2 == 0 else tuple(reversed(VARIANTS))
        load = [round(x, 2) for x in os.getloadavg()]
        result: dict[str, Any] = {"order": list(order), "load_avg_1_5_15": load}
        for variant in order:
            outdir = workdir / f"s{services}-{variant}"
            shutil.rmtree(outdir, ignore_errors=True)
            run = synthesize(variant, services, outdir)
            result[variant] = {"seconds": round(run.seconds, 2), **run.phases(),
                               "peak_rss_mb": round(run.peak_rss_mb, 1)}
            print(f"S={services} pair {pair + 1} {variant:<9} {run.seconds:7.1f} s  construct "
                  f"{run.construct_seconds:6.1f} s  synth {run.synth_seconds:6.1f} s (Node.js CPU "
                  f"{run.synth_cpu[1]:5.1f} s, policy {run.policy_seconds:4.1f} s)  {run.peak_rss_mb:6.0f} MiB  "
                  f"load {load[0]}", flush=True)
        runs.append(result)

    def ratio(field: str) -> dict[str, float]:
        return _summary([r["sensible"][field] / r["none"][field] for r in runs])

    def cpu(run: dict[str, Any], phase: str) -> float:
        return float(run[f"{phase}_cpu_python"] + run[f"{phase}_cpu_node"])

    return {"services": services, "pairs": runs, "time_ratio": ratio("seconds"),
            "construct_ratio": ratio("construct_seconds"), "synth_ratio": ratio("synth_seconds"),
            "construct_cpu_ratio": _summary([cpu(r["sensible"], "construct") / cpu(r["none"], "construct")
                                             for r in runs]),
            "synth_cpu_ratio": _summary([cpu(r["sensible"], "synth") / cpu(r["none"], "synth") for r in runs]),
            "policy_share_of_sensible": _summary([r["sensible"]["policy_seconds"] / r["sensible"]["seconds"]
                                                  for r in runs]),
            "memory_ratio": ratio("peak_rss_mb")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,100")
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    started = time.perf_counter()
    sizes: list[dict[str, Any]] = []
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fleet-synth-") as workdir:
        for services in args.sizes.split(","):
            sizes.append(measure(int(services), args.pairs, Path(workdir)))
            # Written after each size: the largest takes minutes, and a stopped run keeps the others.
            results = {"sensible_alarms_commit": commit.stdout.strip() or None, "cpus": os.cpu_count(),
                       "seconds": round(time.perf_counter() - started, 1), "sizes": sizes}
            args.output.write_text(json.dumps(results, indent=2) + "\n")
    for size in sizes:
        print(f"S={size['services']}: time x{size['time_ratio']['median']} ({size['time_ratio']['min']}-"
              f"{size['time_ratio']['max']}), construct x{size['construct_ratio']['median']} (CPU "
              f"x{size['construct_cpu_ratio']['median']}), synth x{size['synth_ratio']['median']} (CPU "
              f"x{size['synth_cpu_ratio']['median']}), policy {size['policy_share_of_sensible']['median']:.1%} of "
              f"sensible, memory x{size['memory_ratio']['median']}")


if __name__ == "__main__":
    main()
