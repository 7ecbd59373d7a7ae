"""WebSocketApiAlarms: an API Gateway WebSocket API stage, alarmed on the connections and messages
its clients send."""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigwv2
from constructs import Construct

from ..routing import AlarmRouting
from ..slo import AvailabilitySlo, LatencySlo
from .metrics import MathExpression, Metric
from .request_burn_rates import RequestMetrics
from .request_entrypoint import DEFAULT_MIN_FAILED_REQUESTS, RequestEntrypointAlarms

__all__ = ["WebSocketApiAlarms"]


class WebSocketApiAlarms(RequestEntrypointAlarms):
    """Customer-impact alarms of an API Gateway WebSocket API stage.

    What clients send is connection requests (``ConnectCount``) and messages (``MessageCount``).
    Availability: those that failed in the integration (``IntegrationError``: the function erred or
    answered with an error) or before it (``ExecutionError``), as a share of both; latency:
    ``IntegrationLatency``. Both as multi-window burn rates like ``ApiAlarms``.

    :param stage: the ``aws_apigatewayv2.WebSocketStage`` clients connect to.
    :param routing: where notifications go.
    :param availability: the availability SLO.
    :param latency: the latency SLO. Default: latency is not alarmed.
    :param min_failed_requests: a long burn-rate window counts only once it holds at least this many
        failed (or slow) connections and messages. Default: 10.
    :param outage_notifier: whether an outage (nearly every message failing) notifies
        through its own composite, ``OutageUrgency``, apart from the HIGH one, so it is told even while
        the HIGH notifier is already in ALARM for a smaller incident (two more composites and three outage
        memories; ``review`` prices them). ``False``: the outage members notify through the HIGH
        notifier, once per incident. Default: True.
    :param runbook_url: link written into every alarm description. Default: none.
    """

    _kind = "websocket_api"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: apigwv2.WebSocketStage,
        routing: AlarmRouting,
        availability: AvailabilitySlo,
        latency: LatencySlo | None = None,
        min_failed_requests: int = DEFAULT_MIN_FAILED_REQUESTS,
        outage_notifier: bool = True,
        runbook_url: str | None = None,
    ) -> None:
        super().__init__(scope, id, routing=routing, runbook_url=runbook_url)
        self._choose_outage_notifier(outage_notifier)
        self._check_environments(stage=stage)
        if not isinstance(stage, apigwv2.WebSocketStage):
            kind = type(stage).__name__
            hint = "; pass the stage of the WebSocketApi (WebSocketStage(...))" if isinstance(
                stage, apigwv2.WebSocketApi) else ""
            raise self._fail(f"'stage' must be an aws_apigatewayv2.WebSocketStage (got {kind}){hint}", "stage", kind)
        dimensions = {"ApiId": stage.api.api_id, "Stage": stage.stage_name}

        def metric(name: str, statistic: str = "Sum") -> Metric:
            return Metric(namespace="AWS/ApiGateway", metric_name=name, dimensions_map=dimensions,
                          statistic=statistic)

        self._alarm_requests(
            RequestMetrics(
                failed=lambda: MathExpression(
                    expression="FILL(integration, 0) + FILL(execution, 0)",
                    using_metrics={"integration": metric("IntegrationError"), "execution": metric("ExecutionError")},
                    label="Connections and messages failed"),
                requests=lambda: MathExpression(
                    expression="FILL(connects, 0) + FILL(messages, 0)",
                    using_metrics={"connects": metric("ConnectCount"), "messages": metric("MessageCount")},
                    label="Connections and messages"),
                latency=lambda statistic: metric("IntegrationLatency", statistic),
            ),
            availability=availability, latency=latency, min_failed_requests=min_failed_requests,
            what="connections and messages", probe_offered=False)
