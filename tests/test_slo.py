"""SLO value objects: the alarm thresholds they imply, and how they refuse input that cannot work."""

from __future__ import annotations

import datetime
import math
import re
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sensible_alarms import BURN_RATE_WINDOWS, AvailabilitySlo, FreshnessSlo, LatencySlo, SensibleAlarmsError

if TYPE_CHECKING:
    from collections.abc import Callable

properties = settings(max_examples=150, deadline=None)

DAY = 86_400
#: The shortest compliance period every window can alarm in (the 1-day window burns 10% at 1x).
SHORTEST_PERIOD = 10 * DAY
WINDOW_IDS = [f"{w.budget_fraction:.0%} of the budget within {w.long_window_seconds // 60} min"
              for w in BURN_RATE_WINDOWS]


def _fastest_rate(period_seconds: int) -> float:
    """The highest burn rate of the table, computed from the table's numbers, not the library's code."""
    return max(w.budget_fraction * period_seconds / w.long_window_seconds for w in BURN_RATE_WINDOWS)


def _lowest_target(period_seconds: int) -> float:
    """Below this target the fastest window would need more than 100% of requests to fail."""
    return 100 * (1 - 1 / _fastest_rate(period_seconds))


#: Valid compliance periods, written the ways a user writes them, from 10 days to 2 years.
periods = st.one_of(
    st.integers(min_value=10, max_value=730).map(Duration.days),
    st.integers(min_value=10 * 24, max_value=730 * 24).map(Duration.hours),
    st.integers(min_value=10 * 1_440, max_value=730 * 1_440).map(Duration.minutes),
)


@st.composite
def period_and_target(draw: st.DrawFn) -> tuple[Duration, float]:
    """A valid compliance period and a target the fastest window can alarm on in it."""
    period = draw(periods)
    lowest = _lowest_target(int(period.to_seconds()))
    target = draw(st.floats(min_value=lowest + 1e-9, max_value=100, exclude_max=True))
    return period, target


#: The two SLOs that take a target and a compliance period, each with a valid rest.
TARGETED: dict[str, Callable[..., Any]] = {
    "AvailabilitySlo": lambda **kw: AvailabilitySlo(**kw),
    "LatencySlo": lambda **kw: LatencySlo(threshold=Duration.seconds(1), **kw),
}


def _threshold(slo: AvailabilitySlo | LatencySlo, window: Any) -> float:
    if isinstance(slo, AvailabilitySlo):
        return slo.error_ratio_threshold(window)
    return slo.slow_ratio_threshold(window)


