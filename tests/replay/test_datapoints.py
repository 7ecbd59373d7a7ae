"""Which rows give an alarm's datapoints, and what the engine says when a file cannot."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from replay_support import DIMS, NAMESPACE, T0, alarm, at, key, store

from sensible_alarms.replay import ReplayError, replay
from sensible_alarms.replay.datapoints import resolve


def _resolve(metrics, stat, period):
    return resolve(metrics, NAMESPACE, "Errors", DIMS, stat, period, alarm="alarm")


class TestDerivedWindows:
    @settings(max_examples=60, deadline=None)
    @given(first=st.integers(min_value=0, max_value=1000),
           rest=st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=1000)), max_size=60),
           minutes=st.sampled_from([1, 2, 5, 15, 60]))
    def test_derived_sum_equals_a_naive_sum_over_each_sliding_window(self, first, rest, minutes):
        """Sum over P from one-minute rows = the naive sum of the rows in [t - P, t), for every t."""
        rows = [first, *rest]  # the first row fixes the store's origin at T0
        metrics = store({key(): [None if r is None else float(r) for r in rows]})
        points = _resolve(metrics, "Sum", minutes * 60).compute(metrics)
        for end in range(len(points)):
            window = [r for r in rows[max(end - minutes, 0):end] if r is not None]
            expected = float(sum(window)) if window else math.nan
            assert points[end] == expected or (math.isnan(points[end]) and math.isnan(expected))

    def test_maximum_and_minimum_slide_over_one_minute_rows(self):
        """Maximum / Minimum over 3 minutes are the max / min of the last three one-minute rows."""
        metrics = store({key(stat="Maximum"): [1, 5, 2, 0, 0], key(stat="Minimum"): [1, 5, 2, 0, 0]})
        maxima = _resolve(metrics, "Maximum", 180).compute(metrics)
        minima = _resolve(metrics, "Minimum", 180).compute(metrics)
        np.testing.assert_array_equal(maxima[:6], [np.nan, 1, 5, 5, 5, 2])
        np.testing.assert_array_equal(minima[:6], [np.nan, 1, 1, 1, 0, 0])

    def test_average_weights_each_minute_by_its_sample_count(self):
        """Average over 2 minutes = (Sum1 + Sum2) / (Count1 + Count2), not the mean of the averages."""
        metrics = store({key(stat="Sum"): [10.0, 90.0], key(stat="SampleCount"): [1.0, 9.0]})
        points = _resolve(metrics, "Average", 120).compute(metrics)
        assert points[2] == 10.0

    def test_average_also_derives_from_average_and_sample_count_rows(self):
        """Average and SampleCount rows give the same weighted average as Sum and SampleCount."""
        metrics = store({key(stat="Average"): [10.0, 10.0], key(stat="SampleCount"): [1.0, 9.0]})
        points = _resolve(metrics, "Average", 120).compute(metrics)
        assert points[2] == 10.0

    def test_rows_at_the_alarms_own_period_are_used_as_given(self):
        """A p99 at 300 s given per minute: the datapoint at t is the row stamped t - 300 s."""
        metrics = store({key(stat="p99", period=300): {0: 1.0, 1: 2.0, 2: 3.0}})
        points = _resolve(metrics, "p99", 300).compute(metrics)
        np.testing.assert_array_equal(points[5:8], [1.0, 2.0, 3.0])
        assert np.isnan(points[4])


class TestMissingSeries:
    def test_percentile_at_another_period_names_the_missing_series(self):
        """p99 at 300 s with only 60-s p99 rows is an error naming the series and what the file has."""
        metrics = store({key(stat="p99", period=60): [1.0, 2.0]})
        with pytest.raises(ReplayError, match=r"missing series Test Errors \{Service=orders\} p99 at period 300 s.*"
                                              r"the file has: p99 at 60 s"):
            _resolve(metrics, "p99", 300)

    def test_average_without_sample_count_names_what_is_missing(self):
        """Average over 5 minutes from Sum rows alone says SampleCount is missing."""
        metrics = store({key(stat="Sum"): [1.0]})
        with pytest.raises(ReplayError, match="missing at 60 s: SampleCount"):
            _resolve(metrics, "Average", 300)

    def test_own_period_rows_spaced_a_period_apart_are_refused(self):
        """p99 at 300 s given every 5 minutes cannot make per-minute sliding windows: said plainly."""
        metrics = store({key(stat="p99", period=300): {0: 1.0, 5: 2.0, 10: 3.0}})
        with pytest.raises(ReplayError, match="are 300 s apart, but a sliding window needs one row per minute"):
            _resolve(metrics, "p99", 300)

    def test_sum_rows_spaced_a_period_apart_fall_back_to_one_minute_rows(self):
        """Sum at 300 s given every 5 minutes is not used when one-minute rows exist to derive it."""
        metrics = store({key(stat="Sum", period=300): {0: 99.0, 5: 99.0}, key(): [1.0] * 10})
        resolution = _resolve(metrics, "Sum", 300)
        assert resolution.method == "sum"
        assert resolution.compute(metrics)[5] == 5.0

    def test_metric_with_no_rows_at_all_is_missing_data_with_a_warning(self):
        """A metric absent from the file is all missing data (as errors-only metrics often are), with a warning.

        (Another alarm has data: when no alarm has any, nothing is evaluated; see test_engine.)"""
        metrics = store({key(metric="Other"): [1.0]})
        result = replay([alarm(treat="notBreaching"), alarm("other", metric="Other")], [], metrics, T0, at(3))
        assert result.timelines["alarm"].state_at(at(1)) == "OK"
        assert any("no rows for Test Errors {Service=orders}" in w for w in result.warnings)

    def test_high_resolution_period_is_not_supported(self):
        """A 10-second alarm period is refused by name, not evaluated at the wrong resolution."""
        metrics = store({key(): [1.0]})
        with pytest.raises(ReplayError, match="high-resolution alarms are not supported"):
            _resolve(metrics, "Sum", 10)
