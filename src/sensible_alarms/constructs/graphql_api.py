"""GraphqlApiAlarms: an AppSync GraphQL API, alarmed on the availability and latency its clients see."""

from __future__ import annotations

from aws_cdk import aws_appsync as appsync
from constructs import Construct

from ..routing import AlarmRouting
from ..slo import AvailabilitySlo, LatencySlo
from .metrics import Metric
from .probe import Probe
from .request_burn_rates import RequestMetrics
from .request_entrypoint import DEFAULT_MIN_FAILED_REQUESTS, RequestEntrypointAlarms

__all__ = ["GraphqlApiAlarms"]


class GraphqlApiAlarms(RequestEntrypointAlarms):
    """Customer-impact alarms of an AppSync GraphQL API.

    Availability: ``5XXError`` as a share of the API's requests; latency: ``Latency`` against the
    LatencySlo; both as multi-window burn rates like ``ApiAlarms``. AppSync's ``Requests`` metric is
    per account and Region, not per API, so the requests are counted as the samples of the API's
    ``Latency`` (one per request). Errors a resolver or data source returns in a 200 response (the
    GraphQL ``errors`` array) are not ``5XXError`` and are not alarmed here: AppSync counts them only
    in its enhanced metrics (docs/constructs/graphql-api-alarms.md).

    :param api: the ``aws_appsync.GraphqlApi``.
    :param routing: where notifications go.
    :param availability: the availability SLO.
    :param latency: the latency SLO. Default: latency is not alarmed.
    :param min_failed_requests: a long burn-rate window counts only once it holds at least this many
        failed (or slow) requests. Default: 10.
    :param probe: a synthetic probe calling the GraphQL endpoint (POST a small query as `body`) on a
        schedule (a CloudWatch Synthetics canary), for an API too quiet for its own requests to
        tell an outage; its failures feed the outage notifier (HIGH). Default: none (about $10.37 a month at one
        call every 5 min).
    :param outage_notifier: whether an outage (nearly every request failing, or the probe failing) notifies
        through its own composite, ``OutageUrgency``, apart from the HIGH one, so it is told even while
        the HIGH notifier is already in ALARM for a smaller incident (two more composites and three outage
        memories; ``review`` prices them). ``False``: the outage members notify through the HIGH
        notifier, once per incident. Default: True.
    :param runbook_url: link written into every alarm description. Default: none.
    """

    _kind = "graphql_api"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        api: appsync.GraphqlApi,
        routing: AlarmRouting,
        availability: AvailabilitySlo,
        latency: LatencySlo | None = None,
        min_failed_requests: int = DEFAULT_MIN_FAILED_REQUESTS,
        probe: Probe | None = None,
        outage_notifier: bool = True,
        runbook_url: str | None = None,
    ) -> None:
        super().__init__(scope, id, routing=routing, runbook_url=runbook_url)
        self._choose_outage_notifier(outage_notifier)
        self._check_environments(api=api)
        if not isinstance(api, appsync.GraphqlApi):
            # An API imported by attributes is a jsii proxy: name it as what it is.
            kind = "an imported GraphQL API" if hasattr(api, "api_id") else type(api).__name__
            raise self._fail(f"'api' must be an aws_appsync.GraphqlApi (got {kind}); an imported "
                             "API is alarmed in the stack that defines it", "api", kind)
        dimensions = {"GraphQLAPIId": api.api_id}

        def metric(name: str, statistic: str = "Sum") -> Metric:
            return Metric(namespace="AWS/AppSync", metric_name=name, dimensions_map=dimensions,
                          statistic=statistic)

        self._alarm_requests(
            RequestMetrics(failed=lambda: metric("5XXError"), requests=lambda: metric("Latency", "SampleCount"),
                           latency=lambda statistic: metric("Latency", statistic)),
            availability=availability, latency=latency, min_failed_requests=min_failed_requests, what="requests",
            probe=probe)