class TestBurnRateThresholds:
    @properties
    @given(case=period_and_target(), kind=st.sampled_from(sorted(TARGETED)))
    def test_each_threshold_is_the_burn_rate_times_the_error_budget(self, case, kind):
        """threshold = (budget_fraction x period / long window) x (1 - target/100), for any valid SLO."""
        period, target = case
        slo = TARGETED[kind](target=target, period=period)
        seconds = period.to_seconds()
        for window in BURN_RATE_WINDOWS:
            burn_rate = window.budget_fraction * seconds / window.long_window_seconds
            assert _threshold(slo, window) == pytest.approx(burn_rate * (1 - target / 100), rel=1e-9)

    @properties
    @given(case=period_and_target(), kind=st.sampled_from(sorted(TARGETED)))
    def test_every_threshold_is_a_ratio_strictly_below_1(self, case, kind):
        """An accepted SLO never asks for 100% or more of requests to fail: each alarm can fire."""
        period, target = case
        slo = TARGETED[kind](target=target, period=period)
        for window in BURN_RATE_WINDOWS:
            assert 0 < _threshold(slo, window) < 1

    @properties
    @given(case=period_and_target(), data=st.data(), kind=st.sampled_from(sorted(TARGETED)))
    def test_a_higher_target_gives_every_window_a_lower_threshold(self, case, data, kind):
        """Monotonic: raising the target shrinks the error budget, so each window alarms on fewer failures."""
        period, low = case
        high = data.draw(st.floats(min_value=low, max_value=100, exclude_max=True))
        assume(high - low > 1e-6)
        looser, stricter = TARGETED[kind](target=low, period=period), TARGETED[kind](target=high, period=period)
        for window in BURN_RATE_WINDOWS:
            assert _threshold(stricter, window) < _threshold(looser, window)

    @pytest.mark.parametrize(
        ("target", "expected"),
        [
            pytest.param(99.9, [0.0144, 0.006, 0.003], id="99.9 percent alarms at 1.44, 0.6 and 0.3 percent failed"),
            pytest.param(99.0, [0.144, 0.06, 0.03], id="99 percent alarms at 14.4, 6 and 3 percent failed"),
            pytest.param(95.0, [0.72, 0.3, 0.15], id="95 percent alarms at 72, 30 and 15 percent failed"),
        ],
    )
    def test_the_thirty_day_default_alarms_at_14_4x_6x_and_3x_the_budget(self, target, expected):
        """With the default 30-day period the windows burn at 14.4x, 6x and 3x the error budget."""
        slo = AvailabilitySlo(target=target)
        assert slo.period_seconds == 30 * DAY
        assert [slo.error_ratio_threshold(w) for w in BURN_RATE_WINDOWS] == [
            pytest.approx(t, rel=1e-9) for t in expected]

    def test_the_error_budget_is_the_share_of_requests_allowed_to_fail(self):
        """99.9% leaves 0.1% of requests, 0.001, to fail."""
        assert AvailabilitySlo(target=99.9).error_budget == pytest.approx(0.001, rel=1e-9)
        assert LatencySlo(threshold=Duration.seconds(1), target=99.0).slow_budget == pytest.approx(0.01, rel=1e-9)

    def test_an_integer_target_is_stored_as_a_float(self):
        """target=99 and target=99.0 are the same SLO."""
        slo = AvailabilitySlo(target=99)
        assert isinstance(slo.target, float)
        assert slo == AvailabilitySlo(target=99.0)


# -- the target ------------------------------------------------------------------------------------

out_of_range_targets = st.one_of(
    st.floats(max_value=0),  # includes -inf and -0.0
    st.floats(min_value=100),  # includes inf
    st.integers(max_value=0),
    st.integers(min_value=100),
)
not_a_number_targets = st.one_of(
    st.just(math.nan), st.just(math.inf), st.just(-math.inf), st.booleans(), st.text(max_size=8), st.none(),
    st.floats(min_value=1, max_value=99).map(str),
)


