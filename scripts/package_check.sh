#!/usr/bin/env bash
# The package as a user gets it: build the sdist and the wheel (the wheel from the sdist), check their
# metadata, then install the wheel outside the checkout, in fresh virtual environments, and use it
# there: synthesize the example with the wheel's constructs, run the sensible-alarms commands on the
# assembly, replay the bundled sample, and run a three-line alarm_snapshot test (the pytest11 plugin).
# Outputs are compared with the same commands run from the checkout: the wheel must behave as the source.
# Called by scripts/test.sh after scripts/setup.sh and scripts/env.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { printf 'package check: %s\n' "$*"; }

step "build sdist and wheel"
.venv/bin/python -m build --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
.venv/bin/twine check --strict "$work"/dist/*
wheel=$(ls "$work"/dist/*.whl)
# Files the package reads at run time (HTML templates) and the PEP 561 marker must be in the wheel.
.venv/bin/python - "$wheel" src/sensible_alarms <<'PY'
import sys, zipfile
from pathlib import Path
wheel, package = sys.argv[1], Path(sys.argv[2])
names = set(zipfile.ZipFile(wheel).namelist())
needed = {f"sensible_alarms/{p.relative_to(package).as_posix()}" for p in package.rglob("*")
          if p.is_file() and p.suffix not in (".pyc",) and "__pycache__" not in p.parts}
missing = sorted(needed - names)
if missing:
    sys.exit(f"package check: the wheel lacks {missing}")
print(f"package check: the wheel has all {len(needed)} files of src/sensible_alarms (templates, py.typed)")
PY

# The example, copied outside the checkout, synthesized by the wheel's constructs.
cp -r examples/orders_service "$work/orders_service"
rm -rf "$work/orders_service/cdk.out"
example=$work/orders_service

venv=$work/venv
install() {  # install EXTRAS: the wheel with those extras, into the one virtual environment of the check
  "$venv/bin/python" -m pip install --quiet -c constraints.txt "${wheel}[$1]" >"$work/pip.log" 2>&1 ||
    { cat "$work/pip.log"; exit 1; }
}
"$(.venv/bin/python -c 'import sys; print(sys._base_executable)')" -m venv "$venv"

step "a fresh virtual environment with the cli extra alone: synthesize, check, review"
install cli
"$venv/bin/python" -c 'import sensible_alarms, sys; sys.exit(0 if sys.argv[1] not in sensible_alarms.__file__ else
  "package check: sensible_alarms imported from the checkout, not the wheel")' "$repo"
(cd "$example" && "$venv/bin/python" app.py)
version=$("$venv/bin/sensible-alarms" --version)
[ "$version" = "sensible-alarms $(basename "$wheel" | cut -d- -f2)" ] ||
  { echo "package check: --version printed '$version' for $(basename "$wheel")"; exit 1; }
for format in md json html; do
  "$venv/bin/sensible-alarms" review "$example/cdk.out" --format "$format" --output "$work/review.$format"
done
"$venv/bin/sensible-alarms" check "$example/cdk.out" --format json --output "$work/check.json"
.venv/bin/sensible-alarms check "$example/cdk.out" --format json --output "$work/check.checkout.json"
.venv/bin/sensible-alarms review "$example/cdk.out" --format md --output "$work/review.checkout.md"
cmp "$work/check.json" "$work/check.checkout.json"
cmp "$work/review.md" "$work/review.checkout.md"
# Input that is not understood exits 2 with one line and no traceback, from the wheel too.
printf 'not: [a template\n' >"$work/broken.yaml"
set +e
"$venv/bin/sensible-alarms" check "$work/broken.yaml" >/dev/null 2>"$work/error.txt"; bad_input=$?
set -e
if [ "$bad_input" != 2 ] || [ "$(wc -l <"$work/error.txt")" != 1 ]; then
  echo "package check: unreadable input should exit 2 with one line (exit $bad_input):"; cat "$work/error.txt"; exit 1
fi

step "the same environment with every documented extra (cli, replay, cloudwatch, testing): replay, snapshot test"
install cli,replay,cloudwatch,testing
replay_args=("$example/cdk.out" --metrics "$example/sample/metrics.parquet" --incidents "$example/sample/incidents.yaml"
             --start 2026-11-02T00:00Z --end 2026-11-09T00:00Z --quiet)
"$venv/bin/sensible-alarms" replay "${replay_args[@]}" --html "$work/replay.html" >"$work/replay.txt"
.venv/bin/sensible-alarms replay "${replay_args[@]}" >"$work/replay.checkout.txt"
cmp "$work/replay.txt" "$work/replay.checkout.txt"
"$venv/bin/python" -c 'import boto3, sensible_alarms.replay.cloudwatch'   # the cloudwatch extra's fetch imports


# The snapshot test as a service team writes it; the fixture comes from the wheel's pytest11 entry point.
cat >"$example/test_alarms.py" <<'PY'
from sensible_alarms.testing import alarm_summary
def test_orders_alarms(alarm_snapshot):
    assert alarm_snapshot == alarm_summary("cdk.out")
PY
run_pytest() { (cd "$example" && "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" test_alarms.py); }
run_pytest --snapshot-update >/dev/null
snapshot=$(find "$example/__snapshots__" -name '*.alarms.txt')
.venv/bin/python -c 'import sys; from sensible_alarms.testing import alarm_summary; sys.stdout.write(alarm_summary(sys.argv[1]))' \
  "$example/cdk.out" | cmp - "$snapshot"
run_pytest
# A changed alarm must fail the test: drop the snapshot's last line and expect exit 1.
sed -i '$d' "$snapshot"
set +e
run_pytest >/dev/null; changed=$?
set -e
[ "$changed" = 1 ] || { echo "package check: a changed snapshot should fail the test (exit $changed)"; exit 1; }
step "ok: $(basename "$wheel") and $(basename "$(ls "$work"/dist/*.tar.gz)")"
