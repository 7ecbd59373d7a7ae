"""Availability and latency burn-rate members of any request/response entrypoint (API Gateway REST,
HTTP and WebSocket APIs, Lambda Function URLs, ALB target groups, AppSync), from metric factories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw

from .._durations import adjective, words
from ..burn_rate import BURN_RATE_WINDOWS, BurnRateWindow
from .entrypoint import round_threshold

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..slo import AvailabilitySlo, LatencySlo
    from .entrypoint import EntrypointAlarms

__all__ = ["RequestMetrics", "add_request_burn_rates", "window_tag"]


@dataclass(frozen=True)
class RequestMetrics:
    """How to read an entrypoint's requests, as metric factories (each call returns a new metric).

    :param failed: the requests that failed (server errors), statistic ``Sum``.
    :param requests: every request, statistic ``Sum``.
    :param latency: the response-time metric with the given statistic: called with
        ``"PR(:<ms>)"`` (the percent of requests at or under ``<ms>`` milliseconds) and with
        ``"SampleCount"`` (the requests it measured). None: the entrypoint has no latency metric.
    """

    failed: Callable[[], cw.IMetric]
    requests: Callable[[], cw.IMetric]
    latency: Callable[[str], cw.IMetric] | None = None


def add_request_burn_rates(
    owner: EntrypointAlarms,
    metrics: RequestMetrics,
    *,
    availability: AvailabilitySlo,
    latency: LatencySlo | None,
    min_failed_requests: int,
) -> None:
    """Add to `owner` one long and one short member per window of ``BURN_RATE_WINDOWS`` for
    availability (and for latency when `latency` is given), and the rule "long AND short in ALARM"
    of each window to `owner`'s composite of the window's urgency.

    :param owner: the entrypoint construct the members belong to; it still calls
        ``_add_notifiers`` itself afterwards.
    :param metrics: the entrypoint's metric factories.
    :param availability: the availability SLO.
    :param latency: the latency SLO, or None to alarm availability only. Requires ``metrics.latency``.
    :param min_failed_requests: a long window counts only once it holds at least this many failed
        (or slow) requests.
    """
    builder = _Builder(owner, metrics, min_failed_requests)
    for window in BURN_RATE_WINDOWS:
        builder.availability_window(window, availability)
    if latency is not None:
        if metrics.latency is None:
            raise owner._fail("'latency' needs a latency metric, and this entrypoint has none "
                              "(RequestMetrics.latency is None)", "latency", latency)
        for window in BURN_RATE_WINDOWS:
            builder.latency_window(window, latency, metrics.latency)


class _Builder:
    """The members of one entrypoint, window by window."""

    def __init__(self, owner: EntrypointAlarms, metrics: RequestMetrics, min_failed: int) -> None:
        self._owner = owner
        self._metrics = metrics
        self._min_failed = min_failed

    def availability_window(self, window: BurnRateWindow, slo: AvailabilitySlo) -> None:
        owner = self._owner
        name = owner.entrypoint_name
        threshold = round_threshold(slo.error_ratio_threshold(window))
        rate = window.burn_rate(slo.period_seconds)
        budget = f"{window.budget_fraction * 100:g}% of the {adjective(slo.period_seconds)} error budget"
        long_words, short_words = words(window.long_window_seconds), words(window.short_window_seconds)
        errors, requests = self._metrics.failed(), self._metrics.requests()
        long = owner._add_member(
            id=f"Availability{window_tag(window.long_window_seconds)}",
            signal="availability", title=f"Failed requests, {long_words} burn rate", urgency=window.urgency,
            impact=f"Customers of {name} get server errors: {budget} burned within {long_words} "
                   f"({rate:g}x the sustainable rate, {threshold:.4%} of requests failing).",
            slo=slo.describe(),
            metric=cw.MathExpression(
                expression=f"IF(errors >= {self._min_failed}, errors / requests, 0)",
                using_metrics={"errors": errors, "requests": requests},
                period=cdk.Duration.seconds(window.long_window_seconds),
                label=f"Failed request ratio over {long_words}",
            ),
            threshold=threshold, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            window=f"long {long_words}",
        )
        short = owner._add_member(
            id=f"Availability{window_tag(window.short_window_seconds)}",
            signal="availability", title=f"Failed requests, {short_words} burn rate", urgency=window.urgency,
            impact=f"Customers of {name} are still getting server errors over the last "
                   f"{short_words} (confirms the {long_words} burn of {budget}).",
            slo=slo.describe(),
            metric=cw.MathExpression(
                expression="FILL(errors, 0) / requests",
                using_metrics={"errors": errors, "requests": requests},
                period=cdk.Duration.seconds(window.short_window_seconds),
                label=f"Failed request ratio over {short_words}",
            ),
            threshold=threshold, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            window=f"short {short_words}", primary=False,
        )
        owner._add_rule(window.urgency, owner._all_of([long, short]))

    def latency_window(self, window: BurnRateWindow, slo: LatencySlo,
                       latency_metric: Callable[[str], cw.IMetric]) -> None:
        owner = self._owner
        name = owner.entrypoint_name
        threshold = round_threshold(slo.slow_ratio_threshold(window))
        rate = window.burn_rate(slo.period_seconds)
        ms = slo.threshold_millis
        budget = f"{window.budget_fraction * 100:g}% of the {adjective(slo.period_seconds)} latency budget"
        long_words, short_words = words(window.long_window_seconds), words(window.short_window_seconds)
        # PR(:t) is the percent of requests at or under t ms; CloudWatch accepts it in alarms.
        fast = latency_metric(f"PR(:{ms})")
        count = latency_metric("SampleCount")
        long = owner._add_member(
            id=f"Latency{window_tag(window.long_window_seconds)}",
            signal="latency", title=f"Requests slower than {ms} ms, {long_words} burn rate", urgency=window.urgency,
            impact=f"Customers of {name} wait longer than {ms} ms: {budget} burned within "
                   f"{long_words} ({rate:g}x the sustainable rate, {threshold:.4%} of requests slow).",
            slo=slo.describe(),
            metric=cw.MathExpression(
                expression=f"IF((100 - fast) * requests / 100 >= {self._min_failed}, (100 - fast) / 100, 0)",
                using_metrics={"fast": fast, "requests": count},
                period=cdk.Duration.seconds(window.long_window_seconds),
                label=f"Slow request ratio over {long_words}",
            ),
            threshold=threshold, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            window=f"long {long_words}",
        )
        short = owner._add_member(
            id=f"Latency{window_tag(window.short_window_seconds)}",
            signal="latency", title=f"Requests slower than {ms} ms, {short_words} burn rate",
            urgency=window.urgency,
            impact=f"Customers of {name} are still waiting longer than {ms} ms over the last "
                   f"{short_words} (confirms the {long_words} burn of {budget}).",
            slo=slo.describe(),
            metric=cw.MathExpression(
                expression="(100 - fast) / 100",
                using_metrics={"fast": fast},
                period=cdk.Duration.seconds(window.short_window_seconds),
                label=f"Slow request ratio over {short_words}",
            ),
            threshold=threshold, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            window=f"short {short_words}", primary=False,
        )
        owner._add_rule(window.urgency, owner._all_of([long, short]))


def window_tag(seconds: int) -> str:
    """Construct-id fragment for a window: 1h, 5m, 1d."""
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"
