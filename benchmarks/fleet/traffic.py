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

The entrypoint kinds added later (asynchronous event consumers, a workflow, Function URLs, load
balancers, GraphQL and WebSocket APIs) are simulated from a generator of their own (``(SEED, i, 11)``)
after the first kinds, so the traffic and the events of the first kinds are as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import numpy.typing as npt
from events import (
    DAYS,
    OTHER_KINDS,
    START,
    Event,
    background_5xx,
    describe,
    function_ids,
    handler_ids,
    other_function_ids,
    quiet_queues,
)
from spec import SEED, Service

Array = npt.NDArray[np.float64]
MINUTES = (DAYS + 1) * 1440
SLOW_MS = 1000.0  # a request slower than this is a slow request for its customer (docs/benchmarks.md)
OPERATIONS = ("GetItem", "PutItem", "Query", "UpdateItem")
#: What customers expect of asynchronous work in this fleet: the freshness the teams promise.
QUEUE_FRESHNESS_MINUTES = 15
STREAM_FRESHNESS_MINUTES = 5
#: A slow request counts as half a failed one: it was served, late; a failed one was not served.
SLOW_WEIGHT = 0.5
#: Customer-impacting from this many weighted bad requests (failed + SLOW_WEIGHT x slow) ...
MIN_BAD_REQUESTS = 3.0
#: ... or from one message or record delayed past its freshness, dead-lettered, or one job run not done.

#: Attempts a client makes at a request that fails transiently (AWS SDK standard retry mode: 3).
CLIENT_ATTEMPTS = 3
#: What customers expect of an asynchronous event consumer: processed within this many minutes.
EVENT_FRESHNESS_MINUTES = 15
#: Lambda runs an asynchronous event up to 3 times: at once, then about 1 and 2 minutes later
#: (Lambda Developer Guide, "How Lambda handles errors and retries with asynchronous invocation").
ASYNC_ATTEMPT_OFFSETS = (0, 1, 3)


@dataclass
class Outcome:
    """What one event did to customers, counted in the simulated traffic."""

    failed_requests: float = 0.0  # requests whose every attempt failed
    slow_requests: float = 0.0  # requests served slower than SLOW_MS
    delayed_messages: float = 0.0  # messages or stream records processed later than their freshness
    dead_lettered: float = 0.0  # messages moved to a dead-letter queue (work lost until redriven)
    runs_not_done: float = 0.0  # scheduled runs that did not succeed
    events_lost: float = 0.0  # asynchronous events dropped or never delivered (a customer's work not done)

    @property
    def bad_requests(self) -> float:
        """Failed requests plus slow ones at SLOW_WEIGHT."""
        return self.failed_requests + SLOW_WEIGHT * self.slow_requests

    @property
    def customer_impact(self) -> bool:
        return (self.bad_requests >= MIN_BAD_REQUESTS or self.delayed_messages >= 1 or self.dead_lettered >= 1
                or self.runs_not_done >= 1 or self.events_lost >= 1)

    @property
    def customers_affected(self) -> float:
        """One figure for the size of the impact: weighted bad requests plus messages and runs."""
        return self.bad_requests + self.delayed_messages + self.dead_lettered + self.runs_not_done + self.events_lost

    def as_dict(self) -> dict[str, float]:
        return {"failed_requests": round(self.failed_requests, 1), "slow_requests": round(self.slow_requests, 1),
                "delayed_messages": round(self.delayed_messages, 1), "dead_lettered": round(self.dead_lettered, 1),
                "runs_not_done": round(self.runs_not_done, 1), "events_lost": round(self.events_lost, 1)}


def incident(event: Event, outcome: Outcome, service: Service) -> dict[str, object]:
    """An event as an incidents-file entry (sensible_alarms.replay.Incident's fields), labelled by
    what customers got, on the entrypoint its target belongs to (``Svc004/Api``; none for a table)."""
    got = ", ".join(f"{v:g} {k.replace('_', ' ')}" for k, v in outcome.as_dict().items() if v)
    entrypoint = service.entrypoint_of(event.target)
    return {"id": event.id, "start": START + timedelta(minutes=event.start),
            "end": START + timedelta(minutes=event.end), "customer_impact": outcome.customer_impact,
            "entrypoint": f"{event.service}/{entrypoint}" if entrypoint else None,
            "description": f"{describe(event)} (customers got: {got or 'nothing'})"}


