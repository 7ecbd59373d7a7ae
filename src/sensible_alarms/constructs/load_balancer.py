"""LoadBalancerTargetAlarms: an Application Load Balancer target group of Lambda functions, alarmed
on the availability and latency of the requests the load balancer sends it."""

from __future__ import annotations

import re

import aws_cdk as cdk
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from ..routing import AlarmRouting
from ..slo import AvailabilitySlo, LatencySlo
from .metrics import MathExpression, Metric
from .probe import Probe
from .request_burn_rates import RequestMetrics
from .request_entrypoint import DEFAULT_MIN_FAILED_REQUESTS, RequestEntrypointAlarms

__all__ = ["LoadBalancerTargetAlarms"]

_PERCENTILE_RANK = re.compile(r"^PR\(:(\d+)\)$")


class LoadBalancerTargetAlarms(RequestEntrypointAlarms):
    """Customer-impact alarms of an ALB target group whose targets are Lambda functions.

    Availability: requests that failed in the function (``LambdaUserError``: an error or an invalid
    response, which the load balancer turns into a 502; ``LambdaInternalError``: Lambda could not
    run it) or that the function answered with a 5xx (``HTTPCode_Target_5XX_Count``), as a share of
    ``RequestCount``; latency: ``TargetResponseTime``. Both as multi-window burn rates like
    ``ApiAlarms``. Errors of the load balancer itself before any target (``HTTPCode_ELB_5XX_Count``)
    are the load balancer's, shared by all its target groups, and are not counted here.

    :param target_group: the ``aws_elasticloadbalancingv2.ApplicationTargetGroup``, attached to a
        load balancer (the metrics are per load balancer and target group).
    :param routing: where notifications go.
    :param availability: the availability SLO.
    :param latency: the latency SLO. Default: latency is not alarmed.
    :param min_failed_requests: a long burn-rate window counts only once it holds at least this many
        failed (or slow) requests. Default: 10.
    :param probe: a synthetic probe calling the load balancer's listener URL for this target group on
        a schedule (a CloudWatch Synthetics canary), for targets too quiet for their own requests to
        tell an outage; its failures feed the outage notifier (HIGH). Default: none (about $10.37 a month at one
        call every 5 min).
    :param outage_notifier: whether an outage (nearly every request failing, or the probe failing) notifies
        through its own composite, ``OutageUrgency``, apart from the HIGH one, so it is told even while
        the HIGH notifier is already in ALARM for a smaller incident (two more composites and three outage
        memories; ``review`` prices them). ``False``: the outage members notify through the HIGH
        notifier, once per incident. Default: True.
    :param runbook_url: link written into every alarm description. Default: none.
    """

    _kind = "load_balancer"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        target_group: elbv2.ApplicationTargetGroup,
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
        self._check_environments(target_group=target_group)
        if not isinstance(target_group, elbv2.ApplicationTargetGroup):
            raise self._fail(
                f"'target_group' must be an aws_elasticloadbalancingv2.ApplicationTargetGroup "
                f"(got {type(target_group).__name__})", "target_group", type(target_group).__name__)
        resource = target_group.node.default_child
        assert isinstance(resource, elbv2.CfnTargetGroup)
        # The target type is set when the first target is added (a lazy value until synthesis).
        target_type = cdk.Stack.of(self).resolve(resource.target_type)
        if target_type != "lambda":
            raise self._fail(
                f"the target group {target_group.node.path} has targets of type {target_type!r}, not "
                "Lambda functions; this construct alarms the Lambda-backed requests of a load balancer",
                "target_group", target_type)
        try:
            load_balancer = target_group.first_load_balancer_full_name  # raises while no load balancer uses it
        except RuntimeError as error:
            raise self._fail(
                f"the target group {target_group.node.path} is not attached to a load balancer yet: add it to a "
                "listener (listener.add_targets(...)) before creating the alarms", "target_group",
                target_group.node.path) from error
        dimensions = {"LoadBalancer": load_balancer, "TargetGroup": target_group.target_group_full_name}

        def count(name: str) -> Metric:
            return Metric("AWS/ApplicationELB", name, dimensions, statistic="Sum")

        def response_time(statistic: str) -> Metric:
            # TargetResponseTime is in seconds; the SLO's threshold is in milliseconds.
            match = _PERCENTILE_RANK.match(statistic)
            if match:
                statistic = f"PR(:{int(match.group(1)) / 1000:g})"
            return Metric("AWS/ApplicationELB", "TargetResponseTime", dimensions, statistic=statistic)

        self._alarm_requests(
            RequestMetrics(
                failed=lambda: MathExpression(
                    expression="FILL(target5xx, 0) + FILL(user, 0) + FILL(internal, 0)",
                    using_metrics={"target5xx": count("HTTPCode_Target_5XX_Count"), "user": count("LambdaUserError"),
                                   "internal": count("LambdaInternalError")},
                    label="Requests failed by the target"),
                requests=lambda: count("RequestCount"),
                latency=response_time,
            ),
            availability=availability, latency=latency, min_failed_requests=min_failed_requests, what="requests",
            probe=probe)
