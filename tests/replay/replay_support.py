"""Small builders shared by the replay tests: minute-by-minute stores and alarms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from sensible_alarms.replay import MetricAlarmDef, MetricStore, SeriesKey

T0 = datetime(2024, 5, 1, tzinfo=UTC)
NAMESPACE = "Test"
DIMS = (("Service", "orders"),)


def at(minutes: float) -> datetime:
    """T0 plus a number of minutes."""
    return T0 + timedelta(minutes=minutes)


def key(metric: str = "Errors", stat: str = "Sum", period: int = 60, dims=DIMS) -> SeriesKey:
    return SeriesKey(NAMESPACE, metric, dims, stat, period)


def store(series: Mapping[SeriesKey, Sequence[float | None] | Mapping[int, float]]) -> MetricStore:
    """Rows from T0 on: a sequence gives one value per minute (None = no row); a mapping gives
    {minute: value}."""
    data = {}
    for k, values in series.items():
        items = values.items() if isinstance(values, Mapping) else enumerate(values)
        present = [(m, v) for m, v in items if v is not None]
        data[k] = ([at(m) for m, _ in present], [v for _, v in present])
    return MetricStore.from_series(data)


def alarm(name: str = "alarm", *, metric: str = "Errors", stat: str = "Sum", period: int = 60,
          threshold: float = 10, operator: str = "GreaterThanOrEqualToThreshold", n: int = 1, m: int | None = None,
          treat: str | None = None, has_actions: bool = True, namespace: str = NAMESPACE) -> MetricAlarmDef:
    return MetricAlarmDef.single(name=name, namespace=namespace, metric=metric, dimensions=DIMS, stat=stat,
                                 period=period, threshold=threshold, comparison_operator=operator,
                                 evaluation_periods=n, datapoints_to_alarm=m, treat_missing_data=treat,
                                 has_actions=has_actions)


def changes(result, name: str) -> list[tuple[datetime, str]]:
    """An alarm's state changes as (timestamp, new state)."""
    return [(c.timestamp, c.state) for c in result.timelines[name].changes]