@dataclass
class FunctionMinutes:
    invocations: Array
    errors: Array
    throttles: Array
    slow: Array  # requests over the usual tail
    slow_latency: Array  # ms of the slowest of them (0 where none)
    usual_p99: float  # ms
    iterator_age: Array | None = None  # ms, stream consumers
    transient: Array = field(default_factory=lambda: np.zeros(MINUTES))  # errors a retry can get past


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
class EventMinutes:
    """An asynchronous event consumer's source and Lambda's asynchronous queue in front of its function."""

    source: str  # "topic", "rule" or "bucket"
    sent: Array  # events the source sent (a rule: the events it matched)
    received: Array  # events Lambda queued for the function (AsyncEventsReceived)
    age: Array  # ms, the oldest event run that minute waited in the queue (AsyncEventAge Maximum)
    dropped: Array  # events given up on after every attempt (AsyncEventsDropped)
    failed_deliveries: Array  # a rule's events it could not deliver, for good (AWS/Events FailedInvocations)


@dataclass
class WorkflowMinutes:
    started: Array
    failed: Array
    timed_out: Array
    aborted: Array
    slow: Array  # executions over the usual tail
    slow_latency: Array
    usual_p99: float  # ms


@dataclass
class ServiceMinutes:
    api: ApiMinutes
    functions: dict[str, FunctionMinutes]
    queues: dict[str, QueueMinutes]  # main queues, dead-letter queues and the stream's failure queue
    tables: dict[str, TableMinutes]
    #: What each event did to customers, by event id.
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    #: The other kinds: asynchronous consumers (Events0, ...), the workflow, and the requests of each
    #: endpoint over SLOW_MS (Webhook, Storefront, Graphql, Live; their counts are their functions').
    events: dict[str, EventMinutes] = field(default_factory=dict)
    workflow: WorkflowMinutes | None = None
    endpoint_over_slo: dict[str, Array] = field(default_factory=dict)
    endpoint_4xx: dict[str, Array] = field(default_factory=dict)


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


@dataclass
class _Harm:
    """An event's own contribution to a route's minutes, to count what its customers got."""

    handler: str
    span: slice
    transient: Array


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
    quiet = quiet_queues(service)
    for n in range(service.queues):
        rate = api_rate * rng.uniform(0.2, 0.5)
        if n in quiet:  # a few messages a day, on the same daily curve
            rate = shape * quiet[n] / (shape.mean() * 1440)
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
    first = [e for e in events if e.kind not in OTHER_KINDS]
    others = [e for e in events if e.kind in OTHER_KINDS]
    events = first

    # The background 5xx rate: transient errors on every route, all month (a retry gets past them).
    background = background_5xx(service)
    for name in handlers:
        fm = functions[name]
        fm.transient += rng.binomial(fm.invocations.astype(np.int64), background)
        fm.errors += fm.transient

    tables = {f"Table{n}": TableMinutes() for n in range(service.tables)}

    outcomes: dict[str, Outcome] = {}
    harms: dict[str, list[_Harm]] = {}
    for event in events:
        outcomes[event.id], harms[event.id] = _apply(event, service, rng, functions, queues, tables, arrival_rates)
    # A transiently failed request fails its customer only when every attempt fails; the attempts
    # come seconds apart, so each fails with the share of the route's requests failing transiently
    # that minute.
    other_rng = np.random.default_rng([SEED, service.index, 11])
    kinds = _OtherKinds(service, other_rng, api_rate, functions)
    for event in others:
        outcomes[event.id], harms[event.id] = kinds.apply(event)
    assert sorted(functions) == sorted(function_ids(service) + other_function_ids(service))
    for event_id, event_harms in harms.items():
        for harm in event_harms:
            fm = functions[harm.handler]
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.clip(np.nan_to_num(fm.transient[harm.span] / fm.invocations[harm.span]), 0, 1)
            outcomes[event_id].failed_requests += float((harm.transient * share ** (CLIENT_ATTEMPTS - 1)).sum())

    requests = sum((functions[h].invocations for h in handlers), zeros())
    errors = sum((functions[h].errors for h in handlers), zeros())
    slow = sum((functions[h].slow for h in handlers), zeros())
    slow_latency = np.max([functions[h].slow_latency for h in handlers], axis=0)
    over_slo = sum((np.where(functions[h].slow_latency > SLOW_MS, functions[h].slow, 0) for h in handlers), zeros())
    # A few requests over 1 s in every busy minute (0.05 %), too few to move the p99.
    over_slo = over_slo + rng.binomial(requests.astype(np.int64), 0.0005)
    api = ApiMinutes(requests, errors, rng.binomial(requests.astype(np.int64), 0.01).astype(float), over_slo,
                     slow, slow_latency, service.base_latency_ms * 2.2 + 20)
    endpoint_over_slo = {endpoint: kinds.over_slo(function) for endpoint, function in service.endpoints.items()}
    endpoint_4xx = {endpoint: other_rng.binomial(functions[function].invocations.astype(np.int64), 0.01).astype(float)
                    for endpoint, function in service.endpoints.items()}
    return ServiceMinutes(api, functions, queues, tables, outcomes, kinds.events, kinds.workflow, endpoint_over_slo,
                          endpoint_4xx)


