"""`sensible-alarms audit` on a real alarm history: the per-resource baseline
(examples/per_resource_baseline) deployed through CloudFormation on LocalStack, metric data put so
that LocalStack's own evaluation drives its alarms into ALARM, then the audit reads the alarms and
their history back through the CloudWatch and CloudFormation APIs and its report is kept as a
snapshot.

What is changed in the synthesized template before deploying, and why:

* Alarm names get the stack's unique name as prefix instead of ``Orders`` (alarm names are unique
  per account and region; other runs share this LocalStack).
* cdk-monitoring-constructs writes every alarm as metric math, most with one ``MetricStat`` query
  that returns data. LocalStack only evaluates single-metric alarms (see test_orders_on_localstack),
  so each such alarm is deployed in CloudWatch's equivalent single-metric form (same metric,
  dimensions, statistic, period, threshold, periods). Alarms with a real expression (the error
  rates, the table's summed system errors) are deployed as synthesized and stay INSUFFICIENT_DATA.

The failures driven (LocalStack evaluates a 1 x 5 min alarm every 5 minutes, so this takes up to
about 6 minutes): the API failing (the API's 5xx and two of its functions' errors: one failure,
three notifications) and the queue consumer's function failing (one notification).

What the emulator cannot do, so this test does not cover it (tests/audit does, against moto_server
where moto can): paging (LocalStack answers DescribeAlarms and DescribeAlarmHistory in one page and
ignores MaxRecords) and throttling (LocalStack never throttles; the audit's clients retry with
botocore's adaptive mode, which tests/audit checks is configured).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from cdk_support import ROOT

from .conftest import ENDPOINT, Client, _failures, _wait_until_settled

REGION = "eu-west-3"
BUCKET = "sensible-alarms-audit-deploy-tests"
ASSEMBLY_STACK = "OrdersPerResourceBaseline"
#: Two of LocalStack's 5-minute evaluation intervals and a minute to spare: a bound on waiting.
FIRE_WAIT_SECONDS = 2 * 300 + 60
REPORT_EVERY_SECONDS = 20
#: The alarms driven into ALARM (name after the prefix) and the metric data that does it.
DRIVEN = ("CreateOrder-Fault-Count-Critical", "GetOrder-Fault-Count-Critical",
          "orders-api-prod-Fault-Count-Critical", "FulfilOrder-Fault-Count-Critical")


def _build_baseline(outdir: Path) -> None:
    """Synthesize the baseline; its stack module is loaded under its own name (its folder is not put
    on sys.path, where its app.py would shadow the orders example's)."""
    import aws_cdk as cdk

    path = ROOT / "examples" / "per_resource_baseline" / "baseline_stack.py"
    spec = importlib.util.spec_from_file_location("per_resource_baseline_stack", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = cdk.App(outdir=str(outdir))
    module.PerResourceBaselineStack(app, ASSEMBLY_STACK,
                                    synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    app.synth()


def _single_metric_form(props: dict[str, Any]) -> dict[str, Any]:
    """A one-query metric-math alarm in CloudWatch's equivalent single-metric form."""
    metrics = props.get("Metrics")
    if not isinstance(metrics, list) or len(metrics) != 1 or "MetricStat" not in metrics[0]:
        return props
    stat = metrics[0]["MetricStat"]
    out = {k: v for k, v in props.items() if k != "Metrics"}
    out.update(Namespace=stat["Metric"]["Namespace"], MetricName=stat["Metric"]["MetricName"],
               Dimensions=stat["Metric"].get("Dimensions", []), Period=stat["Period"])
    if re.fullmatch(r"p\d+(\.\d+)?", stat["Stat"]):
        out["ExtendedStatistic"] = stat["Stat"]
    else:
        out["Statistic"] = stat["Stat"]
    return out


@pytest.fixture(scope="module")
def stack_name() -> str:
    return f"AuditBaseline{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def regional(aws: Client) -> Client:
    """Clients in this test's own region of the shared LocalStack (aws checked it is up)."""
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    return lambda service: session.client(service, endpoint_url=ENDPOINT)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory, regional: Client,
             stack_name: str) -> Iterator[tuple[Path, dict[str, str]]]:
    """The baseline synthesized, deployed under a unique stack name; (assembly, physical ids)."""
    assembly = tmp_path_factory.mktemp("baseline") / "cdk.out"
    _build_baseline(assembly)
    template = json.loads((assembly / f"{ASSEMBLY_STACK}.template.json").read_text())
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            props = _single_metric_form(resource["Properties"])
            props["AlarmName"] = props["AlarmName"].replace("Orders-", f"{stack_name}-", 1)
            resource["Properties"] = props
    (assembly / f"{ASSEMBLY_STACK}.template.json").write_text(json.dumps(template, indent=1))
    cloudformation, s3 = regional("cloudformation"), regional("s3")
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):  # left by an earlier run
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    key = f"{stack_name}.template.json"
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(template).encode())
    cloudformation.create_stack(StackName=stack_name, TemplateURL=f"{ENDPOINT}/{BUCKET}/{key}",
                                Capabilities=["CAPABILITY_IAM"], OnFailure="DO_NOTHING")
    status = _wait_until_settled(cloudformation, stack_name)
    if status != "CREATE_COMPLETE":
        pytest.fail(f"stack {stack_name} ended {status}:\n" + "\n".join(_failures(cloudformation, stack_name)),
                    pytrace=False)
    resources = cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]
    yield assembly, {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    cloudformation.delete_stack(StackName=stack_name)
    _wait_until_settled(cloudformation, stack_name)


@pytest.fixture(scope="module")
def history(regional: Client, baseline: tuple[Path, dict[str, str]], stack_name: str) -> dict[str, str]:
    """Errors reported for two API functions, the API's 5xx and the queue consumer's function until
    LocalStack has evaluated the four count alarms into ALARM; their states at the end."""
    assembly, physical = baseline
    template = json.loads((assembly / f"{ASSEMBLY_STACK}.template.json").read_text())
    alarms = {r["Properties"]["AlarmName"]: r["Properties"] for r in template["Resources"].values()
              if r["Type"] == "AWS::CloudWatch::Alarm"}
    driven = {f"{stack_name}-{suffix}": alarms[f"{stack_name}-{suffix}"] for suffix in DRIVEN}
    cloudwatch = regional("cloudwatch")

    def resolve(value: Any) -> str:
        return physical[value["Ref"]] if isinstance(value, dict) else str(value)

    def report(at: datetime) -> None:
        for props in driven.values():
            dims = [{"Name": d["Name"], "Value": resolve(d["Value"])} for d in props["Dimensions"]]
            cloudwatch.put_metric_data(Namespace=props["Namespace"], MetricData=[
                {"MetricName": props["MetricName"], "Dimensions": dims, "Timestamp": at, "Value": 3.0}])

    def states() -> dict[str, str]:
        described = cloudwatch.describe_alarms(AlarmNames=sorted(driven))["MetricAlarms"]
        return {a["AlarmName"]: a["StateValue"] for a in described}

    begin = time.monotonic()
    report(datetime.now(UTC) - timedelta(seconds=30))
    last = time.monotonic()
    found = states()
    while any(s != "ALARM" for s in found.values()) and time.monotonic() - begin < FIRE_WAIT_SECONDS:
        if time.monotonic() - last >= REPORT_EVERY_SECONDS:
            report(datetime.now(UTC))
            last = time.monotonic()
        time.sleep(2)
        found = states()
    return found


def _audit(stack_name: str, assembly: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    env.pop("AWS_PROFILE", None)
    return subprocess.run(
        [str(Path(sys.executable).parent / "sensible-alarms"), "audit", "--region", REGION, "--endpoint-url", ENDPOINT,
         "--alarm-name-prefix", f"{stack_name}-", "--assembly", str(assembly),
         "--stack-name", f"{ASSEMBLY_STACK}={stack_name}", "--days", "1", "--quiet", *extra],
        capture_output=True, text=True, env=env, timeout=300, check=False)


def _masked(text: str, stack_name: str, assembly: Path) -> str:
    """The report without what changes from run to run: the stack name, the assembly's temporary
    path and the times."""
    text = text.replace(str(assembly), "<assembly>").replace(stack_name, "<stack>")
    text = re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\dZ)?", "<time>", text)
    return text


@pytest.fixture(scope="module")
def report(history: dict[str, str], baseline: tuple[Path, dict[str, str]], stack_name: str) -> dict[str, Any]:
    not_fired = {name: state for name, state in history.items() if state != "ALARM"}
    if not_fired:
        pytest.fail(f"LocalStack did not evaluate these alarms into ALARM: {not_fired}", pytrace=False)
    done = _audit(stack_name, baseline[0], "--format", "json")
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


class TestAuditOfADeployedPerResourceStack:
    def test_the_driven_alarms_fired_by_localstacks_own_evaluation(self, history):
        """The four count alarms went into ALARM from the metric data, nobody set their state."""
        assert set(history.values()) == {"ALARM"}

    def test_the_report_names_each_per_resource_alarm_noise_or_duplicate_with_its_count(self, report, stack_name):
        """Each function's error-count alarm notified once and is per-resource noise (the API's a
        duplicate of the API's notification too); the API's 5xx alarm reads its customer signal, on a
        single datapoint (so noise first)."""
        alarms = {a["name"].removeprefix(f"{stack_name}-"): a for a in report["alarms"]}
        for suffix in ("CreateOrder-Fault-Count-Critical", "GetOrder-Fault-Count-Critical",
                       "FulfilOrder-Fault-Count-Critical"):
            assert alarms[suffix]["class"] == "per-resource noise", alarms[suffix]
            assert len(alarms[suffix]["notifications"]) == 1
        assert "duplicate" in alarms["CreateOrder-Fault-Count-Critical"]["labels"]
        api = alarms["orders-api-prod-Fault-Count-Critical"]
        assert api["labels"] == ["per-resource noise", "customer-impact"]
        assert len(api["notifications"]) == 1
        assert report["totals"]["notifications"] == 4
        assert report["complete"] is True

    def test_one_api_failure_is_one_burst_of_three_notifications(self, report, stack_name):
        """The API's and its two functions' notifications are one burst on the API entrypoint."""
        several = [b for b in report["bursts"] if len(b["alarms"]) > 1]
        assert len(several) == 1
        assert several[0]["notifications"] == 3
        assert several[0]["entrypoint"].startswith("REST API orders-api, stage prod")

    def test_the_markdown_report_matches_the_snapshot(self, report, baseline, stack_name, snapshot):
        """The markdown report, times and the stack name masked, is the reviewed one."""
        done = _audit(stack_name, baseline[0], "--format", "md")
        assert done.returncode == 0, done.stderr
        assert _masked(done.stdout, stack_name, baseline[0]) == snapshot

    def test_nothing_was_written_to_the_account(self, regional, baseline, stack_name, report):
        """An audit leaves every alarm's configuration as it was (states are LocalStack's to change)."""
        cloudwatch = regional("cloudwatch")

        def configuration() -> list[dict[str, Any]]:
            alarms = cloudwatch.describe_alarms(AlarmNamePrefix=f"{stack_name}-")["MetricAlarms"]
            return [{k: v for k, v in a.items() if not k.startswith("State")} for a in alarms]

        before = configuration()
        done = _audit(stack_name, baseline[0], "--format", "json")
        assert done.returncode == 0
        assert configuration() == before
