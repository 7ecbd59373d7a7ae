"""The replay: CloudWatch alarm semantics over recorded metrics, minute by minute.

Evaluations happen every minute ``t`` with ``start < t <= end``; the datapoint of an alarm with
period P at minute t covers ``[t - P, t)``, so rows before ``start`` serve as history. Every
alarm starts in INSUFFICIENT_DATA. Composite alarms are evaluated at the same minutes, after the
alarms they refer to.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

import numpy as np
import numpy.typing as npt

from ._time import epoch_seconds, from_epoch, utc_problem
from .composite import (
    RuleNode,
    alarm_name_from_reference,
    evaluate_rule,
    parse_alarm_rule,
    rule_references,
    suppress_actions,
)
from .datapoints import Resolution, resolve
from .definitions import ANOMALY_DETECTION_OPERATORS, CompositeAlarmDef, ExpressionQuery, MetricAlarmDef
from .evaluation import (
    ALARM,
    EXTRA_RANGE,
    INSUFFICIENT_DATA,
    OK,
    RETAIN,
    STATE_NAMES,
    States,
    evaluate_ranges,
    states_from_outcomes,
    transitions,
)
from .exceptions import AlarmRuleError, ExpressionError, ReplayError
from .expressions import Evaluator, Node, parse_expression, references
from .incidents import Incident, Scores, score
from .store import MetricStore, SeriesKey, describe_metric
from .windows import FloatArray

__all__ = ["AlarmTimeline", "Notification", "ReplayResult", "StateChange", "SuppressedAction", "replay"]

_DAY = 86_400


@dataclass(frozen=True)
class StateChange:
    """An alarm changing state at ``timestamp``."""

    timestamp: datetime
    previous: str
    state: str


@dataclass(frozen=True, eq=False)
class AlarmTimeline:
    """One alarm's state changes over the replay (it starts in INSUFFICIENT_DATA).

    ``change_times`` (epoch seconds) and ``change_states`` (0 OK, 1 ALARM, 2 INSUFFICIENT_DATA)
    hold the changes as arrays; :attr:`changes` gives them as objects, built on first use.
    """

    name: str
    kind: str  # "metric" or "composite"
    has_actions: bool
    change_times: npt.NDArray[np.int64]
    change_states: npt.NDArray[np.int8]

    @cached_property
    def changes(self) -> tuple[StateChange, ...]:
        # The state before each change: the initial state, then each change's new state. (Sliced
        # to the changes: an alarm that never changed has none, and no previous state either.)
        states = self.change_states.tolist()
        previous = [INSUFFICIENT_DATA, *states][:len(states)]
        return tuple(StateChange(from_epoch(t), STATE_NAMES[p], STATE_NAMES[s])
                     for t, p, s in zip(self.change_times.tolist(), previous, states, strict=True))

    def state_at(self, at: datetime) -> str:
        """The alarm's state at ``at`` (after any change at that instant)."""
        index = int(np.searchsorted(self.change_times, epoch_seconds(at), side="right"))
        return STATE_NAMES[int(self.change_states[index - 1])] if index else STATE_NAMES[INSUFFICIENT_DATA]


@dataclass(frozen=True)
class Notification:
    """An alarm with actions going into ALARM: someone is told. A composite whose actions were
    held by a wait or extension period notifies when the period ends (``timestamp``), not when it
    went into ALARM (``alarm_at``)."""

    alarm: str
    timestamp: datetime
    alarm_at: datetime


@dataclass(frozen=True)
class SuppressedAction:
    """A composite's entry into ALARM whose actions did not run, and why."""

    alarm: str
    alarm_at: datetime
    reason: str


@dataclass(frozen=True)
class ReplayResult:
    """What a replay found. ``notifications_per_day[alarm][i]`` counts the alarm's notifications on
    ``days[i]`` (UTC), for every alarm with actions. ``values`` (only with ``keep_values``) holds
    each metric alarm's newest datapoint at every evaluation, aligned with ``evaluation_times``."""

    start: datetime
    end: datetime
    timelines: dict[str, AlarmTimeline]
    notifications: tuple[Notification, ...]
    suppressed: tuple[SuppressedAction, ...]
    days: tuple[date, ...]
    notifications_per_day: dict[str, tuple[int, ...]]
    scores: Scores | None
    warnings: tuple[str, ...]
    values: dict[str, FloatArray] = field(default_factory=dict)

    @property
    def evaluation_times(self) -> list[datetime]:
        minutes = int((self.end - self.start).total_seconds()) // 60
        return [self.start + timedelta(minutes=i) for i in range(1, minutes + 1)]


