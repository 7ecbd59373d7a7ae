"""What the rules share: which metrics are customer impact for which entrypoint, which are internal
signals of the components behind it, and which alarms notify through which path.

The catalogues are data (one table each), not conditions scattered through the rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from ..model import (
    Alarm,
    AlarmModel,
    CompositeAlarm,
    Entrypoint,
    EntrypointKind,
    MetricAlarm,
    MetricStat,
    Stack,
    Unresolved,
    sufficient_alarms,
)
from ..wording import COMPARISON

__all__ = [
    "COUNT_STATISTICS",
    "CUSTOMER_SIGNALS",
    "ERROR_COUNT_METRICS",
    "INTERNAL_METRICS",
    "CustomerSignal",
    "StackFacts",
    "facts",
    "is_single_datapoint_error_count",
]

Role = Literal["source", "dead_letters", "failure_destination", "function"]


@dataclass(frozen=True)
class CustomerSignal:
    """A metric that says customers of an entrypoint are affected: ``metrics`` of ``namespace``
    (None: any metric) naming the entrypoint's ``on`` resource."""

    namespace: str
    metrics: frozenset[str] | None
    on: Role
    words: str


_JOB_SIGNALS = (
    CustomerSignal("AWS/Lambda", frozenset({"Errors", "Invocations"}), "function", "failed or missed runs"),
    CustomerSignal("AWS/Events", frozenset({"FailedInvocations", "Invocations", "TriggeredRules"}), "source",
                   "failed or missed invocations by the rule"),
    CustomerSignal("AWS/Scheduler", None, "source", "failed or dropped invocations by the schedule"),
    CustomerSignal("AWS/SQS", None, "failure_destination", "work sent to the dead-letter queue"),
    CustomerSignal("AWS/SNS", None, "failure_destination", "work sent to the failure destination"),
)

#: Per kind of entrypoint, the metrics that show its customers are affected.
CUSTOMER_SIGNALS: Mapping[EntrypointKind, tuple[CustomerSignal, ...]] = {
    "api": (
        CustomerSignal("AWS/ApiGateway", frozenset({"5XXError", "5xx", "Latency"}), "source",
                       "server errors or latency of the API"),
    ),
    "queue_consumer": (
        CustomerSignal("AWS/SQS", frozenset({"ApproximateAgeOfOldestMessage"}), "source",
                       "age of the oldest waiting message"),
        CustomerSignal("AWS/SQS", None, "dead_letters", "messages arriving on the dead-letter queue"),
    ),
    "stream_consumer": (
        CustomerSignal("AWS/Lambda", frozenset({"IteratorAge"}), "function", "iterator age of the consumer"),
        CustomerSignal("AWS/Kinesis", frozenset({"GetRecords.IteratorAgeMilliseconds"}), "source",
                       "iterator age of the stream"),
        CustomerSignal("AWS/SQS", None, "failure_destination", "records sent to the failure destination"),
        CustomerSignal("AWS/SNS", None, "failure_destination", "records sent to the failure destination"),
    ),
    "scheduled_job": _JOB_SIGNALS,
    "event_consumer": (
        CustomerSignal("AWS/Lambda", frozenset({"AsyncEventsDropped", "AsyncEventAge"}), "function",
                       "events dropped or delivered late by the function's event queue"),
        *_JOB_SIGNALS,
    ),
    "workflow": (
        CustomerSignal("AWS/States", frozenset({"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted",
                                                "ExecutionTime"}), "source",
                       "failed, timed-out, aborted or slow executions"),
    ),
    "function_url": (
        CustomerSignal("AWS/Lambda", frozenset({"Url5xxCount", "UrlRequestCount", "UrlRequestLatency"}), "function",
                       "server errors or latency of the Function URL"),
    ),
    "load_balancer": (
        CustomerSignal("AWS/ApplicationELB", frozenset({"HTTPCode_Target_5XX_Count", "LambdaInternalError",
                                                        "LambdaUserError", "TargetResponseTime"}), "source",
                       "server errors or latency of the target group"),
    ),
    "graphql_api": (
        CustomerSignal("AWS/AppSync", frozenset({"5XXError", "Latency"}), "source",
                       "server errors or latency of the GraphQL API"),
    ),
    "websocket_api": (
        CustomerSignal("AWS/ApiGateway", frozenset({"ExecutionError", "IntegrationError", "IntegrationLatency"}),
                       "source", "failed or slow messages of the WebSocket API"),
    ),
}

_SQS_INTERNAL = frozenset({
    "NumberOfMessagesReceived", "NumberOfMessagesDeleted", "NumberOfMessagesSent", "NumberOfEmptyReceives",
    "ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed", "SentMessageSize",
})

