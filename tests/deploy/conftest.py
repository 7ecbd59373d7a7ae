"""The orders example deployed for real, through CloudFormation, on the LocalStack that
``scripts/localstack.sh start`` runs on 127.0.0.1 (``scripts/test.sh`` starts it before pytest).

LocalStack not answering is a failure, never a skip: these tests are how CI knows the stacks deploy.
Timings (emulator start, deploy, member alarm, notification delivery, delete) are written to
``benchmarks/results/deploy_timings.json`` at the end of the session, as results, not assertions.
"""

from __future__ import annotations

import json
import os
import platform
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from cdk_support import ROOT

PORT = int(os.environ.get("LOCALSTACK_PORT", "4566"))
ENDPOINT = f"http://127.0.0.1:{PORT}"
REGION = "us-east-1"
#: LocalStack's default account; any access key id that is not a 12-digit number maps to it.
ACCOUNT = "000000000000"
STACK_NAME = "OrdersService"
#: The "bootstrap" bucket of this deployment: CloudFormation takes templates over 51,200 bytes only
#: from S3, as `cdk deploy` uploads them to its bootstrap bucket. The orders template is larger.
TEMPLATE_BUCKET = "sensible-alarms-deploy-tests"
DEPLOY_TIMEOUT_SECONDS = 600
TIMINGS_FILE = ROOT / "benchmarks" / "results" / "deploy_timings.json"
STARTED_FILE = ROOT / ".venv-localstack" / "run" / "started.json"

Client = Callable[[str], Any]


def _health() -> dict[str, Any]:
    with urllib.request.urlopen(f"{ENDPOINT}/_localstack/health", timeout=5) as response:
        health: dict[str, Any] = json.load(response)
    return health


@pytest.fixture(scope="session")
def aws() -> Client:
    """boto3 clients for LocalStack (dummy credentials); fails the test when LocalStack is not up."""
    try:
        health = _health()
    except (urllib.error.URLError, OSError) as error:
        pytest.fail(f"LocalStack does not answer on {ENDPOINT} ({error}). The deployment tests need it: "
                    "run `bash scripts/localstack.sh start` (scripts/test.sh does), then pytest.", pytrace=False)
    missing = [s for s in ("cloudformation", "cloudwatch", "sns", "sqs", "s3", "ses")
               if health.get("services", {}).get(s) not in ("available", "running")]
    if missing:
        pytest.fail(f"LocalStack on {ENDPOINT} lacks the services {missing}; start it with "
                    "`bash scripts/localstack.sh start`", pytrace=False)
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=ENDPOINT)

    return client


@pytest.fixture(scope="session")
def deploy_timings() -> Iterator[dict[str, Any]]:
    """Seconds each step took; written to benchmarks/results/deploy_timings.json after the session."""
    timings: dict[str, Any] = {}
    yield timings
    started: dict[str, Any] = json.loads(STARTED_FILE.read_text()) if STARTED_FILE.exists() else {}
    result = {
        "benchmark": "deploy_on_localstack",
        "description": "the orders example created through CloudFormation on LocalStack (host mode, no Docker), "
                       "an alarm driven by metric data, a HIGH notification delivered to SQS and email, "
                       "and the stack deleted",
        "emulator_start_seconds": started.get("emulator_start_seconds"),
        **{key: timings[key] for key in sorted(timings)},
        "localstack_core": started.get("localstack_core") or _health().get("version"),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.system()},
    }
    TIMINGS_FILE.parent.mkdir(parents=True, exist_ok=True)
    TIMINGS_FILE.write_text(json.dumps(result, indent=2) + "\n")


