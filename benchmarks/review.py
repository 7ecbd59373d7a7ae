"""Benchmark: the review of a 100-stack cloud assembly (the orders example, copied 100 times).

Synthesizes the orders example once, writes 100 renamed copies of its template and a manifest into a
temporary directory, then times ``review_stacks`` + markdown rendering, best of 5 (synth excluded).
Writes benchmarks/results/review.json and prints it. Run: ``.venv/bin/python benchmarks/review.py``.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "orders_service"))
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

STACKS = 100
REPEATS = 5


def build_assembly(root: Path) -> Path:
    from app import build

    synth_dir = root / "synth"
    build(str(synth_dir)).synth()
    text = (synth_dir / "OrdersService.template.json").read_text()
    out = root / "cdk.out"
    out.mkdir()
    artifacts = {}
    for i in range(STACKS):
        name = f"OrdersService{i:03d}"
        (out / f"{name}.template.json").write_text(text.replace("OrdersService", name))
        artifacts[name] = {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{name}.template.json"}}
    (out / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": artifacts}))
    return out


def main() -> None:
    from sensible_alarms.review import review_markdown, review_stacks

    with tempfile.TemporaryDirectory() as tmp:
        assembly = build_assembly(Path(tmp))
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            review = review_stacks(assembly)
            review_markdown(review)
            times.append(time.perf_counter() - start)
    result = {
        "benchmark": "review of a 100-stack assembly (orders example x 100), read + analyse + markdown",
        "stacks": STACKS,
        "alarms": sum(s.alarm_count for s in review.stacks),
        "entrypoints": sum(len(s.entrypoints) for s in review.stacks),
        "best_seconds": round(min(times), 3),
        "all_seconds": [round(t, 3) for t in times],
        "target_seconds": 3.0,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
    }
    out = ROOT / "benchmarks" / "results" / "review.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
