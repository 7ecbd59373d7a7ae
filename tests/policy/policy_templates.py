"""Small hand-written CloudFormation templates for the rule tests: a REST API, a queue consumer,
a stream consumer and a schedule, each with two Lambda functions at most, and alarm builders.

Every builder returns plain template JSON, so each test states exactly the resources it needs.
"""

from __future__ import annotations

import copy
from typing import Any

from sensible_alarms.model import AlarmModel, from_templates
from sensible_alarms.policy import Report, Rule, check

GOOD_DESCRIPTION = ("Customer impact: Shoppers cannot place orders.\n"
                    "Urgency: HIGH - customers are affected now; act at once\n"
                    "SLO: availability: 99.9% of requests succeed over 30 days\n"
                    "Runbook: https://runbooks.example.com/shop")

Json = dict[str, Any]


def ref(logical_id: str) -> Json:
    return {"Ref": logical_id}


def arn(logical_id: str) -> Json:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def function(role: str | None = None, **properties: Any) -> Json:
    props: Json = {"Runtime": "python3.12", "Handler": "index.handler", "Code": {"ZipFile": "def handler(e, c): pass"},
                   **properties}
    if role:
        props["Role"] = arn(role)
    return {"Type": "AWS::Lambda::Function", "Properties": props}


def rest_api(*functions: str, name: str = "shop-api", stage: str = "prod") -> Json:
    """A REST API ``Api`` with stage ``ApiStage`` and one POST method per function."""
    resources: Json = {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": name}},
        "ApiDeployment": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": ref("Api")}},
        "ApiStage": {"Type": "AWS::ApiGateway::Stage", "Properties": {
            "RestApiId": ref("Api"), "DeploymentId": ref("ApiDeployment"), "StageName": stage}},
    }
    for fn in functions:
        resources[f"{fn}Method"] = {"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": ref("Api"), "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "HttpMethod": "POST",
            "AuthorizationType": "NONE",
            "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": {"Fn::Join": ["", [
                "arn:", ref("AWS::Partition"), ":apigateway:", ref("AWS::Region"), ":lambda:path/2015-03-31/functions/",
                arn(fn), "/invocations"]]}}}}
    return resources


def queue(dead_letters: str | None = None) -> Json:
    props: Json = {}
    if dead_letters:
        props["RedrivePolicy"] = {"deadLetterTargetArn": arn(dead_letters), "maxReceiveCount": 5}
    return {"Type": "AWS::SQS::Queue", "Properties": props}


def mapping(source: Any, fn: str, **properties: Any) -> Json:
    return {"Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {"EventSourceArn": source, "FunctionName": ref(fn), **properties}}


def topic() -> Json:
    return {"Type": "AWS::SNS::Topic", "Properties": {}}


def metric_alarm(namespace: str, metric: str, dimensions: dict[str, Any], *, stat: str = "Sum",
                 threshold: float = 1, evaluation_periods: int = 3, datapoints: int | None = None,
                 actions: tuple[str, ...] = ("Topic",), enabled: bool | None = None,
                 description: str | None = GOOD_DESCRIPTION, comparison: str = "GreaterThanThreshold",
                 name: str | None = None, metadata: Json | None = None) -> Json:
    props: Json = {
        "Namespace": namespace, "MetricName": metric,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
        "Statistic": stat, "Period": 60, "Threshold": threshold, "EvaluationPeriods": evaluation_periods,
        "ComparisonOperator": comparison,
    }
    if datapoints is not None:
        props["DatapointsToAlarm"] = datapoints
    if actions:
        props["AlarmActions"] = [ref(a) for a in actions]
    if enabled is not None:
        props["ActionsEnabled"] = enabled
    if description is not None:
        props["AlarmDescription"] = description
    if name is not None:
        props["AlarmName"] = name
    out: Json = {"Type": "AWS::CloudWatch::Alarm", "Properties": props}
    if metadata is not None:
        out["Metadata"] = metadata
    return out


def api_errors_alarm(**options: Any) -> Json:
    """The API's 5xx count over 3 datapoints, notifying the topic."""
    return metric_alarm("AWS/ApiGateway", "5XXError", {"ApiName": "shop-api", "Stage": "prod"}, **options)


def lambda_alarm(fn: str, metric: str = "Errors", **options: Any) -> Json:
    return metric_alarm("AWS/Lambda", metric, {"FunctionName": ref(fn)}, **options)


def composite(*members: str, actions: tuple[str, ...] = ("Topic",), operator: str = "OR",
              suppressor: str | None = None, description: str | None = GOOD_DESCRIPTION) -> Json:
    rule_parts: list[Any] = []
    for position, member in enumerate(members):
        if position:
            rule_parts.append(f"\") {operator} ALARM(\"")
        rule_parts.append(arn(member))
    props: Json = {"AlarmRule": {"Fn::Join": ["", ["ALARM(\"", *rule_parts, "\")"]]}}
    if actions:
        props["AlarmActions"] = [ref(a) for a in actions]
    if suppressor:
        props["ActionsSuppressor"] = arn(suppressor)
        props["ActionsSuppressorWaitPeriod"] = 120
        props["ActionsSuppressorExtensionPeriod"] = 900
    if description is not None:
        props["AlarmDescription"] = description
    return {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": props}


def suppressed(resource: Json, rule_id: str, reason: str) -> Json:
    out = copy.deepcopy(resource)
    entries = out.setdefault("Metadata", {}).setdefault("SensibleAlarmsSuppressions", [])
    entries.append({"id": rule_id, "reason": reason})
    return out


def shop(**resources: Json) -> Json:
    """A template: a topic ``Topic``, a function ``Checkout`` behind the REST API ``shop-api``,
    plus ``resources``."""
    return {"Resources": {"Topic": topic(), "Checkout": function(), **rest_api("Checkout"), **resources}}


def model_of(template: Json) -> AlarmModel:
    return from_templates([("Shop", template, None)])


def run(rule: Rule, template: Json) -> Report:
    """One rule over one template."""
    return check(model_of(template), [rule])