# ---------------------------------------------------------------------------------------------


@dataclass
class _CompiledAlarm:
    alarm: MetricAlarmDef
    period: int
    range_width: int
    resolutions: dict[str, Resolution]
    expressions: dict[str, Node]


def _check_range(start: datetime, end: datetime) -> tuple[int, int]:
    for label, value in (("start", start), ("end", end)):
        problem = utc_problem(value)
        if problem:
            raise ReplayError(f"'{label}': {problem}", prop=label, value=value)
        if value.second or value.microsecond:
            raise ReplayError(f"'{label}' must be on a whole minute (got {value.isoformat()})", prop=label, value=value)
    lo, hi = epoch_seconds(start), epoch_seconds(end)
    if hi <= lo:
        raise ReplayError(f"'end' must be after 'start' (got {start.isoformat()} .. {end.isoformat()})", prop="end")
    return lo, hi


def _compile(alarm: MetricAlarmDef, store: MetricStore) -> _CompiledAlarm:
    if alarm.comparison_operator in ANOMALY_DETECTION_OPERATORS:
        raise ReplayError(f"comparison operator {alarm.comparison_operator} (anomaly detection) is not supported "
                          "by replay", path=alarm.name, prop="comparison_operator")
    if alarm.evaluation_window == "wall_clock":
        # The user guide says the window is aligned to clock boundaries of the period, optionally in a
        # time zone, but not when the alarm is evaluated within a period, where a week starts, or how
        # daylight-saving changes move the boundaries: replaying it as a sliding window would be wrong.
        raise ReplayError("EvaluationWindow WallClockWindow is not supported by replay (only the default "
                          "SlidingWindow is): remove the alarm from the templates replayed, or replay it with a "
                          "sliding window", path=alarm.name, prop="evaluation_window")
    period = alarm.period
    resolutions = {q.id: resolve(store, q.namespace, q.metric, q.dimensions, q.stat, q.period, alarm=alarm.name)
                   for q in alarm.metric_queries}
    if period % 60:
        raise ReplayError(f"period {period} s is not a whole number of minutes: high-resolution alarms are not "
                          "supported by replay", path=alarm.name, prop="period")
    expressions: dict[str, Node] = {}
    for q in alarm.queries:
        if isinstance(q, ExpressionQuery):
            try:
                expressions[q.id] = parse_expression(q.expression)
            except ExpressionError as err:
                raise ExpressionError(f"query {q.id!r}: {err}", path=alarm.name) from err
    known = {q.id for q in alarm.queries}
    for qid, tree in expressions.items():
        unknown = sorted(references(tree) - known)
        if unknown:
            raise ExpressionError(f"expression {qid!r} refers to unknown id(s) {', '.join(unknown)} "
                                  f"(this alarm's ids: {', '.join(sorted(known))})", path=alarm.name)
    _check_cycles(alarm.name, expressions)
    return _CompiledAlarm(alarm, period, alarm.evaluation_periods + EXTRA_RANGE, resolutions, expressions)


def _check_cycles(alarm: str, expressions: dict[str, Node]) -> None:
    done: set[str] = set()
    visiting: list[str] = []

    def visit(qid: str) -> None:
        if qid in done or qid not in expressions:
            return
        if qid in visiting:
            cycle = " -> ".join([*visiting[visiting.index(qid):], qid])
            raise ExpressionError(f"expressions refer to each other in a cycle: {cycle}", path=alarm)
        visiting.append(qid)
        for ref in sorted(references(expressions[qid])):
            visit(ref)
        visiting.pop()
        done.add(qid)

    for qid in expressions:
        visit(qid)


