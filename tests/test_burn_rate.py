"""The burn-rate window table: its maths, CloudWatch's limits, and BurnRateWindow's own validation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensible_alarms import BURN_RATE_WINDOWS, BurnRateWindow, SensibleAlarmsError, Urgency
from sensible_alarms.burn_rate import MAX_PERIOD_SECONDS

THIRTY_DAYS = 30 * 86_400
#: Compliance periods in whole seconds, from one minute to two years.
periods = st.integers(min_value=60, max_value=2 * 365 * 86_400)
properties = settings(max_examples=200, deadline=None)

WINDOW_IDS = [f"{w.budget_fraction:.0%} of the budget within {w.long_window_seconds // 60} min"
              for w in BURN_RATE_WINDOWS]


class TestBurnRateWindowsTable:
    def test_a_thirty_day_period_burns_at_14_4x_6x_and_3x(self):
        """For the 30-day default the three windows alarm at the SRE Workbook's 14.4x, 6x and 3x."""
        rates = [w.burn_rate(THIRTY_DAYS) for w in BURN_RATE_WINDOWS]
        assert rates == [pytest.approx(14.4, rel=1e-12), pytest.approx(6.0, rel=1e-12),
                         pytest.approx(3.0, rel=1e-12)]

    def test_the_windows_are_1h_over_5min_and_6h_over_30min_high_then_1day_over_2h_low(self):
        """The table is the Workbook's: two fast HIGH windows, one slow LOW window."""
        table = [(w.urgency, w.budget_fraction, w.long_window_seconds, w.short_window_seconds)
                 for w in BURN_RATE_WINDOWS]
        assert table == [
            (Urgency.HIGH, 0.02, 3_600, 300),
            (Urgency.HIGH, 0.05, 21_600, 1_800),
            (Urgency.LOW, 0.10, 86_400, 7_200),
        ]

    @properties
    @given(period=periods)
    def test_a_burn_rate_is_the_budget_fraction_times_the_period_over_the_long_window(self, period):
        """burn rate = budget_fraction x compliance period / long window, for any period."""
        for window in BURN_RATE_WINDOWS:
            expected = window.budget_fraction * period / window.long_window_seconds
            assert window.burn_rate(period) == pytest.approx(expected, rel=1e-12)

    @properties
    @given(period=periods)
    def test_faster_windows_burn_at_higher_rates_for_any_period(self, period):
        """The first window is always the fastest, so it alone sets the lowest usable target."""
        rates = [w.burn_rate(period) for w in BURN_RATE_WINDOWS]
        assert rates == sorted(rates, reverse=True)
        assert len(set(rates)) == len(rates)

    @properties
    @given(period=periods, longer=st.integers(min_value=1, max_value=365 * 86_400))
    def test_a_burn_rate_grows_with_the_compliance_period(self, period, longer):
        """A longer compliance period has a larger budget, so spending a fixed share of it is a faster burn."""
        for window in BURN_RATE_WINDOWS:
            assert window.burn_rate(period + longer) > window.burn_rate(period)

    @pytest.mark.parametrize("window", BURN_RATE_WINDOWS, ids=WINDOW_IDS)
    def test_a_long_window_is_longer_than_its_short_window(self, window):
        """The short window confirms the burn is still going on, so it is the shorter of the two."""
        assert window.long_window_seconds > window.short_window_seconds

    @pytest.mark.parametrize("window", BURN_RATE_WINDOWS, ids=WINDOW_IDS)
    def test_both_windows_are_valid_cloudwatch_periods(self, window):
        """Each window is one CloudWatch datapoint: a whole number of minutes, at most one day."""
        for seconds in (window.long_window_seconds, window.short_window_seconds):
            assert isinstance(seconds, int)
            assert seconds >= 60
            assert seconds % 60 == 0
            assert seconds <= MAX_PERIOD_SECONDS == 86_400

    @pytest.mark.parametrize("window", BURN_RATE_WINDOWS, ids=WINDOW_IDS)
    def test_a_budget_fraction_is_a_share_strictly_between_0_and_1(self, window):
        """Each window spends part of the budget, never none and never all of it."""
        assert 0 < window.budget_fraction < 1

    @pytest.mark.parametrize("window", BURN_RATE_WINDOWS, ids=WINDOW_IDS)
    def test_the_shortest_usable_period_burns_at_exactly_1x(self, window):
        """min_period_seconds is where the burn rate reaches 1x; one minute less falls below it."""
        assert window.burn_rate(window.min_period_seconds) == pytest.approx(1.0, rel=1e-12)
        assert window.burn_rate(window.min_period_seconds) >= 1
        assert window.burn_rate(window.min_period_seconds - 60) < 1

    def test_the_shortest_usable_periods_are_50h_5_days_and_10_days(self):
        """The 1-day LOW window needs a compliance period of 10 days or more."""
        assert [w.min_period_seconds for w in BURN_RATE_WINDOWS] == [50 * 3_600, 5 * 86_400, 10 * 86_400]