def _ensure(fm: FunctionMinutes, minute: int, count: float) -> None:
    fm.invocations[minute] = max(fm.invocations[minute], count)


def _fail_all(fm: FunctionMinutes, span: slice) -> float:
    """Every request of the span fails, whatever a retry does: returns how many did."""
    fm.errors[span] = fm.invocations[span]
    fm.transient[span] = 0
    return float(fm.invocations[span].sum())


def _fail_share(fm: FunctionMinutes, span: slice, share: float, rng: np.random.Generator) -> float:
    """A share of the requests hits a bug that fails every attempt: returns how many."""
    failed = rng.binomial(fm.invocations[span].astype(np.int64), share).astype(float)
    fm.errors[span] = np.minimum(fm.errors[span] + failed, fm.invocations[span])
    return float(failed.sum())


def _slow_share(fm: FunctionMinutes, span: slice, share: float, latency_ms: float, rng: np.random.Generator) -> float:
    slow = rng.binomial(fm.invocations[span].astype(np.int64), share).astype(float)
    _merge_slow(fm, span, slow, latency_ms)
    return float(slow.sum()) if latency_ms > SLOW_MS else 0.0


def _stall(queue: QueueMinutes, arrivals: Array, start: int, length: int, rng: np.random.Generator) -> float:
    """The consumer stops for ``length`` minutes: messages wait. Returns how many waited longer than
    the queue's freshness."""
    span = slice(start, start + length)
    got = rng.poisson(arrivals[span]).astype(float)
    backlog = np.cumsum(got)
    queue.visible[span] += backlog
    waiting = np.flatnonzero(backlog > 0)
    age = np.zeros(length)
    if waiting.size:  # the oldest message is the first that arrived during the stall
        first = int(waiting[0])
        age[first:] = (np.arange(length - first) + 1) * 60.0
    queue.age[span] = age  # an empty queue has no oldest message
    drain = slice(start + length, min(start + length + 10, MINUTES))
    if waiting.size and drain.stop > drain.start:
        queue.age[drain] = np.minimum(queue.age[drain], np.linspace(age[-1], 30, drain.stop - drain.start))
    # A message that arrives at minute i of the stall waits (length - i) minutes.
    waits = length - np.arange(length)
    return float(got[waits > QUEUE_FRESHNESS_MINUTES].sum())


