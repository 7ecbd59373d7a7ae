"""The review lists the entrypoints sensible_alarms.model detects, so the review and the policy
section of the same report agree, also on the shapes the review once read on its own: a schedule
that targets a Lambda alias, a stream consumer of a TableV2 (GlobalTable), a redrive policy
written as a JSON string."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from templates import write_template

from sensible_alarms.review import review_stacks
from sensible_alarms.review.document import EntrypointReview

FUNCTION = {"Type": "AWS::Lambda::Function",
            "Properties": {"Handler": "index.handler", "Runtime": "python3.12", "Role": "arn:aws:iam::1:role/r",
                           "Code": {"ZipFile": "x"}}}


def _entrypoints(tmp_path: Path, resources: dict[str, Any]) -> list[EntrypointReview]:
    review = review_stacks(write_template(tmp_path / "Service.template.json", resources))
    return [e for stack in review.stacks for e in stack.entrypoints]


def test_a_schedule_that_targets_a_lambda_alias_is_a_scheduled_job(tmp_path: Path) -> None:
    [job] = _entrypoints(tmp_path, {
        "Job": FUNCTION,
        "JobAlias": {"Type": "AWS::Lambda::Alias",
                     "Properties": {"FunctionName": {"Ref": "Job"}, "FunctionVersion": "1", "Name": "live"}},
        "Nightly": {"Type": "AWS::Events::Rule",
                    "Properties": {"ScheduleExpression": "cron(0 2 * * ? *)",
                                   "Targets": [{"Arn": {"Ref": "JobAlias"}, "Id": "Target0"}]}},
    })
    assert (job.kind, job.title, job.features) == (
        "scheduled_job", "schedule Nightly -> Lambda Job", ("schedule cron(0 2 * * ? *)",))
    assert not job.covered


def test_a_stream_consumer_of_a_global_table_is_listed(tmp_path: Path) -> None:
    [consumer] = _entrypoints(tmp_path, {
        "Projector": FUNCTION,
        "Orders": {"Type": "AWS::DynamoDB::GlobalTable",
                   "Properties": {"StreamSpecification": {"StreamViewType": "NEW_IMAGE"}}},
        "Mapping": {"Type": "AWS::Lambda::EventSourceMapping",
                    "Properties": {"EventSourceArn": {"Fn::GetAtt": ["Orders", "StreamArn"]},
                                   "FunctionName": {"Ref": "Projector"}, "StartingPosition": "TRIM_HORIZON"}},
    })
    assert (consumer.kind, consumer.title) == ("stream_consumer", "DynamoDB table stream Orders -> Lambda Projector")


def test_a_redrive_policy_written_as_a_json_string_shows_its_dead_letter_queue(tmp_path: Path) -> None:
    redrive = {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq", "maxReceiveCount": 5}
    [consumer] = _entrypoints(tmp_path, {
        "Worker": FUNCTION,
        "Work": {"Type": "AWS::SQS::Queue", "Properties": {"RedrivePolicy": json.dumps(redrive)}},
        "Mapping": {"Type": "AWS::Lambda::EventSourceMapping",
                    "Properties": {"EventSourceArn": {"Fn::GetAtt": ["Work", "Arn"]},
                                   "FunctionName": {"Ref": "Worker"}}},
    })
    assert consumer.title == "SQS queue Work -> Lambda Worker"
    assert consumer.features == ("dead-letter queue arn:aws:sqs:us-east-1:123456789012:dlq (after 5 receives)",)


def _errors_alarm(name: str) -> dict[str, Any]:
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": name, "Namespace": "AWS/Lambda", "MetricName": "Errors", "Statistic": "Sum", "Period": 60,
        "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": "Job"}}], "ComparisonOperator":
        "GreaterThanOrEqualToThreshold", "Threshold": 1, "EvaluationPeriods": 1}}


def test_a_suppressing_not_reads_as_while_none_is_in_alarm_and_other_nots_stay_rules(tmp_path: Path) -> None:
    """NOT over alarms in ALARM (how LOW waits for no HIGH window) reads "while none of ... is in ALARM"
    in the notifier's conditions, not as a raw rule; a NOT of anything else keeps its rule text."""
    [job] = _entrypoints(tmp_path, {
        "Job": FUNCTION,
        "Nightly": {"Type": "AWS::Events::Rule", "Properties": {
            "ScheduleExpression": "rate(1 day)", "Targets": [{"Arn": {"Fn::GetAtt": ["Job", "Arn"]}, "Id": "T"}]}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Failing": _errors_alarm("failing"), "Paging": _errors_alarm("paging"), "Burning": _errors_alarm("burning"),
        "Ticket": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {
            "AlarmName": "ticket", "AlarmActions": [{"Ref": "Topic"}],
            "AlarmRule": 'ALARM("failing") AND NOT (ALARM("paging") OR ALARM("burning"))'}},
        "Odd": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {
            "AlarmName": "odd", "AlarmActions": [{"Ref": "Topic"}],
            "AlarmRule": 'ALARM("failing") AND NOT OK("paging")'}},
    })
    conditions = {a.name: " | ".join(a.conditions) for a in job.alarms}
    assert "while none of paging, burning is in ALARM" in conditions["ticket"]
    assert "NOT" not in conditions["ticket"]
    assert 'rule NOT (OK("paging"))' in conditions["odd"]
