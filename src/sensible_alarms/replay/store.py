"""Metric datapoints in memory: one row per series on a shared one-minute grid."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from ._time import epoch_seconds, format_utc, from_epoch, utc_problem
from .exceptions import MetricsFileError, ReplayError
from .statistics import is_statistic
from .windows import FloatArray

__all__ = ["MAX_GRID_CELLS", "MetricStore", "SeriesKey"]

#: The most series x minutes the store holds (8 bytes each): about 3 GiB.
MAX_GRID_CELLS = 400_000_000

Dimensions = tuple[tuple[str, str], ...]


@dataclass(frozen=True, order=True)
class SeriesKey:
    """One series of a metrics file: a metric, a statistic and the period its rows cover."""

    namespace: str
    metric: str
    dimensions: Dimensions
    stat: str
    period: int

    @property
    def metric_id(self) -> tuple[str, str, Dimensions]:
        return (self.namespace, self.metric, self.dimensions)

    def describe(self) -> str:
        """``AWS/Lambda Errors {FunctionName=orders} Sum at 60 s``."""
        return f"{describe_metric(self.namespace, self.metric, self.dimensions)} {self.stat} at {self.period} s"


def describe_metric(namespace: str, metric: str, dimensions: Dimensions) -> str:
    dims = ",".join(f"{k}={v}" for k, v in dimensions)
    return f"{namespace} {metric} {{{dims}}}"


def _row_label(i: int) -> str:
    return f"row {i + 1}"


class MetricStore:
    """Datapoints on a one-minute grid: ``values[s, b]`` is series ``s``'s row whose period starts
    at ``origin + 60 * b`` (epoch seconds), NaN where the file has no such row.

    Rows of every period sit on the same grid: a row at a 5-minute period still starts on a
    minute, and the engine reads it as the window ``[timestamp, timestamp + period)``.
    """

    def __init__(self, keys: Sequence[SeriesKey], origin: int, values: FloatArray, *,
                 source: str = "metrics") -> None:
        if values.ndim != 2 or values.shape[0] != len(keys):
            raise ValueError("values must have one row per key")
        if origin % 60:
            raise ValueError("origin must be on a whole minute")
        self.keys: tuple[SeriesKey, ...] = tuple(keys)
        self.origin = int(origin)
        self.values = values
        self.source = source
        self._index = {k: i for i, k in enumerate(self.keys)}
        self._by_metric: dict[tuple[str, str, Dimensions], list[SeriesKey]] = {}
        for key in self.keys:
            self._by_metric.setdefault(key.metric_id, []).append(key)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def empty(cls) -> MetricStore:
        return cls((), 0, np.empty((0, 0)), source="no metrics")

    @classmethod
    def from_series(cls, series: Mapping[SeriesKey, tuple[Iterable[datetime | int], Iterable[float]]], *,
                    source: str = "in-memory metrics") -> MetricStore:
        """A store from ``{key: (timestamps, values)}``; timestamps are aware UTC datetimes or epoch
        seconds, each the start of its period."""
        keys = list(series)
        codes: list[npt.NDArray[np.int64]] = []
        stamps: list[npt.NDArray[np.int64]] = []
        vals: list[FloatArray] = []
        for code, key in enumerate(keys):
            ts_raw, v_raw = series[key]
            if isinstance(ts_raw, np.ndarray) and np.issubdtype(ts_raw.dtype, np.integer):
                ts = ts_raw.astype(np.int64, copy=False)  # epoch seconds already
            else:
                ts = np.asarray([_as_epoch(t, key) for t in ts_raw], dtype=np.int64)
            v = np.asarray(list(v_raw), dtype=np.float64)
            if ts.shape != v.shape:
                raise ReplayError(f"{key.describe()}: {ts.size} timestamps but {v.size} values")
            codes.append(np.full(ts.size, code, dtype=np.int64))
            stamps.append(ts)
            vals.append(v)
        if not keys:
            return cls.empty()
        return cls.from_columns(keys, np.concatenate(codes), np.concatenate(stamps), np.concatenate(vals),
                                source=source)

    @classmethod
    def from_columns(cls, keys: Sequence[SeriesKey], codes: npt.NDArray[np.int64],
                     timestamps: npt.NDArray[np.int64], values: FloatArray, *, source: str,
                     row_label: Callable[[int], str] = _row_label) -> MetricStore:
        """A store from one entry per row: ``codes`` index ``keys``; timestamps in epoch seconds.

        Raises :class:`MetricsFileError` naming the row for a key that is not a valid series, a
        value that is not finite, a timestamp off the minute, or a duplicated datapoint.
        """
        for key in keys:
            _check_key(key, source)
        if not len(codes):
            return cls(keys, 0, np.empty((len(keys), 0)), source=source)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            i = int(bad[0])
            raise MetricsFileError(f"value must be a finite number (got {values[i]!r})", file=source,
                                   row=row_label(i))
        bad = np.flatnonzero(timestamps % 60)
        if bad.size:
            i = int(bad[0])
            raise MetricsFileError(
                f"timestamp {format_utc(from_epoch(int(timestamps[i])))} is not on a whole minute: a row's "
                "timestamp is the start of its period, and periods start on the minute", file=source,
                row=row_label(i))
        origin = int(timestamps.min())
        n = int(timestamps.max() - origin) // 60 + 1
        if len(keys) * n > MAX_GRID_CELLS:
            raise MetricsFileError(
                f"{len(keys)} series over {n} minutes is more than the replay holds in memory "
                f"({MAX_GRID_CELLS} datapoints): split the file by time range or by service", file=source)
        cells = codes * n + (timestamps - origin) // 60
        grid = np.full(len(keys) * n, np.nan)
        grid[cells] = values
        if int(np.count_nonzero(~np.isnan(grid))) != len(values):
            first, second = _first_duplicate(cells)
            key = keys[int(codes[first])]
            raise MetricsFileError(
                f"duplicated datapoint: {key.describe()} at {format_utc(from_epoch(int(timestamps[first])))} "
                f"appears again at {row_label(second)}; give each series one value per timestamp",
                file=source, row=row_label(first))
        return cls(keys, origin, grid.reshape(len(keys), n), source=source)

    # -- access -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    @property
    def buckets(self) -> int:
        return int(self.values.shape[1])

    def row(self, key: SeriesKey) -> FloatArray:
        """The series' values by bucket (NaN where absent)."""
        row: FloatArray = self.values[self._index[key]]
        return row

    def series_of(self, namespace: str, metric: str, dimensions: Dimensions) -> list[SeriesKey]:
        """Every series of one metric (all statistics and periods)."""
        return list(self._by_metric.get((namespace, metric, dimensions), ()))

    def row_spacing(self, key: SeriesKey) -> int | None:
        """The smallest gap, in seconds, between two rows of a series (None with fewer than 2 rows)."""
        present = np.flatnonzero(~np.isnan(self.row(key)))
        if present.size < 2:
            return None
        return int(np.diff(present).min()) * 60


def _as_epoch(value: datetime | int, key: SeriesKey) -> int:
    if isinstance(value, datetime):
        problem = utc_problem(value)
        if problem:
            raise ReplayError(f"{key.describe()}: {problem} (got {value.isoformat()})")
        return epoch_seconds(value)
    return int(value)


def _check_key(key: SeriesKey, source: str) -> None:
    if not is_statistic(key.stat):
        raise MetricsFileError(f"unknown statistic {key.stat!r} in {key.describe()}", file=source)
    if key.period <= 0 or key.period % 60:
        raise MetricsFileError(f"period must be a positive multiple of 60 seconds (got {key.period}) in "
                               f"{key.describe()}", file=source)


def _first_duplicate(cells: npt.NDArray[np.int64]) -> tuple[int, int]:
    """Row indices of the first datapoint that appears twice, and of its repeat."""
    order = np.argsort(cells, kind="stable")
    sorted_cells = cells[order]
    same = np.flatnonzero(sorted_cells[1:] == sorted_cells[:-1])
    # Among all repeats, report the one whose second occurrence comes first in the file.
    seconds = order[same + 1]
    pick = int(np.argmin(seconds))
    first = int(order[same[pick]])
    second = int(seconds[pick])
    return min(first, second), max(first, second)