class TestTarget:
    @properties
    @given(target=out_of_range_targets, kind=st.sampled_from(sorted(TARGETED)))
    def test_a_target_outside_0_to_100_percent_raises_naming_the_prop_and_value(self, target, kind):
        """Non-compliant: 0 promises nothing, 100 leaves no budget; the message names 'target' and the value."""
        with pytest.raises(SensibleAlarmsError) as caught:
            TARGETED[kind](target=target)
        message = str(caught.value)
        assert f"'target' of {kind}" in message
        assert f"(got {target!r})" in message
        assert caught.value.prop == "target"

    @properties
    @given(target=not_a_number_targets, kind=st.sampled_from(sorted(TARGETED)))
    def test_a_target_that_is_not_a_finite_number_raises_naming_the_prop_and_value(self, target, kind):
        """Non-compliant: NaN, infinities, bools, strings and None are refused, never coerced."""
        with pytest.raises(SensibleAlarmsError) as caught:
            TARGETED[kind](target=target)
        message = str(caught.value)
        assert f"'target' of {kind}" in message
        assert f"(got {target!r})" in message
        assert caught.value.prop == "target"
        assert caught.value.value is target

    def test_the_error_is_a_value_error(self):
        """Callers that catch ValueError catch SensibleAlarmsError too."""
        assert issubclass(SensibleAlarmsError, ValueError)
        with pytest.raises(ValueError, match="'target'"):
            AvailabilitySlo(target=100)

    @pytest.mark.parametrize("kind", sorted(TARGETED), ids=lambda k: f"for a {k}")
    def test_a_target_of_93_05_is_too_low_for_a_14_4x_burn_and_says_93_06_is_the_lowest(self, kind):
        """Non-compliant: at 14.4x a 6.95% budget needs over 100% of requests to fail; the fix is named."""
        with pytest.raises(SensibleAlarmsError) as caught:
            TARGETED[kind](target=93.05)
        message = str(caught.value)
        assert "'target'" in message
        assert "93.05%" in message
        assert "14.4x" in message
        assert message.startswith("'target' of ")
        assert "must be above 93.06% over 30 days (got 93.05%)" in message
        assert caught.value.prop == "target"

    @pytest.mark.parametrize("kind", sorted(TARGETED), ids=lambda k: f"for a {k}")
    def test_a_target_of_93_06_is_accepted_for_thirty_days(self, kind):
        """Compliant: the lowest target the message suggests works, with the fastest threshold just below 1."""
        slo = TARGETED[kind](target=93.06)
        assert _threshold(slo, BURN_RATE_WINDOWS[0]) == pytest.approx(0.99936, rel=1e-9)

    @properties
    @given(period=periods, data=st.data())
    def test_any_target_too_low_for_the_fastest_burn_raises_with_a_suggestion_that_works(self, period, data):
        """Non-compliant: below the lowest target the message names a target above which every SLO is accepted."""
        seconds = int(period.to_seconds())
        lowest = _lowest_target(seconds)
        target = data.draw(st.floats(min_value=1e-6, max_value=lowest, exclude_max=True))
        with pytest.raises(SensibleAlarmsError) as caught:
            AvailabilitySlo(target=target, period=period)
        match = re.search(r"must be above (\d+\.\d\d)%|a target above (\d+\.\d\d)% would also do", str(caught.value))
        assert match, str(caught.value)
        suggested = float(match.group(1) or match.group(2))
        assert lowest <= suggested <= lowest + 0.01 + 1e-9
        if suggested + 0.001 < 100:
            AvailabilitySlo(target=suggested + 0.001, period=period)


# -- the compliance period -------------------------------------------------------------------------

class TestCompliancePeriod:
    @properties
    @given(seconds=st.integers(min_value=1, max_value=SHORTEST_PERIOD - 1))
    def test_a_period_where_a_window_burns_below_1x_raises_and_names_the_shortest_period(self, seconds):
        """Non-compliant: under 10 days the 1-day window would alarm below the budget's own pace."""
        with pytest.raises(SensibleAlarmsError) as caught:
            AvailabilitySlo(target=99.9, period=Duration.seconds(seconds))
        message = str(caught.value)
        assert "'period' of AvailabilitySlo must be at least 10 days (got " in message
        assert caught.value.prop == "period"
        assert caught.value.value == seconds

    @pytest.mark.parametrize(
        "period",
        [
            pytest.param(Duration.days(7), id="a 7-day period where only the 1-day window is too slow"),
            pytest.param(Duration.days(3), id="a 3-day period where the 6-hour window is too slow too"),
            pytest.param(Duration.hours(24), id="a 1-day period where every window is too slow"),
        ],
    )
    def test_the_suggested_period_is_the_one_every_window_needs(self, period):
        """Non-compliant: the message never suggests a period that then fails on another window."""
        with pytest.raises(SensibleAlarmsError, match="at least 10 days"):
            AvailabilitySlo(target=99.9, period=period)

    def test_a_short_period_is_reported_before_a_target_it_makes_too_low(self):
        """Non-compliant: the period is fixed first, so the target advice that follows is for a valid period."""
        with pytest.raises(SensibleAlarmsError, match="'period'") as caught:
            AvailabilitySlo(target=50, period=Duration.days(5))
        assert caught.value.prop == "period"

    def test_a_ten_day_period_is_the_shortest_accepted(self):
        """Compliant: at 10 days the 1-day window burns at exactly 1x."""
        slo = AvailabilitySlo(target=99.9, period=Duration.days(10))
        assert slo.period_seconds == SHORTEST_PERIOD

    @properties
    @given(period=periods)
    def test_every_period_of_ten_days_or_more_is_accepted_with_a_high_target(self, period):
        """Compliant: from 10 days to 2 years, a 99.99% target is accepted."""
        slo = AvailabilitySlo(target=99.99, period=period)
        assert slo.period_seconds == period.to_seconds()


