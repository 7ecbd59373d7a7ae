"""Replay a variant's alarms on every service's simulated month and add up what happened.

Each service is replayed and scored on its own (its alarms, its metrics, its incidents), so a
notification can only count as detecting an incident of its own service; the fleet's figures are
sums over services. Scoring is sensible_alarms.replay's (DESIGN.md): an incident is detected by a
notification in ``[start, end + 15 min]``; precision = notifications inside a customer-impact
incident's window / all notifications; every notification gets a cause (new incident, repeat,
flicker, drain, no customer impact) and every incident the notifications put down to it.

Every event is an incident of the scoring, labelled customer-impacting or not by what customers
got in the simulated traffic (traffic.Outcome), not by its kind, on the entrypoint its target
belongs to (spec.Service.entrypoint_of; none for a table several entrypoints use).

Attribution is entrypoint-aware, the same rule for every variant: an alarm's notification is put
down only to incidents of the entrypoint it watches (or of none). What an alarm watches: its
SensibleAlarms metadata when it has one (sensible_alarms' alarms, as ``sensible-alarms replay``
reads them), else its metrics (dimensions -> resource -> entrypoint), a composite its members';
an alarm of no single entrypoint (a table's) matches every incident. For transparency the
entrypoint-blind scores (every alarm matching every incident of its service, as before) are kept
beside them (``entrypoint_blind``).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from events import DAYS, FULL_OUTAGE_KINDS, KINDS, START, Event, describe, draw
from metrics import build_store, construct_ids, resource_of
from spec import Service
from traffic import Outcome, ServiceMinutes, incident, simulate

from sensible_alarms.model import Alarm, CompositeAlarm, load
from sensible_alarms.replay import CompositeAlarmDef, Incident, MetricAlarmDef, ReplayResult, replay
from sensible_alarms.replay.composite import parse_alarm_rule, rule_references
from sensible_alarms.replay.from_templates import AlarmSet, alarm_set_from_templates
from sensible_alarms.replay.incidents import CAUSES, DETECTION_GRACE, DRAIN, Attribution, Scores, score
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
    #: the same notifications scored entrypoint-blind (every alarm matches every incident of its service)
    blind_in_impact: int = 0
    blind_outcomes: list[Seen] = field(default_factory=list)

    def add(self, other: VariantTotals) -> None:
        """Add another service's (or fleet's) totals to these."""
        for name in ("services", "metric_alarms", "composite_alarms", "alarms_with_actions", "monthly_cost_usd",
                     "notifications", "notifications_in_impact", "blind_in_impact"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for counter in ("by_event_kind", "by_cause", "renotifications_by_cause", "by_alarm_type", "false_by_source"):
            getattr(self, counter).update(getattr(other, counter))
        for part, cost in other.cost_by_part.items():
            self.cost_by_part[part] = self.cost_by_part.get(part, 0.0) + cost
        self.outcomes.extend(other.outcomes)
        self.drains.extend(other.drains)
        self.blind_outcomes.extend(other.blind_outcomes)

    def blind_dict(self) -> dict[str, Any]:
        """The headline scores of the same notifications, entrypoint-blind (the scoring before
        entrypoint-aware attribution), for comparison."""
        impact = self.blind_outcomes
        detected = [o for o in impact if o.first_notification is not None]
        outages = [o for o in impact if o.full_outage]
        outages_found = [o for o in outages if o.first_notification is not None]
        worst = worst_kind(_by_kind(impact))
        false = self.notifications - self.blind_in_impact
        attributed = sum(o.notifications for o in detected)
        return {
            "notifications_in_customer_impact": self.blind_in_impact,
            "false_notifications": false,
            "false_notifications_per_service_per_day": _ratio(false, self.services * DAYS, 5),
            "precision": _ratio(self.blind_in_impact, self.notifications),
            "detected": len(detected), "recall": _ratio(len(detected), len(impact)),
            "full_outages_detected": len(outages_found), "full_outage_recall": _ratio(len(outages_found), len(outages)),
            "full_outage_median_minutes_to_detect": _median([o.minutes_to_detect for o in outages_found
                                                             if o.minutes_to_detect is not None]),
            "notifications_put_down_to_incidents": attributed,
            "notifications_per_incident": _ratio(attributed, len(detected), 3),
            "worst_kind": worst[0] if worst else None,
            "worst_kind_notifications_per_incident": worst[1] if worst else None,
            "median_minutes_to_detect": _median([o.minutes_to_detect for o in detected
                                                 if o.minutes_to_detect is not None]),
        }

    def as_dict(self) -> dict[str, Any]:
        impact = self.outcomes
        detected = [o for o in impact if o.first_notification is not None]
        per_kind = _by_kind(impact)
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
            "entrypoint_blind": self.blind_dict(),
        }


def _by_kind(impact: list[Seen]) -> dict[str, dict[str, Any]]:
    """Recall, time to detect and notifications per detected incident, by kind."""
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
    return per_kind


def worst_kind(by_kind: Mapping[str, Mapping[str, Any]]) -> tuple[str, float] | None:
    """The kind with the most notifications per detected incident, and that number; None when no
    kind has a detected incident."""
    return max(((k, v["notifications_per_incident"]) for k, v in by_kind.items()
                if v["notifications_per_incident"] is not None), key=lambda kv: kv[1], default=None)


def rule_members(composites: Sequence[CompositeAlarmDef]) -> dict[str, list[str]]:
    """Composite name -> the alarms its rule names, as ``score`` takes them."""
    return {c.name: sorted(rule_references(parse_alarm_rule(c.alarm_rule))) for c in composites}


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


def watched_entrypoints(service: Service, alarms: Sequence[MetricAlarmDef], composites: Sequence[CompositeAlarmDef],
                        ids: dict[str, str], metadata: Mapping[str, str]) -> dict[str, str]:
    """Alarm name -> the entrypoint it watches: its SensibleAlarms metadata's (``metadata``, what
    ``sensible-alarms replay`` uses) when it has one, else ``Svc004/Api`` from its metrics (every
    metric's resource of one entrypoint), a composite its members' (all of one entrypoint). An alarm
    of several entrypoints or of a shared resource (a table) is left out: it matches every incident."""
    found: dict[str, str] = {}
    for alarm in alarms:
        entrypoints = {service.entrypoint_of(resource_of(q.namespace, dict(q.dimensions), ids,
                                                         f"{service.name} {alarm.name}"))
                       for q in alarm.metric_queries}
        if len(entrypoints) == 1 and None not in entrypoints:
            found[alarm.name] = f"{service.name}/{entrypoints.pop()}"
    members = {c.name: rule_references(parse_alarm_rule(c.alarm_rule)) for c in composites}
    for _ in range(len(composites)):  # composites of composites: until nothing changes
        before = len(found)
        for name, refs in members.items():
            entrypoints = {found.get(m) for m in refs}
            if name not in found and refs and len(entrypoints) == 1 and None not in entrypoints:
                found[name] = str(entrypoints.pop())
        if len(found) == before:
            break
    names = [a.name for a in alarms] + [c.name for c in composites]
    found.update({name: metadata[name] for name in names if name in metadata})
    return found


class _Attributable:
    """Whether an alarm's notification can be put down to an event: the scoring's own rule
    (sensible_alarms.replay.incidents.Attribution), by event id."""

    def __init__(self, incidents: Sequence[Incident], entrypoints: Mapping[str, str]) -> None:
        self.rule = Attribution(incidents, entrypoints)
        self.incidents = {i.id: i for i in incidents}

    def __call__(self, event: str, alarm: str) -> bool:
        return self.rule.may(self.incidents[event], alarm)


def _event_kind(at_: datetime, alarm: str, events: list[Event], spans: npt.NDArray[np.int64],
                may: Callable[[str, str], bool]) -> str:
    """For a false notification, the kind of the event of its alarm's entrypoint whose window holds
    it, the earliest first; else ``<kind> (other entrypoint)`` for an event of another entrypoint;
    else ``no event``. ``spans``: each event's first and last minute of its window."""
    minute = (at_ - START).total_seconds() / 60
    holding = [events[i] for i in np.flatnonzero((spans[:, 0] <= minute) & (minute <= spans[:, 1]))]
    own = [e for e in holding if may(e.id, alarm)]
    if own:
        return own[0].kind
    return f"{holding[0].kind} (other entrypoint)" if holding else "no event"


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
        incidents = [Incident(**incident(e, minutes.outcomes[e.id], service)) for e in events]  # type: ignore[arg-type]
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
            ids = construct_ids({lid: {"Metadata": dict(r.metadata)} for lid, r in stack.resources.items()})
            store = build_store(service, minutes, alarms, ids)
            entrypoints = watched_entrypoints(service, alarms, composites, ids, self.sets[variant].entrypoints)
            result = replay(alarms, composites, store, REPLAY_START, REPLAY_END, incidents, entrypoints=entrypoints)
            blind = score([(n.timestamp, n.alarm) for n in result.notifications], incidents,
                          members=rule_members(composites), histories=result.timelines)
            self._score(totals, result, events, minutes, {a.name: a for a in alarms}, self.guards[variant],
                        entrypoints=entrypoints, blind=blind)
        return done

    @staticmethod
    def _score(totals: VariantTotals, result: ReplayResult, events: list[Event], minutes: ServiceMinutes,
               alarms: dict[str, Any], guard: float | None, *, entrypoints: Mapping[str, str] | None = None,
               blind: Scores | None = None) -> None:
        """Add one service's scores to ``totals``; ``blind``: the same notifications scored entrypoint-blind."""
        assert result.scores is not None
        scores = result.scores
        may = _Attributable([s.incident for s in scores.incidents], entrypoints or {})
        totals.notifications += scores.notifications
        totals.notifications_in_impact += scores.notifications_in_customer_impact
        by_id = {e.id: e for e in events}
        grace = int(DETECTION_GRACE.total_seconds() // 60)
        spans = np.array([(e.start, e.end + grace) for e in events], dtype=np.int64).reshape(-1, 2)
        for c in scores.causes:
            # A notification inside a window of its own entrypoint is put down to that incident.
            kind = (by_id[c.incident].kind if c.inside and c.incident
                    else _event_kind(c.timestamp, c.alarm, events, spans, may))
            totals.by_event_kind[kind] += 1
            what = "composite" if c.alarm not in alarms else _alarm_type(alarms[c.alarm])
            totals.by_alarm_type[what] += 1
            if not c.inside:  # outside every customer-impacting window of its entrypoint: a false notification
                totals.false_by_source[f"{kind}: {_short(c.alarm) if what == 'composite' else what}"] += 1
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
        for s in scores.incidents:
            if not s.incident.customer_impact:
                continue
            event = by_id[s.incident.id]
            outcome = Seen(event, minutes.outcomes[event.id], s.first_notification, s.first_alarm,
                           s.notifications, per_incident.get(event.id, Counter()))
            if outcome.first_notification is None or outcome.late:
                outcome.why, outcome.already_notified = explain(outcome, result, minutes, events, guard, may)
            totals.outcomes.append(outcome)
        blind = blind or scores
        totals.blind_in_impact += blind.notifications_in_customer_impact
        totals.blind_outcomes.extend(
            Seen(by_id[s.incident.id], minutes.outcomes[s.incident.id], s.first_notification, s.first_alarm,
                 s.notifications) for s in blind.incidents if s.incident.customer_impact)


def _alarms_in_window(result: ReplayResult, start: datetime, end: datetime) -> list[str]:
    lo, hi = int(start.timestamp()), int(end.timestamp())
    names = []
    for name, timeline in result.timelines.items():
        if timeline.state_at(start) == "ALARM" or np.any(
                (timeline.change_times > lo) & (timeline.change_times <= hi) & (timeline.change_states == 1)):
            names.append(name.split("/")[-1])
    return sorted(names)


def _already_notified(event: Event, result: ReplayResult, events: list[Event], impacting: set[str],
                      may: Callable[[str, str], bool]) -> list[str]:
    """Composites with actions that can be put down to the incident (its entrypoint's) already in
    ALARM when the incident starts, in an ALARM that had notified (one entry into ALARM notifies at
    most once), with that notification and the earlier incidents around it. A composite in an ALARM
    that had not notified (actions still suppressed) would still notify, so it is not named."""
    start = at(event.start)
    found = []
    for name, timeline in result.timelines.items():
        if timeline.kind != "composite" or not timeline.has_actions or timeline.state_at(start) != "ALARM":
            continue
        if not may(event.id, name):
            continue
        # When the composite entered the ALARM it is in at `start`.
        index = int(np.searchsorted(timeline.change_times, int(start.timestamp()), side="right")) - 1
        entered = int(timeline.change_times[index])
        earlier = [n for n in result.notifications
                   if n.alarm == name and int(n.alarm_at.timestamp()) >= entered and n.timestamp <= start]
        if not earlier:
            continue
        notified = earlier[-1].timestamp
        causes = [e.id for e in events if e.id in impacting and e.id != event.id and may(e.id, name)
                  and at(e.start) <= notified <= at(e.end) + DETECTION_GRACE]
        found.append(f"{name.split('/')[-1]} was already in ALARM, notified at {notified:%Y-%m-%d %H:%M}"
                     + (f" for {', '.join(causes)}" if causes else ""))
    return found


def explain(outcome: Seen, result: ReplayResult, minutes: ServiceMinutes, events: list[Event], guard: float | None,
            may: Callable[[str, str], bool] = lambda event, alarm: True) -> tuple[str, bool]:
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
    already = _already_notified(event, result, events, impacting, may)
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
