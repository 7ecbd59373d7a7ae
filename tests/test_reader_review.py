"""Wrong answers found by reviewing the one reader (issue 11) as a new user would; each test failed
before its fix."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from typer.testing import CliRunner

from cdk_support import synth
from reader_corpus import odd_actions, write
from sensible_alarms.cli import app
from sensible_alarms.model import CompositeAlarm, build_stack, load

METRICS_HEADER = "timestamp,namespace,metric,dimensions,stat,period,value\n"


def _metrics(path: Path, names: list[str], minutes: int = 30, breach: range = range(10, 20)) -> Path:
    rows = [f"2026-11-02T00:{minute:02d}:00Z,Custom,{name},,Sum,60,{5 if minute in breach else 0}\n"
            for minute in range(minutes) for name in names]
    return write(path, METRICS_HEADER + "".join(rows))


class TestActionsWrittenOtherWays:
    def test_alarm_actions_chosen_by_if_or_given_by_a_parameter_notify(self, tmp_path: Path):
        """An AlarmActions list under Fn::If, or a list parameter, notifies; OK or INSUFFICIENT_DATA actions do not."""
        (stack,) = load(write(tmp_path / "t.json", odd_actions())).stacks
        notifying = {alarm.logical_id for alarm in stack.alarms if alarm.notifies}
        assert notifying == {"ChosenByIf", "FromParameter", "ByArn"}
        assert [a.target for a in stack.alarm("ChosenByIf").alarm_actions] == ["Topic"]  # type: ignore[union-attr]

    def test_no_value_is_no_action(self):
        """AlarmActions that are AWS::NoValue, or an Fn::If whose branches are both empty, notify no one."""
        template = odd_actions()
        resources = template["Resources"]
        resources["ChosenByIf"]["Properties"]["AlarmActions"] = {"Fn::If": ["IsProd", [], {"Ref": "AWS::NoValue"}]}
        resources["FromParameter"]["Properties"]["AlarmActions"] = {"Ref": "AWS::NoValue"}
        stack = build_stack("T", template)
        assert {alarm.logical_id for alarm in stack.alarms if alarm.notifies} == {"ByArn"}

    def test_check_finds_no_silent_alarm(self, tmp_path: Path):
        """check knows the Fn::If and parameter alarms notify and the ARN-named member feeds the composite."""
        path = write(tmp_path / "t.json", odd_actions())
        result = CliRunner().invoke(app, ["check", str(path), "--format", "json"])
        findings = json.loads(result.stdout)["findings"]
        silent = {f["logical_id"] for f in findings if f["rule_id"] == "unexplained-alarm"}
        assert silent == {"OkOnly", "InsufficientOnly"}, findings

    def test_replay_counts_only_transitions_of_alarms_with_alarm_actions(self, tmp_path: Path):
        """replay evaluates the ARN-named member and notifies for the alarms with ALARM actions only."""
        path = write(tmp_path / "t.json", odd_actions())
        metrics = _metrics(tmp_path / "m.csv", ["ok-only", "insufficient-only", "chosen-by-if", "from-parameter",
                                                "member"])
        result = CliRunner().invoke(app, ["replay", str(path), "--metrics", str(metrics), "--quiet",
                                          "--format", "json", "--start", "2026-11-02T00:01Z"])
        assert result.exit_code == 0, result.output
        timeline = json.loads(result.stdout)
        assert {n["alarm"] for n in timeline["notifications"]} == {"by-arn", "chosen-by-if", "from-parameter"}
        into_alarm = {a["name"] for a in timeline["alarms"] if any(c["to"] == "ALARM" for c in a["changes"])}
        assert {"ok-only", "insufficient-only", "member"} <= into_alarm


def test_a_composite_over_an_alarm_imported_by_name_has_it_as_member(stack: cdk.Stack):
    """CDK's Alarm.from_alarm_name in a composite rule is an ARN of pseudo parameters: the model resolves it."""
    cloudwatch.Alarm(stack, "Age", alarm_name="orders-age", metric=cloudwatch.Metric(
        namespace="Custom", metric_name="Age"), threshold=1, evaluation_periods=1)
    imported = cloudwatch.Alarm.from_alarm_name(stack, "Imported", "orders-age")
    composite = cloudwatch.CompositeAlarm(stack, "Orders", alarm_rule=cloudwatch.AlarmRule.from_alarm(
        imported, cloudwatch.AlarmState.ALARM))
    composite.add_alarm_action(cw_actions.SnsAction(sns.Topic(stack, "Topic")))
    model_stack = build_stack(stack.stack_name, synth(stack))
    (orders,) = [a for a in model_stack.alarms if isinstance(a, CompositeAlarm)]
    assert "${AWS::Region}" in orders.rule_text
    (age,) = [a for a in model_stack.alarms if a.physical_name == "orders-age"]
    assert orders.members == (age.logical_id,)


