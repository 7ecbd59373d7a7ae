"""Replay a variant's alarms on every service's simulated month and add up what happened.

Each service is replayed and scored on its own (its alarms, its metrics, its incidents), so a
notification can only count as detecting an incident of its own service; the fleet's figures are
sums over services. Scoring is sensible_alarms.replay's (DESIGN.md): an incident is detected by a
notification in ``[start, end + 15 min]``; precision = notifications inside a customer-impact
incident's window / all notifications.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from events import DAYS, KINDS, START, Event, describe, draw
from metrics import build_store, construct_ids
from spec import Service
from traffic import ServiceMinutes, simulate

from sensible_alarms.model import Alarm, CompositeAlarm, load
from sensible_alarms.replay import Incident, ReplayResult, replay
from sensible_alarms.replay.from_templates import AlarmSet, alarm_set_from_templates
from sensible_alarms.replay.incidents import DETECTION_GRACE
from sensible_alarms.review.pricing import monthly_cost

#: ApiAlarms' default min_failed_requests (the fleet uses the defaults).
MIN_FAILED_REQUESTS = 10
REPLAY_START = START + timedelta(days=1)
REPLAY_END = START + timedelta(days=DAYS + 1)
IMPACT_KINDS = [k.name for k in KINDS if k.customer_impact]

#: When a detection counts as late, by kind: the outage goal of the issue (3 minutes), and for the
#: others the time within which an on-call engineer would expect to hear of it. Poison messages
#: reach the dead-letter queue after their 5th receive, 15 minutes after the first failure at a
#: 3-minute visibility timeout; 5 minutes after that is on time. A failing daily job is LOW
#: urgency by design: on time is by the morning after its second failed night.
LATE_AFTER_MINUTES = {"api_outage": 3, "api_partial_errors": 60, "latency_regression": 60, "stuck_consumer": 30,
                      "poison_messages": 20, "stream_lag": 15, "job_failing": 30 * 60}


@dataclass
class Outcome:
    """One customer-impacting incident as one variant saw it."""

    event: Event
    first_notification: datetime | None
    first_alarm: str | None
    why: str = ""
    #: Not notified in its own window because a composite of the service was already in ALARM
    #: (and had notified) for an overlapping earlier incident: one failure notifies once.
    already_notified: bool = False

    @property
    def minutes_to_detect(self) -> float | None:
        if self.first_notification is None:
            return None
        return (self.first_notification - at(self.event.start)).total_seconds() / 60

    @property
    def late(self) -> bool:
        minutes = self.minutes_to_detect
        return minutes is not None and minutes > LATE_AFTER_MINUTES[self.event.kind]


@dataclass
class VariantTotals:
    metric_alarms: int = 0
    composite_alarms: int = 0
    alarms_with_actions: int = 0
    monthly_cost_usd: float = 0.0
    notifications: int = 0
    notifications_in_impact: int = 0
    by_cause: Counter[str] = field(default_factory=Counter)
    by_alarm_type: Counter[str] = field(default_factory=Counter)
    cost_by_part: dict[str, float] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        impact = self.outcomes
        detected = [o for o in impact if o.first_notification is not None]
        per_kind = {}
        for kind in IMPACT_KINDS:
            mine = [o for o in impact if o.event.kind == kind]
            times = [o.minutes_to_detect for o in mine if o.minutes_to_detect is not None]
            per_kind[kind] = {"incidents": len(mine), "detected": len(times),
                              "median_minutes_to_detect": statistics.median(times) if times else None,
                              "worst_minutes_to_detect": max(times) if times else None,
                              "late": sum(1 for o in mine if o.late)}
        all_times = [o.minutes_to_detect for o in detected if o.minutes_to_detect is not None]
        covered = sum(1 for o in impact if o.first_notification is None and o.already_notified)
        return {
            "metric_alarms": self.metric_alarms, "composite_alarms": self.composite_alarms,
            "alarms": self.metric_alarms + self.composite_alarms, "alarms_with_actions": self.alarms_with_actions,
            "monthly_alarm_cost_usd": round(self.monthly_cost_usd, 2),
            "notifications": self.notifications, "notifications_per_day": round(self.notifications / DAYS, 2),
            "notifications_in_customer_impact": self.notifications_in_impact,
            "precision": round(self.notifications_in_impact / self.notifications, 4) if self.notifications else None,
            "customer_impact_incidents": len(impact), "detected": len(detected),
            "recall": round(len(detected) / len(impact), 4) if impact else None,
            "missed_while_already_notified": covered,
            "recall_counting_already_notified": round((len(detected) + covered) / len(impact), 4) if impact else None,
            "median_minutes_to_detect": statistics.median(all_times) if all_times else None,
            "by_kind": per_kind,
            "notifications_by_cause": dict(sorted(self.by_cause.items(), key=lambda kv: (-kv[1], kv[0]))),
            "notifications_by_alarm_type": dict(sorted(self.by_alarm_type.items(), key=lambda kv: (-kv[1], kv[0]))),
            "monthly_cost_by_part_usd": {k: round(v, 2) for k, v in
                                         sorted(self.cost_by_part.items(), key=lambda kv: (-kv[1], kv[0]))},
            "missed_or_late": [outcome_dict(o) for o in impact if o.first_notification is None or o.late],
        }


def at(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def outcome_dict(o: Outcome) -> dict[str, Any]:
    return {"id": o.event.id, "kind": o.event.kind, "service": o.event.service,
            "start": at(o.event.start).strftime("%Y-%m-%dT%H:%MZ"), "end": at(o.event.end).strftime("%Y-%m-%dT%H:%MZ"),
            "what": describe(o.event),
            "minutes_to_detect": None if o.minutes_to_detect is None else round(o.minutes_to_detect, 1),
            "first_alarm": o.first_alarm, "already_notified": o.already_notified, "why": o.why}


def _alarm_type(alarm: Any) -> str:
    queries = alarm.metric_queries
    if not queries:
        return "metric math"
    q = queries[0]
    return f"{q.namespace.removeprefix('AWS/')} {q.metric} {q.stat}"


def _cost_part(alarm: Alarm) -> str:
    """What an alarm is for, to split the bill: the entrypoint kind and role sensible_alarms
    writes in its metadata, else the namespace of the alarm's first metric."""
    meta = alarm.metadata
    if meta is not None:
        role = "composite (notifies)" if meta.role == "notifier" else str(meta.signal)
        return f"{meta.entrypoint_kind}: {role}"
    if isinstance(alarm, CompositeAlarm):
        return "composite"
    namespace = next((m.namespace for m in alarm.metrics), "?")
    return f"{str(namespace).removeprefix('AWS/')} alarms"


