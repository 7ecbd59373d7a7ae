"""`sensible-alarms audit` against LocalStack's CloudWatch, each case in an account of its own
(LocalStack makes an access key id of twelve digits that account): an empty account, an alarm whose
metric no longer exists, and notification counting over a real DescribeAlarmHistory.

The history case changes alarm states with SetAlarmState (the test's setup, as CloudWatch's own
evaluation would): what is tested is how the audit reads and counts the history LocalStack keeps.
LocalStack answers DescribeAlarms and DescribeAlarmHistory in one page (no paging) and never
throttles, so neither is covered here (see tests/audit/test_audit_inputs.py).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from .conftest import ENDPOINT, Client

CLI = str(Path(sys.executable).parent / "sensible-alarms")
REGION = "eu-west-3"


def _account() -> dict[str, str]:
    """Credentials of a fresh LocalStack account (a random twelve-digit access key id)."""
    key = "".join(random.choice("0123456789") for _ in range(12))
    return {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "test"}


def _cloudwatch(keys: dict[str, str]) -> Any:
    return boto3.client("cloudwatch", endpoint_url=ENDPOINT, region_name=REGION,
                        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"])


def _audit(keys: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(keys)
    return subprocess.run([CLI, "audit", "--quiet", "--region", REGION, "--endpoint-url", ENDPOINT, "--days", "1",
                           *args], capture_output=True, text=True, env=env, timeout=120, check=False)


def _alarm(cloudwatch: Any, name: str, function: str, *, actions: bool = True,
           tags: dict[str, str] | None = None) -> None:
    cloudwatch.put_metric_alarm(
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        AlarmName=name, Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=300,
        EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold",
        Dimensions=[{"Name": "FunctionName", "Value": function}],
        AlarmActions=["arn:aws:sns:eu-west-3:000000000000:alarms"] if actions else [])
    if tags:
        # LocalStack 4.13 keeps no tags given to PutMetricAlarm (ListTagsForResource answers none); the
        # same tags set with TagResource, as `aws cloudwatch tag-resource` does, it keeps.
        (alarm,) = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        cloudwatch.tag_resource(ResourceARN=alarm["AlarmArn"], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


class TestAuditInputsOnLocalStack:
    def test_an_empty_account_is_a_complete_report_of_nothing(self, aws: Client):
        """No alarm at all: exit 0, a complete report saying 0 alarms and no notifications."""
        done = _audit(_account(), "--format", "json")
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["complete"] is True
        assert report["totals"]["alarms"] == 0
        assert report["totals"]["notifications"] == 0
        markdown = _audit(_account()).stdout
        assert "0 alarms, 0 of them notify; 0 notifications in the period" in markdown

    def test_an_alarm_whose_metric_no_longer_exists_is_named(self, aws: Client):
        """An alarm on a function that never reported (deleted) is flagged; one whose metric has data is not."""
        keys = _account()
        cloudwatch = _cloudwatch(keys)
        _alarm(cloudwatch, "deleted-function-errors", "deleted-function")
        _alarm(cloudwatch, "live-function-errors", "live-function")
        cloudwatch.put_metric_data(Namespace="AWS/Lambda", MetricData=[
            {"MetricName": "Errors", "Dimensions": [{"Name": "FunctionName", "Value": "live-function"}],
             "Value": 0.0}])
        done = _audit(keys, "--format", "json")
        assert done.returncode == 0, done.stderr
        alarms = {a["name"]: a for a in json.loads(done.stdout)["alarms"]}
        assert alarms["deleted-function-errors"]["state"] == "INSUFFICIENT_DATA"
        assert alarms["deleted-function-errors"]["metric_missing"] is True
        assert alarms["live-function-errors"]["metric_missing"] is False
        assert "deleted-function-errors: no data, and ListMetrics does not list its metric" in _audit(keys).stdout

    def test_notifications_are_transitions_into_alarm_of_alarms_with_actions(self, aws: Client):
        """OK -> ALARM -> OK -> ALARM is two notifications; the same changes of an alarm without
        actions are none; both alarms of the same function less than 15 min apart are one burst."""
        keys = _account()
        cloudwatch = _cloudwatch(keys)
        _alarm(cloudwatch, "orders-errors", "orders")
        _alarm(cloudwatch, "orders-errors-quiet", "orders", actions=False)
        _alarm(cloudwatch, "orders-errors-copy", "orders")
        for state in ("OK", "ALARM", "OK", "ALARM"):
            for name in ("orders-errors", "orders-errors-quiet"):
                cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")
        cloudwatch.set_alarm_state(AlarmName="orders-errors-copy", StateValue="ALARM", StateReason="test")
        done = _audit(keys, "--format", "json")
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        alarms = {a["name"]: a for a in report["alarms"]}
        assert len(alarms["orders-errors"]["notifications"]) == 2
        assert alarms["orders-errors-quiet"]["notifies"] is False
        assert alarms["orders-errors-quiet"]["notifications"] == []
        assert report["totals"]["notifications"] == 3
        (burst,) = report["bursts"]
        assert burst["notifications"] == 3
        assert sorted(burst["alarms"]) == ["orders-errors", "orders-errors-copy"]
        assert alarms["orders-errors"]["class"] == "per-resource noise"

    def test_tag_groups_bursts_by_service(self, aws: Client):
        """With --tag service, alarms of two services notifying together are two bursts, one per
        service (ListTagsForResource per alarm); without it, alarms mapped by dimensions alone are
        one burst."""
        keys = _account()
        cloudwatch = _cloudwatch(keys)
        _alarm(cloudwatch, "orders-create-errors", "orders-create", tags={"service": "orders"})
        _alarm(cloudwatch, "orders-get-errors", "orders-get", tags={"service": "orders"})
        _alarm(cloudwatch, "billing-errors", "billing", tags={"service": "billing"})
        for name in ("orders-create-errors", "orders-get-errors", "billing-errors"):
            cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="test")
        grouped = json.loads(_audit(keys, "--format", "json", "--tag", "service").stdout)
        assert sorted((b["entrypoint"], b["notifications"]) for b in grouped["bursts"]) == [
            ("tag service=billing", 1), ("tag service=orders", 2)]
        assert {a["mapped_by"] for a in grouped["alarms"]} == {"tags"}
        untagged = json.loads(_audit(keys, "--format", "json").stdout)
        assert [b["notifications"] for b in untagged["bursts"]] == [3]
