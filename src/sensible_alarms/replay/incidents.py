"""Incidents, and scoring notifications against them exactly as DESIGN.md defines it.

- an incident is detected when a notification falls in ``[start, end + 15 min]``; its time to
  detect is the first such notification minus ``start``;
- precision = notifications inside the window of a customer-impact incident / all notifications;
- recall = detected customer-impact incidents / customer-impact incidents.

Precision is None when there is no notification, recall when there is no customer-impact
incident: a ratio of nothing is not 0 and not 1.

Beside them, what an on-call person feels: each notification gets one cause (:data:`CAUSES`),
each customer-impact incident the number of notifications it caused, and the notifications
outside every customer-impact window (of their alarm's entrypoint, below) are the false ones. A
*re-notification* is a notification of an alarm that has notified before; its cause says why it
came again:

- ``flicker``: the alarm re-entered ALARM while one of its members (a composite's long window)
  stayed in ALARM since its previous notification, and the incident that notification was for
  has not ended;
- ``drain``: the same, after that incident ended: only the member still holding the old errors
  kept the alarm close enough to re-enter;
- ``new incident``: it is the first notification in the window of a customer-impact incident
  that nothing had notified yet;
- ``repeat``: another notification in the window of an incident already notified (a second alarm
  for the same failure, or the same alarm again with no member holding);
- ``no customer impact``: outside every customer-impact window it can be put down to, and not a
  drain.

Which incidents a notification can be put down to (detect, repeat, be inside the window of) depends
on the entrypoint its alarm watches, when :func:`score` is told (``entrypoints``: alarm name -> the
construct path of the construct that alarms the entrypoint, as the SensibleAlarms metadata says):
an alarm watching a known entrypoint is put down only to incidents of that entrypoint
(:func:`same_entrypoint`) or of none. An alarm of unknown entrypoint, and an incident with no
``entrypoint``, match as if no entrypoint were known; so does an incident whose ``entrypoint``
names no entrypoint any alarm watches (the mapping cannot tell which alarms are its:
:attr:`Scores.unmatched_entrypoints` lists them). A notification inside the window of a
customer-impact incident on another entrypoint only is a ``no customer impact`` notification.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import yaml

from ._time import parse_utc
from .exceptions import MetricsFileError

__all__ = ["CAUSES", "DETECTION_GRACE", "DRAIN", "FLICKER", "NEW_INCIDENT", "NO_IMPACT", "REPEAT", "Attribution",
           "Incident",
           "IncidentScore", "NotificationCause", "Scores", "StateHistory", "load_incidents", "same_entrypoint",
           "score"]

#: How long after an incident's end a notification still counts as detecting it.
DETECTION_GRACE = timedelta(minutes=15)

NEW_INCIDENT = "new incident"
FLICKER = "flicker"
DRAIN = "drain"
REPEAT = "repeat"
NO_IMPACT = "no customer impact"
#: Every cause a notification can have, in the order reports list them.
CAUSES = (NEW_INCIDENT, REPEAT, FLICKER, DRAIN, NO_IMPACT)
_ALARM_STATE = 1  # evaluation.ALARM (not imported: evaluation imports the engine's numbers only)


class StateHistory(Protocol):
    """An alarm's state changes (the replay's AlarmTimeline): epoch seconds and state codes."""

    @property
    def change_times(self) -> npt.NDArray[np.int64]: ...

    @property
    def change_states(self) -> npt.NDArray[np.int8]: ...


@dataclass(frozen=True, kw_only=True)
class Incident:
    """A period when something went wrong; ``customer_impact`` says whether customers noticed."""

    id: str
    start: datetime
    end: datetime
    customer_impact: bool
    entrypoint: str | None = None
    description: str = ""

    def window_contains(self, at: datetime) -> bool:
        """Whether ``at`` falls in ``[start, end + 15 min]``."""
        return self.start <= at <= self.end + DETECTION_GRACE


@dataclass(frozen=True)
class IncidentScore:
    """How one incident was detected: the first notification in its window, if any."""

    incident: Incident
    first_notification: datetime | None
    first_alarm: str | None
    #: notifications put down to this incident (its first, repeats, flickers and drains)
    notifications: int = 0

    @property
    def detected(self) -> bool:
        return self.first_notification is not None

    @property
    def time_to_detect(self) -> timedelta | None:
        if self.first_notification is None:
            return None
        return self.first_notification - self.incident.start


@dataclass(frozen=True)
class Scores:
    """Precision, recall and time to detect of a replay's notifications."""

    notifications: int
    notifications_in_customer_impact: int
    customer_impact_incidents: int
    detected_customer_impact_incidents: int
    incidents: tuple[IncidentScore, ...]
    #: every notification with its cause, in time order
    causes: tuple[NotificationCause, ...] = dataclasses.field(default=())
    #: ids of the incidents whose ``entrypoint`` names no entrypoint an alarm watches (scored as if
    #: they named none); empty when no alarm's entrypoint is known
    unmatched_entrypoints: tuple[str, ...] = ()

    @property
    def false_notifications(self) -> int:
        """Notifications outside the window of every customer-impact incident they can be put down to."""
        return self.notifications - self.notifications_in_customer_impact

    def by_cause(self, *, renotifications_only: bool = False) -> dict[str, int]:
        """Notifications (or only re-notifications) by cause, every cause listed."""
        counts = dict.fromkeys(CAUSES, 0)
        for c in self.causes:
            if c.renotification or not renotifications_only:
                counts[c.cause] += 1
        return counts

    @property
    def renotifications(self) -> int:
        return sum(1 for c in self.causes if c.renotification)

    @property
    def notifications_per_incident(self) -> float | None:
        """Notifications put down to customer-impact incidents, per detected one."""
        detected = [s for s in self.incidents if s.incident.customer_impact and s.detected]
        if not detected:
            return None
        return sum(s.notifications for s in detected) / len(detected)

    @property
    def precision(self) -> float | None:
        if not self.notifications:
            return None
        return self.notifications_in_customer_impact / self.notifications

    @property
    def recall(self) -> float | None:
        if not self.customer_impact_incidents:
            return None
        return self.detected_customer_impact_incidents / self.customer_impact_incidents

    @property
    def median_time_to_detect(self) -> timedelta | None:
        """Median over the detected customer-impact incidents."""
        times = [s.time_to_detect for s in self.incidents
                 if s.incident.customer_impact and s.time_to_detect is not None]
        if not times:
            return None
        return timedelta(seconds=statistics.median(t.total_seconds() for t in times))