def _apply(event: Event, service: Service, rng: np.random.Generator, functions: dict[str, FunctionMinutes],
           queues: dict[str, QueueMinutes], tables: dict[str, TableMinutes], arrival_rates: dict[str, Array],
           ) -> tuple[Outcome, list[_Harm]]:
    span = slice(event.start, event.end)
    p = event.params
    kind = event.kind
    out = Outcome()
    harms: list[_Harm] = []
    handlers = [functions[h] for h in handler_ids(service)]
    if kind in ("api_outage", "night_outage"):
        out.failed_requests = sum(_fail_all(fm, span) for fm in handlers)
    elif kind == "route_outage":
        out.failed_requests = _fail_all(functions[event.target], span)
    elif kind == "api_partial_errors":
        helper = functions[f"Helper{int(p['helper'])}"]
        helper.errors[span] += rng.binomial(helper.invocations[span].astype(np.int64), p["share"])
        out.failed_requests = sum(_fail_share(fm, span, p["share"], rng) for fm in handlers)
    elif kind == "slow_burn":
        out.failed_requests = sum(_fail_share(fm, span, p["share"], rng) for fm in handlers)
    elif kind == "latency_regression":
        out.slow_requests = sum(_slow_share(fm, span, p["share"], p["latency_ms"], rng) for fm in handlers)
        _slow_share(functions[f"Helper{int(p['helper'])}"], span, p["share"], p["latency_ms"], rng)
    elif kind == "route_latency":
        out.slow_requests = _slow_share(functions[event.target], span, p["share"], p["latency_ms"], rng)
    elif kind in ("stuck_consumer", "quiet_consumer_stall"):
        consumer = functions[f"{event.target}Consumer"]
        consumer.invocations[span] = 0
        consumer.errors[span] = 0
        out.delayed_messages = _stall(queues[event.target], arrival_rates[event.target], event.start,
                                      event.end - event.start, rng)
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
        out.dead_lettered = messages
    elif kind == "stream_lag":
        consumer = functions["StreamConsumer"]
        assert consumer.iterator_age is not None
        length = event.end - event.start
        consumer.invocations[span] = np.maximum(consumer.invocations[span], 1)
        _merge_slow(consumer, span, consumer.invocations[span], 25_000.0)
        consumer.iterator_age[span] = np.arange(1, length + 1) * 60_000.0
        catch_up = slice(event.end, min(event.end + 10, MINUTES))
        consumer.iterator_age[catch_up] = np.linspace(length * 60_000.0, 1000, catch_up.stop - catch_up.start)
        # Records read once the iterator is older than the freshness were late.
        out.delayed_messages = float(consumer.invocations[event.start + STREAM_FRESHNESS_MINUTES:event.end].sum())
    elif kind == "job_failing":
        job = functions["DailyJob"]
        for night in range(int(p["nights"])):
            run = event.start + night * 1440
            for offset in (0, 1, 3):  # Lambda retries a failed asynchronous invocation twice
                if run + offset < MINUTES:
                    job.invocations[run + offset] = 1
                    job.errors[run + offset] = 1
            out.runs_not_done += 1
    elif kind == "error_burst":
        fm = functions[event.target]
        length = event.end - event.start
        wanted = np.diff(np.linspace(0, p["count"], length + 1).round())
        added = np.minimum(wanted, fm.invocations[span] - fm.errors[span])
        fm.errors[span] += added
        fm.transient[span] += added
        harms.append(_Harm(event.target, span, added))
    elif kind == "transient_error":
        fm = functions[event.target]
        _ensure(fm, event.start, p["count"])
        fm.errors[event.start] += p["count"]
        # Momentary (a connection reset): the caller's retry, a second later, succeeds.
    elif kind == "lambda_throttle_retried":
        functions[event.target].throttles[span] += np.diff(np.linspace(0, p["count"], event.end - event.start + 1)
                                                           ).round()
    elif kind == "cold_start_spike":
        fm = functions[event.target]
        _ensure(fm, event.start, p["count"])
        _merge_slow(fm, event.start, p["count"], p["latency_ms"])
        if event.target in handler_ids(service) and p["latency_ms"] > SLOW_MS:
            out.slow_requests = p["count"]
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
        # The oldest message of the batch waits the whole drain.
        out.delayed_messages = p["messages"] if length > QUEUE_FRESHNESS_MINUTES else 0.0
    else:
        raise AssertionError(kind)
    return out, harms


