"""One service's month, minute by minute: traffic shaped like a SaaS service's, with the catalogue's
events applied, and every CloudWatch series either variant's alarms query derived from it.

The simulation keeps per-minute counts (requests, errors, throttles, slow requests and the
latency of the slowest one, queue depth and age, ...) for each resource; a series is computed
from them the way CloudWatch aggregates:

* Sum, SampleCount, Maximum rows at 60 s, one per minute, present only in minutes the service
  publishes them (Lambda: minutes with invocations or throttles; API Gateway: minutes with
  requests; SQS: every minute; DynamoDB SystemErrors and throttle events: only when non-zero).
* p99 over 5 minutes (one row a minute, the window starting at the row's timestamp): the slowest
  request's latency when more than 1 % of the window's requests were slow (nearest rank, as
  CloudWatch computes p99 of few samples), else the window's usual p99.
* PR(:1000) over any period: the percent of the window's requests that took 1 s or less.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from events import DAYS, START, Event, function_ids, handler_ids
from spec import SEED, Service

Array = npt.NDArray[np.float64]
MINUTES = (DAYS + 1) * 1440
SLOW_MS = 1000.0  # the sensible variant's latency SLO threshold (PR(:1000))
OPERATIONS = ("GetItem", "PutItem", "Query", "UpdateItem")


@dataclass
class FunctionMinutes:
    invocations: Array
    errors: Array
    throttles: Array
    slow: Array  # requests over the usual tail
    slow_latency: Array  # ms of the slowest of them (0 where none)
    usual_p99: float  # ms
    iterator_age: Array | None = None  # ms, stream consumers


@dataclass
class QueueMinutes:
    visible: Array
    in_flight: Array
    age: Array  # seconds
    deleted: Array


@dataclass
class ApiMinutes:
    requests: Array
    errors_5xx: Array
    errors_4xx: Array
    over_slo: Array  # requests over SLOW_MS
    slow: Array
    slow_latency: Array
    usual_p99: float


@dataclass
class TableMinutes:
    system_errors: dict[str, Array] = field(default_factory=dict)
    read_throttles: Array = field(default_factory=lambda: np.zeros(MINUTES))
    write_throttles: Array = field(default_factory=lambda: np.zeros(MINUTES))


@dataclass
class ServiceMinutes:
    api: ApiMinutes
    functions: dict[str, FunctionMinutes]
    queues: dict[str, QueueMinutes]  # main queues, dead-letter queues and the stream's failure queue
    tables: dict[str, TableMinutes]


def _shape(service: Service) -> Array:
    """Relative traffic by minute: a day curve in the customers' time zone, quieter weekends."""
    t = np.arange(MINUTES)
    hour = ((t % 1440) / 60 + service.timezone_shift_h) % 24
    day_curve = 0.08 + 0.92 * np.clip(np.sin(np.pi * (hour - 7) / 15), 0, None) ** 1.3
    weekday = (START.weekday() + t // 1440) % 7
    return np.asarray(day_curve * np.where(weekday >= 5, 0.6, 1.0), dtype=np.float64)


def zeros() -> Array:
    return np.zeros(MINUTES)


def _merge_slow(fm: FunctionMinutes | ApiMinutes, minute: slice | int, count: Array | float, latency: float) -> None:
    fm.slow[minute] += count
    fm.slow_latency[minute] = np.maximum(fm.slow_latency[minute], np.where(np.asarray(count) > 0, latency, 0))


def simulate(service: Service, events: list[Event]) -> ServiceMinutes:
    rng = np.random.default_rng([SEED, service.index, 3])
    shape = _shape(service)
    api_rate = service.peak_rpm * shape

    def function(rate: Array, usual_p99: float) -> FunctionMinutes:
        return FunctionMinutes(rng.poisson(rate).astype(float), zeros(), zeros(), zeros(), zeros(), usual_p99)

    handlers = handler_ids(service)
    shares = rng.dirichlet(np.full(len(handlers), 2.0))
    functions: dict[str, FunctionMinutes] = {}
    for name, share in zip(handlers, shares, strict=True):
        functions[name] = function(api_rate * share, service.base_latency_ms * rng.uniform(1.8, 2.6))
    for n in range(service.helpers):
        functions[f"Helper{n}"] = function(api_rate * rng.uniform(0.3, 1.0), service.base_latency_ms * 0.5)

    queues: dict[str, QueueMinutes] = {}
    arrival_rates: dict[str, Array] = {}
    for n in range(service.queues):
        rate = api_rate * rng.uniform(0.2, 0.5)
        arrival_rates[f"Queue{n}"] = rate
        functions[f"Queue{n}Consumer"] = function(rate / 3, rng.uniform(100, 800))
        waiting = rng.poisson(rate * 0.05).astype(float)
        queues[f"Queue{n}"] = QueueMinutes(waiting, rng.poisson(rate * 0.1).astype(float),
                                           np.where(rng.poisson(rate) > 0, rng.uniform(0, 30, MINUTES).round(), 0.0),
                                           rng.poisson(rate).astype(float))
        queues[f"Queue{n}DeadLetters"] = QueueMinutes(zeros(), zeros(), zeros(), zeros())
    if service.stream_consumer:
        fm = function(api_rate * 0.15 + 0.02, rng.uniform(100, 600))
        fm.iterator_age = np.where(fm.invocations > 0, rng.uniform(50, 1500, MINUTES).round(), np.nan)
        functions["StreamConsumer"] = fm
        queues["StreamFailures"] = QueueMinutes(zeros(), zeros(), zeros(), zeros())
    if service.job_hour is not None:
        job = FunctionMinutes(zeros(), zeros(), zeros(), zeros(), zeros(), rng.uniform(500, 2500))
        job.invocations[np.arange(service.job_hour * 60, MINUTES, 1440)] = 1
        functions["DailyJob"] = job
    assert sorted(functions) == sorted(function_ids(service))

    tables = {f"Table{n}": TableMinutes() for n in range(service.tables)}

    for event in events:
        _apply(event, service, rng, functions, queues, tables, arrival_rates)

    requests = sum((functions[h].invocations for h in handlers), zeros())
    errors = sum((functions[h].errors for h in handlers), zeros())
    slow = sum((functions[h].slow for h in handlers), zeros())
    slow_latency = np.max([functions[h].slow_latency for h in handlers], axis=0)
    over_slo = sum((np.where(functions[h].slow_latency > SLOW_MS, functions[h].slow, 0) for h in handlers), zeros())
    # A few requests over 1 s in every busy minute (0.05 %), too few to move the p99.
    over_slo = over_slo + rng.binomial(requests.astype(np.int64), 0.0005)
    api = ApiMinutes(requests, errors, rng.binomial(requests.astype(np.int64), 0.01).astype(float), over_slo,
                     slow, slow_latency, service.base_latency_ms * 2.2 + 20)
    return ServiceMinutes(api, functions, queues, tables)


def _ensure(fm: FunctionMinutes, minute: int, count: float) -> None:
    fm.invocations[minute] = max(fm.invocations[minute], count)


def _apply(event: Event, service: Service, rng: np.random.Generator, functions: dict[str, FunctionMinutes],
           queues: dict[str, QueueMinutes], tables: dict[str, TableMinutes], arrival_rates: dict[str, Array]) -> None:
    span = slice(event.start, event.end)
    p = event.params
    kind = event.kind
    handlers = [functions[h] for h in handler_ids(service)]
    if kind == "api_outage":
        for fm in handlers:
            fm.errors[span] = fm.invocations[span]
    elif kind == "api_partial_errors":
        helper = functions[f"Helper{int(p['helper'])}"]
        helper.errors[span] += rng.binomial(helper.invocations[span].astype(np.int64), p["share"])
        for fm in handlers:
            fm.errors[span] += rng.binomial(fm.invocations[span].astype(np.int64), p["share"])
    elif kind == "latency_regression":
        for fm in [*handlers, functions[f"Helper{int(p['helper'])}"]]:
            _merge_slow(fm, span, rng.binomial(fm.invocations[span].astype(np.int64), p["share"]).astype(float),
                        p["latency_ms"])
    elif kind == "stuck_consumer":
        queue = queues[event.target]
        consumer = functions[f"{event.target}Consumer"]
        length = event.end - event.start
        consumer.invocations[span] = 0
        backlog = np.cumsum(rng.poisson(arrival_rates[event.target][span]))
        queue.visible[span] += backlog
        queue.age[span] = np.arange(1, length + 1) * 60.0 + 20
        drain = slice(event.end, min(event.end + 10, MINUTES))
        queue.age[drain] = np.minimum(queue.age[drain], np.linspace(length * 60.0, 30, drain.stop - drain.start))
    elif kind == "poison_messages":
        consumer = functions[f"{event.target}Consumer"]
        messages = p["messages"]
        for attempt in range(5):
            minute = event.start + 3 * attempt
            _ensure(consumer, minute, messages)
            consumer.errors[minute] += messages
        dlq = queues[f"{event.target}DeadLetters"]
        moved = event.end
        redriven = min(moved + int(p["redrive_after"]), MINUTES - 1)
        dlq.visible[moved:redriven] += messages
        dlq.deleted[redriven] += messages
    elif kind == "stream_lag":
        consumer = functions["StreamConsumer"]
        assert consumer.iterator_age is not None
        length = event.end - event.start
        consumer.invocations[span] = np.maximum(consumer.invocations[span], 1)
        _merge_slow(consumer, span, consumer.invocations[span], 25_000.0)
        consumer.iterator_age[span] = np.arange(1, length + 1) * 60_000.0
        catch_up = slice(event.end, min(event.end + 10, MINUTES))
        consumer.iterator_age[catch_up] = np.linspace(length * 60_000.0, 1000, catch_up.stop - catch_up.start)
    elif kind == "job_failing":
        job = functions["DailyJob"]
        for night in range(int(p["nights"])):
            run = event.start + night * 1440
            for offset in (0, 1, 3):  # Lambda retries a failed asynchronous invocation twice
                if run + offset < MINUTES:
                    job.invocations[run + offset] = 1
                    job.errors[run + offset] = 1
    elif kind == "transient_error":
        fm = functions[event.target]
        _ensure(fm, event.start, p["count"])
        fm.errors[event.start] += p["count"]
    elif kind == "lambda_throttle_retried":
        functions[event.target].throttles[span] += np.diff(np.linspace(0, p["count"], event.end - event.start + 1)
                                                           ).round()
    elif kind == "cold_start_spike":
        fm = functions[event.target]
        _ensure(fm, event.start, p["count"])
        _merge_slow(fm, event.start, p["count"], p["latency_ms"])
    elif kind == "dynamodb_system_error":
        table = tables[event.target]
        operation = OPERATIONS[int(p["operation"])]
        table.system_errors.setdefault(operation, np.zeros(MINUTES))[event.start] += p["count"]
    elif kind == "dynamodb_throttle_retried":
        tables[event.target].write_throttles[span] += np.diff(
            np.linspace(0, p["count"], event.end - event.start + 1)).round()
    elif kind == "async_retry":
        fm = functions[event.target]
        if event.target == "DailyJob":
            fm.invocations[event.start] = fm.invocations[event.start + 1] = 1
            fm.errors[event.start] += 1
        else:
            _ensure(fm, event.start, 1)
            fm.errors[event.start] += 1
    elif kind == "batch_burst":
        queue = queues[event.target]
        consumer = functions[f"{event.target}Consumer"]
        length = event.end - event.start
        remaining = np.linspace(p["messages"], 0, length + 1)[:-1]
        queue.visible[span] += remaining.round()
        queue.age[span] = np.maximum(queue.age[span], np.arange(1, length + 1) * 60.0)
        consumer.invocations[span] += (p["messages"] / length / 10)
    else:
        raise AssertionError(kind)


# -- series ---------------------------------------------------------------------------------------

def _trailing_sum(values: Array, minutes: int) -> Array:
    """Sum of the ``minutes`` values ending at each index."""
    c = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(1, values.size + 1)
    return np.asarray(c[idx] - c[np.maximum(idx - minutes, 0)], dtype=np.float64)


def _trailing_max(values: Array, minutes: int) -> Array:
    out = values.copy()
    for shift in range(1, minutes):
        out[shift:] = np.maximum(out[shift:], values[:-shift])
    return out


def _as_rows(trailing: Array, minutes: int) -> Array:
    """Values by window end -> rows by window start (the row's timestamp), NaN before the first."""
    rows = np.full(trailing.size, np.nan)
    rows[:trailing.size - minutes + 1] = trailing[minutes - 1:]
    return rows


def p99_rows(requests: Array, slow: Array, slow_latency: Array, usual_p99: float, period: int,
             jitter: Array) -> Array:
    k = period // 60
    n = _trailing_sum(requests, k)
    s = _trailing_sum(slow, k)
    worst = _trailing_max(slow_latency, k)
    value = np.where(s > np.floor(0.01 * n), worst, usual_p99 * jitter)
    return _as_rows(np.where(n > 0, value, np.nan), k)


def percent_fast_rows(requests: Array, over: Array, period: int) -> Array:
    k = period // 60
    n = _trailing_sum(requests, k)
    o = _trailing_sum(over, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _as_rows(np.where(n > 0, 100 * (1 - o / n), np.nan), k)


def _present(values: Array, where: npt.NDArray[np.bool_]) -> Array:
    return np.where(where, values, np.nan)


def series(minutes: ServiceMinutes, namespace: str, metric: str, resource: str, dims: dict[str, str], stat: str,
           period: int, jitter: Array) -> Array:
    """The rows of one series, by minute (NaN = no row). ``resource`` is the construct id the
    dimensions name (``Api`` for API Gateway)."""
    if namespace == "AWS/ApiGateway":
        api = minutes.api
        active = api.requests > 0
        if metric == "Latency" and stat.startswith("p"):
            return p99_rows(api.requests, api.slow, api.slow_latency, api.usual_p99, period, jitter)
        if metric == "Latency" and stat.startswith("PR("):
            return percent_fast_rows(api.requests, api.over_slo, period)
        counts = {"5XXError": api.errors_5xx, "4XXError": api.errors_4xx, "Count": api.requests,
                  "Latency": api.requests}[metric]
        if stat == "SampleCount":
            return _present(api.requests, active)
        if stat == "Sum" and metric != "Latency":
            return _present(counts, active)
    elif namespace == "AWS/Lambda":
        fm = minutes.functions[resource]
        active = (fm.invocations > 0) | (fm.throttles > 0)
        if metric == "Duration" and stat.startswith("p"):
            return p99_rows(fm.invocations, fm.slow, fm.slow_latency, fm.usual_p99, period, jitter)
        if metric == "IteratorAge" and stat == "Maximum" and fm.iterator_age is not None:
            return fm.iterator_age.copy()
        if metric == "Errors" and stat == "SampleCount":
            return _present(fm.invocations, fm.invocations > 0)
        if stat == "Sum" and metric in ("Errors", "Invocations", "Throttles"):
            values = {"Errors": fm.errors, "Invocations": fm.invocations, "Throttles": fm.throttles}[metric]
            return _present(values, active)
    elif namespace == "AWS/SQS":
        queue = minutes.queues[resource]
        by_name = {"ApproximateNumberOfMessagesVisible": queue.visible,
                   "ApproximateNumberOfMessagesNotVisible": queue.in_flight,
                   "ApproximateAgeOfOldestMessage": queue.age, "NumberOfMessagesDeleted": queue.deleted}
        if metric in by_name and stat in ("Maximum", "Sum"):
            return by_name[metric].copy()
    elif namespace == "AWS/DynamoDB":
        table = minutes.tables[resource]
        if metric == "SystemErrors" and stat == "Sum":
            values = table.system_errors.get(dims.get("Operation", ""), np.zeros(MINUTES))
        elif metric in ("ReadThrottleEvents", "WriteThrottleEvents") and stat == "Sum":
            values = table.read_throttles if metric.startswith("Read") else table.write_throttles
        else:
            values = None
        if values is not None:
            return _present(values, values > 0)
    raise ValueError(f"the fleet simulation has no series for {namespace} {metric} {stat} at {period} s")

