#!/usr/bin/env python3
"""Synth overhead of sensible_alarms for a single service, one command:

    .venv/bin/python benchmarks/synth_overhead.py            # 2 pairs an example, 200-alarm micro-benchmark (~5 min)
    .venv/bin/python benchmarks/synth_overhead.py --pairs 1 --examples orders --micro-alarms 10 \\
        --micro-rounds 1 --output /tmp/synth.json          # the smallest run (the smoke test's)

1. **Paired whole-process runs.** Each example (synth_apps.py) is synthesized with its alarms, as
   the same app without them, and as the floor (the app without alarms plus the library's resources
   written as plain CfnResources: what an L1 rewrite approaches), in fresh processes, a set at a
   time, the order rotating from set to set and the examples interleaved, so a slow spell of the
   shared machine hits every side of a set. Each set records the machine's load average just
   before it and its ratios (wall time with alarms / without, floor / without); the median and
   range of the ratios are reported, never absolute times alone. Peak memory is the largest
   resident memory of the process tree (Python and jsii's Node.js), sampled as
   benchmarks/fleet/synth_timing.py does.
2. **Python→jsii calls** (synth_calls.py, untimed): the calls the app makes without alarms and
   with them, by kind and by the sensible_alarms construct and code that made them.
3. **Same app**: the template without alarms must equal the template with alarms less the
   resources under sensible_alarms constructs, and the floor's resources those with alarms
   (checked on the first set's output; the run stops if not).
4. **L1 against L2** (alarm_micro.py): the same alarms as ``cw.Alarm`` + ``MathExpression`` /
   ``CompositeAlarm`` and as ``CfnAlarm`` / ``CfnCompositeAlarm``: calls, and time ratios within rounds.

Writes benchmarks/results/synth_overhead.json (or --output).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "fleet"))

from synth_timing import _tree_rss  # noqa: E402  (the process-tree memory sampler of the fleet benchmark)

from sensible_alarms.model import load_assembly  # noqa: E402

EXAMPLES = ("orders", "payments")
RESULTS = ROOT / "benchmarks" / "results" / "synth_overhead.json"


# -- one measured process --------------------------------------------------------------------


def measured_run(command: list[str]) -> dict[str, Any]:
    """Wall time, CPU time and peak resident memory of the process tree, and the phases the app printed.

    CPU time (user + system) counts Python and jsii's Node.js: Python waits for Node.js at exit, so
    Node's time is added to Python's children, and Python's to ours when we wait for it. On a machine
    with more runnable processes than CPUs, wall time stretches with the load; CPU time far less."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    process = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        try:
            peak = max(peak, _tree_rss(process))
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    out, err = child.communicate()
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{out.decode()}\n{err.decode()}")
    phases = json.loads(out.decode().strip().splitlines()[-1])
    return {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "peak_rss_mb": round(peak / 2**20, 1),
            **phases}


SIDES = ("with_alarms", "without_alarms", "floor")


def _app(example: str, side: str, workdir: Path, n: int) -> list[str]:
    mode = {"with_alarms": "on", "without_alarms": "off", "floor": "floor"}[side]
    command = [sys.executable, str(HERE / "synth_apps.py"), "--example", example, "--alarms", mode,
               "--outdir", str(workdir / f"{example}-{n}-{mode}")]
    if side == "floor":
        command += ["--reference", str(workdir / f"{example}-0-on"),
                    "--library-paths", str(workdir / f"{example}-library-paths.json")]
    return command


def _json_of(command: list[str]) -> Any:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout)


def _load() -> dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"load_1min": round(one, 2), "load_5min": round(five, 2), "load_15min": round(fifteen, 2)}


# -- paired runs -------------------------------------------------------------------------------


