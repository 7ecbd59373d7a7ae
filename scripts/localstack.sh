#!/usr/bin/env bash
# LocalStack on this machine, without Docker, for the deployment tests (tests/deploy/).
#
#   bash scripts/localstack.sh install   # .venv-localstack on the project's Python (3.11+), pinned; skipped when up to date
#   bash scripts/localstack.sh start     # install, start on 127.0.0.1:4566, wait until healthy
#   bash scripts/localstack.sh stop      # stop the LocalStack this script started
#   bash scripts/localstack.sh status    # say whether it is running
#
# LocalStack runs in "host mode" (python -m localstack.runtime.main) from its own virtual environment, made
# with the same Python that scripts/setup.sh picks (3.11 or newer): localstack-core 4.13.1 pins its own boto3,
# so it cannot share .venv. (localstack-core 2026.3 would need Python 3.13: PEP 695 syntax; docs/deployment.md
# says why 4.13.1.) Nothing it would download at run time (Lambda runtime binaries and images, Java, DynamoDB
# Local) is reachable here, so the test suite's own LocalStack plugins (tests/deploy/localstack_noop_executor)
# stand in:
# - Lambda: the "noop" runtime executor creates functions and never runs their code;
# - DynamoDB and DynamoDB Streams: served by moto (the "moto" providers) instead of DynamoDB Local;
# - Python 3.11: start-up hooks make the two parts of 4.13.1 that need a newer Python and that the tests reach
#   (importing localstack.packages, so Kinesis; KMS CreateKey) run on 3.11.
# docs/deployment.md says what LocalStack does and does not do with the deployed stack.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

venv=.venv-localstack
requirements=tests/deploy/localstack-requirements.txt
plugin=tests/deploy/localstack_noop_executor
run_dir=$venv/run
pid_file=$run_dir/localstack.pid
log_file=$run_dir/localstack.log
started_file=$run_dir/started.json
host=127.0.0.1
port=${LOCALSTACK_PORT:-4566}
health_url="http://$host:$port/_localstack/health"
# The services the example stacks use; CloudFormation, IAM, STS, S3 (the template) and SSM to deploy them;
# SES, through which LocalStack delivers SNS email subscriptions (kept for inspection at /_aws/ses);
# Step Functions, ELBv2 and EventBridge Scheduler for the other entrypoint kinds.
services=cloudformation,cloudwatch,sns,sqs,iam,sts,kms,lambda,apigateway,s3,ssm,events,dynamodb,dynamodbstreams,logs,ses,stepfunctions,elbv2,scheduler
start_timeout=${LOCALSTACK_START_TIMEOUT:-120}

# The interpreter: LOCALSTACK_PYTHON if set, else the first Python >= 3.11 in scripts/setup.sh's order.
find_python() {
  local candidate
  for candidate in ${LOCALSTACK_PYTHON:-python3.11 python3.12 python3.13 python3}; do
    if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
  echo "localstack: Python 3.11 or newer is required (${LOCALSTACK_PYTHON:-python3.11 ... python3} is not)" >&2
  return 1
}