#: Metrics that are internal signals of a component (None: every metric of the namespace). A metric
#: that is a customer signal of some entrypoint is never internal.
INTERNAL_METRICS: Mapping[str, frozenset[str] | None] = {
    "AWS/Lambda": None,
    "AWS/DynamoDB": None,
    "AWS/SQS": _SQS_INTERNAL,
    "AWS/Kinesis": None,
    "AWS/S3": None,
    "AWS/SNS": None,
    "AWS/States": None,
    "AWS/Events": None,
    "AWS/RDS": None,
}

#: Metrics that count errors or failures. Not ``AWS/Events`` ``FailedInvocations``: it counts events
#: that failed permanently, after EventBridge's retries, like arrivals on a dead-letter queue.
ERROR_COUNT_METRICS = frozenset({
    ("AWS/Lambda", "Errors"), ("AWS/Lambda", "DeadLetterErrors"), ("AWS/Lambda", "DestinationDeliveryFailures"),
    ("AWS/ApiGateway", "5XXError"), ("AWS/ApiGateway", "4XXError"), ("AWS/ApiGateway", "5xx"),
    ("AWS/ApiGateway", "4xx"), ("AWS/DynamoDB", "SystemErrors"), ("AWS/DynamoDB", "UserErrors"),
    ("AWS/Events", "InvocationsFailedToBeSentToDlq"),
    ("AWS/States", "ExecutionsFailed"), ("AWS/SNS", "NumberOfNotificationsFailed"),
})
#: Statistics that count (rather than average) a metric.
COUNT_STATISTICS = frozenset({"Sum", "SampleCount", "Maximum"})
_GREATER = frozenset({"GreaterThanThreshold", "GreaterThanOrEqualToThreshold"})


def is_single_datapoint_error_count(alarm: MetricAlarm) -> bool:
    """True when one breaching datapoint of an error count puts the alarm into ALARM: every metric
    it reads counts errors, it alarms above a threshold, and it needs a single datapoint."""
    metrics = alarm.metrics
    return (
        bool(metrics)
        and all((m.namespace, m.metric_name) in ERROR_COUNT_METRICS and m.stat in COUNT_STATISTICS for m in metrics)
        and alarm.comparison in _GREATER
        and alarm.effective_datapoints_to_alarm == 1
    )


def _role_resources(entrypoint: Entrypoint, role: Role) -> tuple[str, ...]:
    if role == "function":
        return entrypoint.functions
    ref = {"source": entrypoint.source, "dead_letters": entrypoint.dead_letter_queue,
           "failure_destination": entrypoint.failure_destination}[role]
    if role == "source" and entrypoint.kind == "api":
        return (entrypoint.logical_id,) + ((ref.logical_id,) if ref is not None and ref.logical_id else ())
    return (ref.logical_id,) if ref is not None and ref.logical_id else ()


def customer_signal(metric: MetricStat, entrypoint: Entrypoint) -> CustomerSignal | None:
    """The customer signal of ``entrypoint`` that ``metric`` is, if it is one."""
    for signal in CUSTOMER_SIGNALS[entrypoint.kind]:
        if signal.namespace != metric.namespace:
            continue
        if signal.metrics is not None and metric.metric_name not in signal.metrics:
            continue
        targets = _role_resources(entrypoint, signal.on)
        if not targets or not set(metric.resources) & set(targets):
            continue
        if entrypoint.kind == "api" and entrypoint.logical_id not in metric.resources:
            stage = metric.dimension("Stage")
            if stage is not None:
                continue  # another stage of the same API
        return signal
    return None