def paired_runs(examples: list[str], pairs: int, workdir: Path, log: Any) -> dict[str, list[dict[str, Any]]]:
    """`pairs` sets of runs per example: with alarms, without, and the floor, the order rotating from
    set to set (with alarms first in the first set: the floor needs its cloud assembly)."""
    runs: dict[str, list[dict[str, Any]]] = {example: [] for example in examples}
    for n in range(pairs):
        for example in examples:
            order = SIDES[n % 3:] + SIDES[:n % 3]
            pair: dict[str, Any] = {"order": list(order), **_load()}
            for side in order:
                pair[side] = measured_run(_app(example, side, workdir, n))
            pair["ratio"] = round(pair["with_alarms"]["seconds"] / pair["without_alarms"]["seconds"], 3)
            pair["floor_ratio"] = round(pair["floor"]["seconds"] / pair["without_alarms"]["seconds"], 3)
            pair["cpu_ratio"] = round(pair["with_alarms"]["cpu_seconds"] / pair["without_alarms"]["cpu_seconds"], 3)
            pair["floor_cpu_ratio"] = round(pair["floor"]["cpu_seconds"] / pair["without_alarms"]["cpu_seconds"], 3)
            runs[example].append(pair)
            print(f"{example} pair {n + 1}/{pairs}: {pair['ratio']}x, floor {pair['floor_ratio']}x; CPU time "
                  f"{pair['cpu_ratio']}x, floor {pair['floor_cpu_ratio']}x (load {pair['load_1min']})", file=log,
                  flush=True)
    return runs


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "n": len(values)}


