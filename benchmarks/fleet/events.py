"""The labelled catalogue of events: what goes wrong in each service over the month, and whether
customers notice. Drawn per service from a fixed seed (``(SEED, service, 2)``).

Each kind has a rate: the expected number of events a month per resource it can hit (Poisson),
except nightly batch bursts, which come every weekday night on the queues that receive batches.
The rates of the harmless kinds were set once so that the per-resource variant lands where the
teams this project is for are (on the order of 100 notifications a day at 100 services); they
are not tuned per result. docs/benchmarks.md lists them.
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
    customer_impact: bool
    per: str  # what the rate counts: service, function, handler, queue, batch_queue, stream, job, table
    rate: float  # expected events a month per `per`
    description: str


KINDS: tuple[Kind, ...] = (
    # -- customer-impacting ----------------------------------------------------------------------
    Kind("api_outage", True, "service", 0.25, "every API request fails with 5xx for 10 to 60 minutes"),
    Kind("api_partial_errors", True, "service", 0.25,
         "a bad deploy of a helper makes 2 to 10 % of API requests fail for 1 to 6 hours"),
    Kind("latency_regression", True, "service", 0.25,
         "a slow dependency makes 10 to 50 % of API requests take 1.5 to 4 s for 30 minutes to 3 hours"),
    Kind("stuck_consumer", True, "queue", 0.15,
         "a deploy disables a queue's consumer for 30 minutes to 3 hours: messages wait, their age grows"),
    Kind("poison_messages", True, "queue", 0.2,
         "1 to 20 messages fail every attempt and land on the dead-letter queue"),
    Kind("stream_lag", True, "stream", 0.3,
         "a slow dependency makes the stream consumer fall behind for 20 minutes to 2 hours"),
    Kind("job_failing", True, "job", 0.2, "the daily job fails (all retries) 2 to 4 nights running"),
    # -- harmless: the platform or the client absorbs them ---------------------------------------
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


@dataclass(frozen=True)
class Event:
    id: str
    kind: str
    service: str
    target: str  # construct id of the resource: GetOrders, Helper1, Queue0, Table1, StreamConsumer, DailyJob, Api
    start: int  # minute index from START
    end: int  # exclusive
    params: dict[str, float] = field(default_factory=dict)

    @property
    def customer_impact(self) -> bool:
        return KIND_BY_NAME[self.kind].customer_impact

    def incident(self) -> dict[str, object]:
        """As an incidents-file entry (sensible_alarms.replay.Incident's fields)."""
        return {"id": self.id, "start": at(self.start), "end": at(self.end), "customer_impact": self.customer_impact,
                "entrypoint": f"{self.service}/{self.target}", "description": describe(self)}


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


def _targets(service: Service, per: str) -> list[str]:
    if per == "service":
        return ["Api"]
    if per == "function":
        return function_ids(service)
    if per == "quiet_function":
        # Cold starts that show in p99: every function of a quiet service, the handlers of a normal one.
        return function_ids(service) if service.tier == "quiet" else (
            handler_ids(service) if service.tier == "normal" else [])
    if per == "queue":
        return [f"Queue{n}" for n in range(service.queues)]
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


def _minute_of_day(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 1440))


def draw(service: Service, days: int = DAYS) -> list[Event]:
    """Every event of one service over days 1 to ``days``, in time order."""
    rng = np.random.default_rng([SEED, service.index, 2])
    events: list[Event] = []
    first, last = 1440, (days + 1) * 1440  # replayed minutes

    def add(kind: str, target: str, start: int, end: int, **params: float) -> None:
        events.append(Event("", kind, service.name, target, start, end, dict(params)))

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
                elif name == "api_partial_errors":
                    add(name, target, start, start + int(rng.integers(60, 361)), share=float(rng.uniform(0.02, 0.10)),
                        helper=float(rng.integers(0, service.helpers)))
                elif name == "latency_regression":
                    add(name, target, start, start + int(rng.integers(30, 181)), share=float(rng.uniform(0.1, 0.5)),
                        latency_ms=float(rng.uniform(1500, 4000)), helper=float(rng.integers(0, service.helpers)))
                elif name == "stuck_consumer":
                    add(name, target, start, start + int(rng.integers(30, 181)))
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
                    add(name, target, run, min(fixed, last), nights=float(nights))
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
        "api_partial_errors": f"{p.get('share', 0):.1%} of requests fail for {length} min "
                              f"(Helper{int(p.get('helper', 0))})",
        "latency_regression": f"{p.get('share', 0):.0%} of requests take {p.get('latency_ms', 0):.0f} ms "
                              f"for {length} min",
        "stuck_consumer": f"consumer of {event.target} disabled for {length} min",
        "poison_messages": f"{int(p.get('messages', 0))} messages of {event.target} land on its dead-letter queue",
        "stream_lag": f"the stream consumer falls behind for {length} min",
        "job_failing": f"the daily job fails {int(p.get('nights', 0))} nights running",
        "batch_burst": f"{int(p.get('messages', 0))} messages drained in {length} min",
    }.get(event.kind, KIND_BY_NAME[event.kind].description)
    return f"{event.target}: {text}"
