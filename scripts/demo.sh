#!/usr/bin/env bash
# The main job: synthesize the example orders service, say what alarms it got and why, print the
# design review, then replay the bundled sample metrics (7 days, labelled incidents) to show how
# often the alarms would notify.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
example=examples/orders_service
out=$example/cdk.out
rm -rf "$out"
.venv/bin/python - "$out" <<'PY'
import sys, time
sys.path.insert(0, "examples/orders_service")
start = time.perf_counter()
from app import build
build(sys.argv[1]).synth()
print(f"Synthesized examples/orders_service to {sys.argv[1]} in {time.perf_counter() - start:.1f} s\n")
PY
echo "== What alarms the orders service got, and why =="
.venv/bin/sensible-alarms explain "$out"
echo
echo "== Policy check (also run at synth time by the app's one-line CDK validation plugin) =="
.venv/bin/sensible-alarms check "$out"
echo
echo "== The same resources alarmed per resource with cdk-monitoring-constructs, for contrast =="
.venv/bin/python examples/per_resource_baseline/app.py >/dev/null
# check exits 1 on findings, which is the point here.
baseline_report=$(.venv/bin/sensible-alarms check examples/per_resource_baseline/cdk.out --format json || true)
echo "$baseline_report" | .venv/bin/python -c '
import collections, json, sys
report = json.load(sys.stdin)
findings = report["findings"]
print(f"{len(findings)} findings:", dict(collections.Counter(f["rule_id"] for f in findings)))
print("(sensible-alarms check examples/per_resource_baseline/cdk.out lists each with its construct path and fix)")
'
echo
echo "== Design review: every entrypoint, its alarms in words, who is told, what it costs =="
.venv/bin/sensible-alarms review "$out" --format md
.venv/bin/sensible-alarms review "$out" --format html --output "$example/review.html"
echo "(HTML version: $example/review.html)"
echo
echo "== Replay: the bundled 7 days of sample metrics, scored against their labelled incidents =="
.venv/bin/sensible-alarms replay "$out" --metrics "$example/sample/metrics.parquet" \
  --incidents "$example/sample/incidents.yaml" --start 2026-11-04T00:00Z --end 2026-11-11T00:00Z \
  --html "$example/replay.html" --quiet
echo "(HTML report with a chart per alarm: $example/replay.html)"
echo
echo "== Fleet benchmark (recorded; re-measure with: .venv/bin/python benchmarks/fleet/run.py) =="
.venv/bin/python benchmarks/fleet/summary.py