def summarize(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    def ratio_of(field: str, side: str = "with_alarms") -> list[float]:
        return [work(p[side], field) / work(p["without_alarms"], field) for p in pairs]

    def work(run: dict[str, Any], field: str) -> float:
        # "work": building the tree and synthesizing it, without the process's start-up and imports.
        return run["construct_seconds"] + run["synth_seconds"] if field == "work" else float(run[field])

    return {
        "ratio": _summary([p["ratio"] for p in pairs]),
        "floor_ratio": _summary([p["floor_ratio"] for p in pairs]),
        "cpu_ratio": _summary([p["cpu_ratio"] for p in pairs]),
        "floor_cpu_ratio": _summary([p["floor_cpu_ratio"] for p in pairs]),
        "construct_ratio": _summary(ratio_of("construct_seconds")),
        "synth_ratio": _summary(ratio_of("synth_seconds")),
        # Without the fixed start-up (imports, jsii's start), which a bigger app shares among more
        # services: the ratio an app of many services tends to.
        "work_ratio": _summary(ratio_of("work")),
        "floor_work_ratio": _summary(ratio_of("work", "floor")),
        "peak_rss_mb": {side: statistics.median(p[side]["peak_rss_mb"] for p in pairs) for side in SIDES},
        "policy_share_of_with": _summary([p["with_alarms"]["policy_seconds"] / p["with_alarms"]["seconds"]
                                          for p in pairs]),
        "load_1min": _summary([p["load_1min"] for p in pairs]),
    }


# -- the same app, and what the library added ------------------------------------------------


def _stack(outdir: Path) -> Any:
    (stack,) = load_assembly(outdir).stacks
    return stack


def same_app(with_dir: Path, without_dir: Path, floor_dir: Path, library_paths: list[str]) -> dict[str, Any]:
    """The resources without alarms are those with alarms less the ones under library constructs;
    the floor's are those with alarms (type and properties: the floor's construct paths differ)."""
    with_alarms, without, floor = _stack(with_dir), _stack(without_dir), _stack(floor_dir)

    def library(resource: Any) -> bool:
        path = resource.construct_path or ""
        return any(path == p or path.startswith(p + "/") for p in library_paths)

    app_resources = {lid: r for lid, r in with_alarms.resources.items() if not library(r)}
    differ = sorted(lid for lid in app_resources.keys() | without.resources.keys()
                    if app_resources.get(lid) != without.resources.get(lid))
    if differ:
        raise SystemExit(f"the app without alarms is not the app with alarms less the library's resources: "
                         f"{len(differ)} resources differ, e.g. {differ[:5]}")

    def content(stack: Any) -> dict[str, tuple[str, Any]]:
        return {lid: (r.type, r.properties) for lid, r in stack.resources.items()}

    if content(floor) != content(with_alarms):
        raise SystemExit("the floor's resources are not those of the app with alarms")
    return {
        "identical_app_resources": len(app_resources),
        "library_resources": len(with_alarms.resources) - len(app_resources),
        "metric_alarms": len(with_alarms.metric_alarms),
        "composite_alarms": len(with_alarms.composite_alarms),
    }


def calls_summary(counted: dict[str, Any], alarms: int) -> dict[str, Any]:
    without, with_alarms = counted["without_alarms"], counted["with_alarms"]
    added = with_alarms["total"] - without["total"]
    return {
        "without_alarms": without["total"],
        "with_alarms": with_alarms["total"],
        "added_by_alarms": added,
        "alarms": alarms,
        "added_per_alarm": round(added / alarms, 2),
        "library_attributed": with_alarms["library"],
        "library_by_kind": with_alarms["library_by_kind"],
        "by_construct_and_kind": with_alarms["by_owner_and_kind"],
        "library_by_site": with_alarms["library_by_site"],
        "library_by_name": with_alarms["library_by_name"],
    }


# -- the command -------------------------------------------------------------------------------


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for package in ("aws-cdk-lib", "constructs", "jsii", "sensible-alarms"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = None
    found["python"] = platform.python_version()
    node = os.environ.get("JSII_NODE", "node")
    try:
        found["node"] = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        found["node"] = None
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    found["sensible_alarms_commit"] = commit.stdout.strip() or None
    return found


def run(args: argparse.Namespace, workdir: Path, log: Any) -> dict[str, Any]:
    started = time.perf_counter()
    load_at_start = _load()
    print("counting jsii calls ...", file=log, flush=True)
    counted = _json_of([sys.executable, str(HERE / "synth_calls.py"), "--examples", *args.examples])
    for example in args.examples:
        (workdir / f"{example}-library-paths.json").write_text(json.dumps(counted[example]["library_paths"]))
    runs = paired_runs(args.examples, args.pairs, workdir, log)
    examples: dict[str, Any] = {}
    for example in args.examples:
        shape = same_app(workdir / f"{example}-0-on", workdir / f"{example}-0-off", workdir / f"{example}-0-floor",
                         counted[example]["library_paths"])
        alarms = shape["metric_alarms"] + shape["composite_alarms"]
        examples[example] = {"template": shape, **summarize(runs[example]),
                             "jsii_calls": calls_summary(counted[example], alarms), "pairs": runs[example]}
    print(f"L1 against L2 at {args.micro_alarms} alarms ...", file=log, flush=True)
    micro = _json_of([sys.executable, str(HERE / "alarm_micro.py"), "--alarms", str(args.micro_alarms),
                      "--rounds", str(args.micro_rounds), "--workdir", str(workdir / "micro")])
    return {
        "command": "benchmarks/synth_overhead.py " + " ".join(sys.argv[1:]),
        "machine": {"cpu_count": os.cpu_count(), "start": load_at_start, "end": _load(),
                    "note": "load average = runnable processes; above cpu_count the machine is oversubscribed "
                            "and every absolute time is stretched: compare ratios within a pair"},
        "versions": versions(),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "examples": examples,
        "l1_vs_l2": micro,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2, help="pairs of runs per example (default 2, about 4 min)")
    parser.add_argument("--examples", nargs="+", choices=EXAMPLES, default=list(EXAMPLES))
    parser.add_argument("--micro-alarms", type=int, default=200, help="member alarms in the L1/L2 micro-benchmark")
    parser.add_argument("--micro-rounds", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--workdir", type=Path, help="keep the cloud assemblies here (default: a temporary directory)")
    args = parser.parse_args()
    if args.pairs < 1 or args.micro_rounds < 1:
        parser.error("--pairs and --micro-rounds must be at least 1")
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        results = run(args, args.workdir, sys.stderr)
    else:
        with tempfile.TemporaryDirectory(prefix="synth-overhead-") as workdir:
            results = run(args, Path(workdir), sys.stderr)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
