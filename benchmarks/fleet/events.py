"""The catalogue of events: what goes wrong in each service over the month. Drawn per service from
a fixed seed (``(SEED, service, 2)``); the kinds of the entrypoints added later (asynchronous event
consumers, workflows, Function URLs, load balancers, GraphQL and WebSocket APIs) from a generator of
their own (``(SEED, service, 12)``), so the events of the first kinds are the same as before.

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
    # -- the other entrypoint kinds (drawn from (SEED, service, 12)) -------------------------------
    Kind("endpoint_outage", True, "endpoint", 0.25,
         "every request of a Function URL, load balancer, GraphQL or WebSocket API fails for 10 to 60 minutes"),
    Kind("endpoint_partial_errors", True, "endpoint", 0.25,
         "a bad deploy makes 1 to 10 % of an endpoint's requests fail for 1 to 6 hours"),
    Kind("endpoint_latency", True, "endpoint", 0.25,
         "a slow dependency makes 10 to 50 % of an endpoint's requests take 1.5 to 4 s for 30 minutes to 3 hours"),
    Kind("async_handler_failing", True, "event_consumer", 0.15,
         "a bad deploy makes an asynchronous consumer fail every attempt for 10 minutes to 3 hours: Lambda "
         "retries each event twice, then drops it"),
    Kind("async_poison_events", True, "event_consumer", 0.2,
         "1 to 20 events fail all 3 attempts of Lambda's asynchronous invocation and are dropped"),
    Kind("async_consumer_lag", True, "event_consumer", 0.15,
         "the consumer is throttled (its concurrency taken) for 20 minutes to 2 hours and runs 10 to 60 % of "
         "the events arriving: events wait in Lambda's asynchronous queue"),
    Kind("event_delivery_failure", True, "rule_consumer", 0.1,
         "a deploy removes the rule's permission to invoke its target for 10 minutes to 2 hours: EventBridge "
         "does not retry the error, every matched event fails for good"),
    Kind("workflow_failing", True, "workflow", 0.2,
         "a step's dependency fails for 15 minutes to 3 hours: 20 to 100 % of the executions fail"),
    Kind("endpoint_error_burst", False, "endpoint", 1.5,
         "1 to 100 requests of an endpoint fail over 1 to 5 minutes (a deploy blip); clients retry"),
    Kind("async_retry_burst", False, "event_consumer", 1.0,
         "1 to 10 events fail once; Lambda's retry a minute later succeeds"),
    Kind("event_burst", False, "event_consumer", 0.5,
         "a bulk import sends 1,000 to 20,000 events over 2 to 10 minutes: they wait a few minutes, none past "
         "its freshness"),
    Kind("workflow_step_retried", False, "workflow", 1.0,
         "a workflow step's Lambda fails 1 to 20 times over 1 to 5 minutes; the state machine's Retry succeeds"),
)
KIND_BY_NAME = {k.name: k for k in KINDS}
#: The kinds drawn from the second generator (after the first kinds, in this order).
OTHER_KINDS = frozenset(k.name for k in KINDS[KINDS.index(KIND_BY_NAME["endpoint_outage"]):])
#: Share of queues that receive a nightly batch.
BATCH_QUEUE_SHARE = 0.25
#: Share of queues that are quiet (5 to 50 messages a day, whatever the API's traffic).
QUIET_QUEUE_SHARE = 0.3
QUIET_QUEUE_MESSAGES_PER_DAY = (5.0, 50.0)
#: Every API's background 5xx rate, all month: drawn per service, log-uniform in this range.
BACKGROUND_5XX = (0.0002, 0.003)
#: Whole-entrypoint outages: every request of the API (or of another request/response endpoint) fails.
FULL_OUTAGE_KINDS = ("api_outage", "night_outage", "endpoint_outage")


@dataclass(frozen=True)
class Event:
    id: str
    kind: str
    service: str
    #: construct id of the resource: GetOrders, Helper1, Queue0, Table1, StreamConsumer, DailyJob, Api,
    #: Events0 (an asynchronous consumer), Workflow, Webhook, Storefront, Graphql, Live
    target: str
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


def other_function_ids(service: Service) -> list[str]:
    """The Lambda functions of the entrypoint kinds added later (not targets of the first kinds' events)."""
    ids = [f"Events{n}Consumer" for n in range(len(service.event_consumers))]
    if service.workflow:
        ids.append("WorkflowStep")
    return ids + list(service.endpoints.values())


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
    if per == "endpoint":
        return list(service.endpoints)
    if per == "event_consumer":
        return [f"Events{n}" for n in range(len(service.event_consumers))]
    if per == "rule_consumer":
        return [f"Events{n}" for n, source in enumerate(service.event_consumers) if source == "rule"]
    if per == "workflow":
        return ["Workflow"] if service.workflow else []
    raise ValueError(per)


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def draw(service: Service, days: int = DAYS) -> list[Event]:
    """Every event of one service over days 1 to ``days``, in time order."""
    first_rng = np.random.default_rng([SEED, service.index, 2])
    other_rng = np.random.default_rng([SEED, service.index, 12])
    events: list[Event] = []
    first, last = 1440, (days + 1) * 1440  # replayed minutes

    def add(kind: str, target: str, start: int, end: int, **params: float) -> None:
        events.append(Event("", kind, service.name, target, start, min(end, last), dict(params)))

    for kind in KINDS:
        rng = other_rng if kind.name in OTHER_KINDS else first_rng
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
                elif name == "endpoint_outage":
                    add(name, target, start, start + int(rng.integers(10, 61)))
                elif name == "endpoint_partial_errors":
                    add(name, target, start, start + int(rng.integers(60, 361)), share=_log_uniform(rng, 0.01, 0.10))
                elif name == "endpoint_latency":
                    add(name, target, start, start + int(rng.integers(30, 181)), share=float(rng.uniform(0.1, 0.5)),
                        latency_ms=float(rng.uniform(1500, 4000)))
                elif name == "endpoint_error_burst":
                    length = int(rng.integers(1, 6))
                    add(name, target, start, start + length, count=float(round(_log_uniform(rng, 1, 100))))
                elif name == "async_handler_failing":
                    add(name, target, start, start + int(rng.integers(10, 181)))
                elif name == "async_poison_events":
                    # Lambda runs an event 3 times (the first attempt, retries 1 and 2 minutes apart), then drops it.
                    add(name, target, start, start + 4, events=float(rng.integers(1, 21)))
                elif name == "async_consumer_lag":
                    add(name, target, start, start + int(rng.integers(20, 121)), capacity=float(rng.uniform(0.1, 0.6)))
                elif name == "event_delivery_failure":
                    add(name, target, start, start + int(rng.integers(10, 121)))
                elif name == "workflow_failing":
                    add(name, target, start, start + int(rng.integers(15, 181)), share=float(rng.uniform(0.2, 1.0)))
                elif name == "async_retry_burst":
                    add(name, target, start, start + 2, count=float(rng.integers(1, 11)))
                elif name == "event_burst":
                    length = int(rng.integers(2, 11))
                    add(name, target, start, start + length, events=float(rng.integers(1000, 20001)))
                elif name == "workflow_step_retried":
                    length = int(rng.integers(1, 6))
                    add(name, target, start, start + length, count=float(rng.integers(1, 21)))
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
        "endpoint_outage": f"every request fails for {length} min",
        "endpoint_partial_errors": f"{p.get('share', 0):.1%} of requests fail for {length} min",
        "endpoint_latency": f"{p.get('share', 0):.0%} of requests take {p.get('latency_ms', 0):.0f} ms "
                            f"for {length} min",
        "endpoint_error_burst": f"{int(p.get('count', 0))} errors over {length} min",
        "async_handler_failing": f"every attempt fails for {length} min; events dropped",
        "async_poison_events": f"{int(p.get('events', 0))} events fail every attempt and are dropped",
        "async_consumer_lag": f"throttled to {p.get('capacity', 0):.0%} of the arrivals for {length} min",
        "event_delivery_failure": f"the rule cannot invoke its target for {length} min",
        "workflow_failing": f"{p.get('share', 0):.0%} of executions fail for {length} min",
        "event_burst": f"{int(p.get('events', 0))} events over {length} min",
    }.get(event.kind, KIND_BY_NAME[event.kind].description)
    return f"{event.target}: {text}"
