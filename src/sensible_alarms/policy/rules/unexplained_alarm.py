"""unexplained-alarm: every alarm says what customers feel and how urgent it is, and reaches someone."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import AlarmModel
from ..finding import Finding, Rule, finding

__all__ = ["RULE"]

ID = "unexplained-alarm"
URGENCIES = ("HIGH", "LOW")


def check(model: AlarmModel) -> Iterator[Finding]:
    for stack in model.stacks:
        for alarm in stack.alarms:
            in_composite = alarm.logical_id in stack.composites_of
            problems: list[str] = []
            if alarm.notifies or not in_composite:
                missing = []
                if not alarm.customer_impact:
                    missing.append("the customer impact ('Customer impact: ...')")
                if alarm.urgency is None:
                    missing.append("the urgency ('Urgency: HIGH' or 'Urgency: LOW')")
                elif alarm.urgency.upper() not in URGENCIES:
                    missing.append(f"an urgency of HIGH or LOW (it says {alarm.urgency!r})")
                if missing:
                    problems.append("does not state " + " or ".join(missing)
                                    + ", so whoever it reaches cannot tell what customers feel or how soon to act")
            if not alarm.notifies and not in_composite:
                why = "its actions are disabled" if alarm.alarm_actions else "it has no alarm action"
                problems.append(f"notifies no one ({why}) and belongs to no composite alarm: it costs money "
                                "and changes nothing")
            if problems:
                yield finding(ID, stack, alarm.logical_id, f"{alarm.label} " + "; and it ".join(problems) + ".")


RULE = Rule(
    id=ID,
    title="Every alarm states customer impact and urgency, and reaches someone",
    rationale=(
        "An alarm that fires for the first time is triaged by what it says. Without the customer "
        "impact and the urgency, every new alarm pages as if it were urgent, and someone has to "
        "investigate to learn it was not. An alarm that notifies no one and feeds no composite is "
        "paid for and never read."
    ),
    fix=(
        "Write the description as 'Customer impact: <one sentence>', 'Urgency: HIGH|LOW', 'SLO: ...' "
        "and 'Runbook: ...' lines (the constructs of this library do), and route it to a topic, or make "
        "it a member of the composite that notifies. Delete alarms nobody needs; keep the metric on a "
        "dashboard."
    ),
    check=check,
)
