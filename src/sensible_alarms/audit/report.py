"""The audit's findings: every alarm with its class, entrypoint and notifications, the bursts
where several alarms notified for one failure, what could not be read; as a plain dict for JSON."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ..model import AlarmModel, MetricAlarm
from .classify import CLASSES, Classified, Uncovered, classify
from .convert import AccountModel, account_model
from .fetch import AccountRead, ReadProblem, transition

__all__ = ["BURST_GAP", "AuditReport", "AuditedAlarm", "Burst", "build_report", "burst_group", "report_to_dict"]

#: Notifications of one entrypoint less than this apart belong to one failure: the 15 minutes after
#: an incident in which the scoring still counts a notification as detecting it (DESIGN.md).
BURST_GAP = timedelta(minutes=15)


@dataclass(frozen=True)
class AuditedAlarm:
    """An alarm of the account, what it is and what it did in the period."""

    name: str
    kind: str
    """``metric``, ``math`` or ``composite``."""
    stack: str
    entrypoint: str | None
    entrypoint_kind: str | None
    mapped_by: str
    classification: str
    labels: tuple[str, ...]
    reasons: tuple[str, ...]
    notifies: bool
    urgency: str | None
    state: str
    notifications: tuple[datetime, ...]
    metric_missing: bool = False


@dataclass(frozen=True)
class Burst:
    """Notifications for one entrypoint no more than :data:`BURST_GAP` apart: one failure."""

    entrypoint: str
    start: datetime
    end: datetime
    notifications: tuple[tuple[str, datetime], ...]

    @property
    def alarms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for name, _ in self.notifications))


@dataclass(frozen=True)
class ReplayOutcome:
    """What this library's constructs of the assembly would have sent over the same period."""

    start: datetime
    end: datetime
    #: entrypoint title -> notification times
    notifications: dict[str, tuple[datetime, ...]]
    note: str = ""


@dataclass(frozen=True)
class AuditReport:
    region: str
    start: datetime
    end: datetime
    assembly: str | None
    alarms: tuple[AuditedAlarm, ...]
    bursts: tuple[Burst, ...]
    uncovered: tuple[Uncovered, ...]
    not_deployed: tuple[tuple[str, str, str | None], ...]
    problems: tuple[ReadProblem, ...]
    alarms_read: bool
    history_read: bool
    replay: ReplayOutcome | None = None
    replay_problem: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def notifiers(self) -> tuple[AuditedAlarm, ...]:
        return tuple(a for a in self.alarms if a.notifies)

    @property
    def notifications(self) -> int:
        return sum(len(a.notifications) for a in self.alarms)

    def by_class(self) -> dict[str, tuple[int, int]]:
        """Class -> (notifying alarms, notifications), for every class."""
        alarms = Counter(a.classification for a in self.notifiers)
        sent: Counter[str] = Counter()
        for alarm in self.notifiers:
            sent[alarm.classification] += len(alarm.notifications)
        return {cls: (alarms.get(cls, 0), sent.get(cls, 0)) for cls in CLASSES}

    def days(self) -> list[date]:
        first, last = self.start.date(), (self.end - timedelta(microseconds=1)).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _kind(classified: Classified) -> str:
    alarm = classified.alarm
    return "composite" if not hasattr(alarm, "queries") else getattr(alarm, "form", "metric")


def _names_a_resource(classified: Classified) -> bool:
    """True when the alarm's metrics name a resource of a stack (so it exists, even if idle)."""
    alarm = classified.alarm
    return isinstance(alarm, MetricAlarm) and bool(alarm.resources)


def _notifications(read: AccountRead) -> dict[str, list[datetime]]:
    """Alarm name -> times of its transitions into ALARM in the period."""
    found: dict[str, list[datetime]] = defaultdict(list)
    for item in read.history:
        old, new = transition(item)
        if new == "ALARM" and old != "ALARM":
            found[item["AlarmName"]].append(item["Timestamp"])
    return found


def bursts_of(notifications: Iterable[tuple[str, str, datetime]], gap: timedelta = BURST_GAP) -> list[Burst]:
    """(entrypoint, alarm, time) notifications grouped into bursts per entrypoint, in time order."""
    per_entrypoint: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for entrypoint, alarm, at in notifications:
        per_entrypoint[entrypoint].append((at, alarm))
    out: list[Burst] = []
    for entrypoint, items in per_entrypoint.items():
        items.sort()
        group: list[tuple[datetime, str]] = []
        for at, alarm in items:
            if group and at - group[-1][0] > gap:
                out.append(Burst(entrypoint, group[0][0], group[-1][0], tuple((a, t) for t, a in group)))
                group = []
            group.append((at, alarm))
        if group:
            out.append(Burst(entrypoint, group[0][0], group[-1][0], tuple((a, t) for t, a in group)))
    return sorted(out, key=lambda b: (b.start, b.entrypoint))


