"""Sliding-window kernels against a naive loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensible_alarms.replay.windows import sliding_count, sliding_reduce

values_with_gaps = st.lists(
    st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)), min_size=0, max_size=80)


def _naive(values: list[float | None], k: int, how: str) -> list[float]:
    out = []
    for end in range(len(values) + 1):
        window = [v for v in values[max(end - k, 0):end] if v is not None]
        if not window:
            out.append(math.nan)
        elif how == "sum":
            out.append(math.fsum(window))
        else:
            out.append(min(window) if how == "min" else max(window))
    return out


def _array(values: list[float | None]) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in values], dtype=np.float64)


class TestSlidingReduce:
    @settings(max_examples=200, deadline=None)
    @given(values=values_with_gaps, k=st.integers(min_value=1, max_value=90),
           how=st.sampled_from(["sum", "min", "max"]))
    def test_matches_a_naive_loop_over_every_window(self, values, k, how):
        """Sum, min and max of every window [e - k, e) equal a naive loop, NaN where a window is empty."""
        got = sliding_reduce(_array(values), k, how)
        expected = np.array(_naive(values, k, how))
        assert got.shape == (len(values) + 1,)
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-6, equal_nan=True)

    def test_integer_sums_are_exact(self):
        """Whole-number rows sum exactly: a window total lands on a threshold, not next to it."""
        values = np.full(10_000, 0.1 * 3)  # inexact in binary on purpose
        values[::7] = 7.0
        got = sliding_reduce(np.floor(values), 60, "sum")
        assert got[60] == float(np.floor(values[:60]).sum())

    def test_window_of_one_is_the_series_itself(self):
        """k = 1: each end index sees only the bucket before it."""
        got = sliding_reduce(np.array([1.0, np.nan, 3.0]), 1, "max")
        np.testing.assert_array_equal(got, [np.nan, 1.0, np.nan, 3.0])

    def test_window_length_below_one_is_refused(self):
        """A window of 0 buckets is a programming error, not a silent empty result."""
        with pytest.raises(ValueError, match="window length"):
            sliding_reduce(np.array([1.0]), 0, "sum")


class TestSlidingCount:
    @given(values=values_with_gaps, k=st.integers(min_value=1, max_value=90))
    def test_counts_present_buckets_per_window(self, values, k):
        """The count of each window is the number of non-missing buckets in it."""
        got = sliding_count(_array(values), k)
        expected = [sum(v is not None for v in values[max(e - k, 0):e]) for e in range(len(values) + 1)]
        assert got.tolist() == expected