def _composite_order(composites: Sequence[CompositeAlarmDef], rules: dict[str, RuleNode],
                     known_metric: set[str]) -> list[CompositeAlarmDef]:
    by_name = {c.name: c for c in composites}
    for c in composites:
        suppressor = alarm_name_from_reference(c.actions_suppressor) if c.actions_suppressor else None
        refs = rule_references(rules[c.name]) | ({suppressor} if suppressor else set())
        unknown = sorted(r for r in refs if r not in by_name and r not in known_metric)
        if unknown:
            raise AlarmRuleError(f"refers to alarm(s) not in the replay: {', '.join(unknown)}", path=c.name,
                                 prop="alarm_rule")
        if suppressor == c.name:
            raise ReplayError("a composite alarm cannot suppress itself", path=c.name, prop="actions_suppressor")
    order: list[CompositeAlarmDef] = []
    done: set[str] = set()
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            cycle = " -> ".join([*visiting[visiting.index(name):], name])
            raise AlarmRuleError(f"composite alarms refer to each other in a cycle: {cycle}", path=name,
                                 prop="alarm_rule")
        visiting.append(name)
        for ref in sorted(rule_references(rules[name])):
            if ref in by_name:
                visit(ref)
        visiting.pop()
        done.add(name)
        order.append(by_name[name])

    for c in composites:
        visit(c.name)
    return order


def _gather(points: FloatArray, first_end: int, size: int, step: int, width: int) -> FloatArray:
    """``out[i, c]`` = the datapoint ending at bucket ``first_end + i - step * (width - 1 - c)``:
    evaluation i's range, oldest first. A strided view (no copy) over ``points``, padded with NaN
    where the range reaches outside them."""
    base = first_end - step * (width - 1)
    last = first_end + size - 1
    if base < 0 or last >= points.shape[0]:
        padded = np.full(last - base + 1, np.nan)
        lo, hi = max(base, 0), min(last, points.shape[0] - 1)
        if hi >= lo:
            padded[lo - base:hi - base + 1] = points[lo:hi + 1]
        points, base = padded, 0
    itemsize = points.strides[0]
    view: FloatArray = np.lib.stride_tricks.as_strided(points[base:], shape=(size, width),
                                                       strides=(itemsize, itemsize * step), writeable=False)
    return view


def _any_present(points: FloatArray, first: int, last: int) -> bool:
    """Whether any bucket of ``points[first..last]`` (clipped to the array) holds a value."""
    lo, hi = max(first, 0), min(last, points.shape[0] - 1)
    return hi >= lo and bool(np.any(~np.isnan(points[lo:hi + 1])))


def _names(names: Sequence[str], shown: int = 20) -> str:
    """Alarm names for a warning: all of them up to ``shown``, then how many more."""
    listed = ", ".join(names[:shown])
    more = len(names) - shown
    return f"{listed} and {more} more" if more > 0 else listed


