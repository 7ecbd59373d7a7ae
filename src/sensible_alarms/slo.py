"""Service level objectives in customer terms, validated when they are made."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import aws_cdk as cdk

from ._durations import UNRESOLVED, seconds_of, words
from .burn_rate import BURN_RATE_WINDOWS, BurnRateWindow
from .errors import SensibleAlarmsError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["AvailabilitySlo", "FreshnessSlo", "LatencySlo"]

_DEFAULT_COMPLIANCE_PERIOD = cdk.Duration.days(30)
_DEFAULT_PERIOD_SECONDS = 30 * 86_400


def _check_target(owner: str, target: object) -> float:
    if isinstance(target, bool) or not isinstance(target, int | float) or not math.isfinite(target):
        raise SensibleAlarmsError(
            f"'target' of {owner} must be a percentage, a number strictly between 0 and 100 (got {target!r})",
            prop="target", value=target,
        )
    if not 0 < target < 100:
        raise SensibleAlarmsError(
            f"'target' of {owner} must be strictly between 0 and 100 percent (got {target!r}); "
            "100 leaves no error budget to alarm on, 0 promises nothing",
            prop="target", value=target,
        )
    return float(target)


def _check_tickets(owner: str, tickets: object) -> None:
    if not isinstance(tickets, bool):
        raise SensibleAlarmsError(f"'tickets' of {owner} must be True or False (got {tickets!r})",
                                  prop="tickets", value=tickets)


def _lowest_target(period_seconds: int, windows: Sequence[BurnRateWindow]) -> float:
    """The lowest target the fastest window allows over ``period_seconds``, rounded up to 0.01%: every
    target above it is accepted."""
    fastest = max(w.burn_rate(period_seconds) for w in windows)
    return math.ceil(100 * 100 * (1 - 1 / fastest)) / 100


def _longest_period_days(target: float, windows: Sequence[BurnRateWindow]) -> int:
    """The longest compliance period, in whole days, over which every window's threshold stays a ratio
    below 100% for ``target`` (each needs ``burn rate x budget < 1``)."""
    budget = 1 - target / 100
    bound = min(w.long_window_seconds / (w.budget_fraction * budget) for w in windows)  # seconds, exclusive
    return math.ceil(bound / 86_400) - 1


def _check_budget_reachable(owner: str, target: float, period_seconds: int,
                            windows: Sequence[BurnRateWindow]) -> None:
    """Every burn-rate threshold must be a ratio below 100%, and every burn rate at least 1x:
    otherwise the alarm could never fire, or would fire below the budget's own pace."""
    budget = 1 - target / 100
    # The period first, against every window: a target is only too low for a given period, and the
    # period suggested must be one that no window refuses.
    shortest = max(w.min_period_seconds for w in windows)
    for window in windows:
        rate = window.burn_rate(period_seconds)
        if rate < 1:
            raise SensibleAlarmsError(
                f"'period' of {owner} must be at least {words(shortest)} (got {words(period_seconds)}): the "
                f"{words(window.long_window_seconds)} window would alarm at {rate:.2f}x the budget's pace, "
                "slower than the pace that spends the budget over the period",
                prop="period", value=period_seconds,
            )
    for window in windows:
        rate = window.burn_rate(period_seconds)
        if rate * budget < 1:
            continue
        why = (f"the {rate:g}x burn rate over {words(window.long_window_seconds)} would need "
               f"{100 * rate * budget:.1f}% of requests to fail, which can never happen")
        lowest = _lowest_target(period_seconds, windows)
        longest = _longest_period_days(target, windows)
        if target >= _lowest_target(_DEFAULT_PERIOD_SECONDS, windows):
            # The target works over the usual 30 days: the period is what is out of range.
            other = f"; a target above {lowest:.2f}% would also do" if lowest < 100 else ""
            raise SensibleAlarmsError(
                f"'period' of {owner} must be at most {longest} days for a {target:g}% target "
                f"(got {words(period_seconds)}): {why}{other}",
                prop="period", value=period_seconds,
            )
        other = (f"; a compliance period of at most {longest} days would also do"
                 if longest * 86_400 >= shortest else "")
        raise SensibleAlarmsError(
            f"'target' of {owner} must be above {lowest:.2f}% over {words(period_seconds)} "
            f"(got {target:g}%): {why}{other}",
            prop="target", value=target,
        )


