"""Fetching replay rows from CloudWatch with GetMetricData, against a real local emulator.

The emulator is moto's server mode: a ``moto_server`` process on 127.0.0.1 that boto3 talks to
over HTTP, started for this module and stopped after it. Where moto differs from CloudWatch the
tests say so and do not depend on it (docs/replay.md lists the differences):

- extended statistics (``p99``, ``TM(...)``, ``PR(...)``) are not implemented: GetMetricData
  answers HTTP 500. The own-period, one-row-per-minute path is therefore exercised with ``Sum`` at
  300 s, and percentile requests are checked as planned calls;
- GetMetricData never pages (``MaxDatapoints`` is ignored, no ``NextToken``), so paging is tested
  by serving moto's real answer in CloudWatch-style pages;
- a query with dimensions matches datapoints of that metric name in any namespace, and a query
  without dimensions matches any dimensions (CloudWatch matches the exact set): each test uses
  its own metric names and the server is reset between tests;
- a ``StartTime`` older than 15 days is not rounded and old timestamps are accepted, so the tests
  use fixed 2024 data and pass ``now``.
"""

from __future__ import annotations

import socket
import urllib.request
from datetime import datetime, timedelta

import boto3
import pytest
from botocore.config import Config
from replay_support import T0, at

from sensible_alarms.replay import (
    ExpressionQuery,
    MetricAlarmDef,
    MetricStatQuery,
    MetricStore,
    ReplayError,
    SeriesKey,
    load_metrics,
    replay,
)
from sensible_alarms.replay.cloudwatch import (
    MAX_QUERIES_PER_CALL,
    fetch_metrics,
    fetch_series,
    history_needed,
    plan_calls,
    series_for,
)
from sensible_alarms.replay.metrics_io import write_metrics

NOW = T0 + timedelta(days=1)
NS = "Shop"
DIMS = (("Service", "orders"),)


