"""Replay a real, synthesized entrypoint construct over generated minute metrics: what would it
have notified? Shared by the tests of the notification design (one incident, one notification;
quiet entrypoints; a fresh deploy) and by benchmarks-free experiments.

Metrics are arrays with one value per minute from ``START``; NaN means "no datapoint that minute".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aws_cdk as cdk
import numpy as np
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_

from cdk_support import synth
from sensible_alarms import AlarmRouting
from sensible_alarms.replay import MetricStore, Notification, ReplayResult, SeriesKey, replay
from sensible_alarms.replay.from_templates import AlarmSet, alarm_set_from_templates

START = datetime(2026, 11, 1, tzinfo=UTC)
HANDLER = "def handler(event, context):\n    return {'statusCode': 200}\n"
#: The usual replay: 4 days of minutes; day 0 fills the windows (the longest is 1 day), the replay
#: covers days 1 to 3.
DAYS = 4
MINUTES = DAYS * 1440
FIRST = 1440
#: A notification counts for an incident from its start to 15 minutes after its end.
GRACE = 15


def minute(hours: float) -> int:
    return round(hours * 60)


def at(index: int) -> datetime:
    return START + timedelta(minutes=index)


def function(stack: cdk.Stack, name: str) -> lambda_.Function:
    return lambda_.Function(stack, name, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                            code=lambda_.Code.from_inline(HANDLER), timeout=cdk.Duration.seconds(30))


def http_api(stack: cdk.Stack) -> apigwv2.HttpApi:
    api = apigwv2.HttpApi(stack, "ShopApi")
    api.add_routes(path="/items", methods=[apigwv2.HttpMethod.GET],
                   integration=integrations.HttpLambdaIntegration("ListItems", function(stack, "ListItems")))
    return api


def synthesized(tmp: Path, add: Callable[[cdk.Stack, AlarmRouting], object], name: str = "Shop") -> AlarmSet:
    """The alarms of what `add` builds in a fresh stack, synthesized, linted and read back."""
    app = cdk.App()
    stack = cdk.Stack(app, name)
    add(stack, AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"], low_emails=["team@example.com"]))
    template = synth(stack)
    path = tmp / f"{name}.template.json"
    path.write_text(json.dumps(template))
    return alarm_set_from_templates(path)


@dataclass
class Traffic:
    """Minute series of a request/response entrypoint."""

    requests: np.ndarray
    errors: np.ndarray
    slow: np.ndarray | None = None


def _percent_fast(slow: np.ndarray, requests: np.ndarray, minutes: int) -> np.ndarray:
    """PR(:t) over a trailing window of `minutes`, per minute; NaN where it held no request."""
    cs_slow = np.concatenate([[0.0], np.cumsum(slow)])
    cs_req = np.concatenate([[0.0], np.cumsum(requests)])
    idx = np.arange(1, requests.size + 1)
    lo = np.maximum(idx - minutes, 0)
    window_req, window_slow = cs_req[idx] - cs_req[lo], cs_slow[idx] - cs_slow[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(window_req > 0, 100 * (1 - window_slow / window_req), np.nan)


def store_for(alarm_set: AlarmSet, series: Callable[[str, str, str, dict[str, str]], np.ndarray],
              percent_fast: Callable[[int], np.ndarray] | None = None) -> MetricStore:
    """A store with every metric `alarm_set` reads: ``series(namespace, metric, stat, dimensions)``
    gives a minute series; PR statistics come from ``percent_fast(period minutes)``."""
    data: dict[SeriesKey, tuple[list[datetime], list[float]]] = {}
    for alarm in alarm_set.alarms:
        for q in alarm.metric_queries:
            dims = dict(q.dimensions)
            if q.stat.startswith("PR("):
                assert percent_fast is not None
                values = percent_fast(q.period // 60)
                key = SeriesKey(q.namespace, q.metric, q.dimensions, q.stat, q.period)
                offset = 1 - q.period // 60  # each value stands for its trailing window, stamped at its start
            else:
                values = series(q.namespace, q.metric, q.stat, dims)
                key = SeriesKey(q.namespace, q.metric, q.dimensions, q.stat, 60)
                offset = 0
            if key in data:
                continue
            present = [(i, float(v)) for i, v in enumerate(values) if not np.isnan(v) and i + offset >= 0]
            data[key] = ([at(i + offset) for i, _ in present], [v for _, v in present])
    return MetricStore.from_series(data)


def api_store(alarm_set: AlarmSet, traffic: Traffic, routes: dict[str, Traffic] | None = None) -> MetricStore:
    """An API's metrics: 5xx and Count from the traffic, Latency as its request count and PR. The
    route handlers' Lambda Errors and Invocations come from `routes` (construct id of the function ->
    its traffic, matched as the prefix of its logical id), or from the whole traffic when the API
    has one route (`routes` None)."""
    slow = traffic.slow if traffic.slow is not None else np.zeros_like(traffic.requests)

    def series(namespace: str, metric: str, stat: str, dims: dict[str, str]) -> np.ndarray:
        if namespace == "AWS/Lambda":
            logical_id = dims["FunctionName"].removeprefix("${").split(".")[0].rstrip("}")
            route = traffic if routes is None else next(t for name, t in routes.items()
                                                         if logical_id.startswith(name))
            # Lambda publishes a function's metrics only in minutes it was invoked.
            values = {"Errors": route.errors, "Invocations": route.requests}[metric]
            return np.where(route.requests > 0, values, np.nan)
        assert namespace == "AWS/ApiGateway", namespace
        return {"5xx": traffic.errors, "5XXError": traffic.errors, "Count": traffic.requests,
                "Latency": traffic.requests}[metric]

    return store_for(alarm_set, series, lambda minutes: _percent_fast(slow, traffic.requests, minutes))


def replayed(alarm_set: AlarmSet, store: MetricStore, first: int, last: int) -> ReplayResult:
    """The replay of minutes (first, last] (minute indexes from START)."""
    return replay(alarm_set.alarms, alarm_set.composites, store, at(first), at(last))


def notifications(result: ReplayResult, suffix: str | None = None) -> list[Notification]:
    """The notifications, of the composites whose name ends with `suffix` when given."""
    return [n for n in result.notifications if suffix is None or n.alarm.endswith(suffix)]


#: The composites that page (the HIGH topic): the HIGH notifier and the outage notifier.
PAGING = ("HighUrgency", "OutageUrgency")


def pages(result: ReplayResult) -> list[Notification]:
    """The notifications that page: of the HIGH notifier or of the outage notifier."""
    return [n for n in result.notifications if n.alarm.endswith(PAGING)]


def minutes_of(result: ReplayResult, found: list[Notification]) -> list[int]:
    """Notification times as minutes from START."""
    return [int((n.timestamp - START).total_seconds() // 60) for n in found]


def poisson(rng: np.random.Generator, rate: np.ndarray | float, minutes: int) -> np.ndarray:
    return rng.poisson(np.broadcast_to(rate, (minutes,))).astype(float)


def binomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    return rng.binomial(n.astype(int), np.broadcast_to(p, n.shape)).astype(float)


def api_traffic(seed: int, per_minute: float, background: float, incidents: list[tuple[int, int, float]],
                minutes: int = MINUTES) -> Traffic:
    """Poisson requests, each failing with the background share, or with an incident's share
    within (first minute, end minute)."""
    rng = np.random.default_rng(seed)
    requests = poisson(rng, per_minute, minutes)
    share = np.full(minutes, background)
    for lo, hi, failing in incidents:
        share[lo:hi] = failing
    return Traffic(requests, binomial(rng, requests, share))


def ticketed_api(tmp: Path) -> AlarmSet:
    """An HTTP API with an availability SLO of 99.9 % and LOW tickets, synthesized."""
    from sensible_alarms import ApiAlarms, AvailabilitySlo

    def add(stack: cdk.Stack, routing: AlarmRouting) -> None:
        ApiAlarms(stack, "ShopApiAlarms", api=http_api(stack), routing=routing,
                  availability=AvailabilitySlo(target=99.9, tickets=True))

    return synthesized(tmp, add)