@dataclass(frozen=True)
class NotificationCause:
    """Why one notification was sent (see the module's docstring for each cause)."""

    timestamp: datetime
    alarm: str
    cause: str
    #: the customer-impact incident it is put down to (None for ``no customer impact``)
    incident: str | None
    #: the alarm had notified before
    renotification: bool
    #: members that stayed in ALARM since the alarm's previous notification (flicker and drain)
    held_by: tuple[str, ...] = ()
    #: inside the window of a customer-impact incident it can be put down to (not a false notification)
    inside: bool = False


def _held(history: StateHistory, since: datetime, until: datetime) -> bool:
    """Whether the alarm was in ALARM at ``since`` and did not leave ALARM until ``until``."""
    lo, hi = int(since.timestamp()), int(until.timestamp())
    times, states = history.change_times, history.change_states
    before = np.flatnonzero(times <= lo)
    if not before.size or states[before[-1]] != _ALARM_STATE:
        return False
    between = (times > lo) & (times <= hi)
    return bool(np.all(states[between] == _ALARM_STATE))


def _segments(path: str) -> tuple[str, ...]:
    """A construct path's segments, without the alarms construct's own name: ``Orders/Api/Alarms`` and
    ``Orders/ApiAlarms`` both give ``("Orders", "Api")``."""
    parts = [p for p in path.split("/") if p]
    if parts and parts[-1] == "Alarms":
        parts.pop()
    elif parts and parts[-1].endswith("Alarms"):
        parts[-1] = parts[-1].removesuffix("Alarms")
    return tuple(parts)


