"""What the replay engine evaluates: minimal, frozen descriptions of CloudWatch alarms.

These mirror the CloudFormation resources ``AWS::CloudWatch::Alarm`` and
``AWS::CloudWatch::CompositeAlarm`` closely (snake_case of the same property names), so an adapter
from the alarm model, from a template or from ``DescribeAlarms`` is a field-by-field copy. They do
not depend on the model package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .exceptions import ReplayError
from .statistics import validate_statistic

__all__ = [
    "ANOMALY_DETECTION_OPERATORS",
    "COMPARISON_OPERATORS",
    "EVALUATION_WINDOWS",
    "TREAT_MISSING_DATA",
    "CompositeAlarmDef",
    "ExpressionQuery",
    "MetricAlarmDef",
    "MetricStatQuery",
    "Query",
]

#: The threshold comparison operators the engine evaluates.
COMPARISON_OPERATORS = frozenset({
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
})
#: Operators of anomaly-detection alarms: accepted in a definition, refused by the engine.
ANOMALY_DETECTION_OPERATORS = frozenset({
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
})
#: CloudFormation's TreatMissingData values.
TREAT_MISSING_DATA = frozenset({"missing", "ignore", "breaching", "notBreaching"})
#: How an alarm's evaluation window is placed (CloudFormation's ``EvaluationWindow``).
EVALUATION_WINDOWS = ("sliding", "wall_clock")

_QUERY_ID = re.compile(r"^[a-z][A-Za-z0-9_]*$")


def _check_id(alarm: str | None, query_id: str) -> None:
    if not _QUERY_ID.match(query_id):
        raise ReplayError(
            f"query id must start with a lowercase letter and hold only letters, digits and '_' (got {query_id!r})",
            path=alarm, prop="id", value=query_id)


def _check_period(owner: str, period: int) -> None:
    if isinstance(period, bool) or not isinstance(period, int) or period <= 0:
        raise ReplayError(f"'period' must be a positive whole number of seconds (got {period!r})",
                          path=owner, prop="period", value=period)


@dataclass(frozen=True, kw_only=True)
class MetricStatQuery:
    """One metric and statistic at a period: a ``MetricDataQuery`` with a ``MetricStat``.

    ``dimensions`` are ``(name, value)`` pairs; they are stored sorted by name, as the metrics
    files write them. ``stat`` is the statistic as a template writes it (``Sum``, ``p99``,
    ``PR(:1000)``, ...). Default ``return_data``: true, as in CloudFormation.
    """

    id: str
    namespace: str
    metric: str
    stat: str
    period: int
    dimensions: tuple[tuple[str, str], ...] = ()
    return_data: bool = True

    def __post_init__(self) -> None:
        _check_id(None, self.id)
        if not self.namespace or not self.metric:
            raise ReplayError(f"query {self.id!r}: 'namespace' and 'metric' must be non-empty "
                              f"(got {self.namespace!r}, {self.metric!r})", prop="metric")
        validate_statistic(self.stat, where=f"query {self.id!r}")
        _check_period(f"query {self.id!r}", self.period)
        dims = tuple(sorted((str(k), str(v)) for k, v in self.dimensions))
        names = [k for k, _ in dims]
        if len(set(names)) != len(names):
            raise ReplayError(f"query {self.id!r}: a dimension name appears twice (got {names})",
                              prop="dimensions", value=self.dimensions)
        object.__setattr__(self, "dimensions", dims)


@dataclass(frozen=True, kw_only=True)
class ExpressionQuery:
    """A metric math expression over the other queries of the same alarm.

    Default ``period``: the period of the alarm's metrics. Default ``return_data``: true.
    """

    id: str
    expression: str
    period: int | None = None
    return_data: bool = True

    def __post_init__(self) -> None:
        _check_id(None, self.id)
        if not self.expression.strip():
            raise ReplayError(f"query {self.id!r}: 'expression' must not be empty", prop="expression")
        if self.period is not None:
            _check_period(f"query {self.id!r}", self.period)


Query = MetricStatQuery | ExpressionQuery


@dataclass(frozen=True, kw_only=True)
class MetricAlarmDef:
    """A metric alarm (``AWS::CloudWatch::Alarm``) as the engine evaluates it.

    ``queries`` holds the alarm's metric and, for a metric math alarm, its expressions; exactly
    one query returns data. Build a single-metric alarm with :meth:`single`.

    Defaults, as CloudWatch applies them: ``datapoints_to_alarm`` is ``evaluation_periods``;
    ``treat_missing_data`` is ``missing`` (``ignore`` for alarms on ``AWS/DynamoDB`` metrics, as
    the CloudWatch user guide documents). ``has_actions`` says whether the alarm has at least one
    alarm action with actions enabled; only such alarms notify.
    """

    name: str
    queries: tuple[Query, ...]
    threshold: float
    comparison_operator: str
    evaluation_periods: int
    has_actions: bool
    datapoints_to_alarm: int | None = None
    treat_missing_data: str | None = None
    #: ``sliding`` (CloudWatch's default) or ``wall_clock`` (``EvaluationWindow: {WallClockWindow: ...}``,
    #: which the engine refuses: see docs/replay.md).
    evaluation_window: str = "sliding"

    def __post_init__(self) -> None:
        if not self.name:
            raise ReplayError("an alarm 'name' must not be empty", prop="name")
        path = self.name
        if self.evaluation_window not in EVALUATION_WINDOWS:
            raise ReplayError(f"'evaluation_window' must be one of {', '.join(EVALUATION_WINDOWS)} "
                              f"(got {self.evaluation_window!r})", path=path, prop="evaluation_window")
        object.__setattr__(self, "queries", tuple(self.queries))
        if not self.queries:
            raise ReplayError("'queries' must hold at least one metric", path=path, prop="queries")
        ids = [q.id for q in self.queries]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ReplayError(f"query ids must be unique (repeated: {', '.join(dup)})", path=path, prop="queries")
        returned = [q.id for q in self.queries if q.return_data]
        if len(returned) != 1:
            raise ReplayError(f"exactly one query must have return_data true (got {returned or 'none'})",
                              path=path, prop="queries")
        if self.comparison_operator not in COMPARISON_OPERATORS | ANOMALY_DETECTION_OPERATORS:
            raise ReplayError(
                f"'comparison_operator' must be one of {', '.join(sorted(COMPARISON_OPERATORS))} "
                f"(got {self.comparison_operator!r})", path=path, prop="comparison_operator")
        if isinstance(self.evaluation_periods, bool) or self.evaluation_periods < 1:
            raise ReplayError(f"'evaluation_periods' must be at least 1 (got {self.evaluation_periods!r})",
                              path=path, prop="evaluation_periods")
        m = self.datapoints_to_alarm
        if m is not None and not 1 <= m <= self.evaluation_periods:
            raise ReplayError(
                f"'datapoints_to_alarm' must be between 1 and evaluation_periods={self.evaluation_periods} (got {m})",
                path=path, prop="datapoints_to_alarm")
        if self.treat_missing_data is not None and self.treat_missing_data not in TREAT_MISSING_DATA:
            raise ReplayError(
                f"'treat_missing_data' must be one of {', '.join(sorted(TREAT_MISSING_DATA))} "
                f"(got {self.treat_missing_data!r})", path=path, prop="treat_missing_data")

    @classmethod
    def single(cls, *, name: str, namespace: str, metric: str, stat: str, period: int,
               threshold: float, comparison_operator: str, evaluation_periods: int, has_actions: bool,
               dimensions: tuple[tuple[str, str], ...] = (), datapoints_to_alarm: int | None = None,
               treat_missing_data: str | None = None) -> MetricAlarmDef:
        """An alarm on one metric (CloudFormation's ``Namespace``/``MetricName``/``Statistic`` form)."""
        query = MetricStatQuery(id="m1", namespace=namespace, metric=metric, dimensions=dimensions,
                                stat=stat, period=period)
        return cls(name=name, queries=(query,), threshold=threshold, comparison_operator=comparison_operator,
                   evaluation_periods=evaluation_periods, has_actions=has_actions,
                   datapoints_to_alarm=datapoints_to_alarm, treat_missing_data=treat_missing_data)

    @property
    def datapoints_required(self) -> int:
        """M of "M out of N": ``datapoints_to_alarm``, or ``evaluation_periods`` when unset."""
        return self.datapoints_to_alarm if self.datapoints_to_alarm is not None else self.evaluation_periods

    @property
    def missing_data_treatment(self) -> str:
        """The TreatMissingData in force, defaults applied."""
        if self.treat_missing_data is not None:
            return self.treat_missing_data
        if any(isinstance(q, MetricStatQuery) and q.namespace == "AWS/DynamoDB" for q in self.queries):
            return "ignore"
        return "missing"

    @property
    def metric_queries(self) -> tuple[MetricStatQuery, ...]:
        return tuple(q for q in self.queries if isinstance(q, MetricStatQuery))

    @property
    def returned_query(self) -> Query:
        return next(q for q in self.queries if q.return_data)

    @property
    def period(self) -> int:
        """The alarm's period: the period of its metrics (all must agree), or of its expression
        when it has no metric."""
        periods = {q.period for q in self.metric_queries}
        periods |= {q.period for q in self.queries if isinstance(q, ExpressionQuery) and q.period is not None}
        if len(periods) != 1:
            found = ", ".join(str(p) for p in sorted(periods)) or "none"
            raise ReplayError(
                f"all queries of an alarm must share one period (found: {found}); give the expression a "
                "'period' when the alarm has no metric", path=self.name, prop="period")
        return periods.pop()


@dataclass(frozen=True, kw_only=True)
class CompositeAlarmDef:
    """A composite alarm (``AWS::CloudWatch::CompositeAlarm``).

    ``alarm_rule`` is the rule text as the deployed template holds it, alarm names or ARNs
    (``arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME``) substituted. ``actions_suppressor`` names
    (or is the ARN of) the suppressor alarm. Default wait and extension periods: 60 seconds each,
    the values CDK sets and the CloudWatch user guide recommends.
    """

    name: str
    alarm_rule: str
    has_actions: bool
    actions_suppressor: str | None = None
    actions_suppressor_wait_period: int = 60
    actions_suppressor_extension_period: int = 60

    def __post_init__(self) -> None:
        if not self.name:
            raise ReplayError("an alarm 'name' must not be empty", prop="name")
        if not self.alarm_rule.strip():
            raise ReplayError("'alarm_rule' must not be empty", path=self.name, prop="alarm_rule")
        for prop in ("actions_suppressor_wait_period", "actions_suppressor_extension_period"):
            value = getattr(self, prop)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ReplayError(f"{prop!r} must be a whole number of seconds >= 0 (got {value!r})",
                                  path=self.name, prop=prop, value=value)