# -- durations, of every SLO -----------------------------------------------------------------------

#: (SLO, prop, build with the duration under test): every Duration prop of the SLOs.
DURATION_PROPS = [
    pytest.param("AvailabilitySlo", "period", lambda d: AvailabilitySlo(target=99.9, period=d),
                 id="the period of an AvailabilitySlo"),
    pytest.param("LatencySlo", "period", lambda d: LatencySlo(threshold=Duration.seconds(1), target=99, period=d),
                 id="the period of a LatencySlo"),
    pytest.param("LatencySlo", "threshold", lambda d: LatencySlo(threshold=d, target=99),
                 id="the threshold of a LatencySlo"),
    pytest.param("FreshnessSlo", "max_age", lambda d: FreshnessSlo(max_age=d), id="the max_age of a FreshnessSlo"),
]


class TestDurations:
    @pytest.mark.parametrize(("owner", "prop", "build"), DURATION_PROPS)
    @pytest.mark.parametrize(
        "zero",
        [Duration.millis(0), Duration.seconds(0), Duration.minutes(0), Duration.days(0)],
        ids=["of 0 ms", "of 0 s", "of 0 min", "of 0 days"],
    )
    def test_a_zero_duration_raises_naming_the_prop(self, owner, prop, build, zero):
        """Non-compliant: nothing can be measured over, or within, no time at all."""
        with pytest.raises(SensibleAlarmsError, match=f"'{prop}'") as caught:
            build(zero)
        assert caught.value.prop == prop

    def test_a_negative_duration_cannot_even_be_written(self):
        """aws-cdk-lib refuses negative amounts itself, before any SLO sees them."""
        with pytest.raises(RuntimeError, match="cannot be negative"):
            Duration.seconds(-1)

    @pytest.mark.parametrize(("owner", "prop", "build"), DURATION_PROPS)
    @pytest.mark.parametrize(
        "value",
        [30, 1000.0, "30 days", datetime.timedelta(days=30), None],
        ids=["given as an int", "given as a float", "given as a string", "given as a timedelta", "given as None"],
    )
    def test_a_value_that_is_not_a_duration_raises_naming_the_prop_and_value(self, owner, prop, build, value):
        """Non-compliant: bare numbers are ambiguous (seconds? days?), so only aws_cdk.Duration is accepted."""
        with pytest.raises(SensibleAlarmsError, match=f"'{prop}'.*aws_cdk.Duration") as caught:
            build(value)
        assert f"(got {value!r})" in str(caught.value)
        assert caught.value.prop == prop

    @pytest.mark.parametrize(("owner", "prop", "build"), DURATION_PROPS)
    def test_a_duration_from_a_token_raises_instead_of_being_guessed(self, owner, prop, build):
        """Non-compliant: a deploy-time value cannot be turned into thresholds at synth time."""
        token = Duration.minutes(cdk.Token.as_number(cdk.Fn.ref("Minutes")))
        with pytest.raises(SensibleAlarmsError, match=f"'{prop}' of {owner} must be .*concrete") as caught:
            build(token)
        assert caught.value.prop == prop

    @pytest.mark.parametrize(
        ("owner", "prop", "build"), [p for p in DURATION_PROPS if p.values[1] != "threshold"])
    @pytest.mark.parametrize(
        "part", [Duration.millis(1), Duration.millis(86_400_500), Duration.seconds(0.25)],
        ids=["of 1 ms", "of 1 day and half a second", "of a quarter second"])
    def test_a_period_or_age_that_is_not_whole_seconds_raises(self, owner, prop, build, part):
        """Non-compliant: CloudWatch counts periods and ages in whole seconds; nothing is silently rounded."""
        with pytest.raises(SensibleAlarmsError, match=f"'{prop}' of {owner} must be a whole number of seconds"):
            build(part)