class StackFacts:
    """Derived facts about one stack's alarms, computed once and shared by the rules.

    Every question is answered through indexes from resources to entrypoints and from resources to
    notifying alarms, so a check is linear in the number of alarms and entrypoints (not their
    product: a template of 5,000 alarms and 1,000 entrypoints takes seconds, not minutes)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.notifiers: tuple[Alarm, ...] = tuple(a for a in stack.alarms if a.notifies)
        self._notifier_position = {alarm.logical_id: i for i, alarm in enumerate(self.notifiers)}
        self._reads: dict[str, tuple[MetricAlarm, ...]] = {}
        self._triggers: dict[str, tuple[MetricAlarm, ...]] = {}
        self._customer: dict[int, tuple[tuple[Entrypoint, CustomerSignal], ...]] = {}
        self._order = {id(e): position for position, e in enumerate(stack.entrypoints)}
        # resource -> entrypoints for which a metric naming it may be a customer signal
        self._signal_candidates: dict[str, list[Entrypoint]] = {}
        # resource -> entrypoints it makes up or sits behind ((entrypoint, resource) for components)
        self._watched_by: dict[str, list[Entrypoint]] = {}
        self._component_of: dict[str, list[Entrypoint]] = {}
        for entrypoint in stack.entrypoints:
            roles = {signal.on for signal in CUSTOMER_SIGNALS[entrypoint.kind]}
            for lid in dict.fromkeys(lid for role in roles for lid in _role_resources(entrypoint, role)):
                self._signal_candidates.setdefault(lid, []).append(entrypoint)
            for lid in _watched(entrypoint):
                self._watched_by.setdefault(lid, []).append(entrypoint)
            for lid in dict.fromkeys(entrypoint.components):
                self._component_of.setdefault(lid, []).append(entrypoint)
        self._notifier_resources: dict[str, frozenset[str]] = {}
        self._notifiers_of: dict[str, list[Alarm]] = {}
        self._covering: dict[int, list[Alarm]] = {}
        self._concerning: dict[int, list[Alarm]] = {}
        for alarm in self.notifiers:
            metrics = [m for metric_alarm in self.reads(alarm) for m in metric_alarm.metrics]
            resources = frozenset(lid for m in metrics for lid in m.resources)
            self._notifier_resources[alarm.logical_id] = resources
            for lid in resources:
                self._notifiers_of.setdefault(lid, []).append(alarm)
            covered: dict[int, None] = {}
            concerned: dict[int, None] = {}
            for metric in metrics:
                signals = self.customer_signals(metric)
                for entrypoint, _ in signals:
                    covered[id(entrypoint)] = concerned[id(entrypoint)] = None
                if not signals:
                    for lid in metric.resources:
                        for entrypoint in self._watched_by.get(lid, ()):
                            concerned[id(entrypoint)] = None
            for key in covered:
                self._covering.setdefault(key, []).append(alarm)
            for key in concerned:
                self._concerning.setdefault(key, []).append(alarm)

    def _walk(self, logical_id: str, seen: set[str], sufficient_only: bool) -> Iterator[MetricAlarm]:
        if logical_id in seen:
            return
        seen.add(logical_id)
        alarm = self.stack.alarm(logical_id)
        if isinstance(alarm, MetricAlarm):
            yield alarm
        elif isinstance(alarm, CompositeAlarm):
            members = sufficient_alarms(alarm.rule) if sufficient_only else alarm.members
            for member in sorted(members) if sufficient_only else members:
                yield from self._walk(member, seen, sufficient_only)

    def reads(self, alarm: Alarm) -> tuple[MetricAlarm, ...]:
        """The metric alarms an alarm's state depends on: itself, or a composite's members
        (through nested composites)."""
        if alarm.logical_id not in self._reads:
            self._reads[alarm.logical_id] = tuple(self._walk(alarm.logical_id, set(), False))
        return self._reads[alarm.logical_id]

    def triggers(self, alarm: Alarm) -> tuple[MetricAlarm, ...]:
        """The metric alarms whose ALARM state alone puts ``alarm`` into ALARM."""
        if alarm.logical_id not in self._triggers:
            self._triggers[alarm.logical_id] = tuple(self._walk(alarm.logical_id, set(), True))
        return self._triggers[alarm.logical_id]

    def customer_signals(self, metric: MetricStat) -> tuple[tuple[Entrypoint, CustomerSignal], ...]:
        """The entrypoints of the stack for which ``metric`` is a customer signal, with the signal."""
        key = id(metric)
        if key not in self._customer:
            candidates = {id(e): e for lid in metric.resources for e in self._signal_candidates.get(lid, ())}
            found = []
            for entrypoint in sorted(candidates.values(), key=lambda e: self._order[id(e)]):
                signal = customer_signal(metric, entrypoint)
                if signal is not None and not self._misses_the_bus(metric, entrypoint, signal):
                    found.append((entrypoint, signal))
            self._customer[key] = tuple(found)
        return self._customer[key]

    def _misses_the_bus(self, metric: MetricStat, entrypoint: Entrypoint, signal: CustomerSignal) -> bool:
        """EventBridge publishes the metrics of a rule on a custom bus with ``EventBusName`` and
        ``RuleName``; a metric naming the rule alone is the default bus's rule of that name, which has
        none of this rule's data: an alarm on it never fires, so it covers nothing."""
        if signal.namespace != "AWS/Events" or metric.dimension("EventBusName") is not None:
            return False
        source = entrypoint.source
        rule = self.stack.resources.get(source.logical_id) if source is not None and source.logical_id else None
        if rule is None or rule.type != "AWS::Events::Rule":
            return False
        bus = rule.properties.get("EventBusName")
        return bus is not None and not (isinstance(bus, str) and (bus == "default" or bus.endswith("/default")))

    def internal_to(self, metric: MetricStat) -> list[tuple[Entrypoint, str]]:
        """(entrypoint, component) pairs for which ``metric`` is an internal signal of a component
        behind the entrypoint. Empty when the metric is a customer signal of any entrypoint."""
        if metric.namespace not in INTERNAL_METRICS or self.customer_signals(metric):
            return []
        names = INTERNAL_METRICS[metric.namespace]
        if names is not None and metric.metric_name not in names:
            return []
        pairs = {(id(e), lid): (e, lid) for lid in metric.resources for e in self._component_of.get(lid, ())}
        return sorted(pairs.values(), key=lambda pair: (self._order[id(pair[0])],
                                                         pair[0].components.index(pair[1])))

    def notifiers_watching(self, logical_ids: set[str]) -> list[Alarm]:
        """The notifying alarms a metric of which (through a composite's members) names one of the
        resources, in the order of :attr:`notifiers`."""
        # Sorting what the index finds keeps this linear in the answer, not in every notifier of the stack.
        found = {a.logical_id: a for lid in logical_ids for a in self._notifiers_of.get(lid, ())}
        return sorted(found.values(), key=lambda alarm: self._notifier_position[alarm.logical_id])

    def watches(self, alarm: Alarm, logical_ids: set[str]) -> bool:
        """True when a metric the alarm reads (through a composite's members) names one of the resources."""
        resources = self._notifier_resources.get(alarm.logical_id)
        if resources is None:
            resources = frozenset(lid for ma in self.reads(alarm) for m in ma.metrics for lid in m.resources)
        return bool(logical_ids & resources)

    def concerning(self, entrypoint: Entrypoint) -> list[Alarm]:
        """The notifying alarms that read a customer signal of the entrypoint, or a metric of what
        makes it up or sits behind it (its resources, components, dead-letter queue, failure
        destination) that is not a customer signal of another entrypoint. A queue an API's function
        writes to is a component of the API, but the age alarm of that queue's consumer concerns
        the consumer. In the order of :attr:`notifiers`."""
        return self._concerning.get(id(entrypoint), [])

    def covering(self, entrypoint: Entrypoint) -> list[Alarm]:
        """The notifying alarms that read a customer signal of the entrypoint."""
        return self._covering.get(id(entrypoint), [])

    def covers(self, alarm: Alarm, entrypoint: Entrypoint) -> bool:
        """True when the alarm reads a customer signal of the entrypoint."""
        return any(e is entrypoint for metric_alarm in self.reads(alarm) for m in metric_alarm.metrics
                   for e, _ in self.customer_signals(m))


