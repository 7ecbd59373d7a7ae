"""EventConsumerAlarms: a Lambda function that an SNS topic, an S3 bucket or an EventBridge rule
invokes asynchronously (or a rule that delivers to another target), alarmed on what customers feel."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from .._durations import words
from .._jsii_types import is_function, is_topic
from ..routing import AlarmRouting
from ..slo import FreshnessSlo
from ..urgency import Urgency
from .entrypoint import EntrypointAlarms
from .function_name import underlying_function
from .metrics import Metric
from .signals import ARRIVAL_QUIET_MINUTES

__all__ = ["EventConsumerAlarms"]

_DEFAULT_SUSTAIN = cdk.Duration.minutes(3)
_ONE_MINUTE = 60
_DELIVERY_SLO = "delivery: every event the rule matches reaches its targets"


class EventConsumerAlarms(EntrypointAlarms):
    """Customer-impact alarms of an asynchronous event consumer: a Lambda function invoked by an SNS
    subscription, an S3 bucket notification or an EventBridge rule (on the default bus or another).

    * Events given up on (`dropped_urgency`): Lambda's ``AsyncEventsDropped``, the events its
      asynchronous queue discarded without a successful run: every retry failed, or the event grew
      older than the function's maximum event age. It counts them whether or not an on-failure
      destination or dead-letter queue receives a copy, and only this function's, so it is the
      signal (a destination queue's arrivals miss drops when none is set, and count other senders'
      messages when one is shared). For a rule, also ``AWS/Events`` ``FailedInvocations``: events the
      rule could not deliver to its targets at all, by ``RuleName`` on the default bus and by
      ``EventBusName`` and ``RuleName`` on any other (as EventBridge publishes them). An alias or a
      version as `function` is alarmed by its function's ``FunctionName``. Each new drop notifies again after a quiet
      spell of ``ARRIVAL_QUIET_MINUTES`` (an hour).
    * Late events (HIGH): ``AsyncEventAge``, the time between Lambda queueing an event and running
      it, stays above the FreshnessSlo's max age for `sustain`: throttling or
      retries are delaying customers' events. The incident stays open, with no new notification,
      until the age has stayed under the max age for ``ARRIVAL_QUIET_MINUTES``.

    A rule with targets other than Lambda functions (a queue, a topic, another bus) is covered by
    passing the rule and no `function`: it gets the ``FailedInvocations`` signal only.

    :param source: what sends the events: an ``aws_sns.Topic``, an ``aws_s3.Bucket`` or an
        ``aws_events.Rule``. A rule must have at least one target, and `function` among them.
    :param function: the Lambda function that consumes them. Default: none, for a rule whose
        targets are not Lambda functions; required for a topic or a bucket.
    :param routing: where notifications go.
    :param freshness: how long after it was sent an event may wait before it is processed (not
        measured for a rule with no `function`: its texts then state a delivery SLO).
    :param dropped_urgency: urgency of an event given up on. Default: HIGH.
    :param sustain: how long the event age must stay above the max age, whole minutes from 1 min to
        1 h. Default: 3 minutes.
    :param runbook_url: link written into every alarm description. Default: none.
    """

    _kind = "event_consumer"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        source: sns.ITopic | s3.IBucket | events.Rule,
        routing: AlarmRouting,
        freshness: FreshnessSlo,
        function: lambda_.IFunction | None = None,
        dropped_urgency: Urgency = Urgency.HIGH,
        sustain: cdk.Duration = _DEFAULT_SUSTAIN,
        runbook_url: str | None = None,
    ) -> None:
        super().__init__(scope, id, routing=routing, runbook_url=runbook_url)
        self._check_environments(source=source, function=function)
        # The age signal is confirmed only once sustained, and a drop is a fact: notify as soon as
        # either confirms (a wait lost a lag whose age stayed over the max age for just `sustain`).
        self._confirmation_wait_seconds = 0
        if function is not None and not is_function(function):
            raise self._fail(f"'function' must be an aws_lambda function (got {type(function).__name__})",
                             "function", type(function).__name__)
        if not isinstance(freshness, FreshnessSlo):
            raise self._fail(f"'freshness' must be a FreshnessSlo (got {freshness!r})", "freshness", freshness)
        if not isinstance(dropped_urgency, Urgency):
            raise self._fail(f"'dropped_urgency' must be an Urgency (got {dropped_urgency!r})",
                             "dropped_urgency", dropped_urgency)
        sustain_minutes = self._sustain_minutes(sustain)
        what = self._check_source(source, function)
        # Without a function only lost events are measured: no freshness SLO is claimed.
        slo = freshness.describe() if function is not None else _DELIVERY_SLO
        dropped: list[cw.CfnAlarm] = []
        if function is not None:
            dropped.append(self._add_member(
                id="DroppedEvents", signal="dropped-events", title="Events dropped after every retry",
                urgency=dropped_urgency,
                impact=f"Events from {what} to {self.entrypoint_name} were given up on after every retry or "
                       "when they grew too old: a customer's work was not done.",
                slo=slo,
                metric=_lambda_metric(function, "AsyncEventsDropped", "Sum"),
                threshold=0, comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=ARRIVAL_QUIET_MINUTES, datapoints_to_alarm=1,
            ))
        if isinstance(source, events.Rule):
            dropped.append(self._add_member(
                id="FailedDeliveries", signal="failed-invocations", title="Events the rule failed to deliver",
                urgency=dropped_urgency,
                impact=f"The rule {source.node.id} could not deliver events to {self.entrypoint_name}'s "
                       "targets after every retry: a customer's work was not done.",
                slo=slo,
                metric=Metric(namespace="AWS/Events", metric_name="FailedInvocations",
                              dimensions_map=_rule_dimensions(source), statistic="Sum", period=_ONE_MINUTE),
                threshold=0, comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=ARRIVAL_QUIET_MINUTES, datapoints_to_alarm=1,
            ))
        self._add_rule(dropped_urgency, self._any_of(dropped))
        if function is not None and dropped_urgency is Urgency.HIGH:
            # A drop keeps its member in ALARM for the quiet spell: it holds its own incident open.
            self._add_hold(Urgency.HIGH, self._any_of(dropped))
        if function is not None:
            max_age = freshness.max_age_seconds
            late = self._add_member(
                id="EventAge", signal="event-age", title="Age of events when the function runs",
                urgency=Urgency.HIGH,
                impact=f"Events from {what} have waited over {words(max_age)} for {self.entrypoint_name} for "
                       f"{sustain_minutes} min: customers' work is badly delayed.",
                slo=slo,
                # AsyncEventAge is in milliseconds.
                metric=_lambda_metric(function, "AsyncEventAge", "Maximum"),
                threshold=max_age * 1000, comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=sustain_minutes, datapoints_to_alarm=sustain_minutes,
            )
            self._add_rule(Urgency.HIGH, self._any_of([late]))
            # A throttled consumer's event age crosses the max age on and off: the incident stays open
            # (one notification) until the age has stayed under it for the quiet spell.
            still_late = self._add_member(
                id="EventAgeHold", signal="event-age", urgency=Urgency.HIGH,
                title="Age of events when the function runs, incident still open",
                impact=f"Events from {what} waited over {words(max_age)} for {self.entrypoint_name} within the last "
                       f"{words(ARRIVAL_QUIET_MINUTES * 60)}. Keeps an incident open, so it notifies once.",
                slo=slo,
                metric=_lambda_metric(function, "AsyncEventAge", "Maximum"),
                threshold=max_age * 1000, comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=ARRIVAL_QUIET_MINUTES, datapoints_to_alarm=1, primary=False,
            )
            self._add_hold(Urgency.HIGH, self._any_of([still_late]))
        lost = " or lost" if dropped_urgency is Urgency.HIGH else ""
        self._add_notifiers({
            Urgency.HIGH: f"Customers' events sent to {self.entrypoint_name} are badly delayed{lost}."
            if function is not None else f"Customers' events sent to {self.entrypoint_name} were lost.",
            Urgency.LOW: f"Customers' events sent to {self.entrypoint_name} were given up on.",
        }, slo)

    def _check_source(self, source: object, function: lambda_.IFunction | None) -> str:
        """Words for the source, once it is known to send events to `function`."""
        if isinstance(source, events.Rule):
            cfn_rule = source.node.default_child
            assert isinstance(cfn_rule, events.CfnRule)
            stack = cdk.Stack.of(self)
            targets = stack.resolve(cfn_rule.targets) or []
            if not targets:
                raise self._fail(
                    f"the rule {source.node.path} has no target, so no event reaches a consumer; add "
                    "rule.add_target(...) before creating the alarms", "source", source.node.path)
            if function is not None:
                function_arn = stack.resolve(function.function_arn)
                if not any(target.get("arn", target.get("Arn")) == function_arn for target in targets):
                    raise self._fail(
                        f"the rule {source.node.path} has no target that invokes {function.node.path}; add "
                        "rule.add_target(aws_events_targets.LambdaFunction(function))", "function",
                        function.node.path)
            return f"the rule {source.node.id}"
        if function is None:
            raise self._fail(
                f"'function' is required for a {type(source).__name__} source: its events are alarmed at the "
                "function that consumes them", "function", None)
        if is_topic(source):
            return f"the topic {source.node.id}"  # type: ignore[attr-defined]
        if isinstance(source, s3.BucketBase):
            return f"the bucket {source.node.id}"
        kind = type(source).__name__
        raise self._fail(
            f"'source' must be an aws_sns topic, an aws_s3 bucket or an aws_events.Rule (got {kind}); a queue "
            "is QueueConsumerAlarms' and a stream StreamConsumerAlarms'", "source", kind)


def _lambda_metric(function: lambda_.IFunction, name: str, statistic: str) -> Metric:
    """A metric of the function by ``FunctionName`` alone: for an alias or a version too, the
    function's own name (``function.metric`` of an alias adds a ``Resource`` dimension)."""
    return Metric(namespace="AWS/Lambda", metric_name=name,
                  dimensions_map={"FunctionName": underlying_function(function).function_name},
                  statistic=statistic, period=_ONE_MINUTE)


def _rule_dimensions(rule: events.Rule) -> dict[str, str]:
    """EventBridge publishes a rule's metrics with ``RuleName`` alone on the default bus and with
    ``EventBusName`` and ``RuleName`` on any other bus (EventBridge User Guide, "Monitoring Amazon
    EventBridge"): without the bus, the metric of a custom bus's rule has no data."""
    cfn_rule = rule.node.default_child
    assert isinstance(cfn_rule, events.CfnRule)
    bus = cfn_rule.event_bus_name
    if bus is not None and not cdk.Token.is_unresolved(bus):
        bus = bus.split(":event-bus/", 1)[-1]  # the property takes a name or an ARN; the metric, the name
    if bus is None or bus == "default":
        return {"RuleName": rule.rule_name}
    return {"EventBusName": bus, "RuleName": rule.rule_name}
