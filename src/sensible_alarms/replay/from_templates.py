"""Alarm definitions for the engine, built from the alarm model (:mod:`sensible_alarms.model`, the
one template reader), pure Python.

Names: an alarm's ``AlarmName`` when the template fixes it, else ``<stack>/<logical id>``.
Dimension values CloudFormation only knows at deploy time are placeholders made of logical ids
(``${OrderQueue1234.QueueName}``, ``${NightlyReport5678}``): a metrics file for a template that
is not deployed yet uses them as they are; for recorded metrics of a deployed stack, pass
``names`` mapping each placeholder to the deployed name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import AlarmModel, CompositeAlarm, MetricAlarm, ModelLoadError, Unresolved, load
from .definitions import CompositeAlarmDef, ExpressionQuery, MetricAlarmDef, MetricStatQuery, Query
from .exceptions import ReplayError

__all__ = ["AlarmSet", "alarm_set_from_model", "alarm_set_from_templates", "load_names"]


@dataclass(frozen=True)
class AlarmSet:
    """What a model gives the engine, plus where each alarm came from."""

    alarms: tuple[MetricAlarmDef, ...]
    composites: tuple[CompositeAlarmDef, ...]
    #: alarm name -> (stack name, logical id)
    origin: dict[str, tuple[str, str]]
    #: alarm name -> the SensibleAlarms metadata the constructs wrote, when present
    metadata: dict[str, dict[str, Any]]
    #: alarm name -> urgency as the model reads it (the metadata, else the description's ``Urgency:``)
    urgencies: dict[str, str] = field(default_factory=dict)
    #: alarm name -> the entrypoint it watches (its metadata's construct path), for the alarms of this
    #: library's constructs: what entrypoint-aware scoring matches an incident's ``entrypoint`` with
    entrypoints: dict[str, str] = field(default_factory=dict)


def load_names(path: str | Path) -> dict[str, str]:
    """A JSON object mapping placeholders (``${OrderQueue1234.QueueName}``) to deployed names."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise ReplayError(f"{file}: cannot read the names mapping: {error.strerror or error}") from error
    except json.JSONDecodeError as error:
        raise ReplayError(f"{file}: the names mapping is not valid JSON: {error}") from error
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ReplayError(f"{file}: the names mapping must be a JSON object of strings to strings")
    return data


def _whole(value: int | Unresolved | None, where: str, prop: str) -> int:
    if not isinstance(value, int):
        shown = value.value if isinstance(value, Unresolved) else value
        raise ReplayError(f"{where}: '{prop}' must be a whole number (got {shown!r})", prop=prop, value=shown)
    return value


def _metric_alarm(alarm: MetricAlarm, where: str, names: Mapping[str, str]) -> MetricAlarmDef:
    queries: list[Query] = []
    for query in alarm.queries:
        if query.metric is not None:
            metric = query.metric
            if alarm.form == "metric" and not metric.stat:
                raise ReplayError(f"{where}: the alarm has no Statistic, ExtendedStatistic or Metrics",
                                  prop="Statistic")
            queries.append(MetricStatQuery(
                id=query.id, namespace=metric.namespace, metric=metric.metric_name,
                dimensions=tuple((d.name, names.get(d.text, d.text)) for d in metric.dimensions),
                stat=metric.stat, period=_whole(metric.period, where, "Period"), return_data=query.return_data))
        elif query.expression is not None:
            queries.append(ExpressionQuery(
                id=query.id, expression=query.expression, return_data=query.return_data,
                period=_whole(query.period, where, "Period") if query.period is not None else None))
        else:
            raise ReplayError(f"{where}: query {query.id!r} has neither MetricStat nor Expression "
                              "(Metrics Insights queries are not replayed)", prop="Metrics")
    if not queries:
        raise ReplayError(f"{where}: the alarm has no Statistic, ExtendedStatistic or Metrics", prop="Statistic")
    if alarm.threshold_metric_id is not None:
        raise ReplayError(f"{where}: alarms on anomaly-detection bands (ThresholdMetricId) are not replayed",
                          prop="ThresholdMetricId")
    if not isinstance(alarm.threshold, float):
        shown = alarm.threshold.value if isinstance(alarm.threshold, Unresolved) else alarm.threshold
        raise ReplayError(f"{where}: 'Threshold' must be a number (got {shown!r})", prop="Threshold", value=shown)
    datapoints = alarm.datapoints_to_alarm
    return MetricAlarmDef(
        name=alarm.name, queries=tuple(queries), threshold=alarm.threshold,
        comparison_operator=alarm.comparison,
        evaluation_periods=_whole(alarm.evaluation_periods, where, "EvaluationPeriods"),
        datapoints_to_alarm=_whole(datapoints, where, "DatapointsToAlarm") if datapoints is not None else None,
        treat_missing_data=alarm.treat_missing_data_given, has_actions=alarm.notifies,
        evaluation_window=alarm.evaluation_window,
    )


def alarm_set_from_model(model: AlarmModel, *, names: Mapping[str, str] | None = None) -> AlarmSet:
    """Every metric and composite alarm of the model, as the engine evaluates them."""
    mapping = dict(names or {})
    alarms: list[MetricAlarmDef] = []
    composites: list[CompositeAlarmDef] = []
    origin: dict[str, tuple[str, str]] = {}
    metadata: dict[str, dict[str, Any]] = {}
    urgencies: dict[str, str] = {}
    entrypoints: dict[str, str] = {}
    for stack in model.stacks:

        for alarm in stack.alarms:
            where = f"{stack.template_path or stack.name}: {alarm.logical_id}"
            if isinstance(alarm, MetricAlarm):
                alarms.append(_metric_alarm(alarm, where, mapping))
            elif isinstance(alarm, CompositeAlarm):
                suppressor = alarm.actions_suppressor
                suppressor_alarm = stack.alarm(suppressor.logical_id) if suppressor and suppressor.logical_id else None
                composites.append(CompositeAlarmDef(
                    name=alarm.name, alarm_rule=stack.with_alarm_names(alarm.rule_text), has_actions=alarm.notifies,
                    actions_suppressor=(suppressor_alarm.name if suppressor_alarm is not None
                                        else suppressor.alarm if suppressor is not None else None),
                    actions_suppressor_wait_period=_whole(suppressor.wait_period, where, "ActionsSuppressorWaitPeriod")
                    if suppressor else 60,
                    actions_suppressor_extension_period=_whole(
                        suppressor.extension_period, where, "ActionsSuppressorExtensionPeriod") if suppressor else 60,
                ))
            if alarm.name in origin:
                raise ReplayError(f"{where}: alarm name {alarm.name!r} is used twice (also {origin[alarm.name][1]} of "
                                  f"{origin[alarm.name][0]})", prop="AlarmName", value=alarm.name)
            origin[alarm.name] = (stack.name, alarm.logical_id)
            if alarm.metadata is not None:
                metadata[alarm.name] = alarm.metadata.to_template()
                entrypoints[alarm.name] = alarm.metadata.entrypoint
            if alarm.urgency:
                urgencies[alarm.name] = alarm.urgency
    return AlarmSet(tuple(alarms), tuple(composites), origin, metadata, urgencies, entrypoints)


def alarm_set_from_templates(*paths: str | Path, names: Mapping[str, str] | None = None) -> AlarmSet:
    """Every metric and composite alarm of the given cloud assemblies and template files (read by
    :func:`sensible_alarms.model.load`)."""
    try:
        model = load(*paths)
    except ModelLoadError as error:
        raise ReplayError(str(error)) from error
    return alarm_set_from_model(model, names=names)