def _free_port() -> int:
    """A loopback port nobody listens on (for the unreachable-endpoint case)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def client(moto_endpoint):
    """A boto3 CloudWatch client on the emulator, which starts each test empty."""
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass
    return boto3.client("cloudwatch", endpoint_url=moto_endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _put(client, metric: str, samples: dict[int, list[float]], dims=DIMS, namespace=NS) -> None:
    """Raw samples by minute after T0, each 10 s into its minute, as an application publishes them."""
    data = [{"MetricName": metric, "Dimensions": [{"Name": n, "Value": v} for n, v in dims],
             "Timestamp": at(minute) + timedelta(seconds=10), "Values": values}
            for minute, values in samples.items()]
    for first in range(0, len(data), 500):
        client.put_metric_data(Namespace=namespace, MetricData=data[first:first + 500])


def _alarm(name: str, metric: str, stat: str, period: int = 60, *, threshold: float = 10, n: int = 1,
           dims=DIMS) -> MetricAlarmDef:
    return MetricAlarmDef.single(name=name, namespace=NS, metric=metric, dimensions=dims, stat=stat, period=period,
                                 threshold=threshold, comparison_operator="GreaterThanThreshold",
                                 evaluation_periods=n, has_actions=True)


def _minutes(series) -> dict[int, float]:
    stamps, values = series
    return {int((s - int(T0.timestamp())) // 60): float(v) for s, v in zip(stamps, values, strict=True)}


class TestWhichSeries:
    def test_derivable_statistics_are_fetched_at_one_minute_and_average_as_sum_and_count(self):
        """Sum/SampleCount/Minimum/Maximum at 60 s whatever the alarm period; Average needs Sum and SampleCount."""
        alarms = [_alarm("a", "Errors", "Sum", 300), _alarm("b", "Latency", "Average", 3600),
                  _alarm("c", "Latency", "Maximum")]
        assert [(k.metric, k.stat, k.period) for k in series_for(alarms)] == [
            ("Errors", "Sum", 60), ("Latency", "Maximum", 60), ("Latency", "SampleCount", 60), ("Latency", "Sum", 60)]

    def test_percentiles_are_fetched_at_the_alarm_period_and_expressions_fetch_nothing(self):
        """A p99 cannot be derived from finer rows; an expression query is computed by the engine."""
        m1 = MetricStatQuery(id="m1", namespace=NS, metric="Latency", dimensions=DIMS, stat="p99", period=300,
                             return_data=False)
        e1 = ExpressionQuery(id="e1", expression="m1 / 1000")
        alarm = MetricAlarmDef(name="p", queries=(m1, e1), threshold=1, comparison_operator="GreaterThanThreshold",
                               evaluation_periods=3, has_actions=True)
        assert series_for([alarm, alarm]) == [SeriesKey(NS, "Latency", DIMS, "p99", 300)]

    def test_history_needed_is_the_longest_evaluation_range(self):
        """Rows from start − period × (N + 2) give the first evaluation a full range."""
        alarms = [_alarm("a", "Errors", "Sum", 300, n=3), _alarm("b", "Errors", "Sum", 60, n=10)]
        assert history_needed(alarms) == timedelta(minutes=25)


class TestPlannedCalls:
    def test_own_period_series_need_one_call_per_minute_of_phase(self):
        """A p99 at 5 min is asked five times, starting 0..4 minutes after start; 60 s rows only in the first."""
        p99 = SeriesKey(NS, "Latency", DIMS, "p99", 300)
        errors = SeriesKey(NS, "Errors", DIMS, "Sum", 60)
        calls = plan_calls([p99, errors], T0, at(60))
        assert [(c.start, [k for _, k in c.queries]) for c in calls] == [
            (at(0), [errors, p99]), (at(1), [p99]), (at(2), [p99]), (at(3), [p99]), (at(4), [p99])]
        assert all(c.end == at(60) for c in calls)

    def test_queries_are_batched_at_most_500_to_a_call(self):
        """1001 series make three calls of 500, 500 and 1 queries, each id unique in its call."""
        keys = [SeriesKey(NS, f"M{i:04d}", (), "Sum", 60) for i in range(1001)]
        calls = plan_calls(keys, T0, at(60))
        assert [len(c.queries) for c in calls] == [MAX_QUERIES_PER_CALL, MAX_QUERIES_PER_CALL, 1]
        assert all(len({qid for qid, _ in c.queries}) == len(c.queries) for c in calls)
        assert sorted(k for c in calls for _, k in c.queries) == keys

    def test_request_reads_oldest_first_with_the_documented_page_size(self):
        """Each request asks ScanBy=TimestampAscending and pages at 100,800 datapoints."""
        key = SeriesKey(NS, "Latency", DIMS, "p99", 300)
        request = plan_calls([key], T0, at(60))[1].request()
        assert request["ScanBy"] == "TimestampAscending"
        assert request["MaxDatapoints"] == 100_800
        assert request["StartTime"] == at(1)
        assert request["MetricDataQueries"] == [{
            "Id": "q0", "ReturnData": True,
            "MetricStat": {"Metric": {"Namespace": NS, "MetricName": "Latency",
                                      "Dimensions": [{"Name": "Service", "Value": "orders"}]},
                           "Period": 300, "Stat": "p99"}}]

    def test_more_than_500_queries_a_call_is_refused(self):
        """The API's limit cannot be raised."""
        with pytest.raises(ReplayError, match="'max_queries' must be between 1 and 500"):
            plan_calls([], T0, at(1), max_queries=501)


