#!/usr/bin/env python3
"""The same example app synthesized with two versions of sensible_alarms, side by side.

Each pair runs ``synth_apps.py --alarms on`` (the example with its alarms, in a fresh process)
once with the library from ``--a`` and once from ``--b`` (each a ``src`` folder, put first on
PYTHONPATH: a git worktree of the commit to compare), the order alternating from pair to pair, and
``--alarms off`` (the app without alarms) once a pair. Recorded per run: wall time and CPU time
(user + system of the process tree: Python and jsii's Node.js); per pair: the load average before
it and the ratios B / A and each / off. The machine is shared, so only ratios within a pair mean
anything.

Usage: python synth_ab.py --a OLD/src --b NEW/src [--example payments] [--pairs 2] [--output FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _run(example: str, alarms: str, src: Path | None, outdir: Path) -> dict[str, float]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = f"{src}{os.pathsep}{env.get('PYTHONPATH', '')}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "synth_apps.py"), "--example", example, "--alarms", alarms,
                    "--outdir", str(outdir)], check=True, env=env, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_seconds": round(wall, 2), "cpu_seconds": round(cpu, 2)}


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="src folder of the first version")
    parser.add_argument("--b", type=Path, required=True, help="src folder of the second version")
    parser.add_argument("--example", default="payments", choices=("orders", "payments"))
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    pairs = []
    with tempfile.TemporaryDirectory(prefix="synth-ab-") as workdir:
        for n in range(args.pairs):
            load = [round(x, 2) for x in os.getloadavg()]
            order = ("a", "b", "off") if n % 2 == 0 else ("off", "b", "a")
            runs = {}
            for side in order:
                src = {"a": args.a, "b": args.b, "off": None}[side]
                runs[side] = _run(args.example, "off" if side == "off" else "on", src, Path(workdir) / f"{n}-{side}")
            pair = {"order": list(order), "load_avg_1_5_15": load, **runs,
                    "b_over_a_cpu": round(runs["b"]["cpu_seconds"] / runs["a"]["cpu_seconds"], 3),
                    "b_over_a_wall": round(runs["b"]["wall_seconds"] / runs["a"]["wall_seconds"], 3),
                    "a_over_off_cpu": round(runs["a"]["cpu_seconds"] / runs["off"]["cpu_seconds"], 3),
                    "b_over_off_cpu": round(runs["b"]["cpu_seconds"] / runs["off"]["cpu_seconds"], 3)}
            print(json.dumps(pair), flush=True)
            pairs.append(pair)
    result: dict[str, Any] = {"example": args.example, "a": str(args.a), "b": str(args.b), "pairs": pairs}
    for key in ("b_over_a_cpu", "b_over_a_wall", "a_over_off_cpu", "b_over_off_cpu"):
        result[key] = _summary([p[key] for p in pairs])
    text = json.dumps(result, indent=2) + "\n"
    if args.output:
        args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
