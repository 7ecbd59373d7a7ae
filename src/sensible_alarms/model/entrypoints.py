"""Customer-facing entrypoints, found from the resources of a template whoever wrote it.

An entrypoint is where customers' requests, messages, records or scheduled work enter the service:

* ``api``: an API Gateway REST API stage (``AWS::ApiGateway::Stage``, or a ``Deployment`` with a
  ``StageName``) or an HTTP API stage (``AWS::ApiGatewayV2::Stage``); the functions behind it are
  those its integrations invoke;
* ``queue_consumer``: a Lambda event source mapping from an SQS queue, with the queue's redrive
  dead-letter queue;
* ``stream_consumer``: a Lambda event source mapping from a Kinesis stream or a DynamoDB table's
  stream, with its on-failure destination;
* ``scheduled_job``: an EventBridge rule with a ``ScheduleExpression``, or an EventBridge Scheduler
  schedule, that targets a Lambda function;
* ``event_consumer``: an EventBridge rule with an event pattern (on any bus) that targets a Lambda
  function or another target (a state machine target starts a ``workflow`` instead), an SNS
  subscription that invokes a Lambda function, or an S3 bucket notification that invokes one;
* ``workflow``: a Step Functions state machine, with what starts it (an API, a rule or a schedule);
* ``function_url``: a Lambda Function URL;
* ``load_balancer``: an Application Load Balancer target group whose targets are Lambda functions;
* ``graphql_api``: an AppSync GraphQL API;
* ``websocket_api``: an API Gateway WebSocket API stage.

The API Gateway APIs themselves (:class:`Api`) are listed too, staged or not, with their routes.

An entrypoint's *components* are its functions and the resources they use, as the template shows it:
resources named in the IAM policies of the functions' roles and in their environment variables.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

# One list of kinds for the constructs (what they write) and the model (what it detects).
from ..metadata import EntrypointKind
from .resources import Resource, resource_label
from .values import Unresolved, as_int, as_text, referenced_ids, render, target_id

__all__ = [
    "COMPONENT_TYPES",
    "Api",
    "Entrypoint",
    "EntrypointKind",
    "FailureDestination",
    "FailureKind",
    "ResourceRef",
    "SourceService",
    "detect_apis",
    "detect_entrypoints",
    "detect_failure_destinations",
    "literal_name",
    "literal_names",
    "name_property",
]

FailureKind = Literal["redrive", "event_source_mapping", "lambda_async", "rule_target", "schedule_target"]
SourceService = Literal["apigateway", "sqs", "kinesis", "dynamodb", "events", "scheduler", "sns", "s3", "states",
                        "lambda", "elasticloadbalancing", "appsync"]

#: Resource types that can be a component behind an entrypoint.
COMPONENT_TYPES = frozenset({
    "AWS::Lambda::Function",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::Kinesis::Stream",
    "AWS::S3::Bucket",
    "AWS::StepFunctions::StateMachine",
    "AWS::Events::EventBus",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
})

#: The property that holds a resource's literal name, by type (metrics name resources by it).
_NAME_PROPERTY = {
    "AWS::Lambda::Function": "FunctionName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::DynamoDB::GlobalTable": "TableName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::ApiGateway::RestApi": "Name",
    "AWS::ApiGatewayV2::Api": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::SNS::Topic": "TopicName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::ApiGateway::Stage": "StageName",
    "AWS::ApiGatewayV2::Stage": "StageName",
    "AWS::AppSync::GraphQLApi": "Name",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Name",
}
#: Types whose names are unique only within a parent: a metric names a stage together with its API.
_SCOPED_NAMES = frozenset({"AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"})

_SOURCE_WORDS: Mapping[SourceService, str] = {
    "sqs": "SQS queue", "kinesis": "Kinesis stream", "dynamodb": "DynamoDB stream of",
}


@dataclass(frozen=True)
class ResourceRef:
    """A reference to a resource: ``logical_id`` when it is in the same stack, and ``text``, the
    value as written (rendered), in every case (an imported queue's ARN, for instance)."""

    logical_id: str | None
    text: str


@dataclass(frozen=True)
class Entrypoint:
    """A customer-facing entrypoint of a stack (see the module documentation for the kinds)."""

    kind: EntrypointKind
    stack: str
    logical_id: str
    """The primary resource: the stage, the event source mapping, the rule or the schedule."""
    construct_path: str | None
    title: str
    """In words: ``REST API orders-api, stage prod``, ``SQS queue OrderQueue -> Lambda FulfilOrder``."""
    resources: tuple[str, ...]
    """Logical ids the entrypoint is made of, primary first (stage and API; mapping, queue; ...)."""
    functions: tuple[str, ...]
    """Logical ids of the Lambda functions behind the entrypoint."""
    source: ResourceRef | None
    """Where the work comes from: the API, the queue, the stream or table, the rule or schedule."""
    source_service: SourceService
    """The service of the source, also when it is an ARN: a stream consumer reads ``kinesis`` or ``dynamodb``."""
    dead_letter_queue: ResourceRef | None = None
    """Queue consumers: the source queue's redrive dead-letter queue."""
    max_receive_count: int | Unresolved | None = None
    """Queue consumers with a dead-letter queue: the receives of a message before it moves there."""
    failure_destination: ResourceRef | None = None
    """Stream consumers: the mapping's on-failure destination. Scheduled jobs and event consumers:
    the target's dead-letter queue, else the function's asynchronous dead-letter queue."""
    components: tuple[str, ...] = ()
    """The functions and the resources they use (by IAM policy or environment variable)."""


@dataclass(frozen=True)
class FailureDestination:
    """A queue or topic of the stack where work that failed every retry goes: a dead-letter queue."""

    logical_id: str
    """The queue or topic."""
    owner: str
    """Whose failures land there: the queue (``redrive``), the event source mapping
    (``event_source_mapping``), the function (``lambda_async``), the rule or schedule
    (``rule_target`` / ``schedule_target``)."""
    kind: FailureKind


@dataclass(frozen=True)
class Api:
    """An API Gateway API of the stack, staged or not: a REST API (``AWS::ApiGateway::RestApi``), or an
    HTTP or WebSocket API (``AWS::ApiGatewayV2::Api``). Its stages are entrypoints, WebSocket ones excepted."""

    logical_id: str
    protocol: str
    """``REST``, or the V2 API's ``ProtocolType`` (``HTTP`` when it has none, ``WEBSOCKET``)."""
    name: str | None
    """The literal ``Name``."""
    stages: tuple[str, ...]
    """Logical ids of its ``Stage`` resources (a ``Deployment`` naming a stage is not one)."""
    routes: tuple[str, ...]
    """Sorted: ``GET /orders/{orderId}`` for each method of a REST API, the route keys of a V2 API."""


def literal_name(resource: Resource) -> str | None:
    """The literal name of a resource (``FunctionName``, ``QueueName``, a stage's ``StageName``, ...)."""
    prop = _NAME_PROPERTY.get(resource.type)
    value = resource.properties.get(prop) if prop else None
    return value if isinstance(value, str) and value else None


def name_property(resource_type: str) -> str | None:
    """The property that holds a resource's literal name (``FunctionName``, ``QueueName``, ...), by type."""
    return _NAME_PROPERTY.get(resource_type)


def literal_names(resources: Mapping[str, Resource]) -> dict[str, list[str]]:
    """Literal resource names to the logical ids that have them; stage names are left out (see
    ``_SCOPED_NAMES``)."""
    names: dict[str, list[str]] = defaultdict(list)
    for logical_id, resource in resources.items():
        name = literal_name(resource) if resource.type not in _SCOPED_NAMES else None
        if name:
            names[name].append(logical_id)
    return names


class _Index:
    def __init__(self, stack: str, resources: Mapping[str, Resource], stack_path: str | None = None) -> None:
        self.stack = stack
        self.stack_path = stack_path
        self.resources = resources
        self.by_type: dict[str, list[str]] = defaultdict(list)
        for logical_id, resource in sorted(resources.items()):
            self.by_type[resource.type].append(logical_id)
        self.names = literal_names(resources)
        self._uses: dict[str, set[str]] | None = None

    def type_of(self, logical_id: str | None) -> str | None:
        resource = self.resources.get(logical_id) if logical_id else None
        return resource.type if resource else None

    def props(self, logical_id: str | None) -> Mapping[str, Any]:
        resource = self.resources.get(logical_id) if logical_id else None
        return resource.properties if resource else {}

    def ref(self, value: Any) -> ResourceRef:
        lid = target_id(value)
        return ResourceRef(lid if lid in self.resources else None, render(value))

    def label(self, logical_id: str) -> str:
        resource = self.resources.get(logical_id)
        return resource_label(resource, self.stack_path) if resource else logical_id

    def functions_in(self, value: Any) -> list[str]:
        """Lambda functions a value invokes: by reference (through aliases and versions), or by a
        literal function name or ARN."""
        found: list[str] = []
        for lid in sorted(referenced_ids(value)):
            kind = self.type_of(lid)
            if kind == "AWS::Lambda::Function":
                found.append(lid)
            elif kind in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                found.extend(self.functions_in(self.props(lid).get("FunctionName")))
        if not found:
            text = render(value)
            name = text.split(":function:", 1)[1].split(":", 1)[0] if ":function:" in text else text
            found.extend(lid for lid in self.names.get(name, []) if self.type_of(lid) == "AWS::Lambda::Function")
        return list(dict.fromkeys(found))

    def uses(self) -> dict[str, set[str]]:
        """Function logical id -> components it uses (IAM policies of its role, environment)."""
        if self._uses is not None:
            return self._uses
        role_refs: dict[str, set[str]] = defaultdict(set)
        for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for policy in self.by_type.get(kind, []):
                props = self.props(policy)
                refs = referenced_ids(props.get("PolicyDocument"))
                roles = props.get("Roles")
                for role in referenced_ids(roles if isinstance(roles, list) else []):
                    role_refs[role] |= refs
        for role in self.by_type.get("AWS::IAM::Role", []):
            role_refs[role] |= referenced_ids(self.props(role).get("Policies"))
        uses: dict[str, set[str]] = {}
        for function in self.by_type.get("AWS::Lambda::Function", []):
            props = self.props(function)
            refs = set(referenced_ids(props.get("Environment")))
            role_id = target_id(props.get("Role"))
            if role_id:
                refs |= role_refs.get(role_id, set())
            uses[function] = {lid for lid in refs if self.type_of(lid) in COMPONENT_TYPES and lid != function}
        self._uses = uses
        return uses

    def entrypoint(self, kind: EntrypointKind, primary: str, title: str, resources: Iterable[str],
                   functions: Iterable[str], source: ResourceRef | None, *, source_service: SourceService,
                   dead_letter_queue: ResourceRef | None = None, max_receive_count: int | Unresolved | None = None,
                   failure_destination: ResourceRef | None = None) -> Entrypoint:
        function_ids = tuple(dict.fromkeys(functions))
        component_ids: dict[str, None] = dict.fromkeys(function_ids)
        uses = self.uses()
        for function in function_ids:
            component_ids.update(dict.fromkeys(sorted(uses.get(function, set()))))
        if source is not None and source.logical_id and kind in ("queue_consumer", "stream_consumer"):
            component_ids[source.logical_id] = None
        resource = self.resources.get(primary)
        return Entrypoint(
            kind=kind, stack=self.stack, logical_id=primary,
            construct_path=resource.construct_path if resource else None, title=title,
            resources=tuple(dict.fromkeys([primary, *resources])), functions=function_ids, source=source,
            source_service=source_service, dead_letter_queue=dead_letter_queue,
            max_receive_count=max_receive_count, failure_destination=failure_destination,
            components=tuple(component_ids),
        )


def _function_titles(index: _Index, functions: list[str]) -> str:
    return ", ".join(index.label(f) for f in functions) if functions else "(no function of this stack)"


def _rest_apis(index: _Index) -> list[Entrypoint]:
    found: list[Entrypoint] = []
    functions_of: dict[str, list[str]] = defaultdict(list)
    for method in index.by_type.get("AWS::ApiGateway::Method", []):
        props = index.props(method)
        api = target_id(props.get("RestApiId"))
        integration = props.get("Integration")
        if api and isinstance(integration, dict):
            functions_of[api].extend(index.functions_in(integration.get("Uri")))
    stages: list[tuple[str, Any, Any]] = [
        (stage, index.props(stage).get("RestApiId"), index.props(stage).get("StageName"))
        for stage in index.by_type.get("AWS::ApiGateway::Stage", [])
    ]
    staged = {(target_id(api), render(name)) for _, api, name in stages}
    for deployment in index.by_type.get("AWS::ApiGateway::Deployment", []):
        props = index.props(deployment)
        if props.get("StageName") is not None and (target_id(props.get("RestApiId")),
                                                   render(props.get("StageName"))) not in staged:
            stages.append((deployment, props.get("RestApiId"), props.get("StageName")))
    for stage, api_value, stage_name in stages:
        api = target_id(api_value)
        api_name = index.props(api).get("Name") if api else None
        name = api_name if isinstance(api_name, str) else index.label(api) if api else render(api_value)
        functions = list(dict.fromkeys(functions_of.get(api or "", [])))
        found.append(index.entrypoint(
            "api", stage, f"REST API {name}, stage {render(stage_name)}",
            [api] if api and api in index.resources else [], functions, index.ref(api_value),
            source_service="apigateway"))
    return found


def _http_apis(index: _Index) -> list[Entrypoint]:
    found: list[Entrypoint] = []
    functions_of: dict[str, list[str]] = defaultdict(list)
    for integration in index.by_type.get("AWS::ApiGatewayV2::Integration", []):
        props = index.props(integration)
        api = target_id(props.get("ApiId"))
        if api:
            functions_of[api].extend(index.functions_in(props.get("IntegrationUri")))
    for stage in index.by_type.get("AWS::ApiGatewayV2::Stage", []):
        props = index.props(stage)
        api = target_id(props.get("ApiId"))
        api_props = index.props(api)
        protocol = api_props.get("ProtocolType")
        if protocol == "WEBSOCKET":
            continue
        api_name = api_props.get("Name")
        name = api_name if isinstance(api_name, str) else index.label(api) if api else render(props.get("ApiId"))
        functions = list(dict.fromkeys(functions_of.get(api or "", [])))
        found.append(index.entrypoint(
            "api", stage, f"HTTP API {name}, stage {render(props.get('StageName'))}",
            [api] if api and api in index.resources else [], functions, index.ref(props.get("ApiId")),
            source_service="apigateway"))
    return found


def _redrive_policy(index: _Index, queue: str | None) -> Mapping[str, Any]:
    """The queue's ``RedrivePolicy`` (CloudFormation takes it as an object or a JSON string)."""
    policy = index.props(queue).get("RedrivePolicy")
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return {}
    return policy if isinstance(policy, dict) else {}


def _redrive_target(index: _Index, policy: Mapping[str, Any]) -> ResourceRef | None:
    target = policy.get("deadLetterTargetArn")
    return index.ref(target) if target is not None else None


def _source_kind(index: _Index, source: ResourceRef) -> tuple[EntrypointKind, SourceService, ResourceRef] | None:
    kind = index.type_of(source.logical_id)
    if kind == "AWS::Kinesis::StreamConsumer":
        stream = index.ref(index.props(source.logical_id).get("StreamARN"))
        return "stream_consumer", "kinesis", stream
    if kind == "AWS::SQS::Queue" or (kind is None and ":sqs:" in source.text):
        return "queue_consumer", "sqs", source
    if kind == "AWS::Kinesis::Stream" or (kind is None and ":kinesis:" in source.text):
        return "stream_consumer", "kinesis", source
    if kind in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable") or (kind is None and ":dynamodb:" in source.text):
        return "stream_consumer", "dynamodb", source
    return None


def _event_source_mappings(index: _Index) -> list[Entrypoint]:
    found: list[Entrypoint] = []
    for mapping in index.by_type.get("AWS::Lambda::EventSourceMapping", []):
        props = index.props(mapping)
        classified = _source_kind(index, index.ref(props.get("EventSourceArn")))
        if classified is None:
            continue
        kind, service, source = classified
        functions = index.functions_in(props.get("FunctionName"))
        source_label = index.label(source.logical_id) if source.logical_id else source.text
        title = f"{_SOURCE_WORDS[service]} {source_label} -> Lambda {_function_titles(index, functions)}"
        resources = [lid for lid in (source.logical_id,) if lid]
        if kind == "queue_consumer":
            policy = _redrive_policy(index, source.logical_id)
            dlq = _redrive_target(index, policy)
            receives = as_int(policy.get("maxReceiveCount")) if dlq is not None else None
            found.append(index.entrypoint(kind, mapping, title, resources, functions, source, source_service=service,
                                          dead_letter_queue=dlq, max_receive_count=receives))
        else:
            destination = props.get("DestinationConfig")
            on_failure = destination.get("OnFailure") if isinstance(destination, dict) else None
            target = on_failure.get("Destination") if isinstance(on_failure, dict) else None
            found.append(index.entrypoint(kind, mapping, title, resources, functions, source, source_service=service,
                                          failure_destination=index.ref(target) if target is not None else None))
    return found


def _function_dead_letters(index: _Index, functions: list[str]) -> ResourceRef | None:
    for function in functions:
        config = index.props(function).get("DeadLetterConfig")
        if isinstance(config, dict) and config.get("TargetArn") is not None:
            return index.ref(config["TargetArn"])
    for invoke_config in index.by_type.get("AWS::Lambda::EventInvokeConfig", []):
        props = index.props(invoke_config)
        if set(index.functions_in(props.get("FunctionName"))) & set(functions):
            destination = props.get("DestinationConfig")
            on_failure = destination.get("OnFailure") if isinstance(destination, dict) else None
            if isinstance(on_failure, dict) and on_failure.get("Destination") is not None:
                return index.ref(on_failure["Destination"])
    return None


def _rules_and_schedules(index: _Index) -> list[Entrypoint]:
    found: list[Entrypoint] = []
    for rule in index.by_type.get("AWS::Events::Rule", []):
        props = index.props(rule)
        targets = props.get("Targets")
        functions: list[str] = []
        dead_letters: ResourceRef | None = None
        for target in targets if isinstance(targets, list) else []:
            if not isinstance(target, dict):
                continue
            invoked = index.functions_in(target.get("Arn"))
            functions.extend(invoked)
            config = target.get("DeadLetterConfig")
            if invoked and dead_letters is None and isinstance(config, dict) and config.get("Arn") is not None:
                dead_letters = index.ref(config["Arn"])
        if not functions:
            continue
        functions = list(dict.fromkeys(functions))
        failure = dead_letters or _function_dead_letters(index, functions)
        schedule = props.get("ScheduleExpression")
        if schedule is not None:
            title = f"schedule {index.label(rule)} ({render(schedule)}) -> Lambda {_function_titles(index, functions)}"
            found.append(index.entrypoint("scheduled_job", rule, title, [], functions, index.ref({"Ref": rule}),
                                          source_service="events", failure_destination=failure))
        else:
            title = f"EventBridge rule {index.label(rule)} -> Lambda {_function_titles(index, functions)}"
            found.append(index.entrypoint("event_consumer", rule, title, [], functions, index.ref({"Ref": rule}),
                                          source_service="events", failure_destination=failure))
    for schedule in index.by_type.get("AWS::Scheduler::Schedule", []):
        props = index.props(schedule)
        target = props.get("Target")
        if not isinstance(target, dict):
            continue
        functions = index.functions_in(target.get("Arn"))
        if not functions:
            continue
        config = target.get("DeadLetterConfig")
        failure = index.ref(config["Arn"]) if isinstance(config, dict) and config.get("Arn") is not None \
            else _function_dead_letters(index, functions)
        title = (f"schedule {index.label(schedule)} ({render(props.get('ScheduleExpression'))}) -> Lambda "
                 f"{_function_titles(index, functions)}")
        found.append(index.entrypoint("scheduled_job", schedule, title, [], functions, index.ref({"Ref": schedule}),
                                      source_service="scheduler", failure_destination=failure))
    return found

#: A state machine CDK's custom-resource provider framework makes for itself: not a customer's door.
_PROVIDER_WAITER = "waiter-state-machine"
_LISTENER_TYPES = ("AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::ListenerRule")


def _state_machines_in(index: _Index, value: Any) -> list[str]:
    return [lid for lid in sorted(referenced_ids(value)) if index.type_of(lid) == "AWS::StepFunctions::StateMachine"]


def _other_rule_targets(index: _Index) -> list[Entrypoint]:
    """Rules with an event pattern whose targets are neither Lambda functions (``_rules_and_schedules``)
    nor state machines (a ``workflow`` each): a queue, a topic, a stream, another bus. Events the
    rule fails to deliver are lost to customers all the same."""
    found: list[Entrypoint] = []
    for rule in index.by_type.get("AWS::Events::Rule", []):
        props = index.props(rule)
        targets = props.get("Targets")
        if props.get("ScheduleExpression") is not None or not isinstance(targets, list):
            continue
        arns = [t.get("Arn") for t in targets if isinstance(t, dict)]
        if not arns or any(index.functions_in(arn) for arn in arns):
            continue
        others = [arn for arn in arns if not _state_machines_in(index, arn)]
        if not others:
            continue
        dead_letters = next((index.ref(t["DeadLetterConfig"]["Arn"]) for t in targets
                             if isinstance(t, dict) and isinstance(t.get("DeadLetterConfig"), dict)
                             and t["DeadLetterConfig"].get("Arn") is not None), None)
        what = ", ".join(index.label(lid) if lid else render(arn)
                         for arn in others for lid in [target_id(arn) if target_id(arn) in index.resources else None])
        found.append(index.entrypoint("event_consumer", rule, f"EventBridge rule {index.label(rule)} -> {what}", [], [],
                                      index.ref({"Ref": rule}), source_service="events",
                                      failure_destination=dead_letters))
    return found


def _topic_subscribers(index: _Index) -> list[Entrypoint]:
    """SNS subscriptions with the ``lambda`` protocol (a resource each, or inline in the topic)."""
    found: list[Entrypoint] = []
    subscriptions: list[tuple[str, Any, Any, Any]] = []
    for subscription in index.by_type.get("AWS::SNS::Subscription", []):
        props = index.props(subscription)
        if props.get("Protocol") == "lambda":
            subscriptions.append((subscription, props.get("TopicArn"), props.get("Endpoint"),
                                  props.get("RedrivePolicy")))
    for topic in index.by_type.get("AWS::SNS::Topic", []):
        inline = index.props(topic).get("Subscription")
        for entry in inline if isinstance(inline, list) else []:
            if isinstance(entry, dict) and entry.get("Protocol") == "lambda":
                subscriptions.append((topic, {"Ref": topic}, entry.get("Endpoint"), None))
    for primary, topic_value, endpoint, redrive in subscriptions:
        functions = index.functions_in(endpoint)
        source = index.ref(topic_value)
        topic_label = index.label(source.logical_id) if source.logical_id else source.text
        policy = json.loads(redrive) if isinstance(redrive, str) and redrive.startswith("{") else redrive
        dead_letters = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
        failure = index.ref(dead_letters) if dead_letters is not None else _function_dead_letters(index, functions)
        found.append(index.entrypoint(
            "event_consumer", primary, f"SNS topic {topic_label} -> Lambda {_function_titles(index, functions)}",
            [lid for lid in (source.logical_id,) if lid], functions, source, source_service="sns",
            failure_destination=failure))
    return found


def _bucket_notifications(index: _Index) -> list[Entrypoint]:
    """S3 buckets that invoke Lambda functions on object events: the bucket's own
    ``NotificationConfiguration``, or the ``Custom::S3BucketNotifications`` resource aws-cdk-lib writes."""
    found: list[Entrypoint] = []
    holders: list[tuple[str, Any, list[Any]]] = []
    for bucket in index.by_type.get("AWS::S3::Bucket", []):
        config = index.props(bucket).get("NotificationConfiguration")
        lambdas = config.get("LambdaConfigurations") if isinstance(config, dict) else None
        if isinstance(lambdas, list) and lambdas:
            holders.append((bucket, {"Ref": bucket}, [c.get("Function") for c in lambdas if isinstance(c, dict)]))
    for custom in index.by_type.get("Custom::S3BucketNotifications", []):
        props = index.props(custom)
        config = props.get("NotificationConfiguration")
        lambdas = config.get("LambdaFunctionConfigurations") if isinstance(config, dict) else None
        if isinstance(lambdas, list) and lambdas:
            holders.append((custom, props.get("BucketName"),
                            [c.get("LambdaFunctionArn") for c in lambdas if isinstance(c, dict)]))
    for primary, bucket_value, arns in holders:
        functions = list(dict.fromkeys(f for arn in arns for f in index.functions_in(arn)))
        source = index.ref(bucket_value)
        bucket_label = index.label(source.logical_id) if source.logical_id else source.text
        found.append(index.entrypoint(
            "event_consumer", primary, f"S3 bucket {bucket_label} -> Lambda {_function_titles(index, functions)}",
            [lid for lid in (source.logical_id,) if lid], functions, source, source_service="s3",
            failure_destination=_function_dead_letters(index, functions)))
    return found


def _starters(index: _Index, machine: str) -> list[tuple[str, str]]:
    """What starts a state machine: (logical id, words) of the rules, schedules and API methods or
    integrations that name it."""
    found: list[tuple[str, str]] = []
    for rule in index.by_type.get("AWS::Events::Rule", []):
        props = index.props(rule)
        targets = props.get("Targets")
        if any(machine in _state_machines_in(index, t.get("Arn")) for t in targets or [] if isinstance(t, dict)):
            what = "schedule" if props.get("ScheduleExpression") is not None else "rule"
            found.append((rule, f"{what} {index.label(rule)}"))
    for schedule in index.by_type.get("AWS::Scheduler::Schedule", []):
        target = index.props(schedule).get("Target")
        if isinstance(target, dict) and machine in _state_machines_in(index, target.get("Arn")):
            found.append((schedule, f"schedule {index.label(schedule)}"))
    for kind, prop in (("AWS::ApiGateway::Method", "Integration"), ("AWS::ApiGatewayV2::Integration", None)):
        for lid in index.by_type.get(kind, []):
            props = index.props(lid)
            if machine in referenced_ids(props.get(prop) if prop else props):
                api = target_id(props.get("RestApiId", props.get("ApiId")))
                found.append((lid, f"API {index.label(api) if api else index.label(lid)}"))
    return found


def _workflows(index: _Index) -> list[Entrypoint]:
    """Step Functions state machines, with what starts them and the functions their states invoke."""
    found: list[Entrypoint] = []
    for machine in index.by_type.get("AWS::StepFunctions::StateMachine", []):
        resource = index.resources[machine]
        if resource.construct_path and _PROVIDER_WAITER in resource.construct_path:
            continue
        props = index.props(machine)
        definition = props.get("DefinitionString", props.get("Definition"))
        functions = index.functions_in(definition) if definition is not None else []
        starters = _starters(index, machine)
        started = ", ".join(dict.fromkeys(words for _, words in starters))
        title = f"Step Functions state machine {index.label(machine)}" + (f" (started by {started})" if started else "")
        found.append(index.entrypoint("workflow", machine, title, [lid for lid, _ in starters], functions,
                                      index.ref({"Ref": machine}), source_service="states"))
    return found


def _function_urls(index: _Index) -> list[Entrypoint]:
    """Lambda Function URLs, whatever their auth type (``AWS_IAM`` ones are called by someone too)."""
    found: list[Entrypoint] = []
    for url in index.by_type.get("AWS::Lambda::Url", []):
        props = index.props(url)
        functions = index.functions_in(props.get("TargetFunctionArn"))
        title = f"Function URL of Lambda {_function_titles(index, functions)} (auth {render(props.get('AuthType'))})"
        found.append(index.entrypoint("function_url", url, title, [], functions, index.ref({"Ref": url}),
                                      source_service="lambda"))
    return found


def _load_balancer_targets(index: _Index) -> list[Entrypoint]:
    """Application Load Balancer target groups of Lambda functions, with the listeners that use them."""
    found: list[Entrypoint] = []
    for group in index.by_type.get("AWS::ElasticLoadBalancingV2::TargetGroup", []):
        props = index.props(group)
        if props.get("TargetType") != "lambda":
            continue
        targets = props.get("Targets")
        ids = [t.get("Id") for t in targets if isinstance(t, dict)] if isinstance(targets, list) else []
        functions = list(dict.fromkeys(f for target in ids for f in index.functions_in(target)))
        listeners = [lid for kind in _LISTENER_TYPES for lid in index.by_type.get(kind, [])
                     if group in referenced_ids([index.props(lid).get(key) for key in ("Actions", "DefaultActions")])]
        title = f"load balancer target group {index.label(group)} -> Lambda {_function_titles(index, functions)}"
        found.append(index.entrypoint("load_balancer", group, title, listeners, functions, index.ref({"Ref": group}),
                                      source_service="elasticloadbalancing"))
    return found


def _graphql_apis(index: _Index) -> list[Entrypoint]:
    """AppSync GraphQL APIs, with the Lambda functions of their data sources."""
    found: list[Entrypoint] = []
    for api in index.by_type.get("AWS::AppSync::GraphQLApi", []):
        sources = _owned(index, "AWS::AppSync::DataSource", "ApiId", api)
        functions = list(dict.fromkeys(f for source in sources
                                       for f in index.functions_in(index.props(source).get("LambdaConfig"))))
        name = as_text(index.props(api).get("Name")) or index.label(api)
        found.append(index.entrypoint("graphql_api", api, f"GraphQL API {name}", sources, functions,
                                      index.ref({"Ref": api}), source_service="appsync"))
    return found


def _websocket_apis(index: _Index) -> list[Entrypoint]:
    """API Gateway WebSocket API stages, with the functions their integrations invoke."""
    found: list[Entrypoint] = []
    for stage in index.by_type.get("AWS::ApiGatewayV2::Stage", []):
        props = index.props(stage)
        api = target_id(props.get("ApiId"))
        api_props = index.props(api)
        if api_props.get("ProtocolType") != "WEBSOCKET":
            continue
        integrations = _owned(index, "AWS::ApiGatewayV2::Integration", "ApiId", api or "")
        functions = list(dict.fromkeys(f for integration in integrations
                                       for f in index.functions_in(index.props(integration).get("IntegrationUri"))))
        name = as_text(api_props.get("Name")) or (index.label(api) if api else render(props.get("ApiId")))
        found.append(index.entrypoint(
            "websocket_api", stage, f"WebSocket API {name}, stage {render(props.get('StageName'))}",
            [api] if api and api in index.resources else [], functions, index.ref(props.get("ApiId")),
            source_service="apigateway"))
    return found


def detect_entrypoints(stack: str, resources: Mapping[str, Resource],
                       stack_path: str | None = None) -> tuple[Entrypoint, ...]:
    """Every customer-facing entrypoint of one stack's resources, ordered by logical id.
    ``stack_path`` (the stack's construct path) shortens the names in titles."""
    index = _Index(stack, resources, stack_path)
    found = _rest_apis(index) + _http_apis(index) + _event_source_mappings(index) + _rules_and_schedules(index)
    found += _other_rule_targets(index) + _topic_subscribers(index) + _bucket_notifications(index)
    found += _workflows(index) + _function_urls(index) + _load_balancer_targets(index) + _graphql_apis(index)
    found += _websocket_apis(index)
    return tuple(sorted(found, key=lambda e: e.logical_id))


def _owned(index: _Index, kind: str, api_property: str, api: str) -> list[str]:
    """Resources of ``kind`` whose ``api_property`` references the API ``api``."""
    return [lid for lid in index.by_type.get(kind, []) if target_id(index.props(lid).get(api_property)) == api]


def _rest_path(index: _Index, resource_id: Any) -> str:
    parts: list[str] = []
    lid = target_id(resource_id)
    seen: set[str] = set()
    while lid and index.type_of(lid) == "AWS::ApiGateway::Resource" and lid not in seen:
        seen.add(lid)
        parts.append(render(index.props(lid).get("PathPart")))
        lid = target_id(index.props(lid).get("ParentId"))
    return "/" + "/".join(reversed(parts))


def detect_apis(resources: Mapping[str, Resource]) -> tuple[Api, ...]:
    """Every API Gateway API of one stack's resources, ordered by logical id."""
    index = _Index("", resources)
    found: list[Api] = []
    for api in index.by_type.get("AWS::ApiGateway::RestApi", []):
        routes = (f"{render(index.props(m).get('HttpMethod'))} {_rest_path(index, index.props(m).get('ResourceId'))}"
                  for m in _owned(index, "AWS::ApiGateway::Method", "RestApiId", api))
        found.append(Api(api, "REST", as_text(index.props(api).get("Name")),
                         tuple(_owned(index, "AWS::ApiGateway::Stage", "RestApiId", api)), tuple(sorted(routes))))
    for api in index.by_type.get("AWS::ApiGatewayV2::Api", []):
        props = index.props(api)
        protocol = props.get("ProtocolType")
        keys = (render(index.props(r).get("RouteKey")) for r in _owned(index, "AWS::ApiGatewayV2::Route", "ApiId", api))
        found.append(Api(api, render(protocol) if protocol else "HTTP", as_text(props.get("Name")),
                         tuple(_owned(index, "AWS::ApiGatewayV2::Stage", "ApiId", api)), tuple(sorted(keys))))
    return tuple(sorted(found, key=lambda a: a.logical_id))


def detect_failure_destinations(resources: Mapping[str, Resource]) -> tuple[FailureDestination, ...]:
    """Every dead-letter queue or failure destination of the stack that is in the stack, with whose
    failures it receives, ordered by destination then owner."""
    index = _Index("", resources)
    found: list[FailureDestination] = []

    def add(value: Any, owner: str, kind: FailureKind) -> None:
        ref = index.ref(value)
        if ref.logical_id and index.type_of(ref.logical_id) in ("AWS::SQS::Queue", "AWS::SNS::Topic"):
            found.append(FailureDestination(ref.logical_id, owner, kind))

    def on_failure(props: Mapping[str, Any]) -> Any:
        destination = props.get("DestinationConfig")
        failure = destination.get("OnFailure") if isinstance(destination, dict) else None
        return failure.get("Destination") if isinstance(failure, dict) else None

    for queue in index.by_type.get("AWS::SQS::Queue", []):
        target = _redrive_target(index, _redrive_policy(index, queue))
        if target is not None and target.logical_id:
            found.append(FailureDestination(target.logical_id, queue, "redrive"))
    for mapping in index.by_type.get("AWS::Lambda::EventSourceMapping", []):
        add(on_failure(index.props(mapping)), mapping, "event_source_mapping")
    for function in index.by_type.get("AWS::Lambda::Function", []):
        config = index.props(function).get("DeadLetterConfig")
        if isinstance(config, dict):
            add(config.get("TargetArn"), function, "lambda_async")
    for invoke_config in index.by_type.get("AWS::Lambda::EventInvokeConfig", []):
        props = index.props(invoke_config)
        for function in index.functions_in(props.get("FunctionName")) or [invoke_config]:
            add(on_failure(props), function, "lambda_async")
    for rule in index.by_type.get("AWS::Events::Rule", []):
        targets = index.props(rule).get("Targets")
        for target in targets if isinstance(targets, list) else []:
            config = target.get("DeadLetterConfig") if isinstance(target, dict) else None
            if isinstance(config, dict):
                add(config.get("Arn"), rule, "rule_target")
    for schedule in index.by_type.get("AWS::Scheduler::Schedule", []):
        target = index.props(schedule).get("Target")
        config = target.get("DeadLetterConfig") if isinstance(target, dict) else None
        if isinstance(config, dict):
            add(config.get("Arn"), schedule, "schedule_target")
    unique = {(d.logical_id, d.owner, d.kind): d for d in found}
    return tuple(unique[key] for key in sorted(unique))