install() {
  local python stamp want
  python=$(find_python)
  stamp=$venv/.sensible-alarms-installed
  local version
  version=$("$python" -c 'import platform; print(platform.python_version())')
  # Reinstall when the interpreter, the pins, the plugin's source or this script change.
  want=$( { echo "$version"; cat "$requirements" "$0"; find "$plugin" -type f \( -name '*.py' -o -name '*.toml' \) \
            -not -path '*/__pycache__/*' | LC_ALL=C sort | xargs cat; } | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
    return
  fi
  if pid=$(running_pid); then
    # Reinstalling under a running LocalStack would pull its files (and its pid file) from under it.
    echo "localstack: the LocalStack running from $venv (pid $pid) is not what the pins say;" \
         "stop it first: bash scripts/localstack.sh stop" >&2
    return 1
  fi
  echo "localstack: installing into $venv (Python $version)"
  if [ -x "$venv/bin/python" ] && [ "$("$venv/bin/python" -c 'import platform; print(platform.python_version())')" != "$version" ]; then
    rm -rf "$venv"  # made with another interpreter
  fi
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  # The full, pinned dependency set; then the noop executor (no dependencies of its own).
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "./$plugin"
  "$venv/bin/python" - <<'PY'
from plux import PluginManager
for namespace, name in (("localstack.lambda.runtime_executor", "noop"), ("localstack.aws.provider", "dynamodb:moto"),
                        ("localstack.aws.provider", "dynamodbstreams:moto"),
                        ("localstack.hooks.on_infra_start", "postpone_package_annotations"),
                        ("localstack.hooks.on_infra_start", "patch_kms_key_material_id")):
    assert PluginManager(namespace).exists(name), f"the plugin {name} is not registered in {namespace}"
    PluginManager(namespace).load(name)  # and it imports against this localstack-core
# The Python 3.11 hooks do their job: what they fix imports and runs (on a newer Python they do nothing).
from localstack_noop_executor import py311
py311.postpone_package_annotations()
py311.patch_kms_key_material_id()
import localstack.packages.api
from localstack.services.kms.models import KmsKey
assert KmsKey({}, "000000000000", "us-east-1").metadata["CurrentKeyMaterialId"]
PY
  echo "$want" > "$stamp"
}

healthy() {
  local python=$venv/bin/python
  [ -x "$python" ] || python=python3  # not installed here: any Python can ask
  "$python" - "$health_url" <<'PY' 2>/dev/null
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as response:
    services = json.load(response).get("services", {})
sys.exit(0 if services else 1)
PY
}

running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid=$(cat "$pid_file")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

start() {
  install
  mkdir -p "$run_dir"
  if pid=$(running_pid); then
    healthy && { echo "localstack: already running (pid $pid) on $host:$port"; return; }
  fi
  if healthy; then
    echo "localstack: something else already answers on $host:$port; stop it or set LOCALSTACK_PORT" >&2
    return 1
  fi
  local begin end
  begin=$(date +%s.%N)
  local settings=(
    GATEWAY_LISTEN="$host:$port"              # loopback only
    SERVICES="$services"
    LAMBDA_RUNTIME_EXECUTOR=noop              # the suite's executor: functions are created, never run
    PROVIDER_OVERRIDE_DYNAMODB=moto           # the suite's providers: DynamoDB from moto, no DynamoDB Local
    PROVIDER_OVERRIDE_DYNAMODBSTREAMS=moto
    CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES=1   # LocalStack's default, made explicit: resource types it has no
                                              # provider for (the dashboard) are reported created, not created
    FILESYSTEM_ROOT="$root/$venv/filesystem"  # LocalStack's files stay inside .venv-localstack
    DISABLE_EVENTS=1                          # no usage analytics sent out
    SKIP_SSL_CERT_DOWNLOAD=1                  # a self-signed certificate instead of a downloaded one
    DEBUG="${LOCALSTACK_DEBUG:-0}"
  )
  # setsid: LocalStack and any process it starts share one process group, which `stop` ends.
  env "${settings[@]}" setsid "$venv/bin/python" -m localstack.runtime.main >"$log_file" 2>&1 < /dev/null &
  echo $! > "$pid_file"
  local deadline=$(( $(date +%s) + start_timeout ))
  until healthy; do
    if ! running_pid >/dev/null; then
      echo "localstack: exited while starting; the end of $log_file:" >&2
      tail -n 40 "$log_file" >&2
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "localstack: not healthy after ${start_timeout}s; the end of $log_file:" >&2
      tail -n 40 "$log_file" >&2
      stop
      return 1
    fi
    sleep 0.2
  done
  end=$(date +%s.%N)
  "$venv/bin/python" - "$begin" "$end" "$started_file" <<'PY'
import json, sys
from importlib.metadata import version
begin, end, path = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
with open(path, "w") as out:
    json.dump({"emulator_start_seconds": round(end - begin, 2), "localstack_core": version("localstack-core")}, out)
PY
  echo "localstack: healthy on $host:$port after $(cat "$started_file")"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$pid_file"
    return 0
  fi
  # The process group setsid gave LocalStack (its id is LocalStack's pid).
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pid_file"
  echo "localstack: stopped (pid $pid)"
}

# Exit 0 only when this checkout's LocalStack runs and answers; the other cases say which it is, since
# `start` treats them differently (a LocalStack of another checkout on the port makes it refuse).
status() {
  local pid
  if pid=$(running_pid); then
    if healthy; then
      echo "localstack: running (pid $pid) on $host:$port"; return 0
    fi
    echo "localstack: its process (pid $pid) runs but nothing healthy answers on $host:$port (starting, or stuck: see $log_file)"
    return 1
  fi
  if healthy; then
    echo "localstack: not running from this checkout, but something else answers on $host:$port"
    return 1
  fi
  echo "localstack: not running"; return 1
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
