"""Hand-written inputs that every reading tool must read the same way: YAML with short tags,
ActionsEnabled as a bool and as a string, Metrics-form alarms, documented description lines,
entrypoints reached other ways than the library's constructs, and an empty cloud assembly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TOPIC = {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": [{"Protocol": "email",
                                                                     "Endpoint": "oncall@example.com"}]}}
FUNCTION = {"Type": "AWS::Lambda::Function", "Properties": {"Role": "arn:aws:iam::123456789012:role/fn",
                                                             "Handler": "index.handler", "Runtime": "python3.12",
                                                             "Code": {"ZipFile": "def handler(e, c): pass"}}}

DESCRIPTION = ("Customer impact: Orders placed by customers are not fulfilled.\n"
               "Urgency: HIGH - customers are affected now; act at once\n"
               "SLO: freshness: orders wait at most 15 min\n"
               "Runbook: https://runbooks.example.com/orders/queue")


def queue_consumer(**alarm_props: Any) -> dict[str, Any]:
    """A queue consumer and one alarm on its queue's oldest-message age (single-metric form)."""
    props: dict[str, Any] = {
        "AlarmName": "orders-queue-age", "Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage",
        "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 3, "Threshold": 900,
        "ComparisonOperator": "GreaterThanThreshold", "AlarmActions": [{"Ref": "Topic"}],
        "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}],
    }
    props.update(alarm_props)
    return {"Resources": {
        "Topic": TOPIC,
        "Dlq": {"Type": "AWS::SQS::Queue"},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}, "maxReceiveCount": 3}}},
        "Fn": FUNCTION,
        "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}, "FunctionName": {"Ref": "Fn"}}},
        "Age": {"Type": "AWS::CloudWatch::Alarm", "Properties": {k: v for k, v in props.items() if v is not None}},
    }}


def metrics_form(**alarm_props: Any) -> dict[str, Any]:
    """The same alarm in the Metrics/MetricStat form cdk-monitoring-constructs writes."""
    template = queue_consumer(**alarm_props)
    props = template["Resources"]["Age"]["Properties"]
    for key in ("Namespace", "MetricName", "Statistic", "Period", "Dimensions"):
        props.pop(key)
    props["Metrics"] = [{"Id": "m1", "ReturnData": True, "MetricStat": {
        "Metric": {"Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage",
                   "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}]},
        "Period": 60, "Stat": "Maximum"}}]
    return template


YAML_SHORT_TAGS = """\
AWSTemplateFormatVersion: 2010-09-09
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Dlq:
    Type: AWS::SQS::Queue
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dlq.Arn
        maxReceiveCount: 3
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/fn"
      Handler: index.handler
      Runtime: python3.12
      Code:
        ZipFile: "def handler(e, c): pass"
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Queue.Arn
      FunctionName: !Ref Fn
  Age:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: orders-queue-age
      AlarmDescription: |-
        Customer impact: Orders placed by customers are not fulfilled.
        Urgency: HIGH - customers are affected now; act at once
        SLO: freshness: orders wait at most 15 min
        Runbook: https://runbooks.example.com/orders/queue
      Namespace: AWS/SQS
      MetricName: ApproximateAgeOfOldestMessage
      Statistic: Maximum
      Period: 60
      EvaluationPeriods: 3
      Threshold: 900
      ComparisonOperator: GreaterThanThreshold
      AlarmActions:
        - !Ref Topic
      Dimensions:
        - Name: QueueName
          Value: !GetAtt Queue.QueueName
"""


def other_entrypoints() -> dict[str, Any]:
    """Lambdas customers reach through an SNS subscription, a Function URL and an event bus rule;
    none of them alarmed."""
    resources: dict[str, Any] = {
        "Topic": {"Type": "AWS::SNS::Topic"},
        "OnTopic": FUNCTION,
        "Subscription": {"Type": "AWS::SNS::Subscription", "Properties": {
            "Protocol": "lambda", "TopicArn": {"Ref": "Topic"}, "Endpoint": {"Fn::GetAtt": ["OnTopic", "Arn"]}}},
        "BehindUrl": FUNCTION,
        "Url": {"Type": "AWS::Lambda::Url", "Properties": {"AuthType": "NONE",
                                                           "TargetFunctionArn": {"Fn::GetAtt": ["BehindUrl", "Arn"]}}},
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "orders"}},
        "OnEvent": FUNCTION,
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {
            "EventBusName": {"Ref": "Bus"}, "EventPattern": {"source": ["orders"]},
            "Targets": [{"Id": "fn", "Arn": {"Fn::GetAtt": ["OnEvent", "Arn"]}}]}},
    }
    return {"Resources": resources}


def _plain_alarm(name: str, **props: Any) -> dict[str, Any]:
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": name, "AlarmDescription": DESCRIPTION, "Namespace": "Custom", "MetricName": name,
        "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 0,
        "ComparisonOperator": "GreaterThanThreshold", **props}}


def odd_actions() -> dict[str, Any]:
    """Alarms whose actions are written the other ways CloudFormation accepts: OK actions only,
    INSUFFICIENT_DATA actions only (neither notifies), ``AlarmActions`` chosen by ``Fn::If`` or given
    by a list parameter (both notify), and a composite that names its member by an ARN built from
    pseudo parameters, as CDK writes ``Alarm.from_alarm_name``."""
    topic = {"Ref": "Topic"}
    member_arn = {"Fn::Join": ["", ['ALARM("arn:', {"Ref": "AWS::Partition"}, ":cloudwatch:",
                                    {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ':alarm:member")']]}
    return {
        "Parameters": {"AlarmTopics": {"Type": "CommaDelimitedList", "Default": "arn:aws:sns:us-east-1:1:x"}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "AWS::AccountId"}, "123456789012"]}},
        "Resources": {
            "Topic": TOPIC,
            "OkOnly": _plain_alarm("ok-only", OKActions=[topic]),
            "InsufficientOnly": _plain_alarm("insufficient-only", InsufficientDataActions=[topic]),
            "ChosenByIf": _plain_alarm("chosen-by-if", AlarmActions={
                "Fn::If": ["IsProd", [topic], {"Ref": "AWS::NoValue"}]}),
            "FromParameter": _plain_alarm("from-parameter", AlarmActions={"Ref": "AlarmTopics"}),
            "Member": _plain_alarm("member"),
            "ByArn": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {
                "AlarmName": "by-arn", "AlarmDescription": DESCRIPTION, "AlarmRule": member_arn,
                "AlarmActions": [topic]}},
        },
    }


def write(path: Path, data: Any) -> Path:
    """A JSON (or text) file, parents created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1), encoding="utf-8")
    return path


def assembly(root: Path, stacks: dict[str, dict[str, Any]], nested: dict[str, str] | None = None) -> Path:
    """A cloud assembly directory as `cdk synth` lays it out (manifest, one template per stack)."""
    artifacts: dict[str, Any] = {}
    for name, template in stacks.items():
        write(root / f"{name}.template.json", template)
        artifacts[name] = {"type": "aws:cloudformation:stack", "displayName": name,
                           "properties": {"templateFile": f"{name}.template.json"}}
    for artifact, directory in (nested or {}).items():
        artifacts[artifact] = {"type": "cdk:cloud-assembly", "properties": {"directoryName": directory}}
    write(root / "manifest.json", {"version": "36.0.0", "artifacts": artifacts})
    return root


def empty_assembly(root: Path) -> Path:
    """A cloud assembly with no stack (an app that added none)."""
    return assembly(root, {})
