"""Fixtures of the audit tests: the per-resource baseline synthesized once, and its alarms as
DescribeAlarms answers them once deployed (references replaced by deployed names)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASELINE_DIR = ROOT / "examples" / "per_resource_baseline"
STACK = "OrdersPerResourceBaseline"
REGION = "eu-west-1"
ACCOUNT = "123456789012"


@pytest.fixture(scope="session")
def baseline_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The orders service's resources alarmed per resource with cdk-monitoring-constructs, synthesized once."""
    import aws_cdk as cdk

    spec = importlib.util.spec_from_file_location("per_resource_baseline_stack", BASELINE_DIR / "baseline_stack.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    outdir = tmp_path_factory.mktemp("baseline") / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    module.PerResourceBaselineStack(app, STACK,
                                    synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    app.synth()
    return outdir


def physical_id(logical_id: str, resource_type: str) -> str:
    """A deployed resource's physical id the way CloudFormation makes them."""
    name = f"{STACK}-{logical_id[:20]}-ABC123"
    if resource_type == "AWS::SQS::Queue":
        return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
    if resource_type == "AWS::SNS::Topic":
        return f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"
    return name


@pytest.fixture(scope="session")
def deployed(baseline_assembly: Path) -> tuple[dict[str, tuple[str, str]], list[dict[str, Any]]]:
    """(logical id -> (type, physical id), the alarms as DescribeAlarms gives them)."""
    template = json.loads((baseline_assembly / f"{STACK}.template.json").read_text())
    physical = {lid: (r["Type"], physical_id(lid, r["Type"])) for lid, r in template["Resources"].items()}

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            if list(value) == ["Ref"]:
                return physical[value["Ref"]][1]
            return {k: resolve(v) for k, v in value.items()}
        return value

    alarms = []
    for lid, resource in template["Resources"].items():
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            props = resolve(resource["Properties"])
            props.setdefault("OKActions", [])
            props.setdefault("InsufficientDataActions", [])
            props["StateValue"] = "OK"
            physical[lid] = (resource["Type"], props["AlarmName"])
            alarms.append(props)
    return physical, alarms
