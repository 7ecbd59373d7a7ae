"""Replay a variant's alarms on every service's simulated month and add up what happened.

Each service is replayed and scored on its own (its alarms, its metrics, its incidents), so a
notification can only count as detecting an incident of its own service; the fleet's figures are
sums over services. Scoring is sensible_alarms.replay's (DESIGN.md): an incident is detected by a
notification in ``[start, end + 15 min]``; precision = notifications inside a customer-impact
incident's window / all notifications; every notification gets a cause (new incident, repeat,
flicker, drain, no customer impact) and every incident the notifications put down to it.

Every event is an incident of the scoring, labelled customer-impacting or not by what customers
got in the simulated traffic (traffic.Outcome), not by its kind.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from events import DAYS, FULL_OUTAGE_KINDS, KINDS, START, Event, describe, draw
from metrics import build_store, construct_ids
from spec import Service
from traffic import Outcome, ServiceMinutes, incident, simulate

from sensible_alarms.model import Alarm, CompositeAlarm, load
from sensible_alarms.replay import Incident, ReplayResult, replay
from sensible_alarms.replay.from_templates import AlarmSet, alarm_set_from_templates
from sensible_alarms.replay.incidents import CAUSES, DETECTION_GRACE, DRAIN
from sensible_alarms.review.pricing import monthly_cost

REPLAY_START = START + timedelta(days=1)
REPLAY_END = START + timedelta(days=DAYS + 1)
KIND_NAMES = [k.name for k in KINDS]

#: When a detection counts as late, by kind: the outage goal of the issue (3 minutes), and for the
#: others the time within which an on-call engineer would expect to hear of it. Poison messages
#: reach the dead-letter queue after their 5th receive, 15 minutes after the first failure at a
#: 3-minute visibility timeout; 5 minutes after that is on time. A failing daily job and a slow
#: burn are LOW urgency by design: on time is by the morning after the second failed night, and
#: within 6 hours of a slow burn's start.
LATE_AFTER_MINUTES = {"api_outage": 3, "night_outage": 3, "route_outage": 15, "error_burst": 15,
                      "api_partial_errors": 60, "slow_burn": 6 * 60, "latency_regression": 60, "route_latency": 60,
                      "cold_start_spike": 60, "stuck_consumer": 30, "quiet_consumer_stall": 60,
                      "poison_messages": 20, "stream_lag": 15, "job_failing": 30 * 60,
                      # The other kinds: an endpoint as an API; a dropped event or a failed delivery as a dead
                      # letter (the third attempt of an event comes 3 minutes after the first); a workflow's
                      # failing executions as partial errors; a consumer's lag as a stuck consumer.
                      "endpoint_outage": 3, "endpoint_partial_errors": 60, "endpoint_latency": 60,
                      "endpoint_error_burst": 15, "async_handler_failing": 20, "async_poison_events": 20,
                      "event_delivery_failure": 20, "async_consumer_lag": 30, "workflow_failing": 60}
#: Full outages count for the outage goal from this many failed requests.
FULL_OUTAGE_MIN_FAILED = 3


@dataclass
class Seen:
    """One customer-impacting incident as one variant saw it (``got``: what customers got)."""

    event: Event
    got: Outcome
    first_notification: datetime | None
    first_alarm: str | None
    notifications: int
    #: the notifications put down to it, by cause and alarm (short name)
    causes: Counter[str] = field(default_factory=Counter)
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
        return minutes is not None and minutes > LATE_AFTER_MINUTES.get(self.event.kind, 60)

    @property
    def full_outage(self) -> bool:
        return self.event.kind in FULL_OUTAGE_KINDS and self.got.failed_requests >= FULL_OUTAGE_MIN_FAILED


def _ratio(a: float, b: float, digits: int = 4) -> float | None:
    return round(a / b, digits) if b else None


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass
class VariantTotals:
    services: int = 0
    metric_alarms: int = 0
    composite_alarms: int = 0
    alarms_with_actions: int = 0
    monthly_cost_usd: float = 0.0
    notifications: int = 0
    notifications_in_impact: int = 0
    by_event_kind: Counter[str] = field(default_factory=Counter)
    by_cause: Counter[str] = field(default_factory=Counter)
    renotifications_by_cause: Counter[str] = field(default_factory=Counter)
    by_alarm_type: Counter[str] = field(default_factory=Counter)
    #: false notifications by the event whose window holds them and the alarm that sent them
    false_by_source: Counter[str] = field(default_factory=Counter)
    cost_by_part: dict[str, float] = field(default_factory=dict)
    outcomes: list[Seen] = field(default_factory=list)
    drains: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: VariantTotals) -> None:
        """Add another service's (or fleet's) totals to these."""
        for name in ("services", "metric_alarms", "composite_alarms", "alarms_with_actions", "monthly_cost_usd",
                     "notifications", "notifications_in_impact"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for counter in ("by_event_kind", "by_cause", "renotifications_by_cause", "by_alarm_type", "false_by_source"):
            getattr(self, counter).update(getattr(other, counter))
        for part, cost in other.cost_by_part.items():
            self.cost_by_part[part] = self.cost_by_part.get(part, 0.0) + cost
        self.outcomes.extend(other.outcomes)
        self.drains.extend(other.drains)

    def as_dict(self) -> dict[str, Any]:
        impact = self.outcomes
        detected = [o for o in impact if o.first_notification is not None]
        per_kind = {}
        for kind in KIND_NAMES:
            mine = [o for o in impact if o.event.kind == kind]
            if not mine:
                continue
            found = [o for o in mine if o.first_notification is not None]
            times = [o.minutes_to_detect for o in found if o.minutes_to_detect is not None]
            per_kind[kind] = {"incidents": len(mine), "detected": len(found),
                              "recall": _ratio(len(found), len(mine)),
                              "median_minutes_to_detect": _median(times),
                              "worst_minutes_to_detect": max(times) if times else None,
                              "late": sum(1 for o in mine if o.late),
                              "notifications": sum(o.notifications for o in found),
                              "notifications_per_incident": _ratio(sum(o.notifications for o in found), len(found), 2)}
        all_times = [o.minutes_to_detect for o in detected if o.minutes_to_detect is not None]
        covered = sum(1 for o in impact if o.first_notification is None and o.already_notified)
        outages = [o for o in impact if o.full_outage]
        outages_found = [o for o in outages if o.first_notification is not None]
        outage_times = [o.minutes_to_detect for o in outages_found if o.minutes_to_detect is not None]
        false = self.notifications - self.notifications_in_impact
        attributed = sum(o.notifications for o in detected)
        service_days = self.services * DAYS
        return {
            "services": self.services,
            "metric_alarms": self.metric_alarms, "composite_alarms": self.composite_alarms,
            "alarms": self.metric_alarms + self.composite_alarms, "alarms_with_actions": self.alarms_with_actions,
            "monthly_alarm_cost_usd": round(self.monthly_cost_usd, 2),
            "notifications": self.notifications, "notifications_per_day": round(self.notifications / DAYS, 2),
            "notifications_in_customer_impact": self.notifications_in_impact,
            "false_notifications": false,
            "false_notifications_per_service_per_day": _ratio(false, service_days, 5),
            "precision": _ratio(self.notifications_in_impact, self.notifications),
            "customer_impact_incidents": len(impact), "detected": len(detected),
            "recall": _ratio(len(detected), len(impact)),
            "full_outages": len(outages), "full_outages_detected": len(outages_found),
            "full_outage_recall": _ratio(len(outages_found), len(outages)),
            "full_outage_median_minutes_to_detect": _median(outage_times),
            "full_outage_worst_minutes_to_detect": max(outage_times) if outage_times else None,
            "notifications_put_down_to_incidents": attributed,
            "notifications_per_incident": _ratio(attributed, len(detected), 3),
            "missed_while_already_notified": covered,
            "recall_counting_already_notified": _ratio(len(detected) + covered, len(impact)),
            "median_minutes_to_detect": _median(all_times),
            "by_kind": per_kind,
            "notifications_by_cause": {c: self.by_cause.get(c, 0) for c in CAUSES},
            "renotifications": sum(self.renotifications_by_cause.values()),
            "renotifications_by_cause": {c: self.renotifications_by_cause.get(c, 0) for c in CAUSES},
            "drain_notifications": self.drains,
            "notifications_by_event_kind": dict(sorted(self.by_event_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
            "false_notifications_by_source": dict(sorted(self.false_by_source.items(),
                                                         key=lambda kv: (-kv[1], kv[0]))),
            "notifications_by_alarm_type": dict(sorted(self.by_alarm_type.items(), key=lambda kv: (-kv[1], kv[0]))),
            "monthly_cost_by_part_usd": {k: round(v, 2) for k, v in
                                         sorted(self.cost_by_part.items(), key=lambda kv: (-kv[1], kv[0]))},
            "missed_or_late": [outcome_dict(o) for o in impact if o.first_notification is None or o.late],
            "over_notified": [outcome_dict(o) for o in impact if o.notifications > 1],
        }


def at(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def outcome_dict(o: Seen) -> dict[str, Any]:
    return {"id": o.event.id, "kind": o.event.kind, "service": o.event.service,
            "start": at(o.event.start).strftime("%Y-%m-%dT%H:%MZ"), "end": at(o.event.end).strftime("%Y-%m-%dT%H:%MZ"),
            "what": describe(o.event), "customers_got": o.got.as_dict(),
            "minutes_to_detect": None if o.minutes_to_detect is None else round(o.minutes_to_detect, 1),
            "notifications": o.notifications,
            "notifications_by_cause": dict(sorted(o.causes.items(), key=lambda kv: (-kv[1], kv[0]))),
            "first_alarm": o.first_alarm, "already_notified": o.already_notified, "why": o.why}


def _short(alarm: str) -> str:
    """A composite's role without its service: ``Svc004/ApiAlarms/HighNotifier`` -> ``ApiAlarms/HighNotifier``."""
    parts = alarm.split("/")
    return "/".join(parts[1:]) if len(parts) > 1 else re.sub(r"^Svc\d+-?", "", alarm)


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