def test_functions_that_serve_cloudformation_are_infrastructure(stack: cdk.Stack, tmp_path: Path):
    """CDK's bucket notifications handler, log retention, AwsCustomResource and provider functions are
    not listed as Lambdas behind no entrypoint; a Lambda nobody invokes still is."""
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_s3_notifications as s3n
    from aws_cdk import custom_resources as cr

    def function(name: str, **kwargs: object) -> lambda_.Function:
        return lambda_.Function(stack, name, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                code=lambda_.Code.from_inline("def handler(e, c): pass"), **kwargs)  # type: ignore[arg-type]

    bucket = s3.Bucket(stack, "Uploads", removal_policy=cdk.RemovalPolicy.DESTROY, auto_delete_objects=True)
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(function("OnUpload")))
    function("Orphan", log_retention=logs.RetentionDays.ONE_WEEK)
    cr.AwsCustomResource(stack, "Lookup", on_create=cr.AwsSdkCall(
        service="SSM", action="getParameter", parameters={"Name": "x"},
        physical_resource_id=cr.PhysicalResourceId.of("x")),
        policy=cr.AwsCustomResourcePolicy.from_sdk_calls(resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE))
    provider = cr.Provider(stack, "Provider", on_event_handler=function("OnEvent"))
    cdk.CustomResource(stack, "Thing", service_token=provider.service_token)
    path = write(tmp_path / "t.json", synth(stack))

    result = CliRunner().invoke(app, ["explain", str(path)])
    lambdas = next(line for line in result.stdout.splitlines() if "Lambda functions behind no entrypoint" in line)
    assert "Orphan" in lambdas
    for internal in ("BucketNotificationsHandler", "LogRetention", "AWS679f53fac", "framework-onEvent", "OnEvent",
                     "AutoDeleteObjects"):
        assert internal not in lambdas, lambdas
    (model_stack,) = load(path).stacks
    labels = {model_stack.label(lid) for lid in model_stack.deployment_resources}
    # the notifications handler, auto-delete objects, log retention, AwsCustomResource, the framework, OnEvent
    assert len(model_stack.deployment_resources) == 6, labels


def test_the_provider_frameworks_waiter_is_no_entrypoint(stack: cdk.Stack, tmp_path: Path):
    """A custom resource provider with an is-complete handler: its waiter state machine is not an uncovered workflow."""
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import custom_resources as cr

    def function(name: str) -> lambda_.Function:
        return lambda_.Function(stack, name, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                code=lambda_.Code.from_inline("def handler(e, c): pass"))

    provider = cr.Provider(stack, "Provider", on_event_handler=function("OnEvent"),
                           is_complete_handler=function("IsComplete"))
    cdk.CustomResource(stack, "Thing", service_token=provider.service_token)
    path = write(tmp_path / "t.json", synth(stack))
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert load(path).stacks[0].entrypoints == ()


def test_the_replay_command_is_a_function_the_cli_only_calls(tmp_path: Path):
    """replay_command gives what `sensible-alarms replay` prints; a bad option raises SensibleAlarmsError."""
    from sensible_alarms.commands.replay import replay_command
    from sensible_alarms.errors import SensibleAlarmsError

    path = write(tmp_path / "t.json", odd_actions())
    metrics = _metrics(tmp_path / "m.csv", ["chosen-by-if", "member"])
    for output_format in ("text", "json"):
        printed = CliRunner().invoke(app, ["replay", str(path), "--metrics", str(metrics), "--quiet",
                                           "--format", output_format])
        assert printed.exit_code == 0, printed.output
        assert printed.stdout == replay_command([path], metrics_file=metrics, quiet=True,
                                                output_format=output_format) + "\n"
    with pytest.raises(SensibleAlarmsError, match="--from-cloudwatch needs --start and --end"):
        replay_command([path], from_cloudwatch=True, timeline_out=tmp_path / "missing" / "t.json")


def test_review_leaves_out_ways_into_alarm_that_can_never_hold(tmp_path: Path):
    """A composite rule's OR-term with FALSE in it is not listed as a condition; a rule that is FALSE says so."""
    template = odd_actions()
    composite = template["Resources"]["ByArn"]["Properties"]
    composite["AlarmRule"] = ('(ALARM(member) AND NOT OK(ok-only)) OR (FALSE AND ALARM("chosen-by-if")) '
                              "OR TRUE AND FALSE")
    result = CliRunner().invoke(app, ["review", str(write(tmp_path / "t.json", template)), "--format", "json"])
    (by_arn,) = [a for a in json.loads(result.stdout)["stacks"][0]["other_alarms"] if a["name"] == "by-arn"]
    assert len(by_arn["conditions"]) == 1, by_arn["conditions"]
    assert "FALSE" not in by_arn["conditions"][0]
    composite["AlarmRule"] = "FALSE"
    result = CliRunner().invoke(app, ["review", str(write(tmp_path / "t.json", template)), "--format", "json"])
    (by_arn,) = [a for a in json.loads(result.stdout)["stacks"][0]["other_alarms"] if a["name"] == "by-arn"]
    assert by_arn["conditions"] == ["pages when rule FALSE"]