def build_report(read: AccountRead, assembly: AlarmModel | None = None, *, assembly_path: str | None = None,
                 stack_names: dict[str, str] | None = None, tag_key: str | None = None) -> AuditReport:
    """Classify, count and group what was read (see :func:`sensible_alarms.audit.audit`). With
    ``tag_key``, an alarm the assembly does not place is grouped by its value of that tag (its
    service or team, say) instead of by its dimensions."""
    account: AccountModel = account_model(read, assembly, stack_names)
    classified, uncovered, _ = classify(account)
    described = {a["AlarmName"]: a for a in read.alarms}
    sent = _notifications(read)
    missing = set(read.missing_metrics)
    alarms: list[AuditedAlarm] = []
    for item in classified:
        name = item.alarm.physical_name or item.alarm.name
        raw = described.get(name, {})
        entrypoint, mapped_by = item.entrypoint, str(item.mapped_by)
        tag = read.tags.get(name, {}).get(tag_key) if tag_key else None
        if mapped_by == "dimensions" and tag is not None:
            entrypoint, mapped_by = f"tag {tag_key}={tag}", "tags"
        alarms.append(AuditedAlarm(
            name=name, kind=_kind(item), stack=item.stack, entrypoint=entrypoint,
            entrypoint_kind=item.entrypoint_kind, mapped_by=mapped_by, classification=item.classification,
            labels=item.labels, reasons=item.reasons, notifies=item.alarm.notifies, urgency=item.alarm.urgency,
            state=str(raw.get("StateValue", "")),
            notifications=tuple(sent.get(name, ())) if item.alarm.notifies else (),
            metric_missing=name in missing and not _names_a_resource(item)))
    # Bursts: per entrypoint where the assembly says which; alarms mapped by dimensions alone are
    # grouped account-wide, since nothing says which failure they share.
    keyed = [(burst_group(a), a.name, at) for a in alarms for at in a.notifications]
    bursts = bursts_of(keyed)
    alarms = _dimension_duplicates(alarms, bursts)
    order: dict[str, int] = {cls: i for i, cls in enumerate(CLASSES)}
    alarms.sort(key=lambda a: (-len(a.notifications), order.get(a.classification, 9), a.name))
    return AuditReport(
        region=read.region, start=read.start, end=read.end, assembly=assembly_path, alarms=tuple(alarms),
        bursts=tuple(bursts), uncovered=tuple(uncovered), not_deployed=account.not_deployed,
        problems=tuple(read.problems), alarms_read=read.alarms_read, history_read=read.history_read)


def burst_group(alarm: AuditedAlarm) -> str:
    """What a burst groups an alarm's notifications by: its entrypoint (assembly), its tag value, or
    one group for everything mapped by dimensions alone (nothing says which failure they share)."""
    if alarm.mapped_by in ("assembly", "tags") and alarm.entrypoint:
        return alarm.entrypoint
    return "(mapped by dimensions alone)"


def _dimension_duplicates(alarms: Sequence[AuditedAlarm], bursts: Sequence[Burst]) -> list[AuditedAlarm]:
    """An alarm mapped by dimensions alone (or a tag) that is not customer impact and only ever
    notified in a burst with other alarms is a duplicate of them."""
    shared: dict[str, bool] = {}
    for burst in bursts:
        together = len(burst.alarms) > 1
        for name in burst.alarms:
            shared[name] = shared.get(name, True) and together
    out = []
    for alarm in alarms:
        if (alarm.mapped_by in ("dimensions", "tags") and alarm.notifications and shared.get(alarm.name)
                and "duplicate" not in alarm.labels and "customer-impact" not in alarm.labels):
            labels = tuple(c for c in CLASSES if c in (*alarm.labels, "duplicate") and c != "unexplained")
            alarm = AuditedAlarm(**{**alarm.__dict__, "labels": labels, "classification": labels[0],
                                    "reasons": (*alarm.reasons, "notified only in bursts together with other "
                                                "alarms")})
        out.append(alarm)
    return out


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def report_to_dict(report: AuditReport) -> dict[str, Any]:
    """The report as JSON-ready data (the ``--format json`` output and ``suggest``'s input)."""
    return {
        "region": report.region,
        "period": {"start": _time(report.start), "end": _time(report.end)},
        "assembly": report.assembly,
        "complete": report.alarms_read and report.history_read and not report.problems,
        "could_not_read": [{"call": p.call, "target": p.target, "message": p.message, "code": p.code}
                           for p in report.problems],
        "totals": {
            "alarms": len(report.alarms), "notifying_alarms": len(report.notifiers),
            "notifications": report.notifications, "bursts": len(report.bursts),
            "by_class": {cls: {"alarms": n, "notifications": s} for cls, (n, s) in report.by_class().items()},
        },
        "alarms": [{
            "name": a.name, "kind": a.kind, "stack": a.stack, "entrypoint": a.entrypoint,
            "entrypoint_kind": a.entrypoint_kind, "mapped_by": a.mapped_by, "class": a.classification,
            "labels": list(a.labels), "reasons": list(a.reasons), "notifies": a.notifies, "urgency": a.urgency,
            "state": a.state, "notifications": [_time(t) for t in a.notifications],
            "metric_missing": a.metric_missing,
        } for a in report.alarms],
        "bursts": [{"entrypoint": b.entrypoint, "start": _time(b.start), "end": _time(b.end),
                    "notifications": len(b.notifications), "alarms": list(b.alarms)} for b in report.bursts],
        "uncovered_entrypoints": [{"stack": u.stack, "logical_id": u.logical_id, "kind": u.kind, "title": u.title,
                                   "construct_path": u.construct_path, "source_service": u.source_service}
                                  for u in report.uncovered],
        "not_deployed": [{"stack": s, "logical_id": lid, "name": name} for s, lid, name in report.not_deployed],
        "replay": None if report.replay is None else {
            "start": _time(report.replay.start), "end": _time(report.replay.end), "note": report.replay.note,
            "notifications": {k: [_time(t) for t in v] for k, v in sorted(report.replay.notifications.items())},
        },
        "replay_problem": report.replay_problem,
    }