class _OtherKinds:
    """The traffic of the entrypoint kinds added later, and their events, from their own generator."""

    def __init__(self, service: Service, rng: np.random.Generator, api_rate: Array,
                 functions: dict[str, FunctionMinutes]) -> None:
        self.service, self.rng, self.functions = service, rng, functions
        self.events: dict[str, EventMinutes] = {}
        self.workflow: WorkflowMinutes | None = None
        background = background_5xx(service)

        def function(rate: Array, usual_p99: float) -> FunctionMinutes:
            return FunctionMinutes(rng.poisson(rate).astype(float), zeros(), zeros(), zeros(), zeros(), usual_p99)

        for n, source in enumerate(service.event_consumers):
            # Events follow the service's day; a bucket's uploads are fewer than a topic's or a rule's events.
            rate = api_rate * rng.uniform(0.05, 0.5) * (0.3 if source == "bucket" else 1.0)
            fm = function(rate, rng.uniform(100, 800))
            functions[f"Events{n}Consumer"] = fm
            sent = fm.invocations.copy()
            age = np.where(sent > 0, rng.uniform(20, 1500, MINUTES).round(), 0.0)
            self.events[f"Events{n}"] = EventMinutes(source, sent, sent.copy(), age, zeros(), zeros())
        if service.workflow:
            step = function(api_rate * rng.uniform(0.02, 0.2), rng.uniform(200, 1500))
            functions["WorkflowStep"] = step
            self.workflow = WorkflowMinutes(step.invocations.copy(), zeros(), zeros(), zeros(), zeros(), zeros(),
                                            rng.uniform(2000, 20000))
        shares = {"Webhook": (0.02, 0.2), "StorefrontHandler": (0.3, 1.0), "GraphqlResolver": (0.3, 1.0),
                  "LiveHandler": (0.1, 0.5)}
        for name in service.endpoints.values():
            fm = function(api_rate * rng.uniform(*shares[name]), service.base_latency_ms * rng.uniform(1.8, 2.6))
            # The same background rate of transient 5xx as the service's API, retried by clients.
            fm.transient += rng.binomial(fm.invocations.astype(np.int64), background)
            fm.errors += fm.transient
            functions[name] = fm

    def over_slo(self, function: str) -> Array:
        fm = self.functions[function]
        over = np.where(fm.slow_latency > SLOW_MS, fm.slow, 0)
        # A few requests over 1 s in every busy minute (0.05 %), as on the API.
        return np.asarray(over + self.rng.binomial(fm.invocations.astype(np.int64), 0.0005), dtype=np.float64)

    def apply(self, event: Event) -> tuple[Outcome, list[_Harm]]:
        span = slice(event.start, event.end)
        p, kind, rng = event.params, event.kind, self.rng
        out = Outcome()
        harms: list[_Harm] = []
        if kind.startswith("endpoint_"):
            name = self.service.endpoints[event.target]
            fm = self.functions[name]
            if kind == "endpoint_outage":
                out.failed_requests = _fail_all(fm, span)
            elif kind == "endpoint_partial_errors":
                out.failed_requests = _fail_share(fm, span, p["share"], rng)
            elif kind == "endpoint_latency":
                out.slow_requests = _slow_share(fm, span, p["share"], p["latency_ms"], rng)
            elif kind == "endpoint_error_burst":
                wanted = np.diff(np.linspace(0, p["count"], event.end - event.start + 1).round())
                added = np.minimum(wanted, fm.invocations[span] - fm.errors[span])
                fm.errors[span] += added
                fm.transient[span] += added
                harms.append(_Harm(name, span, added))
            else:
                raise AssertionError(kind)
        elif kind.startswith("workflow_"):
            assert self.workflow is not None
            step = self.functions["WorkflowStep"]
            if kind == "workflow_failing":
                failed = rng.binomial(self.workflow.started[span].astype(np.int64), p["share"]).astype(float)
                self.workflow.failed[span] += failed
                # The failing step ran 3 times (the state machine's Retry: 2) before the execution failed.
                step.invocations[span] += 2 * failed
                step.errors[span] += 3 * failed
                out.failed_requests = float(failed.sum())
            elif kind == "workflow_step_retried":
                count = np.diff(np.linspace(0, p["count"], event.end - event.start + 1).round())
                step.invocations[span] += count
                step.errors[span] += count
            else:
                raise AssertionError(kind)
        else:
            out = self._apply_async(event)
        return out, harms

    def _attempt(self, fm: FunctionMinutes, queue: EventMinutes, minute: int, count: float, *, fails: bool,
                 waited_ms: float) -> None:
        if minute >= MINUTES or count <= 0:
            return
        fm.invocations[minute] += count
        if fails:
            fm.errors[minute] += count
        queue.age[minute] = max(queue.age[minute], waited_ms)

    def _apply_async(self, event: Event) -> Outcome:
        span = slice(event.start, event.end)
        p, kind = event.params, event.kind
        queue = self.events[event.target]
        fm = self.functions[f"{event.target}Consumer"]
        out = Outcome()
        if kind == "async_handler_failing":
            # Every attempt inside the span fails; an event whose third attempt is still inside is dropped.
            for minute in range(event.start, event.end):
                arrived = queue.received[minute]
                if not arrived:
                    continue
                fm.errors[minute] = fm.invocations[minute]
                for offset in ASYNC_ATTEMPT_OFFSETS[1:]:
                    self._attempt(fm, queue, minute + offset, arrived, fails=minute + offset < event.end,
                                  waited_ms=offset * 60_000.0)
                if minute + ASYNC_ATTEMPT_OFFSETS[-1] < event.end:
                    queue.dropped[minute + ASYNC_ATTEMPT_OFFSETS[-1]] += arrived
                    out.events_lost += arrived
        elif kind == "async_poison_events":
            count = p["events"]
            queue.sent[event.start] += count
            queue.received[event.start] += count
            for offset in ASYNC_ATTEMPT_OFFSETS:
                self._attempt(fm, queue, event.start + offset, count, fails=True, waited_ms=offset * 60_000.0)
            last = event.start + ASYNC_ATTEMPT_OFFSETS[-1]
            if last < MINUTES:
                queue.dropped[last] += count
            out.events_lost = count
        elif kind == "async_consumer_lag":
            out.delayed_messages = self._lag(fm, queue, event.start, event.end, p["capacity"])
        elif kind == "event_delivery_failure":
            # EventBridge does not retry a permission error: every matched event fails for good.
            queue.failed_deliveries[span] += queue.sent[span]
            out.events_lost = float(queue.sent[span].sum())
            queue.received[span] = 0
            fm.invocations[span] = 0
            fm.errors[span] = 0
            queue.age[span] = 0
        elif kind == "async_retry_burst":
            count = p["count"]
            queue.sent[event.start] += count
            queue.received[event.start] += count
            self._attempt(fm, queue, event.start, count, fails=True, waited_ms=0.0)
            self._attempt(fm, queue, event.start + 1, count, fails=False, waited_ms=60_000.0)
        elif kind == "event_burst":
            length = event.end - event.start
            per_minute = np.diff(np.linspace(0, p["events"], length + 1).round())
            queue.sent[span] += per_minute
            queue.received[span] += per_minute
            fm.invocations[span] += per_minute
            # Lambda scales out over the burst: the events wait up to its length, never past freshness.
            queue.age[span] = np.maximum(queue.age[span], np.arange(1, length + 1) * 60_000.0)
            fm.throttles[span] += (per_minute * 0.2).round()
        else:
            raise AssertionError(kind)
        return out

    def _lag(self, fm: FunctionMinutes, queue: EventMinutes, start: int, end: int, capacity: float) -> float:
        """The function runs ``capacity`` of the usual arrivals a minute during the span, oldest first, then
        catches up at 5 times that: returns the events run later than their freshness."""
        arrivals = queue.received
        usual = max(float(arrivals[start:end].mean()), 0.0)
        waiting: list[list[float]] = []  # [arrival minute, events]
        delayed = 0.0
        minute = start
        while minute < MINUTES and (minute < end or waiting):
            if arrivals[minute]:
                waiting.append([float(minute), float(arrivals[minute])])
            budget = capacity * usual if minute < end else max(5 * usual, 1.0)
            # Whole events: a quiet consumer still runs one now and then.
            budget = float(np.floor(budget + self.rng.random()))
            ran, oldest = 0.0, 0.0
            while waiting and budget > 0:
                first, count = waiting[0]
                take = min(count, budget)
                waited = minute - first
                oldest = max(oldest, waited)
                if waited > EVENT_FRESHNESS_MINUTES:
                    delayed += take
                ran += take
                budget -= take
                waiting[0][1] -= take
                if waiting[0][1] <= 0:
                    waiting.pop(0)
            fm.invocations[minute] = ran
            fm.errors[minute] = 0
            queue.age[minute] = oldest * 60_000.0 + 500 if ran else 0.0
            left = sum(c for _, c in waiting)
            fm.throttles[minute] = float(np.ceil(left * 0.5)) if minute < end else 0.0
            minute += 1
        return delayed


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


