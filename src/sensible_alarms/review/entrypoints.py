"""Customer-facing entrypoints found from resources alone, whoever wrote the template.

Detected: REST APIs (``AWS::ApiGateway::RestApi``, with their stages and methods; a stage whose API
is not in the template stands alone), HTTP/WebSocket APIs (``AWS::ApiGatewayV2::Api`` / ``Stage``),
Lambda event source mappings from SQS, Kinesis and DynamoDB streams, and EventBridge rules and
EventBridge Scheduler schedules that target a Lambda function of the template.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .references import literal_names, short_id, target_id

__all__ = ["DetectedEntrypoint", "detect_entrypoints"]

_NAME_PROPERTY = {
    "AWS::ApiGateway::RestApi": "Name",
    "AWS::ApiGatewayV2::Api": "Name",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Events::Rule": "Name",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::ApiGateway::Stage": "StageName",
    "AWS::ApiGatewayV2::Stage": "StageName",
}


@dataclass
class DetectedEntrypoint:
    key: str
    """Logical id of the primary resource (the API, the event source mapping, the rule)."""
    kind: str
    title: str
    resources: list[str]
    """Logical ids."""
    names: set[str] = field(default_factory=set)
    """Literal names of those resources (an alarm may name an API or a queue literally)."""
    features: list[str] = field(default_factory=list)

    def keys(self) -> set[str]:
        return set(self.resources) | self.names


def _props(resources: dict[str, Any], lid: str) -> dict[str, Any]:
    resource = resources.get(lid)
    props = resource.get("Properties") if isinstance(resource, dict) else None
    return props if isinstance(props, dict) else {}


def _type(resources: dict[str, Any], lid: str | None) -> str | None:
    resource = resources.get(lid) if lid else None
    kind = resource.get("Type") if isinstance(resource, dict) else None
    return kind if isinstance(kind, str) else None


def _names(resources: dict[str, Any], lids: list[str]) -> set[str]:
    names: set[str] = set()
    for lid in lids:
        prop = _NAME_PROPERTY.get(_type(resources, lid) or "")
        if prop:
            names |= literal_names(_props(resources, lid).get(prop))
    return names - {"prod", "$default"}  # stage names alone are too common to identify an API


def _of_type(resources: dict[str, Any], kind: str) -> list[str]:
    return sorted(lid for lid, r in resources.items() if isinstance(r, dict) and r.get("Type") == kind)


def _rest_path(resources: dict[str, Any], resource_id: Any) -> str:
    parts: list[str] = []
    lid = target_id(resource_id)
    seen: set[str] = set()
    while lid and _type(resources, lid) == "AWS::ApiGateway::Resource" and lid not in seen:
        seen.add(lid)
        props = _props(resources, lid)
        parts.append(str(props.get("PathPart")))
        lid = target_id(props.get("ParentId"))
    return "/" + "/".join(reversed(parts))


def _rest_apis(resources: dict[str, Any]) -> list[DetectedEntrypoint]:
    out: list[DetectedEntrypoint] = []
    apis = _of_type(resources, "AWS::ApiGateway::RestApi")
    stages = _of_type(resources, "AWS::ApiGateway::Stage")
    methods = _of_type(resources, "AWS::ApiGateway::Method")
    for api in apis:
        own_stages = [s for s in stages if target_id(_props(resources, s).get("RestApiId")) == api]
        routes = sorted(
            f"route {_props(resources, m).get('HttpMethod')} "
            f"{_rest_path(resources, _props(resources, m).get('ResourceId'))}"
            for m in methods if target_id(_props(resources, m).get("RestApiId")) == api
        )
        name = _props(resources, api).get("Name")
        lids = [api, *own_stages]
        out.append(DetectedEntrypoint(api, "api", f"REST API {name if isinstance(name, str) else short_id(api)}",
                                      lids, _names(resources, lids), routes))
    for stage in stages:
        if target_id(_props(resources, stage).get("RestApiId")) not in apis:
            out.append(DetectedEntrypoint(stage, "api", f"REST API stage {short_id(stage)}", [stage],
                                          _names(resources, [stage])))
    return out


def _http_apis(resources: dict[str, Any]) -> list[DetectedEntrypoint]:
    out: list[DetectedEntrypoint] = []
    apis = _of_type(resources, "AWS::ApiGatewayV2::Api")
    stages = _of_type(resources, "AWS::ApiGatewayV2::Stage")
    routes = _of_type(resources, "AWS::ApiGatewayV2::Route")
    for api in apis:
        props = _props(resources, api)
        own_stages = [s for s in stages if target_id(_props(resources, s).get("ApiId")) == api]
        keys = sorted(f"route {_props(resources, r).get('RouteKey')}" for r in routes
                      if target_id(_props(resources, r).get("ApiId")) == api)
        protocol = str(props.get("ProtocolType") or "HTTP")
        name = props.get("Name")
        lids = [api, *own_stages]
        out.append(DetectedEntrypoint(api, "api", f"{protocol} API {name if isinstance(name, str) else short_id(api)}",
                                      lids, _names(resources, lids), keys))
    for stage in stages:
        if target_id(_props(resources, stage).get("ApiId")) not in apis:
            out.append(DetectedEntrypoint(stage, "api", f"API stage {short_id(stage)}", [stage],
                                          _names(resources, [stage])))
    return out


def _function_id(resources: dict[str, Any], value: Any) -> str | None:
    lid = target_id(value)
    return lid if _type(resources, lid) == "AWS::Lambda::Function" else None


def _label(resources: dict[str, Any], lid: str | None, value: Any, render: Callable[[Any], str]) -> str:
    return short_id(lid) if lid and lid in resources else render(value)


def _event_source_mappings(resources: dict[str, Any], render: Callable[[Any], str]) -> list[DetectedEntrypoint]:
    out: list[DetectedEntrypoint] = []
    for esm in _of_type(resources, "AWS::Lambda::EventSourceMapping"):
        props = _props(resources, esm)
        source_value = props.get("EventSourceArn")
        source = target_id(source_value)
        source_type = _type(resources, source)
        text = render(source_value)
        if source_type == "AWS::SQS::Queue" or (source_type is None and ":sqs:" in text):
            kind, what = "queue_consumer", "SQS queue"
        elif source_type in ("AWS::Kinesis::Stream", "AWS::Kinesis::StreamConsumer") or (
                source_type is None and ":kinesis:" in text):
            kind, what = "stream_consumer", "Kinesis stream"
        elif source_type == "AWS::DynamoDB::Table" or (source_type is None and ":dynamodb:" in text):
            kind, what = "stream_consumer", "DynamoDB table stream"
        else:
            continue
        function = _function_id(resources, props.get("FunctionName")) or target_id(props.get("FunctionName"))
        lids = [esm] + [lid for lid in (source, function) if lid and lid in resources]
        features: list[str] = []
        if kind == "queue_consumer":
            redrive = _props(resources, source).get("RedrivePolicy") if source else None
            if isinstance(redrive, dict) and redrive.get("deadLetterTargetArn"):
                dlq_value = redrive["deadLetterTargetArn"]
                dlq = target_id(dlq_value)
                if dlq and dlq in resources:
                    lids.append(dlq)
                features.append(f"dead-letter queue {_label(resources, dlq, dlq_value, render)} "
                                f"(after {redrive.get('maxReceiveCount')} receives)")
        else:
            destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
            if destination:
                dest = target_id(destination)
                features.append(f"failure destination {_label(resources, dest, destination, render)}")
        title = (f"{what} {_label(resources, source, source_value, render)} -> Lambda "
                 f"{_label(resources, function, props.get('FunctionName'), render)}")
        out.append(DetectedEntrypoint(esm, kind, title, lids, _names(resources, lids), features))
    return out


def _rules(resources: dict[str, Any], render: Callable[[Any], str]) -> list[DetectedEntrypoint]:
    out: list[DetectedEntrypoint] = []
    for rule in _of_type(resources, "AWS::Events::Rule"):
        props = _props(resources, rule)
        targets = props.get("Targets") or []
        functions = sorted({f for t in targets if isinstance(t, dict)
                            for f in [_function_id(resources, t.get("Arn"))] if f})
        if not functions:
            continue
        if props.get("ScheduleExpression"):
            kind, feature = "scheduled_job", f"schedule {render(props['ScheduleExpression'])}"
            what = "schedule"
        else:
            kind, what = "event_consumer", "EventBridge rule"
            feature = f"event pattern {json.dumps(props.get('EventPattern'), sort_keys=True)}"
        lids = [rule, *functions]
        title = f"{what} {short_id(rule)} -> Lambda " + ", ".join(short_id(f) for f in functions)
        out.append(DetectedEntrypoint(rule, kind, title, lids, _names(resources, lids), [feature]))
    for schedule in _of_type(resources, "AWS::Scheduler::Schedule"):
        props = _props(resources, schedule)
        target = props.get("Target") if isinstance(props.get("Target"), dict) else {}
        function = _function_id(resources, (target or {}).get("Arn"))
        if not function:
            continue
        lids = [schedule, function]
        out.append(DetectedEntrypoint(
            schedule, "scheduled_job", f"schedule {short_id(schedule)} -> Lambda {short_id(function)}", lids,
            _names(resources, lids), [f"schedule {render(props.get('ScheduleExpression'))}"]))
    return out


def detect_entrypoints(resources: dict[str, Any], render: Callable[[Any], str]) -> list[DetectedEntrypoint]:
    """Every customer-facing entrypoint of one template, in a stable order."""
    found = _rest_apis(resources) + _http_apis(resources) + _event_source_mappings(resources, render) + _rules(
        resources, render)
    return sorted(found, key=lambda e: e.key)
