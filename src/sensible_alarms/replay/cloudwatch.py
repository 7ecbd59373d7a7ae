"""Fetch the metrics an alarm set needs from CloudWatch with ``GetMetricData``, as replay rows.

Which rows (DESIGN.md): the engine evaluates every minute over sliding windows, so

- a statistic it can derive (``Sum``, ``SampleCount``, ``Minimum``, ``Maximum``, and ``Average``
  as Sum / SampleCount) is fetched at 60 s, whatever the alarm's period;
- any other statistic (percentiles, ``PR``, ``TM``, ...) is fetched at the alarm's own period P,
  **one row per minute**: row ``t`` is the statistic over ``[t, t + P)``. ``GetMetricData`` returns
  datapoints aligned to the request's ``StartTime`` (``StartTime``, ``StartTime + P``, ...), so the
  fetch makes P/60 requests per batch of series, the k-th starting k minutes after ``start``; together
  they hold every minute. That is P/60 calls (60 for a 1-hour p99) instead of one per minute
  (43,200 for 30 days).

How: the series are batched at most 500 queries to a call (the API's limit), each call is paged
with ``NextToken`` (CloudWatch pages at ``MaxDatapoints``, at most 100,800 datapoints a page) and
read oldest first (``ScanBy=TimestampAscending``). Rows whose period reaches past ``end`` are
dropped (their datapoint would cover data not yet there). The client is a boto3 CloudWatch client
the caller makes (``boto3.client("cloudwatch", ...)``): this module opens no session of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ._time import epoch_seconds, format_utc, from_epoch, utc_problem
from .definitions import MetricAlarmDef
from .evaluation import EXTRA_RANGE
from .exceptions import ReplayError
from .statistics import is_derivable
from .store import MetricStore, SeriesKey
from .windows import FloatArray

__all__ = [
    "MAX_DATAPOINTS_PER_CALL",
    "MAX_QUERIES_PER_CALL",
    "ONE_MINUTE_RETENTION",
    "CloudWatchClient",
    "MetricDataCall",
    "fetch_metrics",
    "fetch_series",
    "history_needed",
    "plan_calls",
    "series_for",
]

#: ``MetricDataQueries`` one ``GetMetricData`` call may hold (API reference).
MAX_QUERIES_PER_CALL = 500
#: Datapoints one ``GetMetricData`` response holds before it pages (the default ``MaxDatapoints``).
MAX_DATAPOINTS_PER_CALL = 100_800
#: How long CloudWatch keeps one-minute datapoints; older data is only kept at 5 minutes or 1 hour,
#: and a ``StartTime`` older than this is rounded down to a 5-minute (or 1-hour) clock boundary.
ONE_MINUTE_RETENTION = timedelta(days=15)

_FINE = 60
_FETCHED_AT_60 = {"Sum": ("Sum",), "SampleCount": ("SampleCount",), "Minimum": ("Minimum",),
                  "Maximum": ("Maximum",), "Average": ("Sum", "SampleCount")}

Series = tuple[npt.NDArray[np.int64], FloatArray]


class CloudWatchClient(Protocol):
    """What the fetch uses of a boto3 CloudWatch client."""

    def get_metric_data(self, **kwargs: Any) -> Mapping[str, Any]: ...


def series_for(alarms: Iterable[MetricAlarmDef]) -> list[SeriesKey]:
    """The series to fetch for ``alarms``, sorted: derivable statistics at 60 s (``Average`` as
    ``Sum`` and ``SampleCount``), any other statistic at its alarm's period."""
    keys: set[SeriesKey] = set()
    for alarm in alarms:
        for query in alarm.metric_queries:
            if query.period % _FINE:
                raise ReplayError(f"query {query.id!r} has period {query.period} s: high-resolution (sub-minute) "
                                  "alarms are not supported by replay", path=alarm.name, prop="period")
            if is_derivable(query.stat):
                keys.update(SeriesKey(query.namespace, query.metric, query.dimensions, stat, _FINE)
                            for stat in _FETCHED_AT_60[query.stat])
            else:
                keys.add(SeriesKey(query.namespace, query.metric, query.dimensions, query.stat, query.period))
    return sorted(keys)


def history_needed(alarms: Iterable[MetricAlarmDef]) -> timedelta:
    """How far before a replay's ``start`` rows are needed for the first evaluations to see full
    evaluation ranges: the longest ``period × (EvaluationPeriods + 2)`` of ``alarms``."""
    return timedelta(seconds=max((a.period * (a.evaluation_periods + EXTRA_RANGE) for a in alarms), default=0))


