"""The entrypoints ``sensible_alarms.model`` detects, as the review shows them: an API with all its
stages and routes (a stage whose API is not in the template stands alone), a consumer with its
queue or stream and dead-letter queue, a rule or schedule with its functions; each with the
literal names an alarm may use for its resources."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import Api, Entrypoint, ResourceRef, Stack, literal_name, render
from ..model.resources import path_label

__all__ = ["DetectedEntrypoint", "detected_entrypoints"]

#: Stage names alone are too common to identify an API.
_COMMON_NAMES = frozenset({"prod", "$default"})
_SOURCE_WORDS = {"sqs": "SQS queue", "kinesis": "Kinesis stream", "dynamodb": "DynamoDB table stream"}


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
    identity: tuple[str, str, str] = ("", "", "")
    """What the entrypoint is, whatever the logical ids and stack are called: its kind, the kind of
    its source (resource type, or schedule expression) and the source's literal name ("" when none)."""

    def targets(self) -> set[str]:
        return set(self.resources) | self.names


def _shown(stack: Stack, key: str, kind: str, title: str, lids: list[str],
           features: Iterable[str] = (), source: tuple[str, str] = ("", "")) -> DetectedEntrypoint:
    names = {literal_name(stack.resources[lid]) for lid in lids if lid in stack.resources}
    return DetectedEntrypoint(key, kind, title, lids, {n for n in names if n} - _COMMON_NAMES, list(features),
                              (kind, *source))


def _source(stack: Stack, logical_id: str | None, fallback: str = "") -> tuple[str, str]:
    """The kind of a source resource and its literal name, or the fallback text as the kind."""
    resource = stack.resources.get(logical_id) if logical_id else None
    if resource is None:
        return fallback, ""
    return resource.type, literal_name(resource) or ""


def short_id(logical_id: str) -> str:
    """A logical id without the 8-character hash CDK appends (``OrderQueue39B99167`` -> ``OrderQueue``)."""
    return path_label(None, logical_id)


def _label(ref: ResourceRef) -> str:
    return short_id(ref.logical_id) if ref.logical_id else ref.text


def _api(stack: Stack, api: Api) -> DetectedEntrypoint:
    name = api.name if api.name is not None else short_id(api.logical_id)
    return _shown(stack, api.logical_id, "api", f"{api.protocol} API {name}", [api.logical_id, *api.stages],
                  (f"route {route}" for route in api.routes), _source(stack, api.logical_id))


def _lone_stage(stack: Stack, stage: Entrypoint) -> DetectedEntrypoint:
    what = "API stage" if stack.resources[stage.logical_id].type == "AWS::ApiGatewayV2::Stage" else "REST API stage"
    return _shown(stack, stage.logical_id, "api", f"{what} {short_id(stage.logical_id)}", [stage.logical_id],
                  source=_source(stack, stage.logical_id))


def _consumer(stack: Stack, consumer: Entrypoint, source: ResourceRef) -> DetectedEntrypoint:
    lids = [consumer.logical_id, source.logical_id, *consumer.functions]
    features: list[str] = []
    dlq = consumer.dead_letter_queue
    if dlq is not None:
        lids.append(dlq.logical_id)
        features.append(f"dead-letter queue {_label(dlq)} (after {consumer.max_receive_count} receives)")
    if consumer.failure_destination is not None:
        features.append(f"failure destination {_label(consumer.failure_destination)}")
    # No function of this stack: name the one the mapping invokes, as written.
    function = ", ".join(short_id(f) for f in consumer.functions) or render(
        stack.resources[consumer.logical_id].properties.get("FunctionName"))
    title = f"{_SOURCE_WORDS[consumer.source_service]} {_label(source)} -> Lambda {function}"
    return _shown(stack, consumer.logical_id, consumer.kind, title, [lid for lid in lids if lid], features,
                  _source(stack, source.logical_id, consumer.source_service))


def _job(stack: Stack, job: Entrypoint) -> DetectedEntrypoint:
    props = stack.resources[job.logical_id].properties
    if job.kind == "scheduled_job":
        what, feature = "schedule", f"schedule {render(props.get('ScheduleExpression'))}"
    else:
        what, feature = "EventBridge rule", f"event pattern {json.dumps(props.get('EventPattern'), sort_keys=True)}"
    functions = sorted(job.functions)
    title = f"{what} {short_id(job.logical_id)} -> Lambda " + ", ".join(short_id(f) for f in functions)
    return _shown(stack, job.logical_id, job.kind, title, [job.logical_id, *functions], [feature],
                  (feature, literal_name(stack.resources[job.logical_id]) or ""))


def detected_entrypoints(stack: Stack) -> list[DetectedEntrypoint]:
    """Every customer-facing entrypoint of one stack, in a stable order."""
    apis = {api.logical_id for api in stack.apis}
    # A WebSocket API's stages are entrypoints of their own kind (websocket_api), shown below.
    found = [_api(stack, api) for api in stack.apis if api.protocol != "WEBSOCKET"]
    for entrypoint in stack.entrypoints:
        source = entrypoint.source
        if entrypoint.kind == "api":
            if source is None or source.logical_id not in apis:
                found.append(_lone_stage(stack, entrypoint))
        elif entrypoint.kind in ("queue_consumer", "stream_consumer") and source is not None:
            found.append(_consumer(stack, entrypoint, source))
        elif entrypoint.kind == "scheduled_job" or (
                entrypoint.kind == "event_consumer" and entrypoint.source_service == "events" and entrypoint.functions):
            found.append(_job(stack, entrypoint))
        else:  # the other kinds (issue 13): as the model words them
            found.append(_shown(stack, entrypoint.logical_id, entrypoint.kind, entrypoint.title,
                                [*entrypoint.resources, *entrypoint.functions]))
    return sorted(found, key=lambda e: e.key)