# -- BurnRateWindow's validation -------------------------------------------------------------------

#: Seconds that are not a CloudWatch period: zero or less, not whole minutes, or over a day.
bad_window_seconds = st.one_of(
    st.integers(max_value=0),
    st.integers(min_value=1, max_value=10 * 86_400).filter(lambda s: s % 60 != 0),
    st.integers(min_value=1_441, max_value=100 * 1_440).map(lambda m: m * 60),
)
good_window_minutes = st.integers(min_value=1, max_value=1_440)


class TestBurnRateWindow:
    @properties
    @given(long_minutes=st.integers(min_value=2, max_value=1_440), data=st.data(),
           fraction=st.floats(min_value=1e-6, max_value=1, exclude_max=True))
    def test_compliant_windows_construct(self, long_minutes, data, fraction):
        """Compliant: whole minutes, short below long, both at most a day, a fraction in (0, 1)."""
        short_minutes = data.draw(st.integers(min_value=1, max_value=long_minutes - 1))
        window = BurnRateWindow(Urgency.HIGH, fraction, long_minutes * 60, short_minutes * 60)
        assert window.long_window_seconds == long_minutes * 60

    @properties
    @given(seconds=bad_window_seconds, other_minutes=good_window_minutes)
    def test_a_long_window_that_is_no_cloudwatch_period_raises(self, seconds, other_minutes):
        """Non-compliant: a long window under a minute, of a part minute or over a day names the prop."""
        with pytest.raises(SensibleAlarmsError, match=r"'long_window_seconds'.*whole number of minutes") as caught:
            BurnRateWindow(Urgency.HIGH, 0.05, seconds, other_minutes * 60)
        assert caught.value.prop == "long_window_seconds"
        assert f"(got {seconds} s)" in str(caught.value)

    @properties
    @given(seconds=bad_window_seconds)
    def test_a_short_window_that_is_no_cloudwatch_period_raises(self, seconds):
        """Non-compliant: the short window is held to the same CloudWatch limits as the long one."""
        with pytest.raises(SensibleAlarmsError, match=r"'short_window_seconds'.*whole number of minutes") as caught:
            BurnRateWindow(Urgency.HIGH, 0.05, 86_400, seconds)
        assert caught.value.prop == "short_window_seconds"
        assert f"(got {seconds} s)" in str(caught.value)

    @properties
    @given(long_minutes=good_window_minutes, data=st.data())
    def test_a_short_window_as_long_as_the_long_one_or_longer_raises(self, long_minutes, data):
        """Non-compliant: a short window that does not fit inside the long one confirms nothing."""
        short_minutes = data.draw(st.integers(min_value=long_minutes, max_value=1_440))
        with pytest.raises(SensibleAlarmsError, match=r"'short_window_seconds'.*shorter than the long window"):
            BurnRateWindow(Urgency.LOW, 0.1, long_minutes * 60, short_minutes * 60)

    @properties
    @given(fraction=st.one_of(st.floats(max_value=0), st.floats(min_value=1), st.just(math.nan)))
    def test_a_budget_fraction_outside_0_to_1_raises(self, fraction):
        """Non-compliant: no share of the budget, all of it or more, or NaN."""
        with pytest.raises(SensibleAlarmsError, match="'budget_fraction'") as caught:
            BurnRateWindow(Urgency.LOW, fraction, 3_600, 300)
        assert caught.value.prop == "budget_fraction"
        assert repr(fraction) in str(caught.value)

    @pytest.mark.parametrize(
        ("fraction", "long", "short", "prop"),
        [
            pytest.param("0.05", 3_600, 300, "budget_fraction", id="a fraction given as a string"),
            pytest.param(True, 3_600, 300, "budget_fraction", id="a fraction given as a bool"),
            pytest.param(0.05, "3600", 300, "long_window_seconds", id="a long window given as a string"),
            pytest.param(0.05, 3_600.0, 300, "long_window_seconds", id="a long window given as a float"),
            pytest.param(0.05, 3_600, None, "short_window_seconds", id="a short window given as None"),
        ],
    )
    def test_a_value_of_the_wrong_type_raises_the_library_error_not_a_type_error(self, fraction, long, short, prop):
        """Non-compliant: strings, bools, floats and None are refused with SensibleAlarmsError."""
        with pytest.raises(SensibleAlarmsError, match=f"'{prop}'") as caught:
            BurnRateWindow(Urgency.HIGH, fraction, long, short)
        assert caught.value.prop == prop

    def test_the_library_error_is_a_value_error(self):
        """Callers that catch ValueError catch SensibleAlarmsError too."""
        with pytest.raises(ValueError, match="'budget_fraction'"):
            BurnRateWindow(Urgency.HIGH, 0, 3_600, 300)