@dataclass
class Deployment:
    """A stack CloudFormation created on LocalStack, and how to resolve its template's references."""

    stack_name: str
    template: dict[str, Any]
    #: Logical id -> physical id (CloudFormation's PhysicalResourceId).
    physical_ids: dict[str, str]
    statuses: dict[str, str] = field(default_factory=dict)

    def alarm_arn(self, name: str) -> str:
        return f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"

    def resolve(self, value: Any) -> Any:
        """`value` with Ref, Fn::GetAtt and Fn::Join replaced by what CloudFormation made of them."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if list(value) == ["Ref"]:
            return self._ref(value["Ref"])
        if list(value) == ["Fn::GetAtt"]:
            return self._get_att(*value["Fn::GetAtt"])
        if list(value) == ["Fn::Join"]:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self.resolve(p)) for p in parts)
        return {k: self.resolve(v) for k, v in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws",
                  "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": self.stack_name}
        return pseudo[name] if name in pseudo else self.physical_ids[name]

    def _get_att(self, logical_id: str, attribute: str) -> str:
        kind = self.template["Resources"][logical_id]["Type"]
        physical = self.physical_ids[logical_id]
        if kind in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm") and attribute == "Arn":
            return self.alarm_arn(physical)
        if kind == "AWS::SQS::Queue" and attribute == "QueueName":
            return physical.rsplit("/", 1)[-1]
        raise NotImplementedError(f"Fn::GetAtt {kind}.{attribute} is not resolved by the deployment tests")


def _stack_status(cloudformation: Any, name: str) -> str | None:
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    status: str = stacks[0]["StackStatus"]
    return None if status == "DELETE_COMPLETE" else status


def _wait_until_settled(cloudformation: Any, name: str) -> str | None:
    """The stack's status once no operation is in progress (None once it is gone)."""
    deadline = time.monotonic() + DEPLOY_TIMEOUT_SECONDS
    while True:
        status = _stack_status(cloudformation, name)
        if status is None or not status.endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def _failures(cloudformation: Any, name: str) -> list[str]:
    events = cloudformation.describe_stack_events(StackName=name)["StackEvents"]
    return [f"{e['LogicalResourceId']} ({e['ResourceType']}): {e.get('ResourceStatusReason')}"
            for e in events if e["ResourceStatus"].endswith("_FAILED") and e["LogicalResourceId"] != name]


@pytest.fixture(scope="session")
def orders_deployment(aws: Client, orders_assembly: Path, orders_template: dict[str, Any],
                      deploy_timings: dict[str, Any]) -> Iterator[Deployment]:
    """The synthesized orders example, created through CloudFormation and deleted after the tests.

    The template goes to S3 first, as `cdk deploy` does for templates over CloudFormation's
    51,200-byte inline limit; the stack then needs no CDK bootstrap (the example's synthesizer adds
    no bootstrap-version rule and its Lambda code is inline).
    """
    body = (orders_assembly / f"{STACK_NAME}.template.json").read_bytes()
    yield from deployed(aws, STACK_NAME, orders_template, body, deploy_timings, "deploy_seconds",
                        delete_timing="delete_seconds")


def deployed(aws: Client, stack_name: str, template: dict[str, Any], body: bytes, deploy_timings: dict[str, Any],
             timing: str, *, delete_timing: str | None = None) -> Iterator[Deployment]:
    """`template` (its JSON `body`) created as stack `stack_name` through CloudFormation, from S3 as `cdk
    deploy` does for templates over the 51,200-byte inline limit, and deleted after; the seconds the
    creation (and, with `delete_timing`, the deletion) took go to `deploy_timings`."""
    cloudformation, s3 = aws("cloudformation"), aws("s3")
    if _stack_status(cloudformation, stack_name) is not None:  # left over from an interrupted run
        cloudformation.delete_stack(StackName=stack_name)
        _wait_until_settled(cloudformation, stack_name)
    s3.create_bucket(Bucket=TEMPLATE_BUCKET)
    key = f"{stack_name}.template.json"
    s3.put_object(Bucket=TEMPLATE_BUCKET, Key=key, Body=body)

    begin = time.perf_counter()
    cloudformation.create_stack(StackName=stack_name, TemplateURL=f"{ENDPOINT}/{TEMPLATE_BUCKET}/{key}",
                                Capabilities=["CAPABILITY_IAM"], OnFailure="DO_NOTHING")
    status = _wait_until_settled(cloudformation, stack_name)
    deploy_timings[timing] = round(time.perf_counter() - begin, 2)
    if status != "CREATE_COMPLETE":
        reasons = "\n".join(_failures(cloudformation, stack_name))
        pytest.fail(f"stack {stack_name} ended {status}, not CREATE_COMPLETE:\n{reasons}", pytrace=False)

    resources = cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]
    yield Deployment(
        stack_name=stack_name,
        template=template,
        physical_ids={r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources},
        statuses={r["LogicalResourceId"]: r["ResourceStatus"] for r in resources},
    )

    begin = time.perf_counter()
    cloudformation.delete_stack(StackName=stack_name)
    status = _wait_until_settled(cloudformation, stack_name)
    if delete_timing is not None:
        deploy_timings[delete_timing] = round(time.perf_counter() - begin, 2)
    assert status is None, f"stack {stack_name} was not deleted: {status}\n" + "\n".join(
        _failures(cloudformation, stack_name))