def replay(alarms: Sequence[MetricAlarmDef], composites: Sequence[CompositeAlarmDef], metrics: MetricStore,
           start: datetime, end: datetime, incidents: Sequence[Incident] | None = None, *,
           keep_values: bool = False, progress: Callable[[int, int], None] | None = None,
           entrypoints: Mapping[str, str] | None = None) -> ReplayResult:
    """Replay ``alarms`` and ``composites`` over ``metrics`` for the minutes in ``(start, end]``.

    ``start`` and ``end`` are aware UTC datetimes on whole minutes. With ``incidents`` the result
    carries scores; ``entrypoints`` (alarm name -> the entrypoint it watches) makes them
    entrypoint-aware (:func:`~sensible_alarms.replay.incidents.score`). ``progress(done, total)`` is
    called after each alarm. Every definition is
    checked (metrics available, expressions and rules parse, names resolve) before any is
    evaluated, so a bad definition fails fast.
    """
    lo, hi = _check_range(start, end)
    names = [a.name for a in alarms] + [c.name for c in composites]
    repeated = sorted(n for n, count in Counter(names).items() if count > 1)
    if repeated:
        raise ReplayError(f"alarm names must be unique (repeated: {', '.join(repeated)})", prop="name")
    compiled = [_compile(a, metrics) for a in alarms]
    rules: dict[str, RuleNode] = {}
    for c in composites:
        try:
            rules[c.name] = parse_alarm_rule(c.alarm_rule)
        except AlarmRuleError as err:
            raise AlarmRuleError(str(err), path=c.name, prop="alarm_rule") from err
    order = _composite_order(composites, rules, {a.name for a in alarms})

    times = np.arange(lo + 60, hi + 1, 60, dtype=np.int64)
    size = times.shape[0]
    first_end = (lo + 60 - metrics.origin) // 60  # bucket index where the first evaluation's window ends
    warnings: list[str] = []

    remaining: Counter[Resolution] = Counter(r for c in compiled for r in c.resolutions.values())
    cache: dict[Resolution, FloatArray] = {}
    used: set[SeriesKey] = set()
    absent_reported: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()
    states: dict[str, States] = {}
    values: dict[str, FloatArray] = {}
    without_data: list[str] = []  # alarms with no datapoint of any metric in any evaluation range
    total = len(alarms) + len(composites)

    for done, item in enumerate(compiled, start=1):
        alarm = item.alarm
        ranges: dict[str, FloatArray] = {}
        has_data = False
        for q in alarm.metric_queries:
            res = item.resolutions[q.id]
            used.update(res.uses)
            if res.method == "absent" and (q.namespace, q.metric, q.dimensions) not in absent_reported:
                absent_reported.add((q.namespace, q.metric, q.dimensions))
                warnings.append(f"no rows for {describe_metric(q.namespace, q.metric, q.dimensions)} "
                                f"(used by {alarm.name}): every datapoint of it is missing")
            points = cache.get(res)
            if points is None:
                points = res.compute(metrics)
                cache[res] = points
            remaining[res] -= 1
            if not remaining[res]:
                del cache[res]
            step = item.period // 60
            has_data = has_data or _any_present(points, first_end - step * (item.range_width - 1),
                                                first_end + size - 1)
            ranges[q.id] = _gather(points, first_end, size, step, item.range_width)
        if not has_data:
            without_data.append(alarm.name)
        returned = alarm.returned_query.id
        if returned in ranges:
            series = ranges[returned]
        else:
            evaluator = Evaluator(ranges, item.expressions, period=item.period,
                                  metric_periods={q.id: q.period for q in alarm.metric_queries},
                                  shape=(size, item.range_width), where=alarm.name)
            series = evaluator.series(returned)
        outcomes = evaluate_ranges(series, threshold=alarm.threshold, operator=alarm.comparison_operator,
                                   evaluation_periods=alarm.evaluation_periods,
                                   datapoints_to_alarm=alarm.datapoints_required,
                                   treat_missing_data=alarm.missing_data_treatment)
        if item.period * alarm.evaluation_periods > _DAY:
            # CloudWatch evaluates alarms whose range exceeds a day once an hour.
            outcomes = np.where(times % 3600 == 0, outcomes, RETAIN).astype(np.int8)
        states[alarm.name] = states_from_outcomes(outcomes)
        if keep_values:
            values[alarm.name] = series[:, -1].copy()
        if progress:
            progress(done, total)

    if alarms and len(without_data) == len(alarms):
        # Not one datapoint for any alarm: the range, the file or the names mapping is wrong far more
        # often than everything went silent at once. Judged on missing data alone, alarms that treat it
        # as breaching would "notify": leave every alarm where it starts (INSUFFICIENT_DATA) instead.
        for alarm in alarms:
            states[alarm.name] = np.full(size, INSUFFICIENT_DATA, dtype=np.int8)
            if keep_values:
                values[alarm.name] = np.full(size, np.nan)
        warnings.append(f"no data in the replayed range ({start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC) for "
                        f"any alarm ({_names(without_data)}): nothing was evaluated and no one is notified; check "
                        "the range, the metrics file and the names mapping")
    elif without_data:
        warnings.append(f"no data in the replayed range for {_names(without_data)}: judged on missing data alone "
                        "(TreatMissingData)")

    for done, composite in enumerate(order, start=len(compiled) + 1):
        truth = evaluate_rule(rules[composite.name], states, size)
        states[composite.name] = np.where(truth, ALARM, OK).astype(np.int8)
        if progress:
            progress(done, total)

    timelines, notifications, suppressed = _notifications(alarms, composites, states, times)

    days = _days(times)
    per_day = _per_day(notifications, days, [a.name for a in alarms if a.has_actions]
                       + [c.name for c in composites if c.has_actions])
    unused = sorted(k for k in metrics.keys if k not in used)
    warnings += [f"{k.describe()} is used by no alarm" for k in unused]
    scores = None
    if incidents is not None:
        scores = score([(n.timestamp, n.alarm) for n in notifications], incidents,
                       members={name: sorted(rule_references(node)) for name, node in rules.items()},
                       histories=timelines, entrypoints=entrypoints)
        warnings += [f"incident {i.id} lies outside the replayed range" for i in incidents
                     if i.end + timedelta(minutes=15) < start or i.start > end]
        named = {i.id: i.entrypoint for i in incidents}
        warnings += [f"incident {i} names entrypoint {named[i]!r}, which no alarm watches: any alarm can detect it"
                     for i in scores.unmatched_entrypoints]
    return ReplayResult(start, end, timelines, tuple(notifications), tuple(suppressed), days, per_day, scores,
                        tuple(warnings), values)


