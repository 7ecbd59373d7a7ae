"""Wall time and peak memory of one `python app.py` synthesis, measured from outside.

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
    synth_seconds: float  # app.synth(): Node.js writing the cloud assembly


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
    return SynthRun(variant, services, seconds, peak / 2**20, phases["construct_seconds"], phases["synth_seconds"])