class TestFetch:
    def test_one_minute_statistics_come_back_as_rows_per_minute(self, client):
        """Raw samples come back as Sum, SampleCount, Minimum and Maximum rows at 60 s, one per minute with data."""
        samples = {m: [float(m), float(m) + 10] for m in range(10) if m != 4}
        _put(client, "Latency", samples)
        alarms = [_alarm("avg", "Latency", "Average", 300), _alarm("min", "Latency", "Minimum"),
                  _alarm("max", "Latency", "Maximum")]
        series = fetch_series(client, series_for(alarms), T0, at(10), now=NOW)

        def rows(stat):
            return _minutes(series[SeriesKey(NS, "Latency", DIMS, stat, 60)])

        expected = {"Sum": {m: 2 * m + 10.0 for m in samples}, "SampleCount": dict.fromkeys(samples, 2.0),
                    "Minimum": {m: float(m) for m in samples}, "Maximum": {m: m + 10.0 for m in samples}}
        assert {stat: rows(stat) for stat in expected} == expected

    def test_own_period_rows_come_one_per_minute_from_staggered_start_times(self, client):
        """A statistic at 5 min is fetched as a sliding window: row t covers [t, t + 5 min), for every minute t."""
        values = {m: float(m % 7) for m in range(30)}
        _put(client, "Errors", {m: [v] for m, v in values.items()})
        key = SeriesKey(NS, "Errors", DIMS, "Sum", 300)
        rows = _minutes(fetch_series(client, [key], T0, at(30), now=NOW)[key])
        assert rows == {t: sum(values[m] for m in range(t, t + 5)) for t in range(26)}

    def test_rows_whose_period_reaches_past_end_are_dropped(self, client):
        """A window that is not over by 'end' would cover data not yet there, so it is not returned."""
        _put(client, "Errors", {m: [1.0] for m in range(20)})
        key = SeriesKey(NS, "Errors", DIMS, "Sum", 300)
        rows = _minutes(fetch_series(client, [key], T0, at(10), now=NOW)[key])
        assert sorted(rows) == [0, 1, 2, 3, 4, 5]
        assert set(rows.values()) == {5.0}

    def test_small_batches_fetch_the_same_rows_as_one_call(self, client):
        """Splitting five series into calls of two queries changes nothing in the rows."""
        for i in range(5):
            _put(client, f"Metric{i}", {m: [float(i + m)] for m in range(6)}, dims=(("Shard", str(i)),))
        keys = [SeriesKey(NS, f"Metric{i}", (("Shard", str(i)),), "Sum", 60) for i in range(5)]
        calls = []
        batched = fetch_series(client, keys, T0, at(6), now=NOW, max_queries=2,
                               progress=lambda done, total: calls.append((done, total)))
        whole = fetch_series(client, keys, T0, at(6), now=NOW)
        assert calls == [(1, 3), (2, 3), (3, 3)]
        assert {k: _minutes(v) for k, v in batched.items()} == {k: _minutes(v) for k, v in whole.items()}
        assert _minutes(whole[keys[3]]) == {m: 3.0 + m for m in range(6)}

    def test_pages_are_followed_with_next_token(self, client):
        """Every page is read until no NextToken is returned, results of one query id joined across pages.

        moto never pages, so this client serves moto's real response in pages of MaxDatapoints
        datapoints with a NextToken, the way CloudWatch documents paging.
        """
        _put(client, "Errors", {m: [float(m)] for m in range(7)})
        _put(client, "Faults", {m: [100.0 + m] for m in range(7)})
        keys = [SeriesKey(NS, "Errors", DIMS, "Sum", 60), SeriesKey(NS, "Faults", DIMS, "Sum", 60)]
        paged = _PagingClient(client)
        series = fetch_series(paged, keys, T0, at(7), now=NOW, max_datapoints=3)
        assert paged.tokens_seen == ["3", "6", "9", "12"]
        assert _minutes(series[keys[0]]) == {m: float(m) for m in range(7)}
        assert _minutes(series[keys[1]]) == {m: 100.0 + m for m in range(7)}

    def test_fetched_rows_replay_the_same_as_the_same_rows_from_a_file(self, client, tmp_path):
        """fetch_metrics gives the engine's input; written with write_metrics and loaded again, it replays alike.

        The 5-minute sums at 22 and 27 (windows [17, 22) and [22, 27)) are the first two in a row above 100.
        """
        errors = {m: [50.0] if 20 <= m < 25 else [1.0] for m in range(60)}
        _put(client, "Errors", errors)
        alarms = [_alarm("errors-5min", "Errors", "Sum", 300, threshold=100, n=2),
                  _alarm("latency", "Latency", "Maximum")]
        fetched = fetch_metrics(client, alarms, T0, at(60), now=NOW)
        write_metrics(fetched, tmp_path / "metrics.csv")
        loaded = load_metrics(tmp_path / "metrics.csv")
        first = replay(alarms, [], fetched, at(10), at(60))
        again = replay(alarms, [], loaded, at(10), at(60))
        assert [(n.alarm, n.timestamp) for n in first.notifications] == [("errors-5min", at(27))]
        assert [(n.alarm, n.timestamp) for n in again.notifications] == [("errors-5min", at(27))]
        assert any("no rows for Shop Latency" in w for w in first.warnings)

    def test_metric_with_no_datapoint_is_absent_from_the_store(self, client):
        """Nothing published means no rows: the replay then treats every datapoint as missing and warns."""
        store = fetch_metrics(client, [_alarm("quiet", "Throttles", "Sum")], T0, at(10), now=NOW)
        assert isinstance(store, MetricStore)
        assert store.keys == ()


