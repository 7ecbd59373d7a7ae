"""Wall time and peak memory of one `python app.py` synthesis, measured from outside, and the
phases the app measured inside (phases.py): construct and synth, wall and CPU time, Python and
Node.js apart, and the policy plugin's share of the synth phase.

Peak memory is the largest sum of resident memory over the process tree (the Python process and
the Node.js process jsii starts), sampled every 20 ms with psutil: jsii's Node.js kernel holds
most of the construct tree, so the Python process alone would under-count it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

APP = Path(__file__).resolve().parent / "app.py"


@dataclass(frozen=True)
class SynthRun:
    variant: str
    services: int
    seconds: float
    peak_rss_mb: float
    construct_seconds: float  # building the construct tree (Python calling into jsii)
    synth_seconds: float  # app.synth(): Node.js resolving, writing and validating the cloud assembly
    policy_seconds: float = 0.0  # of synth_seconds: sensible_alarms' policy plugin (0 without it)
    construct_cpu: tuple[float, float] = (0.0, 0.0)  # CPU seconds of the construct phase: (Python, Node.js)
    synth_cpu: tuple[float, float] = (0.0, 0.0)  # CPU seconds of the synth phase: (Python, Node.js)

    def phases(self) -> dict[str, float]:
        """The split, rounded, for results files."""
        return {"construct_seconds": round(self.construct_seconds, 2), "synth_seconds": round(self.synth_seconds, 2),
                "policy_seconds": round(self.policy_seconds, 2),
                "construct_cpu_python": round(self.construct_cpu[0], 2),
                "construct_cpu_node": round(self.construct_cpu[1], 2),
                "synth_cpu_python": round(self.synth_cpu[0], 2), "synth_cpu_node": round(self.synth_cpu[1], 2)}


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += member.memory_info().rss
    return total


def synthesize(variant: str, services: int, outdir: Path) -> SynthRun:
    outdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(APP), "--variant", variant, "--services", str(services), "--outdir", str(outdir)]
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
    if child.returncode:
        raise RuntimeError(f"synthesis of {variant} at {services} services failed ({child.returncode}):\n"
                           f"{out.decode()}\n{err.decode()}")
    phases = json.loads(out.decode().strip().splitlines()[-1])
    return SynthRun(variant, services, seconds, peak / 2**20, phases["construct_seconds"], phases["synth_seconds"],
                    policy_seconds=phases.get("policy_seconds", 0.0),
                    construct_cpu=(phases.get("construct_python_cpu", 0.0), phases.get("construct_node_cpu", 0.0)),
                    synth_cpu=(phases.get("synth_python_cpu", 0.0), phases.get("synth_node_cpu", 0.0)))