def _cause(at_time: datetime, events: list[Event]) -> str:
    inside = [e for e in events if at(e.start) <= at_time <= at(e.end) + DETECTION_GRACE]
    if not inside:
        return "no event"
    impacting = [e for e in inside if e.customer_impact]
    return (impacting or inside)[0].kind


class FleetReplay:
    """Replays of one synthesized fleet: one cloud assembly a variant."""

    def __init__(self, assemblies: dict[str, Path]) -> None:
        self.sets: dict[str, AlarmSet] = {v: alarm_set_from_templates(p) for v, p in assemblies.items()}
        self.templates = {v: {s.name: s for s in load(p).stacks} for v, p in assemblies.items()}
        self.totals = {v: VariantTotals() for v in assemblies}
        #: How many events of each kind the replayed services had.
        self.events: Counter[str] = Counter()
        # Each variant's alarms by stack, grouped once: a service is replayed with its own.
        self._by_stack: dict[str, dict[str, tuple[list[Any], list[Any]]]] = {}
        for variant, alarm_set in self.sets.items():
            groups: dict[str, tuple[list[Any], list[Any]]] = {}
            for alarm in alarm_set.alarms:
                groups.setdefault(alarm_set.origin[alarm.name][0], ([], []))[0].append(alarm)
            for composite in alarm_set.composites:
                groups.setdefault(alarm_set.origin[composite.name][0], ([], []))[1].append(composite)
            self._by_stack[variant] = groups

    def add_service(self, service: Service) -> None:
        events = draw(service)
        minutes = simulate(service, events)
        incidents = [Incident(**e.incident()) for e in events]  # type: ignore[arg-type]
        self.events.update(e.kind for e in events)
        for variant in self.sets:
            stack = self.templates[variant][service.name]
            totals = self.totals[variant]
            alarms, composites = self._by_stack[variant].get(service.name, ([], []))
            for alarm in stack.alarms:
                cost = monthly_cost(alarm)
                totals.monthly_cost_usd += cost
                part = _cost_part(alarm)
                totals.cost_by_part[part] = totals.cost_by_part.get(part, 0.0) + cost
            totals.metric_alarms += len(alarms)
            totals.composite_alarms += len(composites)
            totals.alarms_with_actions += sum(a.has_actions for a in alarms) + sum(c.has_actions for c in composites)
            store = build_store(service, minutes, alarms, construct_ids(
                {lid: {"Metadata": dict(r.metadata)} for lid, r in stack.resources.items()}))
            result = replay(alarms, composites, store, REPLAY_START, REPLAY_END, incidents)
            self._score(totals, result, events, minutes, {a.name: a for a in alarms})

    @staticmethod
    def _score(totals: VariantTotals, result: ReplayResult, events: list[Event], minutes: ServiceMinutes,
               alarms: dict[str, Any]) -> None:
        assert result.scores is not None
        totals.notifications += result.scores.notifications
        totals.notifications_in_impact += result.scores.notifications_in_customer_impact
        for n in result.notifications:
            totals.by_cause[_cause(n.timestamp, events)] += 1
            totals.by_alarm_type["composite" if n.alarm not in alarms else _alarm_type(alarms[n.alarm])] += 1
        by_id = {e.id: e for e in events}
        for s in result.scores.incidents:
            if not s.incident.customer_impact:
                continue
            outcome = Outcome(by_id[s.incident.id], s.first_notification, s.first_alarm)
            if outcome.first_notification is None or outcome.late:
                outcome.why, outcome.already_notified = explain(outcome, result, minutes, events)
            totals.outcomes.append(outcome)