def _endpoint_series(minutes: ServiceMinutes, endpoint: str, metric: str, stat: str, period: int, jitter: Array,
                     unit: float = 1.0) -> Array | None:
    """A request/response endpoint's series from its function's minutes: ``metric`` is "requests",
    "failed", "4xx" or "latency" (``unit``: milliseconds per unit of the latency metric)."""
    fm = minutes.functions[{"Webhook": "Webhook", "Storefront": "StorefrontHandler", "Graphql": "GraphqlResolver",
                            "Live": "LiveHandler"}[endpoint]]
    active = fm.invocations > 0
    if metric == "latency":
        if stat.startswith("p"):
            return p99_rows(fm.invocations, fm.slow, fm.slow_latency, fm.usual_p99, period, jitter) / unit
        if stat == f"PR(:{SLOW_MS / unit:g})":
            return percent_fast_rows(fm.invocations, minutes.endpoint_over_slo[endpoint], period)
        if stat == "SampleCount":
            return _present(fm.invocations, active)
        return None
    if stat == "SampleCount":  # a 0 or a 1 for each request
        return _present(fm.invocations, active)
    if stat != "Sum":
        return None
    values = {"requests": fm.invocations, "failed": fm.errors, "4xx": minutes.endpoint_4xx[endpoint]}[metric]
    return _present(values, active)


