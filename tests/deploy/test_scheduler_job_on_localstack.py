"""A job started by an EventBridge Scheduler schedule, with ``ScheduledJobAlarms(schedule=...)``,
deployed through CloudFormation on the shared LocalStack: the schedule exists and invokes the
function, and every alarm and composite exists with its synthesized configuration.

LocalStack never runs the function (the suite's noop executor), so this checks what was created,
not when the alarms would fire; the replay tests do that.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets

from cdk_support import ALARM_TYPES, cfn_lint_errors, resources_of
from sensible_alarms import AlarmRouting, ScheduledJobAlarms

from .conftest import Client, Deployment, deployed
from .test_orders_on_localstack import _describe, _differences

#: Unique on the shared LocalStack: other stacks are deployed there too.
STACK_NAME = "NightlyJobOnLocalStack"


def _template() -> dict[str, Any]:
    app = cdk.App()
    stack = cdk.Stack(app, STACK_NAME,
                      synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    job = lambda_.Function(stack, "Job", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                           code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"))
    schedule = scheduler.Schedule(stack, "Nightly", schedule=scheduler.ScheduleExpression.cron(minute="0", hour="3"),
                                  target=scheduler_targets.LambdaInvoke(job),
                                  time_window=scheduler.TimeWindow.flexible(cdk.Duration.minutes(30)))
    routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
    ScheduledJobAlarms(stack, "NightlyAlarms", schedule=schedule, function=job, routing=routing,
                       runbook_url="https://runbooks.example.com/nightly")
    template: dict[str, Any] = app.synth().get_stack_by_name(STACK_NAME).template
    assert cfn_lint_errors(template) == []
    return template


@pytest.fixture(scope="module")
def job_deployment(aws: Client, deploy_timings: dict[str, Any]) -> Iterator[Deployment]:
    """The stack, created through CloudFormation and deleted after."""
    template = _template()
    yield from deployed(aws, STACK_NAME, template, json.dumps(template).encode(), deploy_timings,
                        "scheduler_job_deploy_seconds")


def test_cloudformation_creates_the_schedule_and_every_resource(job_deployment):
    """The stack is CREATE_COMPLETE with each resource of the template created, the schedule among them."""
    assert set(job_deployment.statuses) == set(job_deployment.template["Resources"])
    assert {k: v for k, v in job_deployment.statuses.items() if v != "CREATE_COMPLETE"} == {}
    assert "AWS::Scheduler::Schedule" in {r["Type"] for r in job_deployment.template["Resources"].values()}


def test_the_schedule_invokes_the_function_in_its_flexible_window(aws, job_deployment):
    """EventBridge Scheduler has the schedule: its cron, its 30 min flexible window and the function as target."""
    [(logical_id, resource)] = resources_of(job_deployment.template, "AWS::Scheduler::Schedule").items()
    name = job_deployment.physical_ids[logical_id].rsplit("/", 1)[-1]
    found = aws("scheduler").get_schedule(Name=name)
    [(function_id, _)] = resources_of(job_deployment.template, "AWS::Lambda::Function").items()
    assert found["ScheduleExpression"] == resource["Properties"]["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert found["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 30}
    assert found["Target"]["Arn"].endswith(f":function:{job_deployment.physical_ids[function_id]}")


def test_every_alarm_of_the_job_exists_as_synthesized(aws, job_deployment):
    """Each alarm and composite of ScheduledJobAlarms exists under its name with the template's
    properties (metrics, threshold, periods, missing data, actions, rule and suppressor)."""
    expected = {}
    for resource in resources_of(job_deployment.template, *ALARM_TYPES).values():
        props = job_deployment.resolve(resource["Properties"])
        props.setdefault("ActionsEnabled", True)
        for actions in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            props.setdefault(actions, [])
        expected[props["AlarmName"]] = props
    assert [n for n, p in expected.items() if p["AlarmActions"]], "no alarm of the job notifies"
    deployed = _describe(aws, sorted(expected))
    assert sorted(deployed) == sorted(expected)
    differences = [d for name, props in sorted(expected.items()) for d in _differences(props, deployed[name], name)]
    assert not differences, "\n".join(differences)
