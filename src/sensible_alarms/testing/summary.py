"""A stable, human-readable summary of a stack's alarms, for snapshot tests and pull requests.

Pure Python over the synthesized template: the same template always gives the same text, and a
change to an alarm changes exactly the lines that describe it.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from ..cfn_text import ALARM_TYPES, Renderer, read_stacks
from ..metadata import METADATA_KEY

__all__ = ["ALARM_TYPES", "summarize_template"]

_COMPARISON = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
    "LessThanLowerOrGreaterThanUpperThreshold": "outside the band",
    "LessThanLowerThreshold": "below the band",
    "GreaterThanUpperThreshold": "above the band",
}
_MISSING = {
    "missing": "missing data: missing",
    "ignore": "missing data: ignored (state kept)",
    "breaching": "missing data: breaching",
    "notBreaching": "missing data: not breaching",
}


def _seconds(value: Any) -> str:
    if not isinstance(value, int | float):
        return str(value)
    seconds = int(value)
    for unit, size in (("day", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}" + ("s" if unit == "day" and n != 1 else "")
    return f"{seconds} s"


def _renderer(resources: dict[str, Any]) -> Renderer:
    return Renderer(resources, placeholder=lambda lid, att: f"<{lid}.{att}>" if att else f"<{lid}>")


def _metric_words(stat: dict[str, Any], render: Renderer) -> str:
    metric = stat.get("Metric", {})
    dims = ", ".join(f"{d.get('Name')}={render(d.get('Value'))}" for d in metric.get("Dimensions", []))
    return (f"{metric.get('Namespace')} {metric.get('MetricName')} {stat.get('Stat')} "
            f"{{{dims}}} per {_seconds(stat.get('Period'))}")


def _signal_lines(props: dict[str, Any], render: Renderer) -> list[str]:
    if "Metrics" in props:
        lines = []
        for query in props["Metrics"]:
            if "Expression" in query:
                mark = "watches" if query.get("ReturnData", True) else "computes"
                period = f" per {_seconds(query['Period'])}" if "Period" in query else ""
                lines.append(f"{mark} {query['Id']} = {query['Expression']}{period}")
        for query in props["Metrics"]:
            if "MetricStat" in query:
                lines.append(f"  {query['Id']}: {_metric_words(query['MetricStat'], render)}")
        return lines
    stat = props.get("ExtendedStatistic") or props.get("Statistic")
    dims = ", ".join(f"{d.get('Name')}={render(d.get('Value'))}" for d in props.get("Dimensions", []))
    return [f"watches {props.get('Namespace')} {props.get('MetricName')} {stat} {{{dims}}} "
            f"per {_seconds(props.get('Period'))}"]


def _actions(props: dict[str, Any], render: Renderer) -> str:
    parts = []
    for key, label in (("AlarmActions", "on ALARM"), ("OKActions", "on OK"),
                       ("InsufficientDataActions", "on INSUFFICIENT_DATA")):
        actions = props.get(key) or []
        if actions:
            parts.append(f"{label} -> " + ", ".join(render(a) for a in actions))
    if props.get("ActionsEnabled") is False:
        parts.append("actions disabled")
    return "; ".join(parts) if parts else "none"


def _alarm_block(logical_id: str, resource: dict[str, Any], render: Renderer) -> list[str]:
    props = resource.get("Properties", {})
    meta = resource.get("Metadata", {}).get(METADATA_KEY, {})
    name = render.alarm_name(logical_id)
    if resource["Type"] == "AWS::CloudWatch::CompositeAlarm":
        head = f"- composite {name}"
        if meta:
            head += f" ({meta.get('urgency')} {meta.get('role')})"
        lines = [head, f"    rule: {render(props.get('AlarmRule'))}"]
        if props.get("ActionsSuppressor"):
            lines.append(f"    suppressed by: {render(props['ActionsSuppressor'])} (wait "
                         f"{props.get('ActionsSuppressorWaitPeriod')} s, extension "
                         f"{props.get('ActionsSuppressorExtensionPeriod')} s)")
    else:
        head = f"- alarm {name}"
        if meta:
            window = f", {meta['window']}" if meta.get("window") else ""
            head += f" ({meta.get('urgency')} {meta.get('signal')}{window})"
        n = props.get("EvaluationPeriods")
        m = props.get("DatapointsToAlarm", n)
        op = _COMPARISON.get(props.get("ComparisonOperator", ""), props.get("ComparisonOperator"))
        threshold = props.get("Threshold", f"band {props.get('ThresholdMetricId')}")
        missing = _MISSING.get(props.get("TreatMissingData", "missing"), props.get("TreatMissingData"))
        lines = [head]
        lines += [f"    {line}" for line in _signal_lines(props, render)]
        lines.append(f"    alarms when value {op} {render(threshold)} in {m} of {n} datapoints; {missing}")
    lines.append(f"    actions: {_actions(props, render)}")
    return lines


def summarize_template(template: dict[str, Any], *, stack_name: str | None = None) -> str:
    """The alarms of one template in words, grouped by entrypoint, in a stable order."""
    resources: dict[str, Any] = template.get("Resources", {}) or {}
    render = _renderer(resources)
    groups: dict[str, list[str]] = defaultdict(list)
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") not in ALARM_TYPES:
            continue
        meta = resource.get("Metadata", {}).get(METADATA_KEY)
        entry = f"{meta['entrypoint']} ({meta['entrypointKind'].replace('_', ' ')})" if meta else "(no entrypoint)"
        groups[entry].append(logical_id)
    out = [f"Stack {stack_name}" if stack_name else "Template"]
    if not groups:
        out.append("  no alarms")
    for entry in sorted(groups, key=lambda e: (e == "(no entrypoint)", e)):
        ids = sorted(groups[entry], key=lambda i: (resources[i]["Type"] != "AWS::CloudWatch::CompositeAlarm",
                                                   render.alarm_name(i)))
        notifying = sum(1 for i in ids if resources[i].get("Properties", {}).get("AlarmActions"))
        out.append("")
        out.append(f"{entry}: {len(ids)} alarms, {notifying} notifying")
        for logical_id in ids:
            out.extend(_alarm_block(logical_id, resources[logical_id], render))
    return "\n".join(out) + "\n"


def summarize_assembly(assembly: str | Path) -> str:
    """Every stack of a cloud assembly directory (nested stages included), in stack-name order."""
    stacks = sorted(read_stacks(assembly), key=lambda s: s.name)
    return "\n".join(summarize_template(stack.template, stack_name=stack.name) for stack in stacks)
