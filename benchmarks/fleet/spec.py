"""The synthetic SaaS fleet: what each service has, drawn from a fixed seed.

Service ``i`` is drawn from its own generator (seeded with ``(SEED, i)``), so the first 10
services are the same in the fleets of 10, 50 and 100: a larger fleet adds services, it does not
reshuffle the smaller one. Pure Python: the CDK app, the traffic simulation and the event
catalogue all read this one description.

Shape of a service, chosen to match the kind of estate the issue describes (about 1,000 Lambda
functions, 100 APIs, 100+ queues with dead-letter queues, dozens of stream consumers at S = 100):

* a REST API with 3 to 5 routes, one Lambda handler each;
* 3 to 5 helper functions the handlers call synchronously (pricing, auth, ...): their failures
  reach customers only as the API's 5xx;
* 1 or 2 SQS queues with a dead-letter queue, each consumed by a Lambda;
* a DynamoDB-stream consumer in about a third of the services (on-failure destination: SQS);
* a daily scheduled job in about half of them;
* 2 or 3 DynamoDB tables;
* the other entrypoint kinds (drawn from a generator of their own, ``(SEED, i, 10)``, so that the
  resources above, their traffic and their events are the same as before these kinds were added):
  1 to 3 asynchronous event consumers (an SNS subscription, an EventBridge rule or an S3
  notification invoking a Lambda function), a Step Functions workflow in about 30 % of the
  services, a Lambda Function URL in about 15 %, an AppSync GraphQL API in about 10 %, an
  Application Load Balancer with a Lambda target in about 5 % and an API Gateway WebSocket API in
  about 5 % (docs/benchmarks.md, "The fleet's entrypoint kinds", gives the reason for each share).

Traffic tier: a fifth of the services are busy (peak 500 to 3,000 requests a minute), half are
normal (20 to 200), the rest quiet (0.5 to 5): quiet services are where per-resource alarms on
single errors and p99 latency are at their noisiest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEED = 20261129


@dataclass(frozen=True)
class Service:
    index: int
    tier: str  # "busy", "normal" or "quiet"
    peak_rpm: float  # API requests a minute at the daily peak
    routes: tuple[tuple[str, str], ...]  # (HTTP method, resource path part)
    helpers: int
    queues: int
    stream_consumer: bool
    job_hour: int | None  # UTC hour of the daily job, None without a job
    tables: int
    base_latency_ms: float  # a typical request's latency
    timezone_shift_h: float  # when its customers are awake, relative to UTC
    #: Asynchronous event consumers, by what invokes each: "topic" (SNS), "rule" (EventBridge) or "bucket" (S3).
    event_consumers: tuple[str, ...] = ()
    workflow: bool = False  # a Step Functions state machine (one Lambda step), started by the API
    function_url: bool = False  # a webhook: a Lambda function behind a Function URL
    load_balancer: bool = False  # an Application Load Balancer with a Lambda target group
    graphql: bool = False  # an AppSync GraphQL API with a Lambda resolver
    websocket: bool = False  # an API Gateway WebSocket API with a Lambda integration

    @property
    def name(self) -> str:
        return f"Svc{self.index:03d}"

    @property
    def api_name(self) -> str:
        return f"svc{self.index:03d}-api"

    @property
    def functions(self) -> int:
        return (len(self.routes) + self.helpers + self.queues + int(self.stream_consumer)
                + int(self.job_hour is not None) + len(self.event_consumers) + int(self.workflow)
                + int(self.function_url) + int(self.load_balancer) + int(self.graphql) + int(self.websocket))

    @property
    def endpoints(self) -> dict[str, str]:
        """The request/response entrypoints other than the REST API: construct id -> the Lambda
        function behind it."""
        found = {"Webhook": "Webhook"} if self.function_url else {}
        if self.load_balancer:
            found["Storefront"] = "StorefrontHandler"
        if self.graphql:
            found["Graphql"] = "GraphqlResolver"
        if self.websocket:
            found["Live"] = "LiveHandler"
        return found

    def entrypoint_of(self, resource: str) -> str | None:
        """The customer-facing entrypoint a resource (its construct id right under the stack) belongs to,
        named as sensible_alarms' alarms construct of it is, less ``Alarms`` (``Api``, ``Queue0``,
        ``StreamConsumer``, ``DailyJob``, ``Events0``, ``Workflow``, ``Webhook``, ``Storefront``,
        ``Graphql``, ``Live``); None for a resource several entrypoints share (a table) or one of none.
        The API's route handlers and the helpers they call are the API's."""
        if resource == "Api" or resource.startswith("Helper") or resource in {
                f"{method.title()}{path.title()}" for method, path in self.routes}:
            return "Api"
        for n in range(self.queues):
            if resource in (f"Queue{n}", f"Queue{n}DeadLetters", f"Queue{n}Consumer"):
                return f"Queue{n}"
        if self.stream_consumer and resource in ("StreamConsumer", "StreamFailures"):
            return "StreamConsumer"
        if self.job_hour is not None and resource in ("DailyJob", "DailySchedule"):
            return "DailyJob"
        for n, source in enumerate(self.event_consumers):
            if resource in (f"Events{n}", f"Events{n}Consumer", f"Events{n}{source.title()}"):
                return f"Events{n}"
        if self.workflow and resource in ("Workflow", "WorkflowStep"):
            return "Workflow"
        for endpoint, function in self.endpoints.items():
            if resource in (endpoint, function) or (endpoint == "Live" and resource == "LiveProd"):
                return endpoint
        return None


_RESOURCES = ("orders", "customers", "invoices", "items", "carts", "payments", "shipments", "reviews")
_METHODS = ("GET", "POST", "PUT", "DELETE")


#: Shares of the entrypoint kinds beyond APIs, queues, streams and jobs (docs/benchmarks.md says why).
EVENT_CONSUMERS = (1, 3)  # asynchronous consumers a service, uniform
EVENT_SOURCES = {"topic": 0.4, "rule": 0.4, "bucket": 0.2}
WORKFLOW_SHARE = 0.3
FUNCTION_URL_SHARE = 0.15
GRAPHQL_SHARE = 0.1
LOAD_BALANCER_SHARE = 0.05
WEBSOCKET_SHARE = 0.05


def _other_kinds(index: int) -> dict[str, object]:
    """The entrypoint kinds added later, from their own generator: the draws of ``service`` stay as they were."""
    rng = np.random.default_rng([SEED, index, 10])
    low, high = EVENT_CONSUMERS
    sources = rng.choice(list(EVENT_SOURCES), size=int(rng.integers(low, high + 1)),
                         p=list(EVENT_SOURCES.values()))
    return {"event_consumers": tuple(str(s) for s in sources), "workflow": bool(rng.random() < WORKFLOW_SHARE),
            "function_url": bool(rng.random() < FUNCTION_URL_SHARE), "graphql": bool(rng.random() < GRAPHQL_SHARE),
            "load_balancer": bool(rng.random() < LOAD_BALANCER_SHARE),
            "websocket": bool(rng.random() < WEBSOCKET_SHARE)}


def service(index: int) -> Service:
    rng = np.random.default_rng([SEED, index])
    tier = str(rng.choice(["busy", "normal", "quiet"], p=[0.2, 0.5, 0.3]))
    low, high = {"busy": (500.0, 3000.0), "normal": (20.0, 200.0), "quiet": (0.5, 5.0)}[tier]
    peak = float(np.exp(rng.uniform(np.log(low), np.log(high))))
    n_routes = int(rng.integers(3, 6))
    resources = rng.choice(len(_RESOURCES), size=n_routes, replace=True)
    routes: list[tuple[str, str]] = []
    for r in resources:
        for method in rng.permutation(_METHODS):
            route = (str(method), _RESOURCES[int(r)])
            if route not in routes:
                routes.append(route)
                break
    return Service(
        index=index, tier=tier, peak_rpm=round(peak, 2), routes=tuple(routes),
        helpers=int(rng.integers(3, 6)),
        queues=1 + int(rng.random() < 0.25),
        stream_consumer=bool(rng.random() < 0.35),
        job_hour=int(rng.integers(0, 6)) if rng.random() < 0.5 else None,
        tables=2 + int(rng.random() < 0.4),
        base_latency_ms=float(round(rng.uniform(60, 350), 1)),
        timezone_shift_h=float(rng.choice([-8.0, -5.0, 0.0, 1.0, 8.0])),
        **_other_kinds(index),  # type: ignore[arg-type]
    )


def fleet(services: int) -> list[Service]:
    if services < 1:
        raise ValueError(f"a fleet needs at least one service (got {services})")
    return [service(i) for i in range(services)]


def census(services: list[Service]) -> dict[str, int]:
    """What a fleet holds, counted from the description (the app builds exactly this)."""
    return {
        "services": len(services),
        "lambda_functions": sum(s.functions for s in services),
        "apis": len(services),
        "api_routes": sum(len(s.routes) for s in services),
        "queues_with_dlq": sum(s.queues for s in services),
        "stream_consumers": sum(int(s.stream_consumer) for s in services),
        "scheduled_jobs": sum(int(s.job_hour is not None) for s in services),
        "dynamodb_tables": sum(s.tables for s in services),
        "event_consumers": sum(len(s.event_consumers) for s in services),
        **{f"event_consumers_{source}": sum(s.event_consumers.count(source) for s in services)
           for source in EVENT_SOURCES},
        "workflows": sum(int(s.workflow) for s in services),
        "function_urls": sum(int(s.function_url) for s in services),
        "load_balancers": sum(int(s.load_balancer) for s in services),
        "graphql_apis": sum(int(s.graphql) for s in services),
        "websocket_apis": sum(int(s.websocket) for s in services),
    }
