"""One line to cover a stack: ``cover_entrypoints(stack, routing=...)`` finds every customer-facing
entrypoint defined in a construct scope and adds the construct that fits it, with default SLOs.

At construct time there is no template to read, so entrypoints are found by walking the construct
tree for the same kinds ``sensible_alarms.model`` detects in templates (``EntrypointKind``; the class
of each kind is ``metadata.CONSTRUCT_OF_KIND``). References between resources are compared as
``Stack.resolve`` renders them (``{"Ref": ...}``, ``{"Fn::GetAtt": [...]}``), the way they end up in
the template.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct, IConstruct

from .constructs import (
    ApiAlarms,
    EntrypointAlarms,
    EventConsumerAlarms,
    FunctionUrlAlarms,
    GraphqlApiAlarms,
    LoadBalancerTargetAlarms,
    QueueConsumerAlarms,
    ScheduledJobAlarms,
    StreamConsumerAlarms,
    WebSocketApiAlarms,
    WorkflowAlarms,
)
from .constructs.function_name import underlying_function
from .errors import SensibleAlarmsError
from .metadata import CONSTRUCT_OF_KIND, EntrypointKind
from .routing import AlarmRouting
from .slo import AvailabilitySlo, FreshnessSlo, LatencySlo

__all__ = ["COVER_SCOPE_ID", "EntrypointDefaults", "cover_entrypoints"]

#: The construct that holds what ``cover_entrypoints`` adds: its id is in every alarm's construct
#: path (and so in ``explain``, ``review`` and the alarm names), which shows who chose the SLOs.
COVER_SCOPE_ID = "CoveredEntrypoints"
#: CDK's custom-resource provider framework makes this state machine for itself.
_PROVIDER_WAITER = "waiter-state-machine"
#: What a topic, a bucket or a rule can invoke: a function, or one of its aliases or versions.
_INVOKED = (lambda_.Function, lambda_.Alias, lambda_.Version)


def _availability() -> AvailabilitySlo:
    return AvailabilitySlo(target=99.9)


def _freshness() -> FreshnessSlo:
    return FreshnessSlo(max_age=cdk.Duration.minutes(15))


@dataclass(frozen=True)
class EntrypointDefaults:
    """The SLOs ``cover_entrypoints`` gives every entrypoint it covers.

    :param availability: APIs, workflows, Function URLs, load balancer targets, GraphQL and
        WebSocket APIs. Default: 99.9% over 30 days.
    :param latency: the same kinds' latency SLO. Default: none (latency is not alarmed: a fitting
        threshold differs per entrypoint; alarm latency explicitly where it matters).
    :param freshness: queue, stream and asynchronous event consumers. Default: 15 minutes.
    :param runbook_url: written into every alarm description. Default: none.
    """

    availability: AvailabilitySlo = field(default_factory=_availability)
    latency: LatencySlo | None = None
    freshness: FreshnessSlo = field(default_factory=_freshness)
    runbook_url: str | None = None


@dataclass(frozen=True)
class _Found:
    kind: EntrypointKind
    name: str
    """Construct id of what it adds, less ``Alarms``."""
    watched: frozenset[str]
    """Logical ids whose metrics alarm this entrypoint: an existing alarm on one of them covers it."""
    add: Any
    """(scope, id, routing, defaults) -> the construct."""


def cover_entrypoints(scope: Construct, *, routing: AlarmRouting,
                      defaults: EntrypointDefaults | None = None) -> list[EntrypointAlarms]:
    """Add the fitting entrypoint construct, with the `defaults` SLOs, to every customer-facing
    entrypoint defined under `scope` (a stack, usually) that no entrypoint construct alarms yet.
    Call it once the entrypoints are defined, at the end of the stack's constructor. Returns what it
    added, in a stable order; they live under ``<scope>/CoveredEntrypoints``.

    Entrypoints: REST and HTTP APIs with a stage, SQS queues and Kinesis or DynamoDB streams read by
    a Lambda event source mapping, EventBridge rules (schedules and event patterns), EventBridge
    Scheduler schedules, SNS topics and S3 buckets that invoke Lambda functions, state machines,
    Function URLs, Lambda target groups of Application Load Balancers, AppSync GraphQL APIs and
    WebSocket API stages.

    An entrypoint whose signal is alarmed already by an entrypoint construct (explicit ones, or a
    previous call) is left alone. A resource that cannot be covered safely raises the construct's
    own error: an SQS consumer's queue with no dead-letter queue, for instance.
    """
    if not isinstance(scope, Construct):
        raise SensibleAlarmsError(f"'scope' must be a construct, usually the stack (got {type(scope).__name__})",
                                  prop="scope", value=type(scope).__name__)
    if not isinstance(routing, AlarmRouting):
        raise SensibleAlarmsError(f"'routing' must be an AlarmRouting (got {type(routing).__name__})",
                                  path=scope.node.path, prop="routing", value=type(routing).__name__)
    defaults = defaults if defaults is not None else EntrypointDefaults()
    if not isinstance(defaults, EntrypointDefaults):
        raise SensibleAlarmsError(f"'defaults' must be an EntrypointDefaults (got {type(defaults).__name__})",
                                  path=scope.node.path, prop="defaults", value=type(defaults).__name__)
    walk = _Walk(scope)
    alarmed = walk.alarmed()
    todo = [found for found in walk.entrypoints() if not found.watched & alarmed]
    if not todo:
        return []
    holder = scope.node.try_find_child(COVER_SCOPE_ID)
    if holder is None:
        holder = Construct(scope, COVER_SCOPE_ID)
    added: list[EntrypointAlarms] = []
    used = {child.node.id for child in holder.node.children}
    for found in sorted(todo, key=lambda f: (f.name, f.kind)):
        name, n = f"{found.name}Alarms", 2
        while name in used:
            name, n = f"{found.name}{n}Alarms", n + 1
        used.add(name)
        construct = found.add(holder, name, routing, defaults)
        assert type(construct).__name__ == CONSTRUCT_OF_KIND[found.kind]
        added.append(construct)
    return added


def _ids(value: Any) -> set[str]:
    """Logical ids a resolved value references (Ref and Fn::GetAtt)."""
    found: set[str] = set()
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str) and not value["Ref"].startswith("AWS::"):
            found.add(value["Ref"])
        elif set(value) == {"Fn::GetAtt"} and isinstance(value["Fn::GetAtt"], list):
            found.add(str(value["Fn::GetAtt"][0]))
        else:
            for item in value.values():
                found |= _ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= _ids(item)
    return found


class _Walk:
    """The constructs under a scope, indexed by the logical id of their CloudFormation resource."""

    def __init__(self, scope: Construct) -> None:
        self.scope = scope
        self.nodes: list[IConstruct] = [c for c in scope.node.find_all() if not _is_generated(c)]
        self.by_id: dict[str, IConstruct] = {}
        for construct in self.nodes:
            resource = construct.node.default_child if not isinstance(construct, cdk.CfnResource) else None
            if isinstance(resource, cdk.CfnResource):
                self.by_id.setdefault(self._logical_id(resource), construct)

    def _logical_id(self, resource: cdk.CfnResource) -> str:
        return str(cdk.Stack.of(resource).resolve(resource.logical_id))

    def _resolve(self, construct: IConstruct, value: Any) -> Any:
        return cdk.Stack.of(construct).resolve(value)

    def _lid(self, construct: IConstruct) -> str:
        resource = construct.node.default_child
        assert isinstance(resource, cdk.CfnResource)
        return self._logical_id(resource)

    def _one(self, construct: IConstruct, value: Any, kind: type | tuple[type, ...]) -> Any:
        for lid in sorted(_ids(self._resolve(construct, value))):
            found = self.by_id.get(lid)
            if isinstance(found, kind):
                return found
        return None

    def alarmed(self) -> set[str]:
        """Logical ids whose metrics the entrypoint constructs under the scope alarm already."""
        ids: set[str] = set()
        for construct in self.nodes:
            if isinstance(construct, EntrypointAlarms):
                for member in construct.members:
                    alarm = member.resource
                    ids |= _ids(self._resolve(alarm, [alarm.dimensions, alarm.metrics]))
        return ids

    def entrypoints(self) -> Iterator[_Found]:
        for construct in self.nodes:
            yield from self._classify(construct)

    def _classify(self, c: IConstruct) -> Iterator[_Found]:
        if (isinstance(c, apigw.RestApiBase) and c.latest_deployment is not None) \
                or (isinstance(c, apigwv2.HttpApi) and c.default_stage is not None):
            yield _Found("api", c.node.id, frozenset({self._lid(c)}),
                         lambda s, n, r, d, api=c: ApiAlarms(s, n, api=api, routing=r, availability=d.availability,
                                                             latency=d.latency, runbook_url=d.runbook_url))
        elif isinstance(c, lambda_.CfnEventSourceMapping):
            yield from self._mapping(c)
        elif isinstance(c, events.Rule):
            yield from self._rule(c)
        elif isinstance(c, scheduler.CfnSchedule):
            yield from self._schedule(c)
        elif isinstance(c, sns.CfnSubscription) and c.protocol == "lambda":
            topic = self._one(c, c.topic_arn, sns.Topic)
            function = self._one(c, c.endpoint, _INVOKED)
            if topic is not None and function is not None:
                yield self._event_consumer(topic, function)
        elif isinstance(c, lambda_.CfnPermission) and c.principal == "s3.amazonaws.com":
            bucket = self._one(c, c.source_arn, s3.Bucket)
            function = self._one(c, c.function_name, _INVOKED)
            if bucket is not None and function is not None:
                yield self._event_consumer(bucket, function)
        elif isinstance(c, sfn.StateMachine) and _PROVIDER_WAITER not in c.node.path:
            yield _Found("workflow", c.node.id, frozenset({self._lid(c)}),
                         lambda s, n, r, d, machine=c: WorkflowAlarms(
                             s, n, state_machine=machine, routing=r, availability=d.availability,
                             runbook_url=d.runbook_url))
        elif isinstance(c, lambda_.CfnUrl) and isinstance(c.node.scope, lambda_.FunctionUrl):
            url = c.node.scope
            function = self._one(c, c.target_function_arn, lambda_.Function)
            if function is not None:
                yield _Found("function_url", f"{function.node.id}Url", frozenset({self._lid(function)}),
                             lambda s, n, r, d, url=url, fn=function: FunctionUrlAlarms(
                                 s, n, url=url, function=fn, routing=r, availability=d.availability,
                                 latency=d.latency, runbook_url=d.runbook_url))
        elif isinstance(c, elbv2.ApplicationTargetGroup) and isinstance(c.node.default_child, elbv2.CfnTargetGroup) \
                and self._resolve(c, c.node.default_child.target_type) == "lambda":
            yield _Found("load_balancer", c.node.id, frozenset({self._lid(c)}),
                         lambda s, n, r, d, group=c: LoadBalancerTargetAlarms(
                             s, n, target_group=group, routing=r, availability=d.availability, latency=d.latency,
                             runbook_url=d.runbook_url))
        elif isinstance(c, appsync.GraphqlApi):
            yield _Found("graphql_api", c.node.id, frozenset({self._lid(c)}),
                         lambda s, n, r, d, api=c: GraphqlApiAlarms(
                             s, n, api=api, routing=r, availability=d.availability, latency=d.latency,
                             runbook_url=d.runbook_url))
        elif isinstance(c, apigwv2.WebSocketStage):
            yield _Found("websocket_api", c.node.id, frozenset({self._lid(c.api)}),
                         lambda s, n, r, d, stage=c: WebSocketApiAlarms(
                             s, n, stage=stage, routing=r, availability=d.availability, latency=d.latency,
                             runbook_url=d.runbook_url))

    def _function_lid(self, function: lambda_.IFunction) -> str:
        """The logical id of the function itself (of an alias's or a version's function too): what the
        constructs' metrics name, so what ``alarmed`` finds."""
        return self._lid(underlying_function(function))

    def _event_consumer(self, source: sns.Topic | s3.Bucket, function: lambda_.IFunction) -> _Found:
        return _Found("event_consumer", underlying_function(function).node.id,
                      frozenset({self._function_lid(function)}),
                      lambda s, n, r, d: EventConsumerAlarms(s, n, source=source, function=function, routing=r,
                                                             freshness=d.freshness, runbook_url=d.runbook_url))

    def _mapping(self, mapping: lambda_.CfnEventSourceMapping) -> Iterator[_Found]:
        function = self._one(mapping, mapping.function_name, lambda_.Function)
        source_ids = _ids(self._resolve(mapping, mapping.event_source_arn))
        sources = [self.by_id.get(lid) for lid in sorted(source_ids)]
        queue = next((s for s in sources if isinstance(s, sqs.Queue)), None)
        if queue is not None:
            yield _Found("queue_consumer", queue.node.id, frozenset({self._lid(queue)}),
                         lambda s, n, r, d: QueueConsumerAlarms(s, n, queue=queue, routing=r, freshness=d.freshness,
                                                                runbook_url=d.runbook_url))
            return
        if function is None or not sources:
            return
        config = self._resolve(mapping, mapping.destination_config)
        destination_ids = _ids(config)
        destination = next((d for lid in sorted(destination_ids)
                            if isinstance(d := self.by_id.get(lid), sqs.Queue | sns.Topic)), None)
        yield _Found("stream_consumer", function.node.id, frozenset({self._lid(function)}),
                     lambda s, n, r, d: StreamConsumerAlarms(s, n, function=function, routing=r, freshness=d.freshness,
                                                             failure_destination=destination,
                                                             runbook_url=d.runbook_url))

    def _schedule(self, schedule: scheduler.CfnSchedule) -> Iterator[_Found]:
        """An EventBridge Scheduler schedule that invokes a Lambda function (the L2 Schedule when the
        resource is its, so the alarms are named after it)."""
        target = self._resolve(schedule, schedule.target)
        function = self._one(schedule, target.get("arn", target.get("Arn")), _INVOKED) \
            if isinstance(target, dict) else None
        if function is None:
            return
        owner = schedule.node.scope if isinstance(schedule.node.scope, scheduler.Schedule) else schedule
        watched = frozenset({self._function_lid(function), self._logical_id(schedule)})
        yield _Found("scheduled_job", owner.node.id, watched,
                     lambda s, n, r, d: ScheduledJobAlarms(s, n, schedule=schedule, function=function, routing=r,
                                                           runbook_url=d.runbook_url))

    def _rule(self, rule: events.Rule) -> Iterator[_Found]:
        cfn_rule = rule.node.default_child
        assert isinstance(cfn_rule, events.CfnRule)
        targets = self._resolve(rule, cfn_rule.targets) or []
        found = [self.by_id.get(lid) for t in targets for lid in sorted(_ids(t.get("arn", t.get("Arn"))))]
        functions = [f for f in found if isinstance(f, _INVOKED)]
        machines = [m for m in found if isinstance(m, sfn.StateMachine)]
        function = functions[0] if functions else None
        if self._resolve(rule, cfn_rule.schedule_expression) is not None:
            if function is not None:
                yield _Found("scheduled_job", rule.node.id, frozenset({self._function_lid(function), self._lid(rule)}),
                             lambda s, n, r, d: ScheduledJobAlarms(s, n, rule=rule, function=function, routing=r,
                                                                   runbook_url=d.runbook_url))
            return
        if not targets or (machines and len(machines) == len(targets)):
            return  # no target: nothing to alarm; a state machine target: the workflow is the entrypoint
        watched = {self._lid(rule)} | ({self._function_lid(function)} if function is not None else set())
        yield _Found("event_consumer", rule.node.id, frozenset(watched),
                     lambda s, n, r, d: EventConsumerAlarms(s, n, source=rule, function=function, routing=r,
                                                            freshness=d.freshness, runbook_url=d.runbook_url))


def _is_generated(construct: IConstruct) -> bool:
    """Constructs aws-cdk-lib adds for itself (custom-resource providers, log retention)."""
    return any(part.startswith(("AWSCDK", "LogRetention", "BucketNotificationsHandler"))
               for part in construct.node.path.split("/"))