@dataclass(frozen=True)
class AvailabilitySlo:
    """`target` percent of requests succeed over the compliance `period`.

    Example: ``AvailabilitySlo(target=99.9)``: 99.9% of requests succeed over 30 days, an error
    budget of 0.1% of requests.

    :param target: percent of requests that succeed, strictly between 0 and 100.
    :param period: compliance period the error budget is spent over. Default: 30 days.
    :param tickets: LOW tickets for burns too slow to page (10% of the budget within 1 day): True
        adds the LOW windows and their alarms ($0.60 a month, and the LOW composites' $1.00 when no
        other SLO of the entrypoint has tickets). Default: False, no tickets: slow burns under the
        HIGH thresholds are not told. On the fleet benchmark the tickets told no incident the pages
        did not, and sent false notifications (docs/cost.md, "Cost options").
    """

    target: float
    period: cdk.Duration = field(default=_DEFAULT_COMPLIANCE_PERIOD)
    tickets: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "target", _check_target("AvailabilitySlo", self.target))
        _check_tickets("AvailabilitySlo", self.tickets)
        _check_budget_reachable("AvailabilitySlo", self.target, self.period_seconds, BURN_RATE_WINDOWS)

    @cached_property  # each read is a jsii call
    def period_seconds(self) -> int:
        return seconds_of(self.period, owner="AvailabilitySlo", prop="period")

    @property
    def error_budget(self) -> float:
        """Share of requests allowed to fail, as a fraction (0.001 for 99.9%)."""
        return 1 - self.target / 100

    def error_ratio_threshold(self, window: BurnRateWindow) -> float:
        """Failed / all requests at which `window` alarms: burn rate x error budget."""
        return window.burn_rate(self.period_seconds) * self.error_budget

    def describe(self) -> str:
        return f"availability: {self.target:g}% of requests succeed over {words(self.period_seconds)}"


@dataclass(frozen=True)
class LatencySlo:
    """`target` percent of requests complete within `threshold`, over the compliance `period`.

    Example: ``LatencySlo(threshold=Duration.seconds(1), target=99.0)``: 99% of requests complete
    within 1 s.

    :param threshold: the latency a request must not exceed, a whole number of milliseconds.
    :param target: percent of requests that must be that fast, strictly between 0 and 100.
    :param period: compliance period. Default: 30 days.
    :param tickets: LOW tickets for slow burns, as for ``AvailabilitySlo``. Default: False.
    """

    threshold: cdk.Duration
    target: float
    period: cdk.Duration = field(default=_DEFAULT_COMPLIANCE_PERIOD)
    tickets: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "target", _check_target("LatencySlo", self.target))
        _check_tickets("LatencySlo", self.tickets)
        millis = self.threshold_millis
        if millis > 900_000:
            raise SensibleAlarmsError(
                f"'threshold' of LatencySlo must be at most 15 min, the longest a Lambda-backed request can "
                f"take (got {millis} ms)",
                prop="threshold", value=millis,
            )
        _check_budget_reachable("LatencySlo", self.target, self.period_seconds, BURN_RATE_WINDOWS)

    @cached_property  # each read is a jsii call
    def threshold_millis(self) -> int:
        if not isinstance(self.threshold, cdk.Duration):
            raise SensibleAlarmsError(
                f"'threshold' of LatencySlo must be an aws_cdk.Duration (got {self.threshold!r})",
                prop="threshold", value=self.threshold,
            )
        if self.threshold.is_unresolved():
            raise SensibleAlarmsError(f"'threshold' of LatencySlo must be a concrete Duration, not a token "
                                      f"(got {UNRESOLVED})", prop="threshold", value=self.threshold)
        millis = self.threshold.to_milliseconds(integral=False)
        if millis < 1 or millis != int(millis):
            raise SensibleAlarmsError(
                f"'threshold' of LatencySlo must be a whole number of milliseconds, at least 1 ms "
                f"(got {self.threshold.to_human_string()})",
                prop="threshold", value=self.threshold.to_human_string(),
            )
        return int(millis)

    @cached_property  # each read is a jsii call
    def period_seconds(self) -> int:
        return seconds_of(self.period, owner="LatencySlo", prop="period")

    @property
    def slow_budget(self) -> float:
        """Share of requests allowed to be slower than the threshold, as a fraction."""
        return 1 - self.target / 100

    def slow_ratio_threshold(self, window: BurnRateWindow) -> float:
        return window.burn_rate(self.period_seconds) * self.slow_budget

    def describe(self) -> str:
        return (f"latency: {self.target:g}% of requests complete within {self.threshold_millis} ms "
                f"over {words(self.period_seconds)}")


@dataclass(frozen=True)
class FreshnessSlo:
    """The longest a customer's queued or streamed work may wait before it is processed.

    Example: ``FreshnessSlo(max_age=Duration.minutes(15))``.

    :param max_age: the oldest a waiting message or record may be; at least 1 minute, because
        SQS and Lambda report ages once a minute.
    """

    max_age: cdk.Duration

    def __post_init__(self) -> None:
        seconds = self.max_age_seconds
        if seconds < 60:
            raise SensibleAlarmsError(
                f"'max_age' of FreshnessSlo must be at least 1 minute: ages are reported once a minute "
                f"(got {words(seconds)})",
                prop="max_age", value=seconds,
            )
        if seconds > 14 * 86400:
            raise SensibleAlarmsError(
                f"'max_age' of FreshnessSlo must be at most 14 days, SQS's longest retention "
                f"(got {words(seconds)})",
                prop="max_age", value=seconds,
            )

    @cached_property  # each read is a jsii call
    def max_age_seconds(self) -> int:
        return seconds_of(self.max_age, owner="FreshnessSlo", prop="max_age")

    def describe(self) -> str:
        return f"freshness: work waits at most {words(self.max_age_seconds)} before it is processed"
