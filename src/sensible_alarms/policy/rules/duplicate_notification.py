"""duplicate-notification: one failure of an entrypoint notifies once, through one alarm per urgency."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Alarm, AlarmModel, CompositeAlarm, Entrypoint
from ..catalogue import StackFacts, stacks
from ..finding import Finding, Rule, finding
from ..words import construct_call, listing

__all__ = ["RULE"]

ID = "duplicate-notification"
_URGENCY_ORDER = {"HIGH": 0, "LOW": 1}


def check(model: AlarmModel) -> Iterator[Finding]:
    for stack, facts in stacks(model):
        for entrypoint in stack.entrypoints:
            paths = _paths(facts, entrypoint)
            if len(paths) < 2:
                continue
            duplicates = paths[1:]
            names = [p.label for p in paths]
            suggestion = _composite(entrypoint, names)
            for duplicate in duplicates:
                others = [name for name in names if name != duplicate.label]
                yield finding(
                    ID, stack, duplicate.logical_id,
                    f"{duplicate.label} notifies for the same failure of {entrypoint.title} as {listing(others)}: "
                    f"one failure sends {len(paths)} notifications. Keep one notifying alarm per urgency: "
                    f"{suggestion}.",
                    related=tuple(p.logical_id for p in paths if p is not duplicate),
                )


def _paths(facts: StackFacts, entrypoint: Entrypoint) -> list[Alarm]:
    """The notifying alarms that concern the entrypoint (see ``StackFacts.concerning``), the one to
    keep first. An alarm whose actions another of them suppresses (a composite's ActionsSuppressor),
    or an alarm without actions that reads the entrypoint's own signals, is deduplicated already
    and left out."""
    paths = facts.concerning(entrypoint)
    covering = {alarm.logical_id for alarm in facts.covering(entrypoint)}
    ids = {alarm.logical_id for alarm in paths}

    def deduplicated(alarm: Alarm) -> bool:
        if not isinstance(alarm, CompositeAlarm) or alarm.actions_suppressor is None:
            return False
        lid = alarm.actions_suppressor.logical_id
        suppressor = facts.stack.alarm(lid) if lid else None
        return lid in ids or (suppressor is not None and not suppressor.notifies and any(
            e is entrypoint for member in facts.reads(suppressor) for metric in member.metrics
            for e, _ in facts.customer_signals(metric)))

    paths = [alarm for alarm in paths if not deduplicated(alarm)]
    return sorted(paths, key=lambda alarm: (
        not isinstance(alarm, CompositeAlarm),
        alarm.logical_id not in covering,
        _URGENCY_ORDER.get(alarm.urgency or "", 2),
        alarm.logical_id,
    ))


def _composite(entrypoint: Entrypoint, names: list[str]) -> str:
    if len(names) > 4:
        rule = " OR ".join(f'ALARM("{name}")' for name in names[:3]) + f" OR ... ({len(names) - 3} more)"
    else:
        rule = " OR ".join(f'ALARM("{name}")' for name in names)
    construct = construct_call(entrypoint)
    return (f"a composite alarm with the rule {rule} carries the actions and the others have none"
            + (f" (or {construct}, which builds that composite on customer signals)" if construct else ""))


RULE = Rule(
    id=ID,
    title="One failure notifies once: one notifying alarm per entrypoint and urgency",
    rationale=(
        "When a function behind an API fails, the API's 5xx alarm and the function's Errors alarm both "
        "go off, and so do its error-rate and throttle alarms: one incident, several pages, and people "
        "who learn to ignore the second and third. Duplicates also hide which alarm is the one to act on."
    ),
    fix=(
        "Give the alarms that describe the same failure no actions and make one composite alarm per "
        "entrypoint and urgency carry the notification (the entrypoint constructs of this library do), "
        "with a HIGH composite as the ActionsSuppressor of the LOW one."
    ),
    check=check,
)
