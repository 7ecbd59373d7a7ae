"""Each notification's cause (new incident, repeat, flicker, drain, no customer impact), from
hand-built timelines of a composite and its members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from sensible_alarms.replay.incidents import (
    CAUSES,
    DRAIN,
    FLICKER,
    NEW_INCIDENT,
    NO_IMPACT,
    REPEAT,
    Incident,
    score,
)

T0 = datetime(2026, 11, 2, tzinfo=UTC)
OK, ALARM = 0, 1


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@dataclass
class History:
    change_times: npt.NDArray[np.int64]
    change_states: npt.NDArray[np.int8]


def history(*changes: tuple[int, int]) -> History:
    """State changes at minutes after T0."""
    return History(np.array([int(at(m).timestamp()) for m, _ in changes], dtype=np.int64),
                   np.array([s for _, s in changes], dtype=np.int8))


def incident(id: str, start: int, end: int, impact: bool = True) -> Incident:
    return Incident(id=id, start=at(start), end=at(end), customer_impact=impact)


MEMBERS = {"Composite": ["Long", "Short"]}


def causes(notified: list[int], incidents: list[Incident], long: History, short: History) -> list[str]:
    scores = score([(at(m), "Composite") for m in notified], incidents, members=MEMBERS,
                   histories={"Long": long, "Short": short})
    return [c.cause for c in scores.causes]


def test_a_short_window_flicker_inside_the_incident_is_a_flicker() -> None:
    """The composite re-enters ALARM while the long window stayed in ALARM and the incident goes on."""
    long = history((10, ALARM), (200, OK))
    short = history((10, ALARM), (30, OK), (40, ALARM), (60, OK))
    scores = score([(at(10), "Composite"), (at(40), "Composite")], [incident("i1", 5, 100)], members=MEMBERS,
                   histories={"Long": long, "Short": short})
    assert [c.cause for c in scores.causes] == [NEW_INCIDENT, FLICKER]
    assert scores.causes[1].held_by == ("Long",)
    assert scores.causes[1].renotification
    assert not scores.causes[0].renotification
    assert scores.incidents[0].notifications == 2
    assert scores.notifications_per_incident == 2.0
    assert scores.false_notifications == 0


def test_a_re_entry_after_the_incident_ended_with_the_long_window_holding_is_a_drain() -> None:
    """After the end (and past the grace), a single error trips the short window while the long one drains."""
    long = history((10, ALARM), (400, OK))
    short = history((10, ALARM), (30, OK), (300, ALARM), (305, OK))
    scores = score([(at(10), "Composite"), (at(300), "Composite")], [incident("i1", 5, 100)], members=MEMBERS,
                   histories={"Long": long, "Short": short})
    assert [c.cause for c in scores.causes] == [NEW_INCIDENT, DRAIN]
    assert scores.causes[1].incident == "i1"
    assert scores.false_notifications == 1  # outside every window: false, and put down to a drain
    assert scores.by_cause(renotifications_only=True)[DRAIN] == 1


def test_a_re_entry_in_the_grace_after_the_end_is_a_drain_not_a_flicker() -> None:
    """The incident is over at its end; the detection grace does not make a later re-entry a flicker."""
    long = history((10, ALARM), (400, OK))
    short = history((10, ALARM), (30, OK), (105, ALARM), (110, OK))
    assert causes([10, 105], [incident("i1", 5, 100)], long, short) == [NEW_INCIDENT, DRAIN]


def test_a_new_incident_after_a_quiet_period_is_a_new_incident() -> None:
    """The long window left ALARM in between: the second notification tells of a new incident."""
    long = history((10, ALARM), (150, OK), (500, ALARM), (600, OK))
    short = history((10, ALARM), (30, OK), (500, ALARM), (520, OK))
    assert causes([10, 500], [incident("i1", 5, 100), incident("i2", 495, 550)], long, short) == [
        NEW_INCIDENT, NEW_INCIDENT]


def test_a_new_incident_wins_over_a_held_long_window() -> None:
    """Even while the long window still holds the old errors, the first notification of a new incident is new."""
    long = history((10, ALARM), (900, OK))
    short = history((10, ALARM), (30, OK), (300, ALARM), (320, OK))
    assert causes([10, 300], [incident("i1", 5, 100), incident("i2", 295, 350)], long, short) == [
        NEW_INCIDENT, NEW_INCIDENT]


def test_re_entry_with_nothing_holding_is_a_repeat_inside_and_no_impact_outside() -> None:
    """No member stayed in ALARM: inside an incident already told it repeats, outside it is false."""
    long = history((10, ALARM), (35, OK), (40, ALARM), (45, OK), (700, ALARM), (705, OK))
    short = history((10, ALARM), (35, OK), (40, ALARM), (45, OK), (700, ALARM), (705, OK))
    scores = score([(at(10), "Composite"), (at(40), "Composite"), (at(700), "Composite")],
                   [incident("i1", 5, 100), incident("harmless", 690, 710, impact=False)], members=MEMBERS,
                   histories={"Long": long, "Short": short})
    assert [c.cause for c in scores.causes] == [NEW_INCIDENT, REPEAT, NO_IMPACT]
    assert scores.causes[2].incident is None
    assert scores.false_notifications == 1


def test_a_second_alarm_for_the_same_incident_is_a_repeat_and_counts_add_up() -> None:
    """Two alarms for one failure: one notification tells, the other repeats; every count adds up."""
    scores = score([(at(12), "ApiErrors"), (at(13), "FunctionErrors"), (at(900), "ApiErrors")],
                   [incident("i1", 10, 30), incident("i2", 2000, 2010)])
    assert [c.cause for c in scores.causes] == [NEW_INCIDENT, REPEAT, NO_IMPACT]
    assert [c.renotification for c in scores.causes] == [False, False, True]
    assert sum(scores.by_cause().values()) == scores.notifications == 3
    assert list(scores.by_cause()) == list(CAUSES)
    assert scores.false_notifications == scores.notifications - scores.notifications_in_customer_impact == 1
    assert [s.notifications for s in scores.incidents] == [2, 0]
    assert scores.notifications_per_incident == 2.0
    assert scores.recall == 0.5
