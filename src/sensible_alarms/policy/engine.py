"""Running the rules over a model: a report of findings, suppressed findings listed apart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..model import AlarmModel, load
from .finding import Finding, Rule
from .rules import ALL_RULES

__all__ = ["Report", "check", "check_paths"]


@dataclass(frozen=True)
class Report:
    """What a check found: ``findings`` fail it, ``suppressed`` are listed with their reasons."""

    rules: tuple[Rule, ...]
    findings: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]
    stacks: int
    entrypoints: int
    alarms: int

    @property
    def ok(self) -> bool:
        """True when nothing but suppressed findings was found."""
        return not self.findings

    def counts(self) -> dict[str, int]:
        """Findings (not suppressed) per rule id, for every rule that ran."""
        counted = Counter(f.rule_id for f in self.findings)
        return {rule.id: counted.get(rule.id, 0) for rule in self.rules}


def check(model: AlarmModel, rules: Sequence[Rule] = ALL_RULES) -> Report:
    """Every rule over every stack of the model. Findings are ordered by stack (as loaded), rule (as
    given), then resource."""
    order = {id(stack): position for position, stack in enumerate(model.stacks)}
    stack_order = {stack.name: order[id(stack)] for stack in reversed(model.stacks)}
    rule_order = {rule.id: position for position, rule in enumerate(rules)}
    found: list[Finding] = []
    for rule in rules:
        found.extend(rule.check(model))
    unique = list(dict.fromkeys(found))
    unique.sort(key=lambda f: (stack_order.get(f.stack, len(order)), rule_order.get(f.rule_id, len(rules)),
                               f.location, f.message))
    return Report(
        rules=tuple(rules),
        findings=tuple(f for f in unique if not f.suppressed),
        suppressed=tuple(f for f in unique if f.suppressed),
        stacks=len(model.stacks),
        entrypoints=sum(len(s.entrypoints) for s in model.stacks),
        alarms=sum(len(s.metric_alarms) + len(s.composite_alarms) for s in model.stacks),
    )


def check_paths(*paths: str | Path, rules: Sequence[Rule] = ALL_RULES) -> Report:
    """Load cloud assemblies and template files (see :func:`sensible_alarms.model.load`) and check them."""
    return check(load(*paths), rules)
