"""The catalogue of events: what goes wrong in each service over the month. Drawn per service from
a fixed seed (``(SEED, service, 2)``).

Each kind has a rate: the expected number of events a month per resource it can hit (Poisson),
except nightly batch bursts, which come every weekday night on the queues that receive batches.
The magnitudes and rates are set from what serverless fleets see (docs/benchmarks.md, "The event
catalogue", names the source of each, or says "assumption"), never from this library's
thresholds, and were committed before the first run that used them: the generator is not tuned
after results are seen.

A kind says what happens, not whether customers noticed: every event is labelled afterwards by
what customers got in the simulated traffic (traffic.Outcome). ``usually_impacting`` only orders
the catalogue in the docs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from spec import SEED, Service

#: Day 0 only fills the alarms' windows (the longest is one day); the replay covers days 1 to DAYS.
START = datetime(2026, 10, 31, tzinfo=UTC)
DAYS = 30


@dataclass(frozen=True)
class Kind:
    name: str
    usually_impacting: bool
    per: str  # what the rate counts: service, quiet_service, route, function, handler, queue, quiet_queue, ...
    rate: float  # expected events a month per `per`
    description: str


KINDS: tuple[Kind, ...] = (
    # -- usually customer-impacting --------------------------------------------------------------
    Kind("api_outage", True, "service", 0.25, "every API request fails with 5xx for 10 to 60 minutes"),
    Kind("night_outage", True, "quiet_service", 0.3,
         "every request of a quiet API fails for 30 minutes to 4 hours during its customers' night "
         "(00:00 to 06:00 local)"),
    Kind("route_outage", True, "route", 0.06,
         "one route fails every request for 10 minutes to 2 hours (a bad deploy of its handler, a missing "
         "permission)"),
    Kind("api_partial_errors", True, "service", 0.25,
         "a bad deploy of a helper makes 1 to 10 % of API requests fail for 1 to 6 hours"),
    Kind("slow_burn", True, "service", 0.15,
         "a bug on a rare code path makes 0.2 to 1.2 % of API requests fail for 12 to 72 hours"),
    Kind("latency_regression", True, "service", 0.25,
         "a slow dependency makes 10 to 50 % of API requests take 1.5 to 4 s for 30 minutes to 3 hours"),
    Kind("route_latency", True, "route", 0.06,
         "a regression on one route makes 30 to 100 % of its requests take 1.2 to 5 s for 30 minutes to 6 hours"),
    Kind("stuck_consumer", True, "queue", 0.15,
         "a deploy disables a queue's consumer for 30 minutes to 3 hours: messages wait, their age grows"),
    Kind("quiet_consumer_stall", True, "quiet_queue", 0.5,
         "the consumer of a quiet queue (5 to 50 messages a day) stops for 1 to 24 hours"),
    Kind("poison_messages", True, "queue", 0.2,
         "1 to 20 messages fail every attempt and land on the dead-letter queue"),
    Kind("stream_lag", True, "stream", 0.3,
         "a slow dependency makes the stream consumer fall behind for 20 minutes to 2 hours"),
    Kind("job_failing", True, "job", 0.2, "the daily job fails (all retries) 2 to 4 nights running"),
    # -- usually harmless: the platform or the client absorbs them -------------------------------
    Kind("error_burst", False, "route", 1.5,
         "1 to 100 requests of one route fail over 1 to 5 minutes (a deploy blip, a dependency hiccup); "
         "clients retry"),
    Kind("transient_error", False, "function", 1.0,
         "1 to 3 invocations fail in one minute; the caller retries and succeeds"),
    Kind("lambda_throttle_retried", False, "function", 0.2,
         "1 to 20 invocations are throttled over 1 to 3 minutes and succeed on retry"),
    Kind("cold_start_spike", False, "quiet_function", 2.0,
         "1 to 3 requests take 1.5 to 6 s while a quiet function starts cold"),
    Kind("dynamodb_system_error", False, "table", 0.5,
         "1 to 5 DynamoDB system errors in one minute, absorbed by the SDK's retries"),
    Kind("dynamodb_throttle_retried", False, "table", 0.3,
         "1 to 50 write throttles over 1 to 5 minutes, absorbed by the SDK's retries"),
    Kind("async_retry", False, "async", 0.5,
         "one asynchronous invocation (daily job or queue message) fails once and succeeds on retry"),
    Kind("batch_burst", False, "batch_queue", 0.0,
         "a nightly batch of 5,000 to 50,000 messages, drained in 5 to 12 minutes (every weekday night)"),
)
KIND_BY_NAME = {k.name: k for k in KINDS}
#: Share of queues that receive a nightly batch.
BATCH_QUEUE_SHARE = 0.25
#: Share of queues that are quiet (5 to 50 messages a day, whatever the API's traffic).
QUIET_QUEUE_SHARE = 0.3
QUIET_QUEUE_MESSAGES_PER_DAY = (5.0, 50.0)
#: Every API's background 5xx rate, all month: drawn per service, log-uniform in this range.
BACKGROUND_5XX = (0.0002, 0.003)
#: Whole-API outages: every request of the API fails.
FULL_OUTAGE_KINDS = ("api_outage", "night_outage")


@dataclass(frozen=True)
class Event:
    id: str
    kind: str
    service: str
    target: str  # construct id of the resource: GetOrders, Helper1, Queue0, Table1, StreamConsumer, DailyJob, Api
    start: int  # minute index from START
    end: int  # exclusive
    params: dict[str, float] = field(default_factory=dict)


def at(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def handler_ids(service: Service) -> list[str]:
    return [f"{method.title()}{path.title()}" for method, path in service.routes]


def function_ids(service: Service) -> list[str]:
    ids = handler_ids(service) + [f"Helper{n}" for n in range(service.helpers)]
    ids += [f"Queue{n}Consumer" for n in range(service.queues)]
    if service.stream_consumer:
        ids.append("StreamConsumer")
    if service.job_hour is not None:
        ids.append("DailyJob")
    return ids


def batch_queues(service: Service) -> list[int]:
    rng = np.random.default_rng([SEED, service.index, 4])
    return [n for n in range(service.queues) if rng.random() < BATCH_QUEUE_SHARE]


def quiet_queues(service: Service) -> dict[int, float]:
    """Queue number -> messages a day, for the quiet queues (never one that receives batches)."""
    rng = np.random.default_rng([SEED, service.index, 6])
    batches = batch_queues(service)
    low, high = QUIET_QUEUE_MESSAGES_PER_DAY
    quiet = {}
    for n in range(service.queues):
        is_quiet, per_day = rng.random() < QUIET_QUEUE_SHARE, float(np.exp(rng.uniform(np.log(low), np.log(high))))
        if is_quiet and n not in batches:
            quiet[n] = round(per_day, 1)
    return quiet


def background_5xx(service: Service) -> float:
    """The share of this API's requests that fail transiently all month (retried by clients)."""
    rng = np.random.default_rng([SEED, service.index, 7])
    low, high = BACKGROUND_5XX
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def _targets(service: Service, per: str) -> list[str]:
    if per == "service":
        return ["Api"]
    if per == "quiet_service":
        return ["Api"] if service.tier == "quiet" else []
    if per == "route":
        return handler_ids(service)
    if per == "function":
        return function_ids(service)
    if per == "quiet_function":
        # Cold starts that show in p99: every function of a quiet service, the handlers of a normal one.
        return function_ids(service) if service.tier == "quiet" else (
            handler_ids(service) if service.tier == "normal" else [])
    if per == "queue":
        return [f"Queue{n}" for n in range(service.queues)]
    if per == "quiet_queue":
        return [f"Queue{n}" for n in quiet_queues(service)]
    if per == "stream":
        return ["StreamConsumer"] if service.stream_consumer else []
    if per == "job":
        return ["DailyJob"] if service.job_hour is not None else []
    if per == "async":
        return (["DailyJob"] if service.job_hour is not None else []) + [f"Queue{n}Consumer"
                                                                        for n in range(service.queues)]
    if per == "table":
        return [f"Table{n}" for n in range(service.tables)]
    if per == "batch_queue":
        return [f"Queue{n}" for n in batch_queues(service)]
    raise ValueError(per)


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def draw(service: Service, days: int = DAYS) -> list[Event]:
    """Every event of one service over days 1 to ``days``, in time order."""
    rng = np.random.default_rng([SEED, service.index, 2])
    events: list[Event] = []
    first, last = 1440, (days + 1) * 1440  # replayed minutes

    def add(kind: str, target: str, start: int, end: int, **params: float) -> None:
        events.append(Event("", kind, service.name, target, start, min(end, last), dict(params)))

    for kind in KINDS:
        for target in _targets(service, kind.per):
            if kind.name == "batch_burst":
                for day in range(1, days + 1):
                    if (START + timedelta(days=day)).weekday() < 5:
                        start = day * 1440 + int(rng.integers(60, 240))  # 01:00 to 04:00 UTC
                        drain = int(rng.integers(5, 13))
                        add(kind.name, target, start, start + drain, messages=float(rng.integers(5000, 50001)))
                continue
            for _ in range(int(rng.poisson(kind.rate * days / 30))):
                start = int(rng.integers(first, last - 6 * 60))
                name = kind.name
                if name == "api_outage":
                    add(name, target, start, start + int(rng.integers(10, 61)))
                elif name == "night_outage":
                    # Local midnight to 06:00 in the customers' time zone.
                    day = start // 1440
                    local_midnight = day * 1440 - int(service.timezone_shift_h * 60)
                    begin = max(first, local_midnight + int(rng.integers(0, 6 * 60)))
                    add(name, target, begin, begin + int(rng.integers(30, 241)))
                elif name == "route_outage":
                    add(name, target, start, start + int(rng.integers(10, 121)))
                elif name == "api_partial_errors":
                    add(name, target, start, start + int(rng.integers(60, 361)),
                        share=_log_uniform(rng, 0.01, 0.10), helper=float(rng.integers(0, service.helpers)))
                elif name == "slow_burn":
                    add(name, target, start, start + int(rng.integers(12 * 60, 72 * 60 + 1)),
                        share=float(rng.uniform(0.002, 0.012)))
                elif name == "latency_regression":
                    add(name, target, start, start + int(rng.integers(30, 181)), share=float(rng.uniform(0.1, 0.5)),
                        latency_ms=float(rng.uniform(1500, 4000)), helper=float(rng.integers(0, service.helpers)))
                elif name == "route_latency":
                    add(name, target, start, start + int(rng.integers(30, 361)), share=float(rng.uniform(0.3, 1.0)),
                        latency_ms=float(rng.uniform(1200, 5000)))
                elif name == "stuck_consumer":
                    add(name, target, start, start + int(rng.integers(30, 181)))
                elif name == "quiet_consumer_stall":
                    add(name, target, start, start + int(rng.integers(60, 24 * 60 + 1)))
                elif name == "poison_messages":
                    # Each message is received 5 times, 3 minutes apart, then moved to the DLQ.
                    add(name, target, start, start + 15, messages=float(rng.integers(1, 21)),
                        redrive_after=float(rng.integers(120, 24 * 60)))
                elif name == "stream_lag":
                    add(name, target, start, start + int(rng.integers(20, 121)))
                elif name == "job_failing":
                    assert service.job_hour is not None
                    day = int(rng.integers(1, days - 3))
                    nights = int(rng.integers(2, 5))
                    run = day * 1440 + service.job_hour * 60
                    fixed = run + (nights - 1) * 1440 + 7 * 60  # fixed the morning after the last failure
                    add(name, target, run, fixed, nights=float(nights))
                elif name == "error_burst":
                    length = int(rng.integers(1, 6))
                    add(name, target, start, start + length, count=float(round(_log_uniform(rng, 1, 100))))
                elif name == "transient_error":
                    add(name, target, start, start + 1, count=float(rng.integers(1, 4)))
                elif name == "lambda_throttle_retried":
                    length = int(rng.integers(1, 4))
                    add(name, target, start, start + length, count=float(rng.integers(1, 21)))
                elif name == "cold_start_spike":
                    add(name, target, start, start + 1, count=float(rng.integers(1, 4)),
                        latency_ms=float(rng.uniform(1500, 6000)))
                elif name == "dynamodb_system_error":
                    add(name, target, start, start + 1, count=float(rng.integers(1, 6)),
                        operation=float(rng.integers(0, 4)))
                elif name == "dynamodb_throttle_retried":
                    length = int(rng.integers(1, 6))
                    add(name, target, start, start + length, count=float(rng.integers(1, 51)))
                elif name == "async_retry":
                    if target == "DailyJob":
                        assert service.job_hour is not None
                        day = int(rng.integers(1, days + 1))
                        run = day * 1440 + service.job_hour * 60
                        add(name, target, run, run + 2)
                    else:
                        add(name, target, start, start + 1)
                else:
                    raise AssertionError(name)
    events.sort(key=lambda e: (e.start, e.kind, e.target))
    counters: dict[str, int] = {}
    numbered = []
    for event in events:
        counters[event.kind] = counters.get(event.kind, 0) + 1
        numbered.append(Event(f"{service.name}-{event.kind}-{counters[event.kind]:02d}", event.kind, event.service,
                              event.target, event.start, event.end, event.params))
    return numbered