class TestLatencySlo:
    @properties
    @given(millis=st.integers(min_value=1, max_value=900_000))
    def test_any_whole_number_of_milliseconds_up_to_15_min_is_accepted(self, millis):
        """Compliant: PR(:t) alarms take t in whole milliseconds."""
        assert LatencySlo(threshold=Duration.millis(millis), target=99).threshold_millis == millis

    @pytest.mark.parametrize(
        ("threshold", "millis"),
        [
            pytest.param(Duration.seconds(1.5), 1_500, id="1.5 seconds is 1500 ms"),
            pytest.param(Duration.minutes(1), 60_000, id="1 minute is 60000 ms"),
        ],
    )
    def test_a_threshold_in_other_units_is_read_in_milliseconds(self, threshold, millis):
        """Compliant: any unit works when it comes to whole milliseconds."""
        assert LatencySlo(threshold=threshold, target=99).threshold_millis == millis

    @properties
    @given(millis=st.floats(min_value=0.001, max_value=900_000).filter(lambda m: m != int(m)))
    def test_a_threshold_that_is_not_whole_milliseconds_raises(self, millis):
        """Non-compliant: a fractional millisecond raises the library's error, not a jsii one."""
        with pytest.raises(SensibleAlarmsError, match="'threshold' of LatencySlo must be a whole number of milli") \
                as caught:
            LatencySlo(threshold=Duration.millis(millis), target=99)
        assert caught.value.prop == "threshold"

    @pytest.mark.parametrize(
        "threshold",
        [Duration.millis(0), Duration.seconds(0.0005)],
        ids=["0 ms", "half a millisecond"],
    )
    def test_a_threshold_under_1_ms_raises(self, threshold):
        """Non-compliant: a request cannot be faster than 1 ms in API Gateway's metrics."""
        with pytest.raises(SensibleAlarmsError, match="at least 1 ms") as caught:
            LatencySlo(threshold=threshold, target=99)
        assert caught.value.prop == "threshold"

    @properties
    @given(millis=st.integers(min_value=900_001, max_value=6 * 3_600_000))
    def test_a_threshold_over_15_min_raises_showing_the_value(self, millis):
        """Non-compliant: no Lambda-backed request takes longer than Lambda's 15-minute timeout."""
        with pytest.raises(SensibleAlarmsError, match="at most 15 min") as caught:
            LatencySlo(threshold=Duration.millis(millis), target=99)
        assert f"(got {millis} ms)" in str(caught.value)
        assert caught.value.prop == "threshold"

    def test_describe_states_the_slo_in_customer_terms(self):
        """The SLO text in alarm descriptions reads as a promise to customers."""
        slo = LatencySlo(threshold=Duration.seconds(1), target=99)
        assert slo.describe() == "latency: 99% of requests complete within 1000 ms over 30 days"


