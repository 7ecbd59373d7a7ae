"""The policy rules, one per module; the rule id is the module name with dashes."""

from __future__ import annotations

from ..finding import Rule
from . import dead_letter_queue, duplicate_notification, per_resource_noise, uncovered_entrypoint, unexplained_alarm

__all__ = ["ALL_RULES", "rule"]

#: Every rule, in the order reports list them.
ALL_RULES: tuple[Rule, ...] = (
    uncovered_entrypoint.RULE,
    per_resource_noise.RULE,
    duplicate_notification.RULE,
    unexplained_alarm.RULE,
    dead_letter_queue.RULE,
)


def rule(rule_id: str) -> Rule | None:
    """The rule with this id, or None."""
    return next((r for r in ALL_RULES if r.id == rule_id), None)