class TestRefusals:
    def test_start_older_than_fifteen_days_is_refused(self, client):
        """One-minute datapoints are kept 15 days; an older start could only give 5-minute data."""
        key = SeriesKey(NS, "Errors", DIMS, "Sum", 60)
        with pytest.raises(ReplayError, match="more than 15 days before 2024-05-17T00:01:00Z"):
            fetch_series(client, [key], T0, at(10), now=T0 + timedelta(days=16, minutes=1))

    @pytest.mark.parametrize(("start", "message"), [
        (datetime(2024, 5, 1), "'start': naive timestamp"),
        (T0 + timedelta(seconds=30), "'start' must be on a whole minute"),
        (at(10), "'end' must be after 'start'"),
    ])
    def test_range_must_be_utc_whole_minutes_in_order(self, client, start, message):
        """The same range rules as the replay itself."""
        with pytest.raises(ReplayError, match=message):
            fetch_series(client, [], start, at(10), now=NOW)

    def test_now_must_be_utc_too(self, client):
        """A naive 'now' is refused rather than compared with UTC times."""
        with pytest.raises(ReplayError, match="'now': naive timestamp"):
            fetch_series(client, [], T0, at(10), now=datetime(2024, 5, 2))

    def test_unreachable_endpoint_is_a_replay_error_naming_get_metric_data(self):
        """A connection failure surfaces as a ReplayError, not a botocore traceback."""
        dead = boto3.client("cloudwatch", endpoint_url=f"http://127.0.0.1:{_free_port()}", region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing",
                            config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=2))
        with pytest.raises(ReplayError, match="GetMetricData failed: Could not connect"):
            fetch_series(dead, [SeriesKey(NS, "Errors", DIMS, "Sum", 60)], T0, at(10), now=NOW)


class _PagingClient:
    """Serves the emulator's answer in pages of ``MaxDatapoints`` datapoints, oldest first."""

    def __init__(self, client) -> None:
        self.client = client
        self.tokens_seen: list[str] = []

    def get_metric_data(self, **request):
        token = request.pop("NextToken", None)
        limit = request["MaxDatapoints"]
        if token:
            self.tokens_seen.append(token)
        skip = int(token or 0)
        full = self.client.get_metric_data(**request)
        flat = sorted(((t, r["Id"], v) for r in full["MetricDataResults"]
                       for t, v in zip(r["Timestamps"], r["Values"], strict=True)), key=lambda x: (x[0], x[1]))
        page = flat[skip:skip + limit]
        results = []
        for result in full["MetricDataResults"]:
            mine = [(t, v) for t, qid, v in page if qid == result["Id"]]
            more = skip + limit < len(flat)
            results.append({"Id": result["Id"], "Label": result["Label"], "Timestamps": [t for t, _ in mine],
                             "Values": [v for _, v in mine], "StatusCode": "PartialData" if more else "Complete"})
        answer = {"MetricDataResults": results, "Messages": []}
        if skip + limit < len(flat):
            answer["NextToken"] = str(skip + limit)
        return answer