def _other_series(minutes: ServiceMinutes, namespace: str, metric: str, resource: str, dims: dict[str, str],
                  stat: str, period: int, jitter: Array) -> Array | None:
    """The series of the entrypoint kinds added later, or None."""
    if namespace == "AWS/Lambda" and resource.startswith("Events") and resource.endswith("Consumer"):
        queue = minutes.events[resource.removesuffix("Consumer")]
        fm = minutes.functions[resource]
        queued = (queue.received > 0) | (queue.dropped > 0) | (fm.invocations > 0)
        if metric == "AsyncEventAge" and stat == "Maximum":
            return _present(queue.age, fm.invocations > 0)
        if metric == "AsyncEventsReceived" and stat == "Sum":
            return _present(queue.received, queued)
        if metric == "AsyncEventsDropped" and stat == "Sum":
            return _present(queue.dropped, queued)
    if namespace == "AWS/Lambda" and resource == "Webhook" and metric.startswith("Url"):
        what = {"UrlRequestCount": "requests", "Url5xxCount": "failed", "Url4xxCount": "4xx",
                "UrlRequestLatency": "latency"}.get(metric)
        return None if what is None else _endpoint_series(minutes, "Webhook", what, stat, period, jitter)
    if namespace == "AWS/Events" and stat == "Sum":
        queue = minutes.events[resource.removesuffix("Rule")]
        matched = (queue.sent > 0) | (queue.failed_deliveries > 0)
        if metric == "FailedInvocations":
            return _present(queue.failed_deliveries, matched)
        if metric in ("Invocations", "TriggeredRules", "MatchedEvents"):
            return _present(queue.received if metric == "Invocations" else queue.sent, matched)
    if namespace == "AWS/SNS":
        queue = minutes.events[resource.removesuffix("Topic")]
        published = queue.sent > 0
        if metric == "NumberOfNotificationsFailed" and stat in ("Sum", "Average", "Maximum"):
            # Lambda accepts every asynchronous invocation SNS makes: no delivery fails.
            return _present(zeros(), published)
        if metric in ("NumberOfMessagesPublished", "NumberOfNotificationsDelivered") and stat == "Sum":
            return _present(queue.sent, published)
    if namespace == "AWS/States" and minutes.workflow is not None:
        flow = minutes.workflow
        if metric == "ExecutionTime":
            if stat.startswith("p"):
                return p99_rows(flow.started, flow.slow, flow.slow_latency, flow.usual_p99, period, jitter)
            return None
        counts = {"ExecutionsStarted": flow.started, "ExecutionsFailed": flow.failed,
                  "ExecutionsTimedOut": flow.timed_out, "ExecutionsAborted": flow.aborted,
                  "ExecutionsSucceeded": flow.started - flow.failed - flow.timed_out - flow.aborted,
                  "ExecutionThrottled": zeros()}
        # Assumption: each execution reports its outcome as a 0 or a 1 (as Lambda's Errors does), so
        # SampleCount is the executions and Average the failed share.
        if metric in counts and stat in ("Sum", "SampleCount"):
            return _present(counts[metric] if stat == "Sum" else flow.started, flow.started > 0)
    if namespace == "AWS/ApplicationELB":
        if metric == "TargetResponseTime":  # in seconds
            return _endpoint_series(minutes, "Storefront", "latency", stat, period, jitter, unit=1000.0)
        fm = minutes.functions["StorefrontHandler"]
        # The handler raising is a LambdaUserError (and a 502 from the balancer); ALB reports non-zero counts.
        counts = {"RequestCount": fm.invocations, "LambdaUserError": fm.errors, "HTTPCode_Target_5XX_Count": zeros(),
                  "LambdaInternalError": zeros(), "HTTPCode_ELB_5XX_Count": fm.errors}
        if metric in counts and stat == "Sum":
            return _present(counts[metric], counts[metric] > 0)
    if namespace == "AWS/AppSync":
        # Assumption: a resolver whose Lambda fails is counted in 5XXError ("errors encountered during
        # the execution of a GraphQL query", AppSync Developer Guide, "Monitoring with CloudWatch").
        what = {"5XXError": "failed", "4XXError": "4xx", "Latency": "latency"}.get(metric)
        return None if what is None else _endpoint_series(minutes, "Graphql", what, stat, period, jitter)
    if namespace == "AWS/ApiGateway" and resource == "Live":
        fm = minutes.functions["LiveHandler"]
        if metric == "IntegrationLatency":
            return _endpoint_series(minutes, "Live", "latency", stat, period, jitter)
        # A tenth of the calls are connections, the rest messages; a failed Lambda integration is an
        # IntegrationError.
        connects = np.floor(fm.invocations * 0.1)
        counts = {"ConnectCount": connects, "MessageCount": fm.invocations - connects, "IntegrationError": fm.errors,
                  "ExecutionError": zeros(), "ClientError": minutes.endpoint_4xx["Live"]}
        if metric in counts and stat == "Sum":
            return _present(counts[metric], fm.invocations > 0)
    return None


def series(minutes: ServiceMinutes, namespace: str, metric: str, resource: str, dims: dict[str, str], stat: str,
           period: int, jitter: Array) -> Array:
    """The rows of one series, by minute (NaN = no row). ``resource`` is the construct id the
    dimensions name (``Api`` for the REST API)."""
    other = _other_series(minutes, namespace, metric, resource, dims, stat, period, jitter)
    if other is not None:
        return other
    return _first_series(minutes, namespace, metric, resource, dims, stat, period, jitter)


def _first_series(minutes: ServiceMinutes, namespace: str, metric: str, resource: str, dims: dict[str, str],
                  stat: str, period: int, jitter: Array) -> Array:
    """The series of the first kinds (the REST API, functions, queues, tables)."""
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

