"""An alarm's datapoints at its own period, from the rows a metrics file holds.

CloudWatch evaluates an alarm every minute over a *sliding* window: the datapoint of an alarm
with period P evaluated at minute t is the statistic over ``[t - P, t)``. For Sum, SampleCount,
Minimum, Maximum and Average (as Sum / SampleCount) the engine derives it from one-minute rows;
any other statistic must be given at the alarm's own period, one row per minute.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .exceptions import ReplayError
from .statistics import is_derivable
from .store import Dimensions, MetricStore, SeriesKey, describe_metric
from .windows import FloatArray, Reduction, sliding_reduce

__all__ = ["Resolution", "resolve"]

_FINE = 60
_REDUCTIONS: dict[str, Reduction] = {"sum": "sum", "min": "min", "max": "max"}


@dataclass(frozen=True)
class Resolution:
    """How one metric's datapoints at one period are computed.

    ``method`` is ``"rows"`` (rows at the period itself), ``"sum"``, ``"min"``, ``"max"`` (a sliding
    window over one-minute rows), ``"average"`` (sliding Sum / sliding SampleCount, ``uses`` =
    (Sum, SampleCount) or (Average, SampleCount) rows) or ``"absent"`` (the file has no row of this
    metric at all: every datapoint is missing).
    """

    method: str
    period: int
    uses: tuple[SeriesKey, ...]

    def compute(self, store: MetricStore) -> FloatArray:
        """Datapoints by end index: element ``e`` is the window ending at ``store.origin + 60 e``
        (length ``store.buckets + k + 1`` for a period of k minutes, so the last window is the
        first that holds no row; NaN where the datapoint is missing)."""
        n = store.buckets
        k = self.period // _FINE
        if self.method == "absent":
            return np.full(n + k + 1, np.nan)
        if self.method == "rows":
            out = np.full(n + k + 1, np.nan)
            out[k:k + n] = store.row(self.uses[0])
            return out
        tail = np.full(k, np.nan)
        if self.method in _REDUCTIONS:
            row = np.concatenate((store.row(self.uses[0]), tail))
            return sliding_reduce(row, k, _REDUCTIONS[self.method])
        # average
        first, counts = (np.concatenate((store.row(u), tail)) for u in self.uses)
        sums = first if self.uses[0].stat == "Sum" else first * counts
        with np.errstate(invalid="ignore", divide="ignore"):
            total = sliding_reduce(sums, k, "sum")
            count = sliding_reduce(counts, k, "sum")
            out = total / count
        out[~(count > 0)] = np.nan
        return out


def resolve(store: MetricStore, namespace: str, metric: str, dimensions: Dimensions, stat: str, period: int,
            *, alarm: str) -> Resolution:
    """How to compute ``stat`` of a metric at ``period`` from ``store``; raise :class:`ReplayError`
    naming the alarm and the rows it lacks when the file cannot give it."""
    if period % _FINE:
        raise ReplayError(f"period {period} s is not a whole number of minutes: high-resolution alarms "
                          "are not supported by replay", path=alarm, prop="period", value=period)
    own = SeriesKey(namespace, metric, dimensions, stat, period)
    fine = {k.stat: k for k in store.series_of(namespace, metric, dimensions) if k.period == _FINE}
    sparse_own: int | None = None
    if own in store:
        spacing = store.row_spacing(own) if period > _FINE else None
        if spacing is None or spacing == _FINE:
            return Resolution("rows", period, (own,))
        sparse_own = spacing
    if is_derivable(stat):
        if stat in ("Sum", "SampleCount", "Minimum", "Maximum") and stat in fine:
            method = {"Sum": "sum", "SampleCount": "sum", "Minimum": "min", "Maximum": "max"}[stat]
            return Resolution(method, period, (fine[stat],))
        if stat == "Average" and "SampleCount" in fine and ("Sum" in fine or "Average" in fine):
            base = fine["Sum"] if "Sum" in fine else fine["Average"]
            return Resolution("average", period, (base, fine["SampleCount"]))
    what = describe_metric(namespace, metric, dimensions)
    if sparse_own is not None:
        hint = "; alternatively " + _derivable_hint(stat, fine) if is_derivable(stat) else ""
        raise ReplayError(
            f"rows of {what} {stat} at {period} s are {sparse_own} s apart, but a sliding window needs one "
            f"row per minute of evaluation{hint}", path=alarm, prop="metrics")
    others = store.series_of(namespace, metric, dimensions)
    if not others:
        return Resolution("absent", period, ())
    found = ", ".join(f"{k.stat} at {k.period} s" for k in sorted(others))
    if is_derivable(stat):
        raise ReplayError(
            f"cannot compute {what} {stat} over {period} s: {_derivable_hint(stat, fine)} (the file has: {found})",
            path=alarm, prop="metrics")
    raise ReplayError(
        f"missing series {what} {stat} at period {period} s: a {stat} cannot be derived from other rows, so the "
        f"file must give it at the alarm's period, one row per minute (the file has: {found})",
        path=alarm, prop="metrics")


def _derivable_hint(stat: str, fine: dict[str, SeriesKey]) -> str:
    if stat == "Average":
        missing = [s for s in ("Sum", "SampleCount") if s not in fine]
        return ("it needs Sum and SampleCount rows at 60 s (or Average and SampleCount); missing at 60 s: "
                + ", ".join(missing))
    return f"it needs {stat} rows at 60 s"