@dataclass(frozen=True)
class MetricDataCall:
    """One ``GetMetricData`` request (before paging): ``queries`` pairs each query id with the series
    it fetches; datapoints come at ``start``, ``start + period``, ... up to ``end`` (exclusive)."""

    start: datetime
    end: datetime
    queries: tuple[tuple[str, SeriesKey], ...]

    def request(self, *, max_datapoints: int = MAX_DATAPOINTS_PER_CALL) -> dict[str, Any]:
        """The keyword arguments of ``client.get_metric_data`` (without ``NextToken``)."""
        return {
            "MetricDataQueries": [
                {
                    "Id": query_id,
                    "MetricStat": {
                        "Metric": {
                            "Namespace": key.namespace,
                            "MetricName": key.metric,
                            "Dimensions": [{"Name": name, "Value": value} for name, value in key.dimensions],
                        },
                        "Period": key.period,
                        "Stat": key.stat,
                    },
                    "ReturnData": True,
                }
                for query_id, key in self.queries
            ],
            "StartTime": self.start,
            "EndTime": self.end,
            "ScanBy": "TimestampAscending",
            "MaxDatapoints": max_datapoints,
        }


def _check_range(start: datetime, end: datetime, now: datetime | None) -> tuple[int, int]:
    for label, value in (("start", start), ("end", end)):
        problem = utc_problem(value)
        if problem:
            raise ReplayError(f"'{label}': {problem}", prop=label, value=value)
        if value.second or value.microsecond:
            raise ReplayError(f"'{label}' must be on a whole minute (got {value.isoformat()})", prop=label, value=value)
    if end <= start:
        raise ReplayError(f"'end' must be after 'start' (got {format_utc(start)} .. {format_utc(end)})", prop="end")
    current = now if now is not None else datetime.now(UTC)
    problem = utc_problem(current)
    if problem:
        raise ReplayError(f"'now': {problem}", prop="now", value=now)
    if start < current - ONE_MINUTE_RETENTION:
        raise ReplayError(
            f"'start' {format_utc(start)} is more than 15 days before {format_utc(current)}: CloudWatch keeps "
            "one-minute datapoints for 15 days (then only 5-minute and 1-hour ones), and replay needs one row per "
            "minute; fetch a range within the last 15 days and keep it with write_metrics for later replays",
            prop="start", value=start)
    return epoch_seconds(start), epoch_seconds(end)


