"""Alarm definitions for the engine, read from synthesized CloudFormation (a cloud assembly or
template files), pure Python.

Names: an alarm's ``AlarmName`` when the template fixes it, else ``<stack>/<logical id>``.
Dimension values CloudFormation only knows at deploy time are placeholders made of logical ids
(``${OrderQueue1234.QueueName}``, ``${NightlyReport5678}``): a metrics file for a template that
is not deployed yet uses them as they are; for recorded metrics of a deployed stack, pass
``names`` mapping each placeholder to the deployed name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cfn_text import Renderer, StackTemplate, TemplateError, read_stacks
from .definitions import CompositeAlarmDef, ExpressionQuery, MetricAlarmDef, MetricStatQuery, Query
from .exceptions import ReplayError

__all__ = ["AlarmSet", "alarm_set_from_templates", "load_names"]


@dataclass(frozen=True)
class AlarmSet:
    """What a template set gives the engine, plus where each alarm came from."""

    alarms: tuple[MetricAlarmDef, ...]
    composites: tuple[CompositeAlarmDef, ...]
    #: alarm name -> (stack name, logical id)
    origin: dict[str, tuple[str, str]]
    #: alarm name -> the SensibleAlarms metadata the constructs wrote, when present
    metadata: dict[str, dict[str, Any]]


def load_names(path: str | Path) -> dict[str, str]:
    """A JSON object mapping placeholders (``${OrderQueue1234.QueueName}``) to deployed names."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ReplayError(f"{file}: cannot read the names mapping ({error})") from error
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ReplayError(f"{file}: the names mapping must be a JSON object of strings to strings")
    return data


def _number(value: Any, where: str, prop: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ReplayError(f"{where}: '{prop}' must be a number (got {value!r})", prop=prop, value=value)
    try:
        return float(value)
    except ValueError as error:
        raise ReplayError(f"{where}: '{prop}' must be a number (got {value!r})", prop=prop, value=value) from error


def _dimensions(dims: Any, render: Renderer, names: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for dim in dims or []:
        value = render(dim.get("Value"))
        pairs.append((str(dim.get("Name")), names.get(value, value)))
    return tuple(pairs)


def _has_actions(props: dict[str, Any]) -> bool:
    return bool(props.get("AlarmActions")) and props.get("ActionsEnabled", True) not in (False, "false")


def _metric_alarm(name: str, where: str, props: dict[str, Any], render: Renderer,
                  names: Mapping[str, str]) -> MetricAlarmDef:
    queries: list[Query] = []
    if props.get("Metrics"):
        for query in props["Metrics"]:
            qid = str(query.get("Id"))
            returns = query.get("ReturnData", True) not in (False, "false")
            if "MetricStat" in query:
                stat = query["MetricStat"]
                metric = stat.get("Metric", {})
                queries.append(MetricStatQuery(
                    id=qid, namespace=str(metric.get("Namespace")), metric=str(metric.get("MetricName")),
                    dimensions=_dimensions(metric.get("Dimensions"), render, names), stat=str(stat.get("Stat")),
                    period=int(_number(stat.get("Period"), where, "Period")), return_data=returns))
            elif "Expression" in query:
                period = query.get("Period")
                queries.append(ExpressionQuery(
                    id=qid, expression=render(query["Expression"]), return_data=returns,
                    period=int(_number(period, where, "Period")) if period is not None else None))
            else:
                raise ReplayError(f"{where}: query {qid!r} has neither MetricStat nor Expression "
                                  "(Metrics Insights queries are not replayed)", prop="Metrics")
    else:
        stat = props.get("ExtendedStatistic") or props.get("Statistic")
        if not stat:
            raise ReplayError(f"{where}: the alarm has no Statistic, ExtendedStatistic or Metrics", prop="Statistic")
        queries.append(MetricStatQuery(
            id="m1", namespace=str(props.get("Namespace")), metric=str(props.get("MetricName")),
            dimensions=_dimensions(props.get("Dimensions"), render, names), stat=str(stat),
            period=int(_number(props.get("Period"), where, "Period"))))
    if "Threshold" not in props:
        raise ReplayError(f"{where}: alarms on anomaly-detection bands (ThresholdMetricId) are not replayed",
                          prop="ThresholdMetricId")
    datapoints = props.get("DatapointsToAlarm")
    window = props.get("EvaluationWindow")
    return MetricAlarmDef(
        name=name, queries=tuple(queries), threshold=_number(props["Threshold"], where, "Threshold"),
        comparison_operator=str(props.get("ComparisonOperator")),
        evaluation_periods=int(_number(props.get("EvaluationPeriods"), where, "EvaluationPeriods")),
        datapoints_to_alarm=int(_number(datapoints, where, "DatapointsToAlarm")) if datapoints is not None else None,
        treat_missing_data=props.get("TreatMissingData"), has_actions=_has_actions(props),
        evaluation_window="wall_clock" if isinstance(window, dict) and "WallClockWindow" in window else "sliding",
    )


def alarm_set_from_templates(*paths: str | Path, names: Mapping[str, str] | None = None) -> AlarmSet:
    """Every metric and composite alarm of the given cloud assemblies and template files."""
    mapping = dict(names or {})
    try:
        stacks: list[StackTemplate] = read_stacks(*paths)
    except TemplateError as error:
        raise ReplayError(str(error)) from error
    alarms: list[MetricAlarmDef] = []
    composites: list[CompositeAlarmDef] = []
    origin: dict[str, tuple[str, str]] = {}
    metadata: dict[str, dict[str, Any]] = {}
    for stack in stacks:
        resources = stack.resources

        def name_of(logical_id: str, stack: StackTemplate = stack, resources: dict[str, Any] = resources) -> str:
            props = resources.get(logical_id, {}).get("Properties", {})
            name = props.get("AlarmName") or props.get("CompositeAlarmName") if isinstance(props, dict) else None
            return name if isinstance(name, str) else f"{stack.name}/{logical_id}"

        render = Renderer(resources, name_of=name_of)
        for logical_id, resource in sorted(resources.items()):
            if not isinstance(resource, dict):
                continue
            kind = resource.get("Type")
            if kind not in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
                continue
            props = resource.get("Properties") or {}
            name = name_of(logical_id)
            where = f"{stack.path}: {logical_id}"
            if kind == "AWS::CloudWatch::Alarm":
                alarms.append(_metric_alarm(name, where, props, render, mapping))
            else:
                suppressor = props.get("ActionsSuppressor")
                composites.append(CompositeAlarmDef(
                    name=name, alarm_rule=render(props.get("AlarmRule")), has_actions=_has_actions(props),
                    actions_suppressor=render(suppressor) if suppressor is not None else None,
                    actions_suppressor_wait_period=int(props.get("ActionsSuppressorWaitPeriod", 60)),
                    actions_suppressor_extension_period=int(props.get("ActionsSuppressorExtensionPeriod", 60)),
                ))
            if name in origin:
                raise ReplayError(f"{where}: alarm name {name!r} is used twice (also {origin[name][1]} of "
                                  f"{origin[name][0]})", prop="AlarmName", value=name)
            origin[name] = (stack.name, logical_id)
            meta = (resource.get("Metadata") or {}).get("SensibleAlarms")
            if isinstance(meta, dict):
                metadata[name] = meta
    return AlarmSet(tuple(alarms), tuple(composites), origin, metadata)
