"""Metrics and metric math as plain Python data, rendered into ``CfnAlarm`` properties exactly as
``aws_cloudwatch.Alarm`` renders ``cw.Metric`` and ``cw.MathExpression`` (aws-cdk-lib 2.275).

A ``cw.Metric`` or ``cw.MathExpression`` is a Node.js object: making one, and the alarm reading it,
are jsii round trips, and they were most of the synth time sensible_alarms adds (docs/synth-speed.md).
These descriptions cost nothing until :func:`alarm_properties` turns one into the properties of the
one ``CfnAlarm`` that uses it. Token values (a function's name, an API's id) are plain strings here,
read once by the construct that builds the description.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from aws_cdk import aws_cloudwatch as cw

__all__ = ["MathExpression", "Metric", "alarm_properties"]

#: CloudWatch's default period, as ``cw.Metric`` and ``cw.MathExpression`` use it.
DEFAULT_PERIOD_SECONDS = 300
#: The statistics CloudFormation takes as ``Statistic``; every other one is an ``ExtendedStatistic``
#: (the names CDK accepts for them, lower-case, and the canonical spelling).
_SIMPLE_STATISTICS = {
    "average": "Average", "avg": "Average", "minimum": "Minimum", "min": "Minimum", "maximum": "Maximum",
    "max": "Maximum", "samplecount": "SampleCount", "n": "SampleCount", "sum": "Sum",
}
_SINGLE = re.compile(r"^(p|tm|wm|tc|ts)(\d+(?:\.\d+)?)$", re.IGNORECASE)
_PAIR = re.compile(r"^(PR|TM|WM|TC|TS)\(([^)]+)\)$", re.IGNORECASE)


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric with a statistic and period (``cw.Metric``'s arguments; period in seconds)."""

    namespace: str
    metric_name: str
    dimensions_map: Mapping[str, str]
    statistic: str = "Average"
    period: int = DEFAULT_PERIOD_SECONDS


@dataclass(frozen=True)
class MathExpression:
    """Metric math over named metrics or expressions (``cw.MathExpression``'s arguments; period in
    seconds). As in CDK, the period applies to every metric the expression uses, nested ones too."""

    expression: str
    using_metrics: Mapping[str, Metric | MathExpression]
    period: int = DEFAULT_PERIOD_SECONDS
    label: str | None = None


def alarm_properties(metric: Metric | MathExpression) -> dict[str, Any]:
    """``CfnAlarm`` keyword arguments for `metric`: the plain metric fields for a metric, the
    ``metrics`` list of metric data queries for an expression, in the order and with the ids,
    labels and periods ``cw.Alarm`` gives them."""
    if isinstance(metric, Metric):
        field, value = _statistic_field(metric.statistic)
        return {"dimensions": _dimensions(metric.dimensions_map), "namespace": metric.namespace,
                "metric_name": metric.metric_name, "period": metric.period, field: value}
    queries: list[cw.CfnAlarm.MetricDataQueryProperty] = []
    _add_query(queries, {}, metric, "expr_1", top=True)
    return {"metrics": queries}


def _add_query(queries: list[cw.CfnAlarm.MetricDataQueryProperty], seen: dict[str, Metric | MathExpression],
               metric: Metric | MathExpression, id: str, *, top: bool) -> None:
    """`metric` and what it uses, depth first (CDK's MetricSet order); the top query alone returns data.
    An id used twice for one metric is listed once, as CDK lists it; for two metrics, an error."""
    if id in seen and not top:
        if seen[id] != metric:
            raise ValueError(f"metric id {id!r} names two different metrics in one alarm")
    else:
        seen[id] = metric
        if isinstance(metric, Metric):
            queries.append(cw.CfnAlarm.MetricDataQueryProperty(
                id=id, return_data=top,
                metric_stat=cw.CfnAlarm.MetricStatProperty(
                    metric=cw.CfnAlarm.MetricProperty(metric_name=metric.metric_name, namespace=metric.namespace,
                                                      dimensions=_dimensions(metric.dimensions_map)),
                    period=metric.period, stat=_normalized(metric.statistic))))
        else:
            # An expression over other metrics has no period of its own in the alarm: theirs is its.
            queries.append(cw.CfnAlarm.MetricDataQueryProperty(
                expression=metric.expression, id=id, label=metric.label,
                period=None if metric.using_metrics else metric.period, return_data=top))
    if isinstance(metric, MathExpression):
        for sub_id, sub in metric.using_metrics.items():
            _add_query(queries, seen, _with_period(sub, metric.period), sub_id, top=False)


def _with_period(metric: Metric | MathExpression, period: int) -> Metric | MathExpression:
    return metric if metric.period == period else replace(metric, period=period)


def _dimensions(dimensions: Mapping[str, str]) -> list[cw.CfnAlarm.DimensionProperty] | None:
    """Sorted by name, as ``cw.Metric`` lists them; None for none."""
    return [cw.CfnAlarm.DimensionProperty(name=name, value=dimensions[name])
            for name in sorted(dimensions)] or None


def _normalized(statistic: str) -> str:
    """CDK's spelling of a statistic: ``Sum``, ``p99``, ``PR(:300)``; unknown ones as given."""
    simple = _SIMPLE_STATISTICS.get(statistic.lower())
    if simple:
        return simple
    if statistic.lower() == "iqm":
        return "IQM"
    if _SINGLE.match(statistic):
        return statistic.lower()
    if _PAIR.match(statistic) and ":" in statistic:
        return statistic.upper()
    return statistic


def _statistic_field(statistic: str) -> tuple[str, str]:
    normalized = _normalized(statistic)
    return ("statistic", normalized) if normalized in _SIMPLE_STATISTICS.values() else \
        ("extended_statistic", normalized)