def _notifications(alarms: Sequence[MetricAlarmDef], composites: Sequence[CompositeAlarmDef],
                   states: dict[str, States], times: npt.NDArray[np.int64],
                   ) -> tuple[dict[str, AlarmTimeline], list[Notification], list[SuppressedAction]]:
    """Each alarm's timeline; the notifications of alarms with actions, in time order; and the
    composite entries into ALARM whose actions did not run."""
    timelines: dict[str, AlarmTimeline] = {}
    notifications: list[Notification] = []
    suppressed: list[SuppressedAction] = []
    for alarm in alarms:
        timeline = _timeline(alarm.name, "metric", alarm.has_actions, states[alarm.name], times)
        timelines[alarm.name] = timeline
        if alarm.has_actions:
            entered = timeline.change_times[timeline.change_states == ALARM].tolist()
            notifications += [Notification(alarm.name, stamp, stamp) for stamp in map(from_epoch, entered)]
    for composite in composites:
        timelines[composite.name] = _timeline(composite.name, "composite", composite.has_actions,
                                              states[composite.name], times)
        if not composite.has_actions:
            continue
        suppressor = None
        if composite.actions_suppressor:
            suppressor = states[alarm_name_from_reference(composite.actions_suppressor)]
        for outcome in suppress_actions(states[composite.name], suppressor, times,
                                        wait_period=composite.actions_suppressor_wait_period,
                                        extension_period=composite.actions_suppressor_extension_period):
            if outcome.notified_at is not None:
                notifications.append(Notification(composite.name, from_epoch(outcome.notified_at),
                                                  from_epoch(outcome.alarm_at)))
            else:
                suppressed.append(SuppressedAction(composite.name, from_epoch(outcome.alarm_at),
                                                   outcome.reason or "suppressed"))
    notifications.sort(key=lambda n: (n.timestamp, n.alarm))
    return timelines, notifications, suppressed


def _timeline(name: str, kind: str, has_actions: bool, states: States, times: npt.NDArray[np.int64]) -> AlarmTimeline:
    at = transitions(states, INSUFFICIENT_DATA)
    return AlarmTimeline(name, kind, has_actions, times[at], states[at])


def _days(times: npt.NDArray[np.int64]) -> tuple[date, ...]:
    if not times.size:
        return ()
    first = datetime.fromtimestamp(int(times[0]), tz=UTC).date()
    last = datetime.fromtimestamp(int(times[-1]), tz=UTC).date()
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


def _per_day(notifications: Sequence[Notification], days: tuple[date, ...],
             names: Sequence[str]) -> dict[str, tuple[int, ...]]:
    index = {d: i for i, d in enumerate(days)}
    counts = {name: [0] * len(days) for name in names}
    for n in notifications:
        day = n.timestamp.date()
        if n.alarm in counts and day in index:
            counts[n.alarm][index[day]] += 1
    return {name: tuple(c) for name, c in counts.items()}
