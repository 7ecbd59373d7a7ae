"""uncovered-entrypoint: every customer-facing entrypoint has an alarm that notifies when its
customers are affected."""

from __future__ import annotations

from collections.abc import Iterator

from ...metadata import CONSTRUCT_OF_KIND
from ...model import AlarmModel
from ..catalogue import CUSTOMER_SIGNALS, stacks
from ..finding import Finding, Rule, finding
from ..words import construct_call, listing

__all__ = ["RULE"]

ID = "uncovered-entrypoint"

def check(model: AlarmModel) -> Iterator[Finding]:
    for stack, facts in stacks(model):
        for entrypoint in stack.entrypoints:
            if facts.covering(entrypoint):
                continue
            signals = "; ".join(dict.fromkeys(s.words for s in CUSTOMER_SIGNALS[entrypoint.kind]))
            component_alarms = [alarm.label for alarm in facts.notifiers_watching(set(entrypoint.components))]
            noise = (f" Only per-resource alarms of what sits behind it notify ({listing(component_alarms, 3)}), "
                     "and they do not say when customers are affected." if component_alarms else "")
            yield finding(
                ID, stack, entrypoint.logical_id,
                f"{entrypoint.title} has no alarm that notifies when its customers are affected (none that "
                f"notifies watches {signals}).{noise} Add {construct_call(entrypoint)}.",
                suppressible_at=entrypoint.resources,
            )


RULE = Rule(
    id=ID,
    title="Every customer-facing entrypoint has a customer-impact alarm that notifies",
    rationale=(
        "An API, consumer, workflow or scheduled job is where customers feel a failure. "
        "Without an alarm on what they feel (failed and slow requests, work waiting too long or lost, "
        "jobs not done), the team learns about an outage from its customers; per-resource alarms on "
        "the functions and tables behind it page for things customers never notice and still miss "
        "what they do."
    ),
    fix=(
        "Wrap the entrypoint in the construct for its kind (" + ", ".join(CONSTRUCT_OF_KIND.values())
        + ") with an SLO in customer terms, cover a whole stack with cover_entrypoints(stack, routing=...), "
        "or give it an alarm on its customer signal whose actions notify someone."
    ),
    check=check,
)