def _alarms_in_window(result: ReplayResult, start: datetime, end: datetime) -> list[str]:
    lo, hi = int(start.timestamp()), int(end.timestamp())
    names = []
    for name, timeline in result.timelines.items():
        if timeline.state_at(start) == "ALARM" or np.any(
                (timeline.change_times > lo) & (timeline.change_times <= hi) & (timeline.change_states == 1)):
            names.append(name.split("/")[-1])
    return sorted(names)


def _already_notified(event: Event, result: ReplayResult, events: list[Event]) -> list[str]:
    """Composites with actions already in ALARM when the incident starts, with the notification
    that opened that ALARM and the earlier incidents around it."""
    start = at(event.start)
    found = []
    for name, timeline in result.timelines.items():
        if timeline.kind != "composite" or not timeline.has_actions or timeline.state_at(start) != "ALARM":
            continue
        earlier = [n for n in result.notifications if n.alarm == name and n.timestamp <= start]
        if not earlier:
            continue
        notified = earlier[-1].timestamp
        causes = [e.id for e in events if e.customer_impact and e.id != event.id
                  and at(e.start) <= notified <= at(e.end) + DETECTION_GRACE]
        found.append(f"{name.split('/')[-1]} was already in ALARM, notified at {notified:%Y-%m-%d %H:%M}"
                     + (f" for {', '.join(causes)}" if causes else ""))
    return found


def explain(outcome: Outcome, result: ReplayResult, minutes: ServiceMinutes,
            events: list[Event]) -> tuple[str, bool]:
    """Why an incident was missed or detected late, from the simulated traffic and the alarms'
    timelines; and whether the service was already notified for an overlapping incident."""
    event = outcome.event
    window_end = at(event.end) + DETECTION_GRACE
    parts = []
    first_hour = slice(event.start, min(event.end, event.start + 60))
    api = minutes.api
    guard = MIN_FAILED_REQUESTS
    if event.kind in ("api_outage", "api_partial_errors", "latency_regression"):
        bad_series = api.errors_5xx if event.kind != "latency_regression" else api.over_slo
        requests, bad = api.requests[first_hour].sum(), bad_series[first_hour].sum()
        what = "failed" if event.kind != "latency_regression" else "over 1 s"
        parts.append(f"first hour: {bad:.0f} {what} of {requests:.0f} requests"
                     + (f" ({bad / requests:.1%})" if requests else ""))
        # The long windows count only from `guard` bad requests: when did the incident reach it?
        during = bad_series[event.start:event.end]
        reached = np.flatnonzero(np.cumsum(during) >= guard)
        busiest_hour = max((during[i:i + 60].sum() for i in range(max(1, during.size - 59))), default=0.0)
        if not reached.size:
            parts.append(f"only {during.sum():.0f} bad requests in the whole incident, "
                         f"fewer than the {guard} the 1 h, 6 h and 1 day windows need (min_failed_requests)")
        elif outcome.first_notification is None and busiest_hour < guard:
            parts.append(f"at most {busiest_hour:.0f} bad requests in any hour of it: the 1 h window counts only "
                         f"from {guard} (min_failed_requests)")
        elif outcome.first_notification is not None and reached[0] + 1 > LATE_AFTER_MINUTES[event.kind] / 2:
            parts.append(f"the {guard}th bad request came {reached[0] + 1} min after the start; the 1 h, 6 h and "
                         "1 day windows count only from there (min_failed_requests)")
    already = _already_notified(event, result, events)
    parts.extend(already)
    members = _alarms_in_window(result, at(event.start), window_end)
    parts.append("alarms in ALARM during the window: " + (", ".join(members) if members else "none"))
    held = [s for s in result.suppressed if at(event.start) <= s.alarm_at <= window_end]
    if held:
        parts.append("actions held: " + "; ".join(f"{s.alarm.split('/')[-1]} ({s.reason})" for s in held))
    if outcome.first_notification is not None:
        parts.append(f"first notification {outcome.minutes_to_detect:.0f} min after the start, "
                     f"over the {LATE_AFTER_MINUTES[event.kind]} min counted as on time")
    return "; ".join(parts), bool(already)
