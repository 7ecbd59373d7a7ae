"""Alarms as the model holds them: metric alarms (one metric or metric math), composite alarms,
their actions, and what they say about customer impact and urgency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from ..metadata import AlarmMetadata
from .rule import RuleNode, state_checks
from .values import JsonValue, Unresolved

__all__ = [
    "ActionKind",
    "ActionsSuppressor",
    "Alarm",
    "AlarmAction",
    "CompositeAlarm",
    "DescriptionFields",
    "Dimension",
    "MetricAlarm",
    "MetricQuery",
    "MetricStat",
    "UrgencySource",
]

ActionKind = Literal["sns", "lambda", "ssm", "autoscaling", "ec2", "other"]
UrgencySource = Literal["metadata", "description", "unknown"]


@dataclass(frozen=True)
class Dimension:
    """One metric dimension. ``text`` is the value rendered with placeholders (``${Queue.QueueName}``);
    ``resources`` the logical ids of the stack it names (by reference, or by a literal name that a
    resource of the stack has)."""

    name: str
    value: JsonValue
    text: str
    resources: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetricStat:
    """A metric and a statistic at a period (a ``MetricStat``, or the single metric of an alarm)."""

    namespace: str
    metric_name: str
    dimensions: tuple[Dimension, ...]
    stat: str
    """The statistic as written: ``Sum``, ``Average``, ``p99``, ``PR(:1000)``, ..."""
    period: int | Unresolved | None
    unit: str | None = None

    @property
    def resources(self) -> tuple[str, ...]:
        """Logical ids of the stack the dimensions name, in order, once."""
        return tuple(dict.fromkeys(lid for dimension in self.dimensions for lid in dimension.resources))

    def dimension(self, name: str) -> Dimension | None:
        """The dimension called ``name``, if the metric has it."""
        return next((d for d in self.dimensions if d.name == name), None)


@dataclass(frozen=True)
class MetricQuery:
    """One ``MetricDataQuery``: a metric (``metric``) or an expression (``expression``).

    A single-metric alarm is given as one query with id ``m1`` that returns data, so readers see
    one shape. A query with neither (a Metrics Insights ``SQL`` string) has both None.
    """

    id: str
    metric: MetricStat | None
    expression: str | None
    return_data: bool
    period: int | Unresolved | None = None
    """The query's own period (expressions); a metric's period is ``metric.period``."""
    label: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class AlarmAction:
    """Where an alarm action goes. ``target`` is the logical id of the resource of the stack the
    action references (an SNS topic, usually); ``text`` the action rendered (an ARN or placeholder)."""

    kind: ActionKind
    text: str
    target: str | None


@dataclass(frozen=True)
class DescriptionFields:
    """The ``Key: value`` lines of an alarm description (see ``sensible_alarms.metadata``); a field
    the description does not have is None."""

    customer_impact: str | None = None
    urgency: str | None = None
    """The urgency word (``HIGH`` or ``LOW``), without the explanation after it."""
    slo: str | None = None
    runbook: str | None = None


@dataclass(frozen=True, kw_only=True)
class _AlarmBase:
    stack: str
    """Name of the stack the alarm is in."""
    logical_id: str
    construct_path: str | None
    """The construct path (``aws:cdk:path`` or the cloud assembly's metadata), when known."""
    name: str
    """The ``AlarmName`` when the template fixes it, else ``<stack>/<logical id>``."""
    physical_name: str | None
    """The ``AlarmName`` as a literal string, or None when CloudFormation will generate it."""
    label: str
    """How messages name the alarm: its ``AlarmName``, else its construct path less the stack's
    (``Monitoring/ApiErrors``), else its logical id less CDK's hash."""
    description: str | None
    """The description rendered as text, or None when there is none."""
    fields: DescriptionFields
    metadata: AlarmMetadata | None
    """What a sensible_alarms construct wrote about the alarm, or None."""
    urgency: str | None
    """``HIGH`` or ``LOW`` (or another word the description uses); None when unknown."""
    urgency_source: UrgencySource
    actions_enabled: bool
    alarm_actions: tuple[AlarmAction, ...]
    ok_actions: tuple[AlarmAction, ...]
    insufficient_data_actions: tuple[AlarmAction, ...]

    @property
    def customer_impact(self) -> str | None:
        """The customer-impact sentence, from the metadata or the description."""
        if self.metadata is not None and self.metadata.customer_impact:
            return self.metadata.customer_impact
        return self.fields.customer_impact

    @property
    def notifies(self) -> bool:
        """True when going into ALARM runs an action: actions are enabled and there is one."""
        return self.actions_enabled and bool(self.alarm_actions)

    @property
    def topics(self) -> tuple[str, ...]:
        """Logical ids of the SNS topics of the stack that the alarm actions publish to."""
        return tuple(a.target for a in self.alarm_actions if a.kind == "sns" and a.target)


@dataclass(frozen=True, kw_only=True)
class MetricAlarm(_AlarmBase):
    """An ``AWS::CloudWatch::Alarm``: what it evaluates, how, and whom it tells."""

    form: Literal["metric", "math"]
    """``metric``: one metric (``MetricName``...); ``math``: ``Metrics`` queries."""
    queries: tuple[MetricQuery, ...]
    threshold: float | Unresolved | None
    """None for an anomaly-detection alarm (see ``threshold_metric_id``)."""
    threshold_metric_id: str | None
    comparison: str
    evaluation_periods: int | Unresolved | None
    datapoints_to_alarm: int | Unresolved | None
    """As written; None means "same as evaluation periods" (see ``effective_datapoints_to_alarm``)."""
    treat_missing_data: str
    """``missing`` (CloudWatch's default), ``ignore``, ``breaching`` or ``notBreaching``."""
    treat_missing_data_given: str | None = None
    """``TreatMissingData`` as the template writes it; None when absent (CloudWatch's default then
    applies: ``missing``, but ``ignore`` for some DynamoDB metrics, which the replay knows)."""
    evaluate_low_sample_count_percentile: str | None = None
    evaluation_window: Literal["sliding", "wall_clock"] = "sliding"
    """``wall_clock`` when ``EvaluationWindow`` has a ``WallClockWindow`` (the window is aligned to
    the clock), else CloudWatch's default sliding window."""

    @property
    def metrics(self) -> tuple[MetricStat, ...]:
        """Every metric the alarm reads (all queries with a metric, returned or not)."""
        return tuple(q.metric for q in self.queries if q.metric is not None)

    @property
    def returned(self) -> tuple[MetricQuery, ...]:
        """The queries whose values the alarm compares with its threshold."""
        return tuple(q for q in self.queries if q.return_data)

    @property
    def resources(self) -> tuple[str, ...]:
        """Logical ids of the stack the alarm's metrics name, in order, once."""
        return tuple(dict.fromkeys(lid for metric in self.metrics for lid in metric.resources))

    @property
    def effective_datapoints_to_alarm(self) -> int | Unresolved | None:
        """Datapoints that must breach: ``DatapointsToAlarm``, else ``EvaluationPeriods``."""
        return self.datapoints_to_alarm if self.datapoints_to_alarm is not None else self.evaluation_periods


@dataclass(frozen=True)
class ActionsSuppressor:
    """A composite's ``ActionsSuppressor``: while that alarm is in ALARM, the composite's actions
    are suppressed (periods in seconds; CloudWatch's default is 60)."""

    alarm: str
    """The suppressor as written (name, ARN or placeholder)."""
    logical_id: str | None
    wait_period: int | Unresolved
    extension_period: int | Unresolved


@dataclass(frozen=True, kw_only=True)
class CompositeAlarm(_AlarmBase):
    """An ``AWS::CloudWatch::CompositeAlarm``: a rule over other alarms."""

    rule: RuleNode
    rule_text: str
    """The rule as text, with alarms the template references written as placeholders."""
    actions_suppressor: ActionsSuppressor | None

    @property
    def members(self) -> tuple[str, ...]:
        """Logical ids of the alarms of the stack the rule names, in order, once."""
        return tuple(dict.fromkeys(c.logical_id for c in state_checks(self.rule) if c.logical_id))

    @property
    def outside_members(self) -> tuple[str, ...]:
        """Alarms the rule names that are not in this stack (names or ARNs), in order, once."""
        return tuple(dict.fromkeys(c.alarm for c in state_checks(self.rule) if c.logical_id is None))


Alarm: TypeAlias = "MetricAlarm | CompositeAlarm"
