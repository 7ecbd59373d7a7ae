#!/usr/bin/env bash
# The tests: lint, type-check, then pytest (real CDK synth, cfn-lint on every template).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
.venv/bin/ruff check src tests examples benchmarks
.venv/bin/mypy
# Each example is its own app (several have an app.py), so each is type-checked on its own.
for example in examples/*/; do
  .venv/bin/mypy --config-file pyproject.toml "$example"
done
# The fleet benchmark is a script too; its per-resource variant imports the baseline example's stack.
MYPYPATH=examples/per_resource_baseline .venv/bin/mypy --config-file pyproject.toml benchmarks/fleet
# The docs site, strictly: a broken link or anchor, or a missing snippet file, fails (docs/about.md).
# Not --quiet: it hides the warnings that --strict counts, and the build would pass.
.venv/bin/mkdocs build --strict
# The package as users get it: sdist and wheel built and checked, the wheel installed with its extras
# into a fresh virtual environment outside the checkout, and used there.
bash scripts/package_check.sh
command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
# The deployment tests (tests/deploy) need LocalStack: started here, stopped however pytest ends.
trap 'bash scripts/localstack.sh stop' EXIT
bash scripts/localstack.sh start
.venv/bin/pytest "$@"