def _watched(entrypoint: Entrypoint) -> tuple[str, ...]:
    watched = list(entrypoint.resources) + list(entrypoint.components)
    for ref in (entrypoint.source, entrypoint.dead_letter_queue, entrypoint.failure_destination):
        if ref is not None and ref.logical_id:
            watched.append(ref.logical_id)
    return tuple(dict.fromkeys(watched))


_FACTS_ATTRIBUTE = "_sensible_alarms_policy_facts"


def facts(stack: Stack) -> StackFacts:
    """The facts of a stack, computed once per stack object (the rules of one check share them).
    Kept in the instance's ``__dict__`` the way ``functools.cached_property`` caches on frozen
    dataclasses, so they live and die with the stack."""
    found = stack.__dict__.get(_FACTS_ATTRIBUTE)
    if not isinstance(found, StackFacts):
        found = StackFacts(stack)
        stack.__dict__[_FACTS_ATTRIBUTE] = found
    return found


def stacks(model: AlarmModel) -> Iterator[tuple[Stack, StackFacts]]:
    """Each stack of the model with its facts."""
    for stack in model.stacks:
        yield stack, facts(stack)


def threshold_words(alarm: MetricAlarm) -> str:
    """``Errors > 0 for 1 of 1 x 300 s`` for messages."""
    metric = alarm.returned[0].metric if alarm.returned and alarm.returned[0].metric else None
    what = metric.metric_name if metric else (alarm.returned[0].expression if alarm.returned else "value")
    threshold = alarm.threshold
    value = f"{threshold:g}" if isinstance(threshold, float) else str(threshold)
    periods = alarm.evaluation_periods
    datapoints = alarm.effective_datapoints_to_alarm
    period = metric.period if metric else alarm.returned[0].period if alarm.returned else None
    span = f" x {period} s" if isinstance(period, int) else ""
    count = f"{datapoints} of {periods}" if not isinstance(periods, Unresolved) else str(periods)
    return f"{what} {COMPARISON.get(alarm.comparison, alarm.comparison)} {value} in {count} datapoints{span}"
