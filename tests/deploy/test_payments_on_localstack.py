"""The payments example (explicit constructs), deployed through CloudFormation on the shared LocalStack:
every resource of the template is created, and every alarm and composite of the new entrypoint
constructs exists with its synthesized configuration.

What LocalStack (community, host mode) cannot create, and this test therefore leaves out of the
deployed stack (``PaymentsStack(emulated=True)``): the Application Load Balancer and its VPC (no EC2,
no ELBv2 provider started), the AppSync GraphQL API and the API Gateway WebSocket API (Pro features).
The full template, with them, is linted by cfn-lint with 0 errors in tests/test_payments_example.py,
and their constructs' alarms are pinned by snapshots in tests/test_entrypoint_kinds.py. LocalStack's
limits on evaluating alarms are those tests/deploy/test_orders_on_localstack.py lists; this test only
checks what was created.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from cdk_support import ALARM_TYPES, ROOT, cfn_lint_errors, resources_of

from .conftest import Client, Deployment, deployed
from .test_orders_on_localstack import _describe, _differences

#: Unique on the shared LocalStack: other helpers deploy their own stacks there.
STACK_NAME = "PaymentsExplicitOnLocalStack"
EXAMPLE = ROOT / "examples" / "payments_service"


@pytest.fixture(scope="module")
def payments_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    sys.path.insert(0, str(EXAMPLE))
    try:
        from payments_stack import PaymentsStack
    finally:
        sys.path.remove(str(EXAMPLE))
    out = tmp_path_factory.mktemp("payments-emulated")
    app = cdk.App(outdir=str(out))
    stack = PaymentsStack(app, STACK_NAME, alarms="explicit", emulated=True,
                          synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    template: dict[str, Any] = app.synth().get_stack_by_name(stack.stack_name).template
    assert cfn_lint_errors(template) == []
    return out / f"{STACK_NAME}.template.json", template


@pytest.fixture(scope="module")
def payments_deployment(aws: Client, payments_template: tuple[Path, dict[str, Any]],
                        deploy_timings: dict[str, Any]) -> Iterator[Deployment]:
    """The emulated payments stack, created through CloudFormation (template from S3) and deleted after."""
    path, template = payments_template
    yield from deployed(aws, STACK_NAME, template, path.read_bytes(), deploy_timings, "payments_deploy_seconds")


def test_cloudformation_creates_every_resource_of_the_payments_template(payments_deployment):
    """The stack is CREATE_COMPLETE with every resource of the template created: the SNS subscription, the
    bucket notification, the event bus rule, the state machine and the Function URL among them."""
    assert set(payments_deployment.statuses) == set(payments_deployment.template["Resources"])
    assert {k: v for k, v in payments_deployment.statuses.items() if v != "CREATE_COMPLETE"} == {}
    types = {r["Type"] for r in payments_deployment.template["Resources"].values()}
    assert {"AWS::SNS::Subscription", "Custom::S3BucketNotifications", "AWS::Events::Rule",
            "AWS::StepFunctions::StateMachine", "AWS::Lambda::Url"} <= types


def test_every_alarm_of_the_new_constructs_exists_as_synthesized(aws, payments_deployment):
    """Each alarm and composite of the template exists under its name with the template's properties
    (metric or metric math, threshold, periods, missing data, actions, rule and suppressor)."""
    expected = {}
    for resource in resources_of(payments_deployment.template, *ALARM_TYPES).values():
        props = payments_deployment.resolve(resource["Properties"])
        props.setdefault("ActionsEnabled", True)
        for actions in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            props.setdefault(actions, [])
        expected[props["AlarmName"]] = props
    deployed = _describe(aws, sorted(expected))
    assert sorted(deployed) == sorted(expected)
    differences = [d for name, props in sorted(expected.items()) for d in _differences(props, deployed[name], name)]
    assert not differences, "\n".join(differences)
    kinds = {name.split("-")[1] for name in expected}
    assert {"DisputesAlarms", "StatementsAlarms", "ChargebacksAlarms", "SettlementAlarms", "WebhookAlarms"} <= kinds
