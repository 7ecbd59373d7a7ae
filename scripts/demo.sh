#!/usr/bin/env bash
# The main job: synthesize the example orders service and say what alarms it got and why.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
out=examples/orders_service/cdk.out
rm -rf "$out"
.venv/bin/python - "$out" <<'PY'
import sys, time
sys.path.insert(0, "examples/orders_service")
start = time.perf_counter()
from app import build
build(sys.argv[1]).synth()
print(f"Synthesized examples/orders_service to {sys.argv[1]} in {time.perf_counter() - start:.1f} s\n")
PY
.venv/bin/python -m sensible_alarms.explain "$out"