class TestFreshnessSlo:
    @properties
    @given(seconds=st.integers(min_value=60, max_value=14 * DAY))
    def test_any_age_from_1_minute_to_14_days_is_accepted(self, seconds):
        """Compliant: ages are reported once a minute, and SQS keeps a message 14 days at most."""
        assert FreshnessSlo(max_age=Duration.seconds(seconds)).max_age_seconds == seconds

    @properties
    @given(seconds=st.integers(min_value=1, max_value=59))
    def test_an_age_under_1_minute_raises_showing_the_value(self, seconds):
        """Non-compliant: an age under a minute is finer than the metrics can tell."""
        with pytest.raises(SensibleAlarmsError, match="'max_age' of FreshnessSlo must be at least 1 minute") \
                as caught:
            FreshnessSlo(max_age=Duration.seconds(seconds))
        assert f"(got {seconds} s)" in str(caught.value)
        assert caught.value.prop == "max_age"

    @properties
    @given(millis=st.integers(min_value=1, max_value=59_999))
    def test_any_age_under_1_minute_in_milliseconds_raises(self, millis):
        """Non-compliant: under a minute is refused however it is written, never rounded up to a minute."""
        with pytest.raises(SensibleAlarmsError, match="'max_age' of FreshnessSlo") as caught:
            FreshnessSlo(max_age=Duration.millis(millis))
        assert caught.value.prop == "max_age"

    @properties
    @given(seconds=st.integers(min_value=14 * DAY + 1, max_value=400 * DAY))
    def test_an_age_over_14_days_raises(self, seconds):
        """Non-compliant: no SQS message waits longer than 14 days, so such an alarm could never fire."""
        with pytest.raises(SensibleAlarmsError, match="'max_age' of FreshnessSlo must be at most 14 days") \
                as caught:
            FreshnessSlo(max_age=Duration.seconds(seconds))
        assert caught.value.prop == "max_age"

    @pytest.mark.parametrize(
        ("max_age", "seconds"),
        [
            pytest.param(Duration.minutes(1), 60, id="exactly 1 minute"),
            pytest.param(Duration.days(14), 14 * DAY, id="exactly 14 days"),
        ],
    )
    def test_the_bounds_themselves_are_accepted(self, max_age, seconds):
        """Compliant: 1 minute and 14 days are inside the range."""
        assert FreshnessSlo(max_age=max_age).max_age_seconds == seconds


# -- messages that say what the user did wrong -----------------------------------------------------

class TestMessages:
    def test_a_period_too_long_for_the_target_names_the_period_rule_and_value(self):
        """Non-compliant: 100000 days is the period's fault (99.9% is fine over 30 days): the period rule is named."""
        with pytest.raises(SensibleAlarmsError) as caught:
            AvailabilitySlo(target=99.9, period=Duration.days(100_000))
        message = str(caught.value)
        assert message.startswith("'period' of AvailabilitySlo must be at most "), message
        assert "(got 100000 days)" in message
        assert caught.value.prop == "period"

    @pytest.mark.parametrize("target", [99.9, 99.0, 95.0])
    def test_the_longest_period_named_is_accepted_and_a_day_more_is_not(self, target):
        """Compliant at the period the message names, non-compliant one day beyond it."""
        with pytest.raises(SensibleAlarmsError) as caught:
            AvailabilitySlo(target=target, period=Duration.days(100_000))
        match = re.search(r"must be at most (\d+) days", str(caught.value))
        assert match, str(caught.value)
        days = int(match.group(1))
        AvailabilitySlo(target=target, period=Duration.days(days))
        with pytest.raises(SensibleAlarmsError, match="'period'"):
            AvailabilitySlo(target=target, period=Duration.days(days + 1))

    @pytest.mark.parametrize(("owner", "prop", "build"), DURATION_PROPS)
    def test_a_token_duration_is_shown_as_a_token_not_as_a_number(self, owner, prop, build):
        """A deploy-time Duration is shown as an unresolved token, never as the huge number that encodes it."""
        token = Duration.days(cdk.Token.as_number(cdk.Fn.ref("Days")))
        with pytest.raises(SensibleAlarmsError) as caught:
            build(token)
        message = str(caught.value)
        assert "(got an unresolved token" in message, message
        assert "e+" not in message, message
        assert "Duration.days(" not in message, message
