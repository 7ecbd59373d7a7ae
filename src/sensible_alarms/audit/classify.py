"""Each alarm of the account's model classified with the policy's rules, and mapped to the
customer-facing entrypoint it belongs to.

Classes, first that applies: ``per-resource noise`` (a per-resource-noise finding on the alarm or on
the member alarm that triggers it), ``duplicate`` (a duplicate-notification finding: another alarm
notifies for the same failure of the entrypoint), ``customer-impact`` (it reads a customer signal
of an entrypoint), ``unexplained`` (none of these: it says nothing anyone can tie to customers).

Alarms mapped by dimensions alone (no cloud assembly, or not in it) have no entrypoint structure
to judge by. They are classified by the policy's signal catalogues: an internal metric of a
component (``INTERNAL_METRICS``) is noise, a metric that is a customer signal of some kind of
entrypoint (``CUSTOMER_SIGNALS``) is customer impact; duplicates are found from the history (an
alarm that only ever notified inside a burst of other alarms' notifications, see ``bursts``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ..model import Alarm, MetricAlarm, MetricStat, Stack
from ..policy import Finding, check
from ..policy.catalogue import (
    CUSTOMER_SIGNALS,
    INTERNAL_METRICS,
    facts,
    is_single_datapoint_error_count,
    threshold_words,
)
from .convert import AccountModel

__all__ = ["CLASSES", "Classified", "Uncovered", "classify"]

Class = Literal["per-resource noise", "duplicate", "customer-impact", "unexplained"]
#: The classes, in the order they take precedence.
CLASSES: tuple[Class, ...] = ("per-resource noise", "duplicate", "customer-impact", "unexplained")
_RULE_CLASS: Mapping[str, Class] = {"per-resource-noise": "per-resource noise",
                                    "duplicate-notification": "duplicate"}


@dataclass(frozen=True)
class Classified:
    """One alarm's place and class."""

    alarm: Alarm
    stack: str
    entrypoint: str | None
    """The title of the entrypoint the alarm belongs to, or how its dimensions name a resource."""
    entrypoint_kind: str | None
    mapped_by: Literal["assembly", "dimensions"]
    labels: tuple[Class, ...]
    """Every class that applies, in precedence order; the first is the alarm's class."""
    reasons: tuple[str, ...]
    """The policy findings (and catalogue matches) behind the labels, in words."""

    @property
    def classification(self) -> Class:
        return self.labels[0]


@dataclass(frozen=True)
class Uncovered:
    """An entrypoint of the assembly that no notifying alarm of the account covers."""

    stack: str
    logical_id: str
    kind: str
    title: str
    construct_path: str | None
    #: what sends it work (``scheduler`` for an EventBridge Scheduler schedule, ``events`` for a rule)
    source_service: str | None = None


def _dimension_words(metric: MetricStat) -> str:
    dims = ", ".join(f"{d.name}={d.text}" for d in metric.dimensions)
    return f"{metric.namespace} {dims}" if dims else metric.namespace


def _customer_metric(metric: MetricStat) -> bool:
    return any(signal.namespace == metric.namespace and (signal.metrics is None or metric.metric_name in signal.metrics)
               and signal.on in ("source", "function")
               for signals in CUSTOMER_SIGNALS.values() for signal in signals if signal.on != "failure_destination")


def _internal_metric(metric: MetricStat) -> bool:
    if metric.namespace not in INTERNAL_METRICS or _customer_metric(metric):
        return False
    names = INTERNAL_METRICS[metric.namespace]
    return names is None or metric.metric_name in names


def _members(stack: Stack, alarm: Alarm) -> tuple[MetricAlarm, ...]:
    return facts(stack).triggers(alarm)


def classify(account: AccountModel) -> tuple[list[Classified], list[Uncovered], list[Finding]]:
    """Every alarm of the model classified; the assembly's uncovered entrypoints; the policy findings."""
    report = check(account.model)
    findings = [*report.findings, *report.suppressed]
    by_alarm: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for found in findings:
        by_alarm[(found.stack, found.logical_id)].append(found)
    out: list[Classified] = []
    uncovered: list[Uncovered] = []
    for stack in account.model.stacks:
        stack_facts = facts(stack)
        from_assembly = stack.name != account.account_stack
        for ep in stack.entrypoints:
            if any(f.rule_id == "uncovered-entrypoint" for f in by_alarm[(stack.name, ep.logical_id)]):
                uncovered.append(Uncovered(stack.name, ep.logical_id, ep.kind, ep.title, ep.construct_path,
                                           ep.source_service))
        for alarm in stack.alarms:
            labels: list[Class] = []
            reasons: list[str] = []
            related = [alarm.logical_id, *(m.logical_id for m in _members(stack, alarm) if m is not alarm)]
            for lid in related:
                for found in by_alarm[(stack.name, lid)]:
                    cls = _RULE_CLASS.get(found.rule_id)
                    if cls is not None and (found.rule_id != "duplicate-notification" or lid == alarm.logical_id):
                        labels.append(cls)
                        reasons.append(f"[{found.rule_id}] {found.message}")
            covered = [e for e in stack.entrypoints if stack_facts.covers(alarm, e)]
            concerned = covered or [e for e in stack.entrypoints
                                    if any(a is alarm for a in stack_facts.concerning(e))]
            if covered:
                labels.append("customer-impact")
                reasons.append(f"reads a customer signal of {covered[0].title}")
            mapped_by: Literal["assembly", "dimensions"] = "assembly" if concerned else "dimensions"
            entrypoint = concerned[0].title if concerned else None
            kind = concerned[0].kind if concerned else None
            if not concerned:
                metrics = [m for member in _members(stack, alarm) for m in member.metrics]
                if metrics:
                    entrypoint = _dimension_words(metrics[0])
                if not from_assembly or not stack.entrypoints:
                    for member in _members(stack, alarm):
                        internal = [m for m in member.metrics if _internal_metric(m)]
                        if internal:
                            labels.append("per-resource noise")
                            reasons.append(f"{internal[0].metric_name} of {_dimension_words(internal[0])} is an "
                                           "internal signal of a component (mapped by dimensions alone: the "
                                           "entrypoint in front of it is not known)")
                        elif is_single_datapoint_error_count(member) and "per-resource noise" not in labels:
                            labels.append("per-resource noise")
                            reasons.append(f"notifies on a single datapoint of an error count "
                                           f"({threshold_words(member)})")
                        if any(_customer_metric(m) for m in member.metrics):
                            labels.append("customer-impact")
                            reasons.append(f"{member.metrics[0].metric_name} is a customer signal of an entrypoint "
                                           "(mapped by dimensions alone)")
            if not labels:
                labels.append("unexplained")
            reasons.extend(f"[{f.rule_id}] {f.message}" for f in by_alarm[(stack.name, alarm.logical_id)]
                           if f.rule_id == "unexplained-alarm")
            ordered = tuple(c for c in CLASSES if c in labels)
            out.append(Classified(alarm=alarm, stack=stack.name, entrypoint=entrypoint, entrypoint_kind=kind,
                                  mapped_by=mapped_by, labels=ordered, reasons=tuple(dict.fromkeys(reasons))))
    return out, uncovered, findings
