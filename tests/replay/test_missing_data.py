"""The CloudWatch user guide's missing-data tables, row by row.

Source: Amazon CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data",
section "How alarm state is evaluated when data is missing" (two tables: 3 out of 3 and 2 out
of 3, evaluation range 5, most recent datapoint on the right; 0 = not breaching, X = breaching,
- = missing), and "Avoiding premature transitions to alarm state".
"""

from __future__ import annotations

import numpy as np
import pytest
from replay_support import T0, alarm, at, key, store

from sensible_alarms.replay import replay
from sensible_alarms.replay.evaluation import (
    ALARM,
    INSUFFICIENT_DATA,
    OK,
    RETAIN,
    evaluate_ranges,
    states_from_outcomes,
)

R = "retain"
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
CODE = {"OK": OK, "ALARM": ALARM, "INSUFFICIENT_DATA": INSUFFICIENT_DATA, R: RETAIN}

# (datapoints, expected state for missing, ignore, breaching, notBreaching)
TABLE_3_OF_3 = [
    ("0 - X - X", ("OK", "OK", "OK", "OK")),
    ("0 - - - -", ("OK", "OK", "OK", "OK")),
    ("- - - - -", ("INSUFFICIENT_DATA", R, "ALARM", "OK")),
    ("0 X X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("- - X - -", ("ALARM", R, "ALARM", "OK")),
    # An earlier edition of the guide had this second row; the rules give the same states.
    ("- - - - 0", ("OK", "OK", "OK", "OK")),
]
TABLE_2_OF_3 = [
    ("0 - X - X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 0 X 0 X", ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0 - X - -", ("OK", "OK", "ALARM", "OK")),
    ("- - - - 0", ("OK", "OK", "ALARM", "OK")),
    ("- - - X -", ("ALARM", R, "ALARM", "OK")),
]
CASES = [
    pytest.param(pattern, m, treat, expected, id=f"{m} of 3 '{pattern}' treated as {treat} is {expected}")
    for m, table in ((3, TABLE_3_OF_3), (2, TABLE_2_OF_3))
    for pattern, states in table
    for treat, expected in zip(TREATMENTS, states, strict=True)
]

THRESHOLD = 50.0


def _range(pattern: str) -> np.ndarray:
    return np.array([[{"0": 0.0, "X": 100.0, "-": np.nan}[c] for c in pattern.split()]])


class TestEvaluateRanges:
    @pytest.mark.parametrize(("pattern", "m", "treat", "expected"), CASES)
    def test_documented_table_row_gives_the_documented_state(self, pattern, m, treat, expected):
        """Each row of both tables, under each TreatMissingData, gives the state the guide lists."""
        outcome = evaluate_ranges(_range(pattern), threshold=THRESHOLD, operator="GreaterThanThreshold",
                                  evaluation_periods=3, datapoints_to_alarm=m, treat_missing_data=treat)
        assert outcome[0] == CODE[expected]

    @pytest.mark.parametrize("pattern", ["- - - - X", "- - - X -"])
    def test_a_recent_lone_breaching_point_does_not_alarm_prematurely(self, pattern):
        """'- - - - X' and '- - - X -' with 3 of 3 do not go to ALARM (premature transition avoided)."""
        outcome = evaluate_ranges(_range(pattern), threshold=THRESHOLD, operator="GreaterThanThreshold",
                                  evaluation_periods=3, datapoints_to_alarm=3, treat_missing_data="missing")
        assert outcome[0] != ALARM

    def test_retained_outcome_keeps_the_previous_state(self):
        """RETAIN keeps whatever state the alarm had; before any state it stays INSUFFICIENT_DATA."""
        outcomes = np.array([RETAIN, ALARM, RETAIN, RETAIN, OK, RETAIN], dtype=np.int8)
        assert states_from_outcomes(outcomes).tolist() == [INSUFFICIENT_DATA, ALARM, ALARM, ALARM, OK, OK]

    def test_newest_real_datapoints_decide_when_enough_are_present(self):
        """With N real points in range the missing ones are skipped: '0 X - X X' is 3 of 3 breaching."""
        outcome = evaluate_ranges(_range("0 X - X X"), threshold=THRESHOLD, operator="GreaterThanThreshold",
                                  evaluation_periods=3, datapoints_to_alarm=3, treat_missing_data="notBreaching")
        assert outcome[0] == ALARM


def _table_store(pattern: str, tick: int, period_minutes: int):
    """One-minute Sum rows such that, at minute ``tick``, the alarm's 5 datapoints (period
    ``period_minutes``) read ``pattern``. Each datapoint's row sits on the FIRST minute of its
    window: a window off by one minute would see it in the neighbouring datapoint."""
    rows: dict[int, float] = {}
    for j, char in enumerate(reversed(pattern.split())):  # j = 0 is the newest datapoint
        first_minute = tick - (j + 1) * period_minutes
        if char != "-":
            rows[first_minute] = 100.0 if char == "X" else 0.0
    # A witness metric with data, so that an all-missing pattern is replayed as missing data: a replay in
    # which no alarm has any datapoint evaluates nothing (test_engine.TestEmptyData).
    return store({key(): rows, key(metric="Witness"): {0: 0.0}})


class TestTablesEndToEnd:
    @pytest.mark.parametrize(("pattern", "m", "treat", "expected"), CASES)
    def test_documented_table_row_replayed_from_minute_rows(self, pattern, m, treat, expected):
        """One-minute rows replayed through 5-minute sliding windows give the table's state at the minute."""
        # "Retain current state" is checked as: the same state as one minute earlier.
        tick = 60
        metrics = _table_store(pattern, tick, 5)
        definition = alarm(period=300, threshold=THRESHOLD, operator="GreaterThanThreshold", n=3, m=m, treat=treat)
        result = replay([definition, alarm("witness", metric="Witness")], [], metrics, T0, at(tick))
        timeline = result.timelines["alarm"]
        state = timeline.state_at(at(tick))
        if expected == R:
            assert state == timeline.state_at(at(tick - 1))
        else:
            assert state == expected


class TestMOutOfN:
    def test_three_of_five_alarms_at_the_third_breaching_minute_and_clears_when_two_remain(self):
        """3 of 5 is ALARM when a third breaching datapoint is among the newest five, OK when two remain."""
        #        minute: 0  1  2  3  4  5  6  7  8  9 10 11
        values = [0, 9, 0, 9, 0, 9, 9, 0, 0, 0, 0, 0]
        metrics = store({key(): values})
        definition = alarm(threshold=5, n=5, m=3)
        result = replay([definition], [], metrics, T0, at(12))
        # The datapoint of minute k (window [k, k+1)) is first evaluated at minute k + 1.
        # Breaching minutes 1, 3, 5: the third enters at evaluation minute 6 -> ALARM.
        # At evaluation minute 9 the newest five are minutes 4..8, two breaching -> OK.
        assert [(c.timestamp, c.state) for c in result.timelines["alarm"].changes] == [
            (at(1), "OK"), (at(6), "ALARM"), (at(9), "OK")]

    def test_datapoints_to_alarm_defaults_to_evaluation_periods(self):
        """Without DatapointsToAlarm, all N datapoints must breach (3 of 3)."""
        metrics = store({key(): [9, 9, 0, 9, 9, 9, 0]})
        result = replay([alarm(threshold=5, n=3)], [], metrics, T0, at(7))
        # Evaluations 1 and 2 see only breaching points, too few and too recent: no change yet.
        assert [(c.timestamp, c.state) for c in result.timelines["alarm"].changes] == [
            (at(3), "OK"), (at(6), "ALARM"), (at(7), "OK")]


class TestSlidingWindowBoundaries:
    def test_five_minute_sum_includes_the_row_at_the_window_start_and_excludes_the_row_at_its_end(self):
        """A spike at minute 10 is in the 5-minute windows ending at 11..15 only: ALARM at 11, OK at 16."""
        # An off-by-one window ((t - P, t] or [t - P, t]) would move either edge by a minute.
        values = [0.0] * 30
        values[10] = 100.0
        metrics = store({key(): values})
        result = replay([alarm(period=300, threshold=50)], [], metrics, T0, at(30))
        assert [(c.timestamp, c.state) for c in result.timelines["alarm"].changes] == [
            (at(1), "OK"), (at(11), "ALARM"), (at(16), "OK")]

    def test_last_breaching_datapoint_is_reevaluated_until_it_leaves_the_evaluation_range(self):
        """After data stops, the last real datapoint decides while it is in the range of N + 2: ALARM until 26."""
        metrics = store({key(): {0: 0.0, 10: 100.0}})
        result = replay([alarm(period=300, threshold=50, treat="notBreaching")], [], metrics, T0, at(30))
        assert [(c.timestamp, c.state) for c in result.timelines["alarm"].changes] == [
            (at(1), "OK"), (at(11), "ALARM"), (at(26), "OK")]

    def test_hourly_average_is_sum_over_sample_count_of_the_hour_before(self):
        """Average over 1 h = (sum of Sum rows) / (sum of SampleCount rows) over [t - 60 min, t)."""
        sums = {m: 10.0 for m in range(0, 120)}
        counts = {m: 1.0 for m in range(0, 120)}
        sums[59] = 10.0 + 60 * 5  # one minute with a large total lifts the hour's average by 5
        metrics = store({key(stat="Sum"): sums, key(stat="SampleCount"): counts})
        definition = alarm(stat="Average", period=3600, threshold=15, treat="notBreaching")
        result = replay([definition], [], metrics, T0, at(121))
        assert [(c.timestamp, c.state) for c in result.timelines["alarm"].changes] == [
            (at(1), "OK"), (at(60), "ALARM"), (at(120), "OK")]
