"""Say, in words, what alarms a synthesized app got and why: ``sensible-alarms explain cdk.out``.

Reads the alarm model (:mod:`sensible_alarms.model`, the one template reader) and the review's
entrypoints, so it counts the entrypoints ``review`` counts. It says "not alarmed on purpose" only
of resources the model places behind a detected entrypoint whose customer signal notifies (the
policy's coverage), and names the others.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass

from .model import COMPONENT_TYPES, AlarmModel, MetricAlarm, Stack
from .policy.catalogue import facts as stack_facts
from .review import Review, review_model
from .review.sentences import period_of
from .wording import COMPARISON, listing, number, resource_kind

__all__ = ["Explanation", "explain_model", "main"]

#: The signal of a composite that keeps its notifier quiet while an incident stays open.
_CONFIRMATION = "confirmation"


@dataclass(frozen=True)
class Explanation:
    """The text, and whether every entrypoint has a notifying alarm (exit 0) or not (exit 1)."""

    text: str
    uncovered: int


def _threshold_words(alarm: MetricAlarm, signal: str | None) -> str:
    op = COMPARISON.get(alarm.comparison, alarm.comparison)
    threshold = alarm.threshold
    if isinstance(threshold, float) and signal in ("availability", "latency", "route-outage"):
        return f"share {op} {round(threshold * 100, 6):g}%"
    if signal == "message-age":
        return f"age {op} {number(threshold)} s"
    if signal == "iterator-age":
        return f"age {op} {number(threshold)} ms"
    return f"value {op} {number(threshold)}"


def _short(name: str) -> str:
    """An alarm's name less its stack and construct prefix: ``HighUrgencyUnconfirmed``."""
    return name.rsplit("-", 1)[-1]


def _kinds(stack: Stack, logical_ids: set[str]) -> str:
    counts = Counter(resource_kind(stack.resources[lid].type) for lid in logical_ids)
    return ", ".join(f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in sorted(counts.items()))


def _stack_lines(stack: Stack, review: Review) -> list[str]:
    stack_review = next(s for s in review.stacks if s.name == stack.name)
    entrypoints = stack_review.entrypoints
    alarms = [a for e in entrypoints for a in e.alarms] + list(stack_review.other_alarms)
    notifying = sum(1 for a in alarms if a.notifying)
    lines = [f"Stack {stack.name}: {len(entrypoints)} customer-facing entrypoints, {notifying} notifying alarms, "
             f"{len(alarms) - notifying} signal alarms that feed them or notify no one."]
    for entry in sorted(entrypoints, key=lambda e: e.id):
        mark = "" if entry.covered else " - NOT COVERED"
        lines += ["", f"  {entry.id} ({entry.kind.replace('_', ' ')}){mark}"]
        if entry.title != entry.id:
            lines.append(f"    {entry.title}")
        for notifier in entry.alarms:
            if notifier.notifying:
                lines.append(f"    notifies {notifier.urgency or '(no urgency stated)'}: "
                             f"{notifier.customer_impact or '(no customer impact stated)'}")
                if notifier.slo:
                    lines.append(f"      SLO: {notifier.slo}")
                if notifier.runbook:
                    lines.append(f"      runbook: {notifier.runbook}")
        members = [a for a in entry.alarms if not a.notifying and a.signal != _CONFIRMATION]
        if members:
            lines.append("    because:")
        shared = {signal for signal, n in Counter(m.signal for m in members).items() if n > 1}
        for member in members:
            alarm = stack.alarm(member.logical_id)
            if not isinstance(alarm, MetricAlarm):
                lines.append(f"      {member.urgency or '-':<4} composite {member.name}")
                continue
            metadata = alarm.metadata
            signal = metadata.signal if metadata is not None else None
            # A member without a window that shares its signal (an outage's) is told apart by its name.
            window = (f" [{metadata.window}]" if metadata is not None and metadata.window
                      else f" ({_short(member.name)})" if signal in shared else "")
            period = period_of(alarm)
            when = (f"{alarm.effective_datapoints_to_alarm} of {alarm.evaluation_periods} x {period} s"
                    if period else "")
            lines.append(f"      {member.urgency or '-':<4} {signal or member.name}{window}: "
                         f"{_threshold_words(alarm, signal)}, {when}")
        confirmations = [a for a in entry.alarms if not a.notifying and a.signal == _CONFIRMATION]
        if confirmations:
            lines.append("    once per incident:")
        for member in confirmations:
            # The notifier it holds: named as it is less "Unconfirmed" (an entrypoint has two HIGH
            # notifiers with outage members), or as the confirmation whose rule names it is (a metric
            # member of a confirmation, such as OneRouteDown3m), else the one of its urgency.
            notifiers = [a for a in entry.alarms if a.notifying and a.urgency == member.urgency]
            within = [c.name.removesuffix("Unconfirmed") for c in confirmations
                      if member.logical_id in getattr(stack.alarm(c.logical_id), "members", ())]
            named = [a for a in notifiers if a.name in (member.name.removesuffix("Unconfirmed"), *within)]
            held = next((_short(a.name) for a in named + notifiers), f"the {member.urgency} notifier")
            why = (member.customer_impact or "").split(" (", 1)[0].rstrip(".")
            lines.append(f"      {member.urgency or '-':<4} {held} does not notify while {_short(member.name)} is in "
                         f"ALARM" + (f" ({why[:1].lower()}{why[1:]})" if why else ""))
        if not entry.alarms:
            lines.append(f"    no alarm: {entry.coverage}")
    facts = stack_facts(stack)
    components = {lid for lid, r in stack.resources.items() if r.type in COMPONENT_TYPES} - stack.deployment_resources
    covered = {lid for e in stack.entrypoints if facts.covering(e) for lid in e.components} & components
    uncovered = {lid for e in stack.entrypoints if not facts.covering(e) for lid in e.components} & components
    uncovered -= covered
    if covered:
        lines += ["", f"  Not alarmed on purpose: {_kinds(stack, covered)}. They sit behind the entrypoints above; "
                      "when one of them fails in a way customers feel, the entrypoint's signal says so, once."]
    if uncovered:
        lines.append(f"  Behind entrypoints with no customer-impact alarm: {_kinds(stack, uncovered)}; nobody is "
                     "told when they fail.")
    elsewhere = sorted(lid for lid in components - covered - uncovered
                       if stack.resources[lid].type == "AWS::Lambda::Function")
    if elsewhere:
        lines.append(f"  Lambda functions behind no entrypoint this tool detects: "
                     f"{listing([stack.label(lid) for lid in elsewhere])}. If customers reach them (an SNS "
                     "subscription, a Function URL, an event bus rule, ...), alarm that path.")
    if stack_review.other_alarms:
        lines.append(f"  Other alarms, outside any entrypoint: "
                     f"{listing([a.name for a in stack_review.other_alarms], limit=10)}")
    lines.append("")
    return lines


def explain_model(model: AlarmModel) -> Explanation:
    """The model in words, stack by stack."""
    review = review_model(model)
    lines: list[str] = []
    for stack in model.stacks:
        lines += _stack_lines(stack, review)
    return Explanation("\n".join(lines), len(review.uncovered))


def main(argv: list[str] | None = None) -> int:
    """``python -m sensible_alarms.explain PATH...``: the same as ``sensible-alarms explain PATH...``."""
    from .cli import app

    try:
        app(["explain", *(sys.argv[1:] if argv is None else argv)], prog_name="sensible-alarms explain")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 0 if done.code is None else 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