def same_entrypoint(named: str, watched: str) -> bool:
    """Whether an incident's ``entrypoint`` (``named``) names the entrypoint an alarm watches
    (``watched``: the construct path of the construct that alarms it, e.g. ``Orders/OrdersApiAlarms``).

    Compared segment by segment from the end, the alarms construct's name taken without its
    ``Alarms`` suffix (or a last segment ``Alarms`` left out): ``OrdersApi``, ``OrdersApiAlarms`` and
    ``Orders/OrdersApi`` all name ``Orders/OrdersApiAlarms``; ``Api`` names ``Orders/Api/Alarms``.
    Case matters; ``Orders`` alone names neither (it is the stack, not the entrypoint)."""
    want, have = _segments(named), _segments(watched)
    return bool(want) and len(want) <= len(have) and have[len(have) - len(want):] == want


class Attribution:
    """Which incidents a notification of an alarm can be put down to (see the module's docstring):
    ``Attribution(incidents, entrypoints).may(incident, alarm)``. :func:`score` uses it; a report
    that labels notifications by incident asks it rather than matching entrypoints itself."""

    def __init__(self, incidents: Sequence[Incident], entrypoints: Mapping[str, str]) -> None:
        self.watched = entrypoints
        known = set(entrypoints.values())
        self.named: dict[str, str | None] = {}
        self.unmatched: list[str] = []
        for i in incidents:
            name = i.entrypoint
            if name is not None and known and not any(same_entrypoint(name, w) for w in known):
                self.unmatched.append(i.id)
                name = None
            self.named[i.id] = name if known else None
        self._cache: dict[tuple[str, str], bool] = {}

    def may(self, incident: Incident, alarm: str) -> bool:
        """Whether a notification of ``alarm`` can be put down to ``incident``."""
        name, watched = self.named.get(incident.id), self.watched.get(alarm)
        if name is None or watched is None:
            return True
        key = (name, watched)
        if key not in self._cache:
            self._cache[key] = same_entrypoint(name, watched)
        return self._cache[key]


def score(notifications: Iterable[tuple[datetime, str]], incidents: Sequence[Incident], *,
          members: Mapping[str, Sequence[str]] | None = None,
          histories: Mapping[str, StateHistory] | None = None,
          entrypoints: Mapping[str, str] | None = None) -> Scores:
    """Score ``(timestamp, alarm name)`` notifications against ``incidents``.

    ``members`` (composite name -> the alarms its rule names) and ``histories`` (alarm name -> its
    state changes) let the scoring tell a flicker or a drain; without them no notification is
    either. ``entrypoints`` (alarm name -> the entrypoint it watches, see :func:`same_entrypoint`)
    puts each alarm's notifications down only to incidents of its entrypoint; an alarm not in it
    matches every incident, as every alarm does without it."""
    ordered = sorted(notifications)
    attribution = Attribution(incidents, entrypoints or {})
    impact = [i for i in incidents if i.customer_impact]
    results = []
    for incident in incidents:
        first = next(((at, alarm) for at, alarm in ordered
                      if incident.window_contains(at) and attribution.may(incident, alarm)), None)
        results.append(IncidentScore(incident, first[0] if first else None, first[1] if first else None))
    detected = sum(1 for r in results if r.incident.customer_impact and r.detected)
    causes = _causes(ordered, impact, members or {}, histories or {}, attribution)
    counts: dict[str, int] = {}
    for c in causes:
        if c.incident is not None:
            counts[c.incident] = counts.get(c.incident, 0) + 1
    results = [IncidentScore(r.incident, r.first_notification, r.first_alarm,
                             counts.get(r.incident.id, 0) if r.incident.customer_impact else 0) for r in results]
    inside = sum(1 for c in causes if c.inside)
    return Scores(len(ordered), inside, len(impact), detected, tuple(results), tuple(causes),
                  tuple(attribution.unmatched))


def _causes(ordered: Sequence[tuple[datetime, str]], impact: Sequence[Incident],
            members: Mapping[str, Sequence[str]], histories: Mapping[str, StateHistory],
            attribution: Attribution) -> list[NotificationCause]:
    by_start = sorted(impact, key=lambda i: (i.start, i.id))
    notified: set[str] = set()
    #: alarm -> (time of its previous notification, the incident that one was put down to)
    previous: dict[str, tuple[datetime, Incident | None]] = {}
    out = []
    for at, alarm in ordered:
        containing = [i for i in by_start if i.window_contains(at) and attribution.may(i, alarm)]
        fresh = [i for i in containing if i.id not in notified]
        before = previous.get(alarm)
        held: tuple[str, ...] = ()
        if before is not None:
            held = tuple(m for m in members.get(alarm, ()) if m in histories and _held(histories[m], before[0], at))
        owner: Incident | None
        if fresh:
            cause, owner = NEW_INCIDENT, fresh[0]
        elif held and before is not None and before[1] is not None:
            owner = before[1]
            cause = FLICKER if at <= owner.end else DRAIN
        elif containing:
            cause, owner = REPEAT, containing[0]
        else:
            cause, owner = NO_IMPACT, None
        if owner is not None:
            notified.add(owner.id)
        out.append(NotificationCause(at, alarm, cause, owner.id if owner else None, before is not None,
                                     held if cause in (FLICKER, DRAIN) else (), bool(containing)))
        previous[alarm] = (at, owner)
    return out


