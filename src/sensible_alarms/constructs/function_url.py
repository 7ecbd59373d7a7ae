"""FunctionUrlAlarms: a Lambda Function URL, alarmed on the availability and latency its callers see."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from .._jsii_types import is_function
from ..routing import AlarmRouting
from ..slo import AvailabilitySlo, LatencySlo
from .function_name import underlying_function
from .metrics import Metric
from .probe import Probe
from .request_burn_rates import RequestMetrics
from .request_entrypoint import DEFAULT_MIN_FAILED_REQUESTS, RequestEntrypointAlarms

__all__ = ["FunctionUrlAlarms"]


class FunctionUrlAlarms(RequestEntrypointAlarms):
    """Customer-impact alarms of a Lambda Function URL (a webhook, a small HTTP endpoint).

    Availability: ``Url5xxCount`` as a share of ``UrlRequestCount``; latency: ``UrlRequestLatency``
    against the LatencySlo; both as multi-window burn rates, exactly as ``ApiAlarms`` does for an API.

    Auth type: a URL with ``AWS_IAM`` auth is alarmed the same way as one with ``NONE``. Requests
    that IAM refuses are 4xx, the caller's error, and do not spend the error budget.

    :param url: the ``aws_lambda.FunctionUrl`` (``function.add_function_url(...)``).
    :param routing: where notifications go.
    :param availability: the availability SLO.
    :param latency: the latency SLO. Default: latency is not alarmed.
    :param function: the function behind the URL. Default: the function `url` was added to; required
        for a FunctionUrl made outside its function.
    :param min_failed_requests: a long burn-rate window counts only once it holds at least this many
        failed (or slow) requests. Default: 10.
    :param probe: a synthetic probe calling the Function URL on a schedule (a CloudWatch Synthetics
        canary), for an entrypoint too quiet for its own requests to tell an outage; its failures
        feed the outage notifier (HIGH). Default: none (about $10.37 a month at one call every 5 min).
    :param outage_notifier: whether an outage (nearly every request failing, or the probe failing) notifies
        through its own composite, ``OutageUrgency``, apart from the HIGH one, so it is told even while
        the HIGH notifier is already in ALARM for a smaller incident (two more composites and three outage
        memories; ``review`` prices them). ``False``: the outage members notify through the HIGH
        notifier, once per incident. Default: True.
    :param runbook_url: link written into every alarm description. Default: none.
    """

    _kind = "function_url"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        url: lambda_.FunctionUrl,
        routing: AlarmRouting,
        availability: AvailabilitySlo,
        latency: LatencySlo | None = None,
        function: lambda_.IFunction | None = None,
        min_failed_requests: int = DEFAULT_MIN_FAILED_REQUESTS,
        probe: Probe | None = None,
        outage_notifier: bool = True,
        runbook_url: str | None = None,
    ) -> None:
        super().__init__(scope, id, routing=routing, runbook_url=runbook_url)
        self._choose_outage_notifier(outage_notifier)
        self._check_environments(url=url, function=function)
        if not isinstance(url, lambda_.FunctionUrl):
            raise self._fail(f"'url' must be an aws_lambda.FunctionUrl (got {type(url).__name__})", "url",
                             type(url).__name__)
        owner = url.node.scope
        if function is None and is_function(owner):
            function = owner  # type: ignore[assignment]
        if function is None or not is_function(function):
            raise self._fail(
                f"the function behind {url.node.path} is not known; pass 'function'", "function",
                type(function).__name__ if function is not None else None)
        stack = cdk.Stack.of(self)
        cfn_url = url.node.default_child
        assert isinstance(cfn_url, lambda_.CfnUrl)
        # A URL of an alias targets the function's ARN with the alias as its qualifier.
        function = underlying_function(function)
        if stack.resolve(cfn_url.target_function_arn) != stack.resolve(function.function_arn):
            raise self._fail(f"{url.node.path} is not the URL of {function.node.path}", "function",
                             function.node.path)
        # FunctionName, the function's own name even for an alias's URL: Lambda aggregates the URL
        # metrics of $LATEST and of every alias under it (Lambda Developer Guide, urls-monitoring).
        dimensions = {"FunctionName": function.function_name}

        def metric(name: str, statistic: str = "Sum") -> Metric:
            return Metric(namespace="AWS/Lambda", metric_name=name, dimensions_map=dimensions,
                          statistic=statistic)

        self._alarm_requests(
            RequestMetrics(failed=lambda: metric("Url5xxCount"), requests=lambda: metric("UrlRequestCount"),
                           latency=lambda statistic: metric("UrlRequestLatency", statistic)),
            availability=availability, latency=latency, min_failed_requests=min_failed_requests, what="requests",
            probe=probe)