def describe(event: Event) -> str:
    p = event.params
    length = event.end - event.start
    text = {
        "api_outage": f"every request fails for {length} min",
        "night_outage": f"every request fails for {length} min at night",
        "route_outage": f"every request of this route fails for {length} min",
        "api_partial_errors": f"{p.get('share', 0):.1%} of requests fail for {length} min "
                              f"(Helper{int(p.get('helper', 0))})",
        "slow_burn": f"{p.get('share', 0):.2%} of requests fail for {length / 60:.0f} h",
        "latency_regression": f"{p.get('share', 0):.0%} of requests take {p.get('latency_ms', 0):.0f} ms "
                              f"for {length} min",
        "route_latency": f"{p.get('share', 0):.0%} of this route's requests take {p.get('latency_ms', 0):.0f} ms "
                         f"for {length} min",
        "stuck_consumer": f"consumer of {event.target} disabled for {length} min",
        "quiet_consumer_stall": f"consumer of quiet {event.target} stopped for {length / 60:.1f} h",
        "poison_messages": f"{int(p.get('messages', 0))} messages of {event.target} land on its dead-letter queue",
        "stream_lag": f"the stream consumer falls behind for {length} min",
        "job_failing": f"the daily job fails {int(p.get('nights', 0))} nights running",
        "error_burst": f"{int(p.get('count', 0))} errors over {length} min",
        "batch_burst": f"{int(p.get('messages', 0))} messages drained in {length} min",
    }.get(event.kind, KIND_BY_NAME[event.kind].description)
    return f"{event.target}: {text}"