def load_incidents(path: str | Path) -> list[Incident]:
    """Incidents from a YAML (``.yaml``/``.yml``) or JSON file holding a list of
    ``{id, start, end, customer_impact, entrypoint?, description?}``.

    Raises :class:`MetricsFileError` naming the file and the entry for anything malformed.
    """
    file = Path(path)
    name = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise MetricsFileError(f"cannot read the incidents file: {err.strerror}", file=name) from err
    try:
        if file.suffix.lower() in (".yaml", ".yml"):
            data: Any = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except yaml.YAMLError as err:
        raise MetricsFileError(f"not valid YAML: {_yaml_problem(err)}", file=name) from err
    except json.JSONDecodeError as err:
        raise MetricsFileError(f"not valid JSON: {err.msg}", file=name,
                               row=f"line {err.lineno}, column {err.colno}") from err
    if data is None:
        data = []
    if not isinstance(data, list):
        raise MetricsFileError(f"expected a list of incidents (got {type(data).__name__})", file=name)
    incidents = [_incident(entry, name, f"entry {n}") for n, entry in enumerate(data, start=1)]
    seen: dict[str, str] = {}
    for n, incident in enumerate(incidents, start=1):
        if incident.id in seen:
            raise MetricsFileError(f"incident id {incident.id!r} is used twice (first at {seen[incident.id]})",
                                   file=name, row=f"entry {n}")
        seen[incident.id] = f"entry {n}"
    return incidents


def _yaml_problem(err: yaml.YAMLError) -> str:
    """PyYAML's error in one line: the problem and where (its own text spans several lines, with the
    offending source quoted)."""
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    mark = getattr(err, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    context = getattr(err, "context", None)
    return f"{problem}{where}" + (f" ({context})" if context else "")


def _incident(entry: object, file: str, where: str) -> Incident:
    if not isinstance(entry, dict):
        raise MetricsFileError(f"an incident must be a mapping (got {type(entry).__name__})", file=file, row=where)
    missing = [k for k in ("id", "start", "end", "customer_impact") if k not in entry]
    if missing:
        raise MetricsFileError(f"incident is missing {', '.join(missing)}", file=file, row=where)
    ident = entry["id"]
    if isinstance(ident, bool) or not isinstance(ident, str | int) or str(ident) == "":
        raise MetricsFileError(f"'id' must be a non-empty string (got {ident!r})", file=file, row=where)
    where = f"{where} (id {ident})"
    times = {}
    for field in ("start", "end"):
        parsed, problem = parse_utc(entry[field])
        if parsed is None:
            raise MetricsFileError(f"'{field}': {problem}", file=file, row=where)
        times[field] = parsed
    if times["end"] < times["start"]:
        raise MetricsFileError(f"'end' ({times['end'].isoformat()}) is before 'start' ({times['start'].isoformat()})",
                               file=file, row=where)
    impact = entry["customer_impact"]
    if not isinstance(impact, bool):
        raise MetricsFileError(f"'customer_impact' must be true or false (got {impact!r})", file=file, row=where)
    entrypoint = entry.get("entrypoint")
    if entrypoint is not None and not isinstance(entrypoint, str):
        raise MetricsFileError(f"'entrypoint' must be a string (got {entrypoint!r})", file=file, row=where)
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise MetricsFileError(f"'description' must be a string (got {description!r})", file=file, row=where)
    return Incident(id=str(ident), start=times["start"], end=times["end"], customer_impact=impact,
                    entrypoint=entrypoint, description=description)
