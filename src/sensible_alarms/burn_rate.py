"""Multi-window, multi-burn-rate alerting windows (The Site Reliability Workbook, ch. 5), as data.

Each window pairs a long window (has enough of the budget burned?) with a short one (is it still
burning?). Both are single CloudWatch datapoints whose period is the window, evaluated every minute
over a sliding window, so a window can be at most one day (CloudWatch's longest period).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SensibleAlarmsError
from .urgency import Urgency

__all__ = ["BURN_RATE_WINDOWS", "MAX_PERIOD_SECONDS", "BurnRateWindow"]

#: CloudWatch's longest alarm period.
MAX_PERIOD_SECONDS = 86_400


@dataclass(frozen=True)
class BurnRateWindow:
    """Alarm when `budget_fraction` of the compliance period's error budget burns within
    `long_window_seconds`, confirmed by the same rate over `short_window_seconds`."""

    urgency: Urgency
    budget_fraction: float
    long_window_seconds: int
    short_window_seconds: int

    def __post_init__(self) -> None:
        for name in ("long_window_seconds", "short_window_seconds"):
            seconds = getattr(self, name)
            if isinstance(seconds, bool) or not isinstance(seconds, int) \
                    or seconds <= 0 or seconds % 60 or seconds > MAX_PERIOD_SECONDS:
                raise SensibleAlarmsError(
                    f"'{name}' of BurnRateWindow must be a whole number of minutes between 1 min and 1 day, "
                    f"CloudWatch's longest period (got {seconds} s)",
                    prop=name, value=seconds,
                )
        fraction = self.budget_fraction
        if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 < fraction < 1:
            raise SensibleAlarmsError(
                f"'budget_fraction' of BurnRateWindow must be strictly between 0 and 1 (got {fraction!r})",
                prop="budget_fraction", value=fraction,
            )
        if self.short_window_seconds >= self.long_window_seconds:
            raise SensibleAlarmsError(
                "'short_window_seconds' of BurnRateWindow must be shorter than the long window "
                f"(got {self.short_window_seconds} s >= {self.long_window_seconds} s)",
                prop="short_window_seconds", value=self.short_window_seconds,
            )

    def burn_rate(self, period_seconds: int) -> float:
        """How many times faster than the budget's even pace the window burns."""
        return self.budget_fraction * period_seconds / self.long_window_seconds

    @property
    def min_period_seconds(self) -> int:
        """Shortest compliance period for which this window's burn rate is at least 1x."""
        return round(self.long_window_seconds / self.budget_fraction)


#: The windows every availability and latency SLO is alarmed with. Burn rates follow from the
#: compliance period: for 30 days they are 14.4x, 6x and 3x.
BURN_RATE_WINDOWS: tuple[BurnRateWindow, ...] = (
    # 2% of the budget in 1 h: at this pace the whole budget is gone in about 2 days.
    BurnRateWindow(Urgency.HIGH, 0.02, 3_600, 300),
    # 5% of the budget in 6 h: gone in 5 days.
    BurnRateWindow(Urgency.HIGH, 0.05, 21_600, 1_800),
    # 10% of the budget in 1 day: gone in 10 days; a ticket, not a page.
    BurnRateWindow(Urgency.LOW, 0.10, 86_400, 7_200),
)
