"""A stable, human-readable summary of a stack's alarms, for snapshot tests and pull requests.

Pure Python over the alarm model (:mod:`sensible_alarms.model`): the same template always gives the
same text, and a change to an alarm changes exactly the lines that describe it. Whether an alarm
notifies, its urgency and its runbook are the model's answers, the ones check, review and replay
give.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..model import Alarm, AlarmAction, CompositeAlarm, MetricAlarm, MetricStat, Stack, Unresolved, from_templates, load
from ..wording import COMPARISON, MISSING_DATA, duration, number

__all__ = ["summarize_assembly", "summarize_model", "summarize_stack", "summarize_template"]

_NO_ENTRYPOINT = "(no entrypoint)"


def _name(alarm: Alarm) -> str:
    return alarm.physical_name if alarm.physical_name is not None else alarm.logical_id


def _text(text: str, stack: Stack) -> str:
    """A rendered value with alarms of the stack written by name and other placeholders as
    ``<Logical.Attribute>`` (the model writes them ``${Logical.Attribute}``)."""
    return stack.with_alarm_names(text, _name, lambda lid, attribute: f"<{lid}.{attribute}>" if attribute
                                  else f"<{lid}>")


def _seconds(value: int | Unresolved | None) -> str:
    return duration(value) if isinstance(value, int) else str(value)


def _metric_words(metric: MetricStat, stack: Stack) -> str:
    dims = ", ".join(f"{d.name}={_text(d.text, stack)}" for d in metric.dimensions)
    return f"{metric.namespace} {metric.metric_name} {metric.stat} {{{dims}}} per {_seconds(metric.period)}"


def _signal_lines(alarm: MetricAlarm, stack: Stack) -> list[str]:
    if alarm.form == "metric":
        return [f"watches {_metric_words(q.metric, stack)}" for q in alarm.queries if q.metric is not None]
    lines = []
    for query in alarm.queries:
        if query.expression is not None:
            mark = "watches" if query.return_data else "computes"
            period = f" per {_seconds(query.period)}" if query.period is not None else ""
            lines.append(f"{mark} {query.id} = {query.expression}{period}")
    lines += [f"  {q.id}: {_metric_words(q.metric, stack)}" for q in alarm.queries if q.metric is not None]
    return lines


def _actions(alarm: Alarm, stack: Stack) -> str:
    parts = []
    groups: tuple[tuple[tuple[AlarmAction, ...], str], ...] = (
        (alarm.alarm_actions, "on ALARM"), (alarm.ok_actions, "on OK"),
        (alarm.insufficient_data_actions, "on INSUFFICIENT_DATA"))
    for actions, label in groups:
        if actions:
            parts.append(f"{label} -> " + ", ".join(_text(a.text, stack) for a in actions))
    if not alarm.actions_enabled:
        parts.append("actions disabled")
    return "; ".join(parts) if parts else "none"


def _head(alarm: Alarm) -> str:
    kind = "composite" if isinstance(alarm, CompositeAlarm) else "alarm"
    head = f"- {kind} {_name(alarm)}"
    metadata = alarm.metadata
    if metadata is not None:
        if isinstance(alarm, CompositeAlarm):
            return f"{head} ({metadata.urgency} {metadata.role})"
        window = f", {metadata.window}" if metadata.window else ""
        return f"{head} ({metadata.urgency} {metadata.signal}{window})"
    return f"{head} ({alarm.urgency})" if alarm.urgency else head


def _runbook(alarm: Alarm) -> str | None:
    if alarm.metadata is not None and alarm.metadata.runbook:
        return alarm.metadata.runbook
    return alarm.fields.runbook


def _alarm_block(alarm: Alarm, stack: Stack) -> list[str]:
    lines = [_head(alarm)]
    if isinstance(alarm, CompositeAlarm):
        lines.append(f"    rule: {_text(alarm.rule_text, stack)}")
        suppressor = alarm.actions_suppressor
        if suppressor is not None:
            lines.append(f"    suppressed by: {_text(suppressor.alarm, stack)} (wait {suppressor.wait_period} s, "
                         f"extension {suppressor.extension_period} s)")
    else:
        n = alarm.evaluation_periods
        m = alarm.effective_datapoints_to_alarm
        op = COMPARISON.get(alarm.comparison, alarm.comparison)
        threshold = number(alarm.threshold) if alarm.threshold is not None else f"band {alarm.threshold_metric_id}"
        missing = MISSING_DATA.get(alarm.treat_missing_data, alarm.treat_missing_data)
        lines += [f"    {line}" for line in _signal_lines(alarm, stack)]
        lines.append(f"    alarms when value {op} {threshold} in {m} of {n} datapoints; missing data: {missing}")
    lines.append(f"    actions: {_actions(alarm, stack)}")
    runbook = _runbook(alarm)
    if alarm.notifies and runbook:
        lines.append(f"    runbook: {runbook}")
    return lines


def summarize_stack(stack: Stack, *, title: str | None = None) -> str:
    """The alarms of one stack of the model in words, grouped by entrypoint, in a stable order."""
    groups: dict[str, list[Alarm]] = defaultdict(list)
    for alarm in stack.alarms:
        metadata = alarm.metadata
        entry = (f"{metadata.entrypoint} ({metadata.entrypoint_kind.replace('_', ' ')})" if metadata is not None
                 else _NO_ENTRYPOINT)
        groups[entry].append(alarm)
    out = [title if title is not None else f"Stack {stack.name}"]
    if not groups:
        out.append("  no alarms")
    for entry in sorted(groups, key=lambda e: (e == _NO_ENTRYPOINT, e)):
        alarms = sorted(groups[entry], key=lambda a: (not isinstance(a, CompositeAlarm), _name(a)))
        notifying = sum(1 for alarm in alarms if alarm.notifies)
        out.append("")
        out.append(f"{entry}: {len(alarms)} alarms, {notifying} notifying")
        for alarm in alarms:
            out.extend(_alarm_block(alarm, stack))
    return "\n".join(out) + "\n"


def summarize_template(template: Mapping[str, Any], *, stack_name: str | None = None) -> str:
    """The alarms of one parsed template in words (titled ``Stack <name>``, or ``Template``)."""
    (stack,) = from_templates([(stack_name or "Template", template, None)]).stacks
    return summarize_stack(stack, title=f"Stack {stack_name}" if stack_name else "Template")


def summarize_model(paths: tuple[str | Path, ...]) -> str:
    """Every stack of cloud assemblies and template files (see :func:`sensible_alarms.model.load`),
    in stack-name order."""
    stacks = sorted(load(*paths).stacks, key=lambda s: s.name)
    return "\n".join(summarize_stack(stack) for stack in stacks)


def summarize_assembly(assembly: str | Path) -> str:
    """Every stack of a cloud assembly directory (nested stages included), in stack-name order."""
    return summarize_model((assembly,))