def plan_calls(keys: Sequence[SeriesKey], start: datetime, end: datetime, *,
               max_queries: int = MAX_QUERIES_PER_CALL) -> list[MetricDataCall]:
    """The ``GetMetricData`` calls that fetch ``keys`` for ``[start, end)``: for each minute offset
    ``k`` below the longest period, one call per ``max_queries`` series whose period is longer than
    ``k`` minutes, starting at ``start + k min``. Series at 60 s need only the first offset."""
    if not 1 <= max_queries <= MAX_QUERIES_PER_CALL:
        raise ReplayError(f"'max_queries' must be between 1 and {MAX_QUERIES_PER_CALL} (got {max_queries})",
                          prop="max_queries", value=max_queries)
    ordered = sorted(set(keys))
    for key in ordered:
        if key.period <= 0 or key.period % _FINE:
            raise ReplayError(f"{key.describe()}: period must be a positive multiple of 60 seconds", prop="period")
    longest = max((k.period for k in ordered), default=0) // _FINE
    calls: list[MetricDataCall] = []
    for offset in range(longest):
        phase_start = start + timedelta(minutes=offset)
        if phase_start >= end:
            break
        due = [k for k in ordered if k.period // _FINE > offset]
        for first in range(0, len(due), max_queries):
            batch = due[first:first + max_queries]
            calls.append(MetricDataCall(phase_start, end,
                                        tuple((f"q{first + i}", key) for i, key in enumerate(batch))))
    return calls


def _call(client: CloudWatchClient, request: dict[str, Any]) -> Mapping[str, Any]:
    try:
        return client.get_metric_data(**request)
    except Exception as error:
        # botocore's ClientError and BotoCoreError (no import: boto3 is an optional extra).
        if type(error).__module__.startswith("botocore"):
            raise ReplayError(f"GetMetricData failed: {error}", prop="cloudwatch") from error
        raise


def _run(client: CloudWatchClient, call: MetricDataCall, max_datapoints: int,
         into: dict[SeriesKey, tuple[list[int], list[float]]], lo: int, hi: int) -> int:
    """Send one call and its pages; append the rows to ``into``. Returns the number of pages."""
    by_id = dict(call.queries)
    request = call.request(max_datapoints=max_datapoints)
    pages = 0
    while True:
        response = _call(client, request)
        pages += 1
        for result in response.get("MetricDataResults", ()):
            key = by_id.get(str(result.get("Id")))
            if key is None:
                raise ReplayError(f"GetMetricData returned an unknown query id {result.get('Id')!r}",
                                  prop="cloudwatch")
            status = result.get("StatusCode", "Complete")
            if status in ("InternalError", "Forbidden"):
                messages = "; ".join(f"{m.get('Code')}: {m.get('Value')}" for m in result.get("Messages", ()))
                raise ReplayError(f"GetMetricData could not give {key.describe()} ({status}"
                                  f"{': ' + messages if messages else ''})", prop="cloudwatch")
            stamps, values = into.setdefault(key, ([], []))
            for stamp, value in zip(result.get("Timestamps", ()), result.get("Values", ()), strict=True):
                at = epoch_seconds(stamp)
                if lo <= at and at + key.period <= hi:
                    stamps.append(at)
                    values.append(float(value))
        token = response.get("NextToken")
        if not token:
            return pages
        request = {**request, "NextToken": token}


def fetch_series(client: CloudWatchClient, keys: Sequence[SeriesKey], start: datetime, end: datetime, *,
                 now: datetime | None = None, max_queries: int = MAX_QUERIES_PER_CALL,
                 max_datapoints: int = MAX_DATAPOINTS_PER_CALL,
                 progress: Callable[[int, int], None] | None = None) -> dict[SeriesKey, Series]:
    """Rows of ``keys`` whose period starts in ``[start, end)`` and ends by ``end``: ``{key:
    (epoch seconds, values)}`` in time order, one row per minute for every key (see the module
    docstring). A key with no datapoint maps to empty arrays.

    ``start`` and ``end`` are aware UTC datetimes on whole minutes, ``start`` within the last 15
    days before ``now`` (default: the current time). ``progress(done, total)`` is called after each
    call (with its pages). Raises :class:`ReplayError` when CloudWatch refuses or fails a query.
    """
    lo, hi = _check_range(start, end, now)
    if not 1 <= max_datapoints <= MAX_DATAPOINTS_PER_CALL:
        raise ReplayError(f"'max_datapoints' must be between 1 and {MAX_DATAPOINTS_PER_CALL} (got {max_datapoints})",
                          prop="max_datapoints", value=max_datapoints)
    calls = plan_calls(keys, start, end, max_queries=max_queries)
    rows: dict[SeriesKey, tuple[list[int], list[float]]] = {key: ([], []) for key in sorted(set(keys))}
    for done, call in enumerate(calls, start=1):
        _run(client, call, max_datapoints, rows, lo, hi)
        if progress:
            progress(done, len(calls))
    out: dict[SeriesKey, Series] = {}
    for key, (stamps, values) in rows.items():
        times = np.asarray(stamps, dtype=np.int64)
        order = np.argsort(times, kind="stable")
        times, vals = times[order], np.asarray(values, dtype=np.float64)[order]
        repeated = np.flatnonzero(times[1:] == times[:-1])
        if repeated.size:  # the staggered requests rely on datapoints aligned to StartTime; say so if not
            at = format_utc(from_epoch(int(times[repeated[0]])))
            raise ReplayError(f"GetMetricData returned two datapoints of {key.describe()} at {at}: the endpoint does "
                              "not align datapoints to StartTime", prop="cloudwatch")
        out[key] = (times, vals)
    return out


def fetch_metrics(client: CloudWatchClient, alarms: Iterable[MetricAlarmDef], start: datetime, end: datetime, *,
                  now: datetime | None = None, max_queries: int = MAX_QUERIES_PER_CALL,
                  max_datapoints: int = MAX_DATAPOINTS_PER_CALL,
                  progress: Callable[[int, int], None] | None = None) -> MetricStore:
    """The replay's input for ``alarms`` over ``[start, end)``, fetched from CloudWatch: the rows
    of :func:`series_for` as a :class:`MetricStore` (write it with ``write_metrics`` to replay it
    again offline). Fetch from ``start - history_needed(alarms)`` to give the first evaluations
    their full ranges. Arguments as :func:`fetch_series`."""
    series = fetch_series(client, series_for(alarms), start, end, now=now, max_queries=max_queries,
                          max_datapoints=max_datapoints, progress=progress)
    present = {key: rows for key, rows in series.items() if rows[0].size}
    return MetricStore.from_series(present, source=f"CloudWatch {format_utc(start)} .. {format_utc(end)}")
