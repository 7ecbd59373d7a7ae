"""A review as markdown (for a pull request) and as JSON (for tools); same content, stable order."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from typing import Any

from ..wording import money, plural
from .document import AlarmReview, EntrypointReview, Review, StackReview, probe_words

__all__ = ["review_json", "review_markdown", "review_to_dict"]


def review_to_dict(review: Review) -> dict[str, Any]:
    """The review as plain JSON-able data."""
    data = asdict(review)
    data["uncoveredEntrypoints"] = [f"{stack}: {e.id}" for stack, e in review.uncovered]
    return data


def review_json(review: Review) -> str:
    return json.dumps(review_to_dict(review), indent=2, sort_keys=True) + "\n"


#: What starts raw HTML in markdown: "<" before a tag name, "/", "!" or "?" ("a < 1" stays as it is).
_HTML = re.compile(r"<(?=[A-Za-z/!?])")


def _md(text: str) -> str:
    """Text safe inside a markdown table cell or list item: no raw HTML (names come from templates
    anyone can write), no table break, one line."""
    return _HTML.sub("&lt;", text).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """Text as an inline code span (where HTML is not interpreted); a backtick cannot end it early."""
    return "`" + text.replace("`", "'").replace("\n", " ") + "`"


def _alarm_lines(alarm: AlarmReview) -> list[str]:
    urgency = _md(alarm.urgency) if alarm.urgency else "no urgency stated"
    lines = [f"- **{_md(alarm.name)}** ({urgency}, {alarm.kind}, {money(alarm.monthly_cost)}/month)"]
    if alarm.customer_impact:
        lines.append(f"  - Customer impact: {_md(alarm.customer_impact)}")
    if alarm.slo:
        lines.append(f"  - SLO: {_md(alarm.slo)}")
    for condition in alarm.conditions:
        lines.append(f"  - {_md(condition[0].upper() + condition[1:])}")
    notified = "; ".join(route.words for route in alarm.routes) or "no one"
    lines.append(f"  - Notifies: {_md(notified)}")
    lines.append(f"  - Runbook: {_md(alarm.runbook) if alarm.runbook else 'none given'}")
    return lines


def _cost_row(alarm: AlarmReview) -> str:
    if alarm.kind == "composite":
        billed = "composite"
    else:
        billed = f"{alarm.metrics} metric{'s' if alarm.metrics != 1 else ''}"
        if alarm.high_resolution:
            billed += ", high resolution"
        if alarm.anomaly_detection:
            billed += ", anomaly detection"
    role = _md(alarm.role) + (" (notifies)" if alarm.notifying else "")
    return f"| {_md(alarm.name)} | {role} | {billed} | {money(alarm.monthly_cost)} |"


def _entrypoint_lines(entry: EntrypointReview) -> list[str]:
    mark = "covered" if entry.covered else "NOT COVERED"
    lines = [f"### {_md(entry.title)} — {mark}", ""]
    lines.append(f"- Entrypoint: {_code(entry.id)} ({entry.kind.replace('_', ' ')}, {entry.source})")
    lines.append(f"- Coverage: {_md(entry.coverage)}")
    if entry.slo:
        lines.append(f"- SLO: {_md(entry.slo)}")
    if entry.features:
        lines.append(f"- Shape: {_md('; '.join(entry.features))}")
    if entry.resources:
        lines.append(f"- Resources: {_md(', '.join(entry.resources))}")
    lines.append(f"- Monthly cost: {money(entry.monthly_cost)}")
    lines += [f"- Synthetic probe: {_md(probe_words(probe))}" for probe in entry.probes]
    for option in entry.cost_options:
        change = f"{money(option.saves)} less" if option.saves >= 0 else f"{money(-option.saves)} more"
        trade = "; ".join(([f"gives up {_md(option.gives_up)}"] if option.gives_up else [])
                          + ([f"gets {_md(option.gets)}"] if option.gets else []))
        lines.append(f"- Cost option: {_code(option.option)}: {money(entry.monthly_cost - option.saves)} a month "
                     f"({change}); {trade}")
    notifying = [a for a in entry.alarms if a.notifying]
    if notifying:
        lines += ["", "Notifying alarms:", ""]
        for alarm in notifying:
            lines += _alarm_lines(alarm)
    if entry.alarms:
        lines += ["", "| Alarm | Role | Billed as | Per month |", "|---|---|---|---|"]
        lines += [_cost_row(a) for a in entry.alarms]
    lines.append("")
    return lines


def _stack_lines(stack: StackReview) -> list[str]:
    uncovered = sum(1 for e in stack.entrypoints if not e.covered)
    lines = [f"## Stack {_md(stack.name)}", "",
             f"{plural(len(stack.entrypoints), 'entrypoint')} ({uncovered} without coverage), "
             f"{plural(stack.alarm_count, 'alarm')}, "
             f"{money(stack.monthly_cost)} per month.", ""]
    if stack.topics:
        lines.append("Notification routes:")
        lines += [f"- {_md(route.words)}" for route in stack.topics]
        lines.append("")
    for entry in stack.entrypoints:
        lines += _entrypoint_lines(entry)
    if stack.other_alarms:
        lines += ["### Alarms outside any entrypoint", ""]
        for alarm in stack.other_alarms:
            lines += _alarm_lines(alarm)
        lines.append("")
    return lines


def review_markdown(review: Review) -> str:
    """The review as a markdown document: summary, policy, then each stack and entrypoint."""
    entrypoints = sum(len(s.entrypoints) for s in review.stacks)
    alarms = sum(s.alarm_count for s in review.stacks)
    lines = ["# Alarm design review", "",
             f"{plural(len(review.stacks), 'stack')}, {plural(entrypoints, 'entrypoint')}, "
             f"{plural(alarms, 'alarm')}; estimated "
             f"{money(review.monthly_cost)} per month ({review.pricing_source}; free tier ignored).", ""]
    if review.uncovered:
        lines.append("**Entrypoints without coverage:**")
        lines += [f"- {_md(stack)}: {_md(e.title)} ({_code(e.id)}): {_md(e.coverage)}" for stack, e in review.uncovered]
    else:
        lines.append("Every entrypoint has a notifying alarm.")
    lines += ["", "## Policy findings", ""]
    if not review.policy.computed:
        lines.append(f"Policy findings: {review.policy.note}.")
    else:
        lines += [f"- {_md(f)}" for f in review.policy.findings] or ["No findings."]
        lines += [f"- {_md(s)}" for s in review.policy.suppressions]
    lines.append("")
    lines += ["## Cost", "", "| Stack | Alarms | Per month |", "|---|---|---|"]
    lines += [f"| {_md(s.name)} | {s.alarm_count} | {money(s.monthly_cost)} |" for s in review.stacks]
    lines += [f"| **Total** | {alarms} | **{money(review.monthly_cost)}** |", ""]
    for stack in review.stacks:
        lines += _stack_lines(stack)
    return "\n".join(lines).rstrip() + "\n"
