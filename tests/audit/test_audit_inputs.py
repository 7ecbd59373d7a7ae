"""`sensible-alarms audit` on bad input, against real endpoints: no credentials at all, and a
moto_server process that enforces IAM (``INITIAL_NO_AUTH_ACTION_COUNT``) for AccessDenied on one call.

What moto cannot do, and so these tests do not rely on: it does not implement DescribeAlarmHistory
(the history cases run on LocalStack in tests/deploy/test_audit_inputs_on_localstack.py), does not
page DescribeAlarms (it answers every alarm in one page whatever MaxRecords says) and never
throttles. Paging is botocore's paginator and retrying is botocore's adaptive retry mode: the tests
check the audit's clients are configured for them, not that AWS pages or throttles.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from sensible_alarms.audit import RETRIES_MODE, clients

CLI = str(Path(sys.executable).parent / "sensible-alarms")
#: moto's IAM names CloudWatch actions by its endpoint prefix (``monitoring:``), AWS by ``cloudwatch:``.
ALLOWED = ("DescribeAlarms", "PutMetricAlarm", "ListMetrics")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def iam_moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A moto_server that checks every request after the first three against IAM policies."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto_iam") / "moto_server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "3"})
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {process.returncode}; see {log.name}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def auditor(iam_moto: str) -> dict[str, str]:
    """Keys of a user allowed to describe alarms but not to read their history; one alarm exists."""
    iam = boto3.client("iam", endpoint_url=iam_moto, region_name="us-east-1", aws_access_key_id="admin",
                       aws_secret_access_key="admin")
    iam.create_user(UserName="auditor")
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    actions = [f"{prefix}:{a}" for prefix in ("cloudwatch", "monitoring") for a in ALLOWED]
    iam.put_user_policy(UserName="auditor", PolicyName="describe-only", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    keys = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    cloudwatch = boto3.client("cloudwatch", endpoint_url=iam_moto, region_name="us-east-1",
                              aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
                              aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"])
    cloudwatch.put_metric_alarm(
        AlarmName="checkout-errors", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold",
        Dimensions=[{"Name": "FunctionName", "Value": "checkout"}],
        AlarmActions=["arn:aws:sns:us-east-1:123456789012:alarms"])
    return keys


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "audit", "--quiet", *args], capture_output=True, text=True, env=env, timeout=120,
                          check=False)


def _bare_env(tmp_path: Path) -> dict[str, str]:
    """The environment without any AWS credentials or configuration files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"), AWS_CONFIG_FILE=str(tmp_path / "none"),
               AWS_EC2_METADATA_DISABLED="true")
    return env


class TestNoCredentials:
    def test_no_credentials_exits_2_with_a_report_saying_what_was_not_read(self, tmp_path):
        """Without credentials nothing can be read: exit 2, one-line message, the report names DescribeAlarms."""
        done = _run("--region", "eu-west-1", "--format", "json", env=_bare_env(tmp_path))
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
        assert "could not read: DescribeAlarms" in done.stderr
        assert "credentials" in done.stderr.lower()
        report: dict[str, Any] = json.loads(done.stdout)
        assert report["complete"] is False
        assert [p["call"] for p in report["could_not_read"]] == ["DescribeAlarms"]
        assert report["alarms"] == []

    def test_no_region_is_a_one_line_error(self, tmp_path):
        """Without a region anywhere, the audit says so and exits 2 before any call."""
        done = _run("--format", "md", env=_bare_env(tmp_path))
        assert done.returncode == 2
        assert done.stderr.startswith("sensible-alarms: error: cannot open an AWS session")
        assert "Traceback" not in done.stderr


class TestAccessDeniedOnOneCall:
    def test_history_denied_gives_the_alarms_and_says_the_history_is_missing(self, iam_moto, auditor, tmp_path):
        """DescribeAlarmHistory denied: exit 0, the alarm is reported and classified, and the report
        says the history could not be read (AccessDenied), so counts are unknown."""
        env = {**_bare_env(tmp_path), **auditor}
        done = _run("--region", "us-east-1", "--endpoint-url", iam_moto, "--format", "json", env=env)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        problems = {p["call"]: p for p in report["could_not_read"]}
        assert problems["DescribeAlarmHistory"]["code"] == "AccessDenied"
        assert "not authorized" in problems["DescribeAlarmHistory"]["message"]
        (alarm,) = report["alarms"]
        assert alarm["name"] == "checkout-errors"
        assert alarm["class"] == "per-resource noise"
        assert report["complete"] is False

    def test_the_markdown_report_lists_what_it_could_not_read(self, iam_moto, auditor, tmp_path):
        """The markdown starts with a 'Could not read' section naming the call and the reason."""
        env = {**_bare_env(tmp_path), **auditor}
        done = _run("--region", "us-east-1", "--endpoint-url", iam_moto, env=env)
        assert done.returncode == 0
        assert "## Could not read" in done.stdout
        assert "DescribeAlarmHistory (alarms): AccessDenied" in done.stdout
        assert "notification counts below are unknown" in done.stdout


class TestClients:
    def test_clients_retry_throttling_in_botocores_adaptive_mode(self):
        """Both clients use adaptive retries (throttling retried with backoff and client-side rate limiting)."""
        cloudwatch, cloudformation, region = clients(region="eu-west-1")
        assert region == "eu-west-1"
        for client in (cloudwatch, cloudformation):
            assert client.meta.config.retries["mode"] == RETRIES_MODE
            assert client.meta.config.retries["total_max_attempts"] >= 5
        assert cloudwatch.can_paginate("describe_alarms")
        assert cloudwatch.can_paginate("describe_alarm_history")
        assert cloudformation.can_paginate("list_stack_resources")