def _event_kinds(times: list[datetime], events: list[Event], impacting: set[str]) -> list[tuple[str, bool]]:
    """For each time, the kind of the event whose window (start to end + grace) holds it, a
    customer-impacting one first, the earliest first (``no event`` when none does), and whether
    that event touched customers."""
    if not events:
        return [("no event", False)] * len(times)
    grace = int(DETECTION_GRACE.total_seconds() // 60)
    starts = np.array([e.start for e in events])
    ends = np.array([e.end for e in events]) + grace
    hurts = np.array([e.id in impacting for e in events])
    minutes = (np.array([t.timestamp() for t in times]) - START.timestamp()) / 60
    inside = (starts[None, :] <= minutes[:, None]) & (minutes[:, None] <= ends[None, :])
    kinds = []
    for row in inside:
        hurt = np.flatnonzero(row & hurts)
        any_ = np.flatnonzero(row)
        if hurt.size:
            kinds.append((events[int(hurt[0])].kind, True))
        else:
            kinds.append((events[int(any_[0])].kind if any_.size else "no event", False))
    return kinds


API_KINDS = ("api_outage", "night_outage", "route_outage", "api_partial_errors", "slow_burn", "error_burst",
             "latency_regression", "route_latency", "cold_start_spike")
_GUARD = re.compile(r"IF\(\s*\w+\s*>=\s*([0-9.]+)\s*,")


def failed_request_guard(alarm_set: AlarmSet) -> float | None:
    """The smallest minimum of failed requests an availability alarm's expression requires
    (``IF(errors >= N, ...)``), read from the templates; None when there is none."""
    found = []
    for alarm in alarm_set.alarms:
        for q in alarm.queries:
            expression = getattr(q, "expression", None)
            if expression:
                found += [float(m) for m in _GUARD.findall(expression)]
    return min(found) if found else None


@dataclass
class ServiceReplay:
    """One service's month through every variant: its events and each variant's totals."""

    events: Counter[str]
    impacting: Counter[str]
    totals: dict[str, VariantTotals]


class FleetReplay:
    """Replays of one synthesized fleet: one cloud assembly a variant. A service's stack is the same
    in every fleet size (spec.py), so the services of a smaller fleet are replayed once and added up
    for each size."""

    def __init__(self, assemblies: dict[str, Path]) -> None:
        self.sets: dict[str, AlarmSet] = {v: alarm_set_from_templates(p) for v, p in assemblies.items()}
        self.templates = {v: {s.name: s for s in load(p).stacks} for v, p in assemblies.items()}
        self.guards = {v: failed_request_guard(s) for v, s in self.sets.items()}
        # Each variant's alarms by stack, grouped once: a service is replayed with its own.
        self._by_stack: dict[str, dict[str, tuple[list[Any], list[Any]]]] = {}
        for variant, alarm_set in self.sets.items():
            groups: dict[str, tuple[list[Any], list[Any]]] = {}
            for alarm in alarm_set.alarms:
                groups.setdefault(alarm_set.origin[alarm.name][0], ([], []))[0].append(alarm)
            for composite in alarm_set.composites:
                groups.setdefault(alarm_set.origin[composite.name][0], ([], []))[1].append(composite)
            self._by_stack[variant] = groups

    def replay_service(self, service: Service) -> ServiceReplay:
        events = draw(service)
        minutes = simulate(service, events)
        incidents = [Incident(**incident(e, minutes.outcomes[e.id])) for e in events]  # type: ignore[arg-type]
        done = ServiceReplay(Counter(e.kind for e in events),
                             Counter(e.kind for e in events if minutes.outcomes[e.id].customer_impact),
                             {v: VariantTotals() for v in self.sets})
        for variant in self.sets:
            stack = self.templates[variant][service.name]
            totals = done.totals[variant]
            totals.services += 1
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
            self._score(totals, result, events, minutes, {a.name: a for a in alarms}, self.guards[variant])
        return done

    @staticmethod
    def _score(totals: VariantTotals, result: ReplayResult, events: list[Event], minutes: ServiceMinutes,
               alarms: dict[str, Any], guard: float | None) -> None:
        assert result.scores is not None
        scores = result.scores
        totals.notifications += scores.notifications
        totals.notifications_in_impact += scores.notifications_in_customer_impact
        impacting = {e.id for e in events if minutes.outcomes[e.id].customer_impact}
        kinds = _event_kinds([n.timestamp for n in result.notifications], events, impacting)
        for n, (kind, hurt) in zip(result.notifications, kinds, strict=True):
            totals.by_event_kind[kind] += 1
            what = "composite" if n.alarm not in alarms else _alarm_type(alarms[n.alarm])
            totals.by_alarm_type[what] += 1
            if not hurt:  # outside every customer-impacting window: a false notification
                totals.false_by_source[f"{kind}: {_short(n.alarm) if what == 'composite' else what}"] += 1
        per_incident: dict[str, Counter[str]] = {}
        for c in scores.causes:
            if c.incident is not None:
                per_incident.setdefault(c.incident, Counter())[f"{c.cause} ({c.alarm.split('/')[-1]})"] += 1
            totals.by_cause[c.cause] += 1
            if c.renotification:
                totals.renotifications_by_cause[c.cause] += 1
            if c.cause == DRAIN:
                totals.drains.append({"alarm": c.alarm, "at": c.timestamp.strftime("%Y-%m-%dT%H:%MZ"),
                                      "incident": c.incident, "held_by": [h.split("/")[-1] for h in c.held_by]})
        by_id = {e.id: e for e in events}
        for s in scores.incidents:
            if not s.incident.customer_impact:
                continue
            event = by_id[s.incident.id]
            outcome = Seen(event, minutes.outcomes[event.id], s.first_notification, s.first_alarm,
                           s.notifications, per_incident.get(event.id, Counter()))
            if outcome.first_notification is None or outcome.late:
                outcome.why, outcome.already_notified = explain(outcome, result, minutes, events, guard)
            totals.outcomes.append(outcome)


def _alarms_in_window(result: ReplayResult, start: datetime, end: datetime) -> list[str]:
    lo, hi = int(start.timestamp()), int(end.timestamp())
    names = []
    for name, timeline in result.timelines.items():
        if timeline.state_at(start) == "ALARM" or np.any(
                (timeline.change_times > lo) & (timeline.change_times <= hi) & (timeline.change_states == 1)):
            names.append(name.split("/")[-1])
    return sorted(names)


def _already_notified(event: Event, result: ReplayResult, events: list[Event], impacting: set[str]) -> list[str]:
    """Composites with actions already in ALARM when the incident starts, in an ALARM that had
    notified (one entry into ALARM notifies at most once), with that notification and the earlier
    incidents around it. A composite in an ALARM that had not notified (actions still suppressed)
    would still notify, so it is not named."""
    start = at(event.start)
    found = []
    for name, timeline in result.timelines.items():
        if timeline.kind != "composite" or not timeline.has_actions or timeline.state_at(start) != "ALARM":
            continue
        # When the composite entered the ALARM it is in at `start`.
        index = int(np.searchsorted(timeline.change_times, int(start.timestamp()), side="right")) - 1
        entered = int(timeline.change_times[index])
        earlier = [n for n in result.notifications
                   if n.alarm == name and int(n.alarm_at.timestamp()) >= entered and n.timestamp <= start]
        if not earlier:
            continue
        notified = earlier[-1].timestamp
        causes = [e.id for e in events if e.id in impacting and e.id != event.id
                  and at(e.start) <= notified <= at(e.end) + DETECTION_GRACE]
        found.append(f"{name.split('/')[-1]} was already in ALARM, notified at {notified:%Y-%m-%d %H:%M}"
                     + (f" for {', '.join(causes)}" if causes else ""))
    return found


def explain(outcome: Seen, result: ReplayResult, minutes: ServiceMinutes,
            events: list[Event], guard: float | None) -> tuple[str, bool]:
    """Why an incident was missed or detected late, from the simulated traffic and the alarms'
    timelines; and whether the service was already notified for an overlapping incident."""
    event = outcome.event
    window_end = at(event.end) + DETECTION_GRACE
    parts = []
    first_hour = slice(event.start, min(event.end, event.start + 60))
    api = minutes.api
    parts.append("customers got " + ", ".join(f"{v:g} {k.replace('_', ' ')}"
                                               for k, v in outcome.got.as_dict().items() if v))
    latency = event.kind in ("latency_regression", "route_latency", "cold_start_spike")
    if event.kind in API_KINDS:
        bad_series = api.errors_5xx if not latency else api.over_slo
        requests, bad = api.requests[first_hour].sum(), bad_series[first_hour].sum()
        what = "failed" if not latency else "over 1 s"
        parts.append(f"first hour: {bad:.0f} {what} of {requests:.0f} requests"
                     + (f" ({bad / requests:.1%})" if requests else ""))
    if event.kind in API_KINDS and guard is not None:
        # The guarded windows count only from `guard` bad requests: when did the incident reach it?
        during = bad_series[event.start:event.end]
        reached = np.flatnonzero(np.cumsum(during) >= guard)
        busiest_hour = max((during[i:i + 60].sum() for i in range(max(1, during.size - 59))), default=0.0)
        if not reached.size:
            parts.append(f"only {during.sum():.0f} bad requests in the whole incident, "
                         f"fewer than the {guard:g} the availability alarms' guarded windows count from "
                         "(their smallest failed-request guard, read from the templates)")
        elif outcome.first_notification is None and busiest_hour < guard:
            parts.append(f"at most {busiest_hour:.0f} bad requests in any hour of it, under the availability "
                         f"alarms' smallest failed-request guard ({guard:g})")
        elif outcome.first_notification is not None and reached[0] + 1 > LATE_AFTER_MINUTES.get(event.kind, 60) / 2:
            parts.append(f"bad request number {guard:g} came {reached[0] + 1} min after the start; the guarded "
                         "windows count only from there")
    scored = result.scores.incidents if result.scores else ()
    impacting = {s.incident.id for s in scored if s.incident.customer_impact}
    already = _already_notified(event, result, events, impacting)
    parts.extend(already)
    members = _alarms_in_window(result, at(event.start), window_end)
    parts.append("alarms in ALARM during the window: " + (", ".join(members) if members else "none"))
    held = [s for s in result.suppressed if at(event.start) <= s.alarm_at <= window_end]
    if held:
        parts.append("actions held: " + "; ".join(f"{s.alarm.split('/')[-1]} ({s.reason})" for s in held))
    if outcome.first_notification is not None:
        parts.append(f"first notification {outcome.minutes_to_detect:.0f} min after the start, "
                     f"over the {LATE_AFTER_MINUTES.get(event.kind, 60)} min counted as on time")
    return "; ".join(parts), bool(already)
