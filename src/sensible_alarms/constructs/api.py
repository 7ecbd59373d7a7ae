"""ApiAlarms: availability and latency SLOs of a REST or HTTP API, as multi-window burn rates."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..burn_rate import BURN_RATE_WINDOWS
from ..routing import AlarmRouting
from ..slo import AvailabilitySlo, LatencySlo
from ..urgency import Urgency
from .entrypoint import EntrypointAlarms
from .metrics import Metric
from .probe import Probe, quiet_entrypoint_text
from .request_burn_rates import (
    RequestMetrics,
    add_request_burn_rates,
    check_request_arguments,
    outage_text,
    slow_share_text,
)
from .routes import ROUTE_MIN_FAILED, add_route_outages, discover_routes, route_functions_argument

__all__ = ["ApiAlarms"]

_DEFAULT_MIN_FAILED_REQUESTS = 10
#: Above this, a long window could never count on any real API: a guard that silences every alarm
#: is a typo, not a choice.


class ApiAlarms(EntrypointAlarms):
    """Customer-impact alarms of an API Gateway REST API or HTTP API.

    Availability and latency are each alarmed as multi-window, multi-burn-rate alarms (see
    ``BURN_RATE_WINDOWS``): HIGH when the error budget burns fast (2% within 1 h confirmed over
    5 min, or 5% within 6 h confirmed over 30 min), LOW when it burns slowly (10% within 1 day,
    confirmed over 2 h). One composite alarm per urgency carries the notification. The Lambda
    functions behind the API get no alarms of their own: the API's 5xx and latency are what
    customers see.

    :param api: the API: an ``aws_apigateway.RestApi`` / ``SpecRestApi`` (or any ``RestApiBase``)
        or an ``aws_apigatewayv2.HttpApi``.
    :param routing: where notifications go.
    :param availability: the availability SLO.
    :param latency: the latency SLO. Default: latency is not alarmed.
    :param stage_name: the stage customers call. Default: the API's deployment stage (REST) or
        default stage (HTTP).
    :param min_failed_requests: a long burn-rate window counts only once it holds at least this
        many failed (or slow) requests, so a handful of errors on a quiet API never notifies.
        Default: 10 requests.
    :param route_functions: the Lambda function (or alias) behind each route, by route name
        (``{"GET /orders": get_orders}``): each route is watched on its own (``RouteOutage5m``: at
        least half of its requests, and 4 or more, failed within 5 minutes, read from the function's
        ``Errors`` and ``Invocations``), so an outage of a quiet route is told however busy the rest
        of the API is. ``{}`` watches no route on its own. Default: the Lambda integrations of the
        API's methods (REST) or routes (HTTP) defined in this stack before ``ApiAlarms``.
    :param probe: a synthetic probe calling the API on a schedule (a CloudWatch Synthetics canary),
        for an API too quiet for its own requests to tell an outage; its failures feed the outage
        notifier (HIGH). Default: none (about $10.37 a month at one call every 5 min).
    :param outage_notifier: whether an outage (nearly every request failing, or the probe failing) notifies
        through its own composite, ``OutageUrgency``, apart from the HIGH one, so it is told even while
        the HIGH notifier is already in ALARM for a smaller incident (two more composites and three outage
        memories; ``review`` prices them). ``False``: the outage members notify through the HIGH
        notifier, once per incident. Default: True.
    :param runbook_url: link written into every alarm description. Default: none.
    """

    _kind = "api"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        api: apigw.RestApiBase | apigwv2.HttpApi,
        routing: AlarmRouting,
        availability: AvailabilitySlo,
        latency: LatencySlo | None = None,
        stage_name: str | None = None,
        min_failed_requests: int = _DEFAULT_MIN_FAILED_REQUESTS,
        route_functions: Mapping[str, lambda_.IFunction] | None = None,
        probe: Probe | None = None,
        outage_notifier: bool = True,
        runbook_url: str | None = None,
    ) -> None:
        super().__init__(scope, id, routing=routing, runbook_url=runbook_url)
        self._choose_outage_notifier(outage_notifier)
        self._check_environments(api=api)
        check_request_arguments(self, availability=availability, latency=latency, min_failed=min_failed_requests)
        self._low_window_seconds = max(w.long_window_seconds for w in BURN_RATE_WINDOWS if w.urgency is Urgency.LOW)
        self._dimensions, self._error_metric = self._resolve_api(api, stage_name)
        given = route_functions_argument(self, route_functions)
        routes = discover_routes(api) if given is None else given

        add_request_burn_rates(
            self,
            RequestMetrics(
                failed=lambda: self._metric(self._error_metric, "Sum"),
                requests=lambda: self._metric("Count", "Sum"),
                latency=lambda statistic: self._metric("Latency", statistic),
            ),
            availability=availability, latency=latency, min_failed_requests=min_failed_requests,
        )
        add_route_outages(self, routes, availability)
        quiet_api = quiet_entrypoint_text(self, "requests", probe, availability)
        slo_text = availability.describe() + (f"; {latency.describe()}" if latency else "")
        what = "failing or slow requests" if latency else "failing requests"
        if routes:
            quiet = (" A quiet route is watched on its own: nearly every request of one route failing "
                     f"({ROUTE_MIN_FAILED} or more, and half, within 5 min, from its Lambda function's metrics) "
                     "notifies too.")
        else:
            quiet = (" Routes are not watched one by one (no Lambda integration found; pass 'route_functions'): "
                     "an outage of one quiet route is told only when it shows in the whole API's requests.")
        self._add_notifiers({
            Urgency.HIGH: f"Customers of {self.entrypoint_name} are affected now: {what} are spending the "
                          f"error budget fast enough to exhaust it within days.{slow_share_text(latency)}{quiet}",
            Urgency.LOW: f"Customers of {self.entrypoint_name} see {what} at a rate that, if it continues, "
                         "misses the SLO this period.",
        }, slo_text, outage_text(self, "requests") + quiet_api)

    # -- API kinds -----------------------------------------------------------------------------

    def _resolve_api(self, api: object, stage_name: str | None) -> tuple[dict[str, str], str]:
        if stage_name is not None and (not isinstance(stage_name, str) or not stage_name):
            raise self._fail(f"'stage_name' must be a non-empty string (got {stage_name!r})", "stage_name",
                             stage_name)
        if isinstance(api, apigw.RestApiBase):
            stage = stage_name
            if stage is None:
                try:
                    stage = api.deployment_stage.stage_name
                except RuntimeError as error:
                    raise self._fail(
                        "the REST API has no deployment stage (deploy=False?); pass 'stage_name' with the "
                        "stage customers call", "stage_name", None) from error
            return {"ApiName": api.rest_api_name, "Stage": stage}, "5XXError"
        if isinstance(api, apigwv2.HttpApi):
            stage = stage_name
            if stage is None:
                if api.default_stage is None:
                    raise self._fail("the HTTP API has no default stage; pass 'stage_name'", "stage_name", None)
                stage = api.default_stage.stage_name
            return {"ApiId": api.api_id, "Stage": stage}, "5xx"
        kind = type(api).__name__
        raise self._fail(
            f"'api' must be an aws_apigateway.RestApi/SpecRestApi or an aws_apigatewayv2.HttpApi (got {kind}); "
            "WebSocket APIs and imported APIs are not supported", "api", kind)

    def _metric(self, name: str, statistic: str) -> Metric:
        return Metric(namespace="AWS/ApiGateway", metric_name=name, dimensions_map=self._dimensions,
                      statistic=statistic)
