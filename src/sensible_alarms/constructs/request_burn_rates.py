"""Availability and latency burn-rate members of any request/response entrypoint (API Gateway REST,
HTTP and WebSocket APIs, Lambda Function URLs, ALB target groups, AppSync), from metric factories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import aws_cloudwatch as cw

from .._durations import adjective, words
from ..burn_rate import BURN_RATE_WINDOWS, BurnRateWindow
from ..slo import AvailabilitySlo, LatencySlo
from ..urgency import Urgency
from .entrypoint import round_threshold
from .metrics import MathExpression

if TYPE_CHECKING:
    from collections.abc import Callable

    from .entrypoint import EntrypointAlarms
    from .metrics import Metric

__all__ = [
    "HOLD_FRACTION",
    "LOW_HOLD_FRACTION",
    "MAX_MIN_FAILED_REQUESTS",
    "OUTAGE_FAILED_SHARE",
    "OUTAGE_MEMORY_BREACHES",
    "OUTAGE_MEMORY_SECONDS",
    "OUTAGE_MEMORY_WINDOWS_SECONDS",
    "OUTAGE_MIN_FAILED",
    "OUTAGE_WINDOWS_SECONDS",
    "SHORT_WINDOW_MIN_FAILED",
    "SLOW_SHARE_HOLD_SECONDS",
    "SLOW_SHARE_MIN_SLOW",
    "SLOW_SHARE_WINDOWS",
    "RequestMetrics",
    "add_request_burn_rates",
    "check_request_arguments",
    "outage_text",
    "slow_share_text",
    "window_tag",
]

#: A short window confirms only with at least this many failed (or slow) requests in it, so one
#: background error cannot re-confirm a long window that still holds an earlier incident.
SHORT_WINDOW_MIN_FAILED = 3
#: A HIGH incident stays open (no new notification) until every HIGH long window falls below this
#: share of its threshold. Not a half: the 6 h hold would then be 0.3 % failed on a 99.9 % SLO, the
#: top of the fleet benchmark's background errors, and an API there kept its incident open for a
#: day, so a route outage 14 h after a burst was not told (docs/concepts.md).
HOLD_FRACTION = 0.75
#: A LOW incident stays open (no new ticket) until the 1-day window falls below this share of its
#: threshold: a window hovering around its threshold on background errors tickets once, not at
#: every crossing. Not lower: at a quarter (0.075 % failed on a 99.9 % SLO) the background errors
#: of most of the fleet benchmark's APIs (0.02-0.3 %) kept the incident open all month, so a
#: second slow burn after a ticket was never told (docs/concepts.md).
LOW_HOLD_FRACTION = 0.75
#: "Nearly every request fails": at least this many failed requests, and at least this share of
#: all requests, within one of these windows. Catches an outage of a quiet entrypoint that the
#: burn-rate guard (`min_failed_requests`) keeps silent: 5 min finds it fast, 30 min finds it when
#: requests come a few an hour, and 1 min in the same minute as the burn rates on a busy one (so the
#: outage notifier, not the HIGH one, tells it).
OUTAGE_MIN_FAILED = 3
OUTAGE_FAILED_SHARE = 0.5
OUTAGE_WINDOWS_SECONDS = (60, 300, 1800)
#: An outage's memory: an ``Outage<window>Recent`` twin of each outage member is in ALARM while at least
#: ``OUTAGE_MEMORY_BREACHES[window]`` of its datapoints within this long breached, so the HIGH notifier
#: stays quiet while the burn rates the outage moved still hold (the longest HIGH short window, 30 min,
#: and a period) and no notification comes from an outage's drain. The 1 min member has a memory too:
#: without it a busy outage of a minute or two that the outage notifier told was paged again by the HIGH
#: notifier as soon as the member fell back (fleet benchmark, docs/concepts.md). It needs 2 breaches, as
#: many as the outage notifier's confirmation, so a one-minute blip that was not told does not silence the
#: HIGH notifier; the 5 and 30 min memories need 1, because their datapoints are a period apart.
OUTAGE_MEMORY_SECONDS = 2100
OUTAGE_MEMORY_BREACHES: dict[int, int] = {60: 2, 300: 1, 1800: 1}
OUTAGE_MEMORY_WINDOWS_SECONDS = tuple(OUTAGE_MEMORY_BREACHES)
#: "Many requests are slow": within one of these windows (seconds), the slow share reaches the
#: threshold of the HIGH burn-rate window at this index of ``BURN_RATE_WINDOWS``, with at least
#: ``SLOW_SHARE_MIN_SLOW`` slow requests. A slow request is not retried away like a transient 5xx:
#: each was felt, so a latency regression is told before the long window has diluted it.
SLOW_SHARE_WINDOWS: tuple[tuple[int, int], ...] = ((1800, 1),)
SLOW_SHARE_MIN_SLOW = 4
#: The slow share's hold: this window, at the slow share's threshold scaled by the two windows'
#: lengths (2 h for 30 min: a quarter), so the slow requests that tripped the member keep the
#: incident open while the longer window holds them. A hold over the 30 min window itself, or 1 h,
#: fell back for a minute between the sparse slow requests of a quiet route and let a second
#: notification out (docs/concepts.md, "A latency regression").
SLOW_SHARE_HOLD_SECONDS = 7200
#: The largest burn-rate guard accepted: a larger one keeps every burn-rate member silent.
MAX_MIN_FAILED_REQUESTS = 1_000_000


@dataclass(frozen=True)
class RequestMetrics:
    """How to read an entrypoint's requests, as metric factories (each call returns a new metric).

    :param failed: the requests that failed (server errors), statistic ``Sum``.
    :param requests: every request, statistic ``Sum``.
    :param latency: the response-time metric with the given statistic: called with
        ``"PR(:<ms>)"`` (the percent of requests at or under ``<ms>`` milliseconds) and with
        ``"SampleCount"`` (the requests it measured). None: the entrypoint has no latency metric.
    """

    failed: Callable[[], Metric | MathExpression]
    requests: Callable[[], Metric | MathExpression]
    latency: Callable[[str], Metric | MathExpression] | None = None


def check_request_arguments(owner: EntrypointAlarms, *, availability: object, latency: object, min_failed: object,
                            prop: str = "min_failed_requests", unit: str = "requests",
                            ) -> tuple[AvailabilitySlo, LatencySlo | None, int]:
    """The arguments, typed; raises, naming `owner`'s path, the field and the value, unless
    `availability` is an AvailabilitySlo, `latency` a LatencySlo or None, and `min_failed` (the
    argument called `prop`, a count of failed `unit`) a whole number from 1 to
    ``MAX_MIN_FAILED_REQUESTS``."""
    if not isinstance(availability, AvailabilitySlo):
        raise owner._fail(f"'availability' must be an AvailabilitySlo (got {availability!r})",
                          "availability", availability)
    if latency is not None and not isinstance(latency, LatencySlo):
        raise owner._fail(f"'latency' must be a LatencySlo or None (got {latency!r})", "latency", latency)
    if isinstance(min_failed, bool) or not isinstance(min_failed, int) or min_failed < 1:
        raise owner._fail(f"'{prop}' must be a whole number of {unit}, at least 1 (got {min_failed!r})",
                          prop, min_failed)
    if min_failed > MAX_MIN_FAILED_REQUESTS:
        raise owner._fail(
            f"'{prop}' must be at most {MAX_MIN_FAILED_REQUESTS:,} failed {unit} per window: a larger guard "
            f"keeps every burn-rate alarm silent (got {min_failed:,})", prop, min_failed)
    return availability, latency, min_failed


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
    # An SLO without tickets has no LOW windows (docs/concepts.md, "What the alarms cost").
    for window in _windows(availability.tickets):
        builder.availability_window(window, availability)
    builder.outage(availability)
    if latency is not None:
        if metrics.latency is None:
            raise owner._fail("'latency' needs a latency metric, and this entrypoint has none "
                              "(RequestMetrics.latency is None)", "latency", latency)
        for window in _windows(latency.tickets):
            builder.latency_window(window, latency, metrics.latency)
        builder.slow_share(latency, metrics.latency)


class _Builder:
    """The members of one entrypoint, window by window."""

    def __init__(self, owner: EntrypointAlarms, metrics: RequestMetrics, min_failed: int) -> None:
        self._owner = owner
        self._metrics = metrics
        self._min_failed = min_failed
        self._short_min = min(SHORT_WINDOW_MIN_FAILED, min_failed)

    def _finish(self, window: BurnRateWindow, long: cw.CfnAlarm, short: cw.CfnAlarm | None,
                hold: cw.CfnAlarm | None) -> None:
        owner = self._owner
        if short is None:
            owner._add_rule(window.urgency, owner._any_of([long]))
        else:
            owner._add_rule(window.urgency, owner._all_of([long, short]))
        if window.urgency is Urgency.HIGH:
            owner._high_longs.append(long)
        if hold is not None:
            owner._add_hold(window.urgency, owner._any_of([hold]))

    def availability_window(self, window: BurnRateWindow, slo: AvailabilitySlo) -> None:
        owner = self._owner
        name = owner.entrypoint_name
        threshold = round_threshold(slo.error_ratio_threshold(window))
        rate = window.burn_rate(slo.period_seconds)
        budget = f"{window.budget_fraction * 100:g}% of the {adjective(slo.period_seconds)} error budget"
        long_words, short_words = words(window.long_window_seconds), words(window.short_window_seconds)
        errors, requests = self._metrics.failed(), self._metrics.requests()
        tag = window_tag(window.long_window_seconds)
        long = owner._add_member(
            id=f"Availability{tag}",
            signal="availability", title=f"Failed requests, {long_words} burn rate", urgency=window.urgency,
            impact=f"Customers of {name} get server errors: {budget} burned within {long_words} "
                   f"({rate:g}x the sustainable rate, {threshold:.4%} of requests failing).",
            slo=slo.describe(),
            metric=MathExpression(
                expression=f"IF(errors >= {self._min_failed}, errors / requests, 0)",
                using_metrics={"errors": errors, "requests": requests},
                period=window.long_window_seconds,
                label=f"Failed request ratio over {long_words}",
            ),
            threshold=threshold, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            window=f"long {long_words}",
        )
        short = owner._add_member(
            id=f"Availability{window_tag(window.short_window_seconds)}",
            signal="availability", title=f"Failed requests, {short_words} burn rate", urgency=window.urgency,
            impact=f"Customers of {name} are still getting server errors over the last "
                   f"{short_words}, at least {self._short_min} of them (confirms the {long_words} burn of {budget}).",
            slo=slo.describe(),
            metric=MathExpression(
                expression=f"IF(FILL(errors, 0) >= {self._short_min}, FILL(errors, 0) / requests, 0)",
                using_metrics={"errors": errors, "requests": requests},
                period=window.short_window_seconds,
                label=f"Failed request ratio over {short_words}",
            ),
            threshold=threshold, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            window=f"short {short_words}", primary=False,
        )
        fraction = _hold_fraction(window)
        hold_threshold = round_threshold(threshold * fraction)
        hold = owner._add_member(
            id=f"Availability{tag}Hold",
            signal="availability", title=f"Failed requests, {long_words}, incident still open",
            urgency=window.urgency,
            impact=f"Customers of {name} got server errors recently: over {long_words}, {hold_threshold:.4%} of "
                   f"requests or more failed ({fraction:g} of the burn-rate threshold). Keeps an incident "
                   "open, so it notifies once.",
            slo=slo.describe(),
            metric=MathExpression(
                expression=f"IF(errors >= {self._short_min}, errors / requests, 0)",
                using_metrics={"errors": errors, "requests": requests},
                period=window.long_window_seconds,
                label=f"Failed request ratio over {long_words}",
            ),
            threshold=hold_threshold, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            window=f"hold {long_words}", primary=False,
        )
        self._finish(window, long, short, hold)

    def outage(self, slo: AvailabilitySlo) -> None:
        """Nearly every request fails: HIGH at once, however quiet the entrypoint, through the
        entrypoint's outage notifier."""
        owner = self._owner
        owner._outage_memory_seconds = OUTAGE_MEMORY_SECONDS
        for seconds in OUTAGE_WINDOWS_SECONDS:
            window_words = words(seconds)
            tag = window_tag(seconds)
            # One minute is there to be as fast as the burn rates on a busy entrypoint: it counts from
            # their guard, so a transient error or two of a quiet one never fills it.
            least = OUTAGE_MIN_FAILED if seconds > 60 else max(OUTAGE_MIN_FAILED, self._min_failed)
            outage = owner._add_member(
                id=f"Outage{tag}",
                signal="availability", title=f"Share of requests failing, {window_words}", urgency=Urgency.HIGH,
                impact=f"Customers of {owner.entrypoint_name} cannot use it: at least {OUTAGE_FAILED_SHARE:.0%} of "
                       f"requests failed within {window_words}, {least} or more of them.",
                slo=slo.describe(),
                metric=self._outage_share(seconds, least),
                threshold=OUTAGE_FAILED_SHARE, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            )
            if seconds not in OUTAGE_MEMORY_WINDOWS_SECONDS or not owner._outage_notifier_on:
                owner._add_outage(outage)
                continue
            periods = -(-OUTAGE_MEMORY_SECONDS // seconds) + 1
            breaches = OUTAGE_MEMORY_BREACHES[seconds]
            memory_words = words(OUTAGE_MEMORY_SECONDS)
            memory = owner._add_member(
                id=f"Outage{tag}Recent",
                signal="availability", title=f"Share of requests failing, {window_words}, within {memory_words}",
                urgency=Urgency.HIGH,
                impact=f"Customers of {owner.entrypoint_name} could not use it recently: at least "
                       f"{OUTAGE_FAILED_SHARE:.0%} of requests failed within {window_words}, in "
                       f"{breaches} or more of the last {periods} periods. Keeps the HIGH notifier "
                       "quiet while the burn rates the outage moved still hold, so an outage notifies once.",
                slo=slo.describe(),
                metric=self._outage_share(seconds, least),
                threshold=OUTAGE_FAILED_SHARE, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluation_periods=periods, datapoints_to_alarm=breaches, primary=False,
            )
            owner._add_outage(outage, memory)

    def _outage_share(self, seconds: int, least: int = OUTAGE_MIN_FAILED) -> MathExpression:
        return MathExpression(
            expression=f"IF(errors >= {least}, errors / requests, 0)",
            using_metrics={"errors": self._metrics.failed(), "requests": self._metrics.requests()},
            period=seconds,
            label=f"Failed request ratio over {words(seconds)}",
        )

    def latency_window(self, window: BurnRateWindow, slo: LatencySlo,
                       latency_metric: Callable[[str], Metric | MathExpression]) -> None:
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
        tag = window_tag(window.long_window_seconds)
        long = owner._add_member(
            id=f"Latency{tag}",
            signal="latency", title=f"Requests slower than {ms} ms, {long_words} burn rate", urgency=window.urgency,
            impact=f"Customers of {name} wait longer than {ms} ms: {budget} burned within "
                   f"{long_words} ({rate:g}x the sustainable rate, {threshold:.4%} of requests slow).",
            slo=slo.describe(),
            metric=MathExpression(
                expression=f"IF((100 - fast) * requests / 100 >= {self._min_failed}, (100 - fast) / 100, 0)",
                using_metrics={"fast": fast, "requests": count},
                period=window.long_window_seconds,
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
                   f"{short_words}, at least {self._short_min} of them (confirms the {long_words} burn of {budget}).",
            slo=slo.describe(),
            metric=MathExpression(
                expression=f"IF((100 - fast) * requests / 100 >= {self._short_min}, (100 - fast) / 100, 0)",
                using_metrics={"fast": fast, "requests": count},
                period=window.short_window_seconds,
                label=f"Slow request ratio over {short_words}",
            ),
            threshold=threshold, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            window=f"short {short_words}", primary=False,
        )
        fraction = _hold_fraction(window)
        hold_threshold = round_threshold(threshold * fraction)
        hold = owner._add_member(
            id=f"Latency{tag}Hold",
            signal="latency", title=f"Requests slower than {ms} ms, {long_words}, incident still open",
            urgency=window.urgency,
            impact=f"Customers of {name} waited longer than {ms} ms recently: over {long_words}, "
                   f"{hold_threshold:.4%} of requests or more were slow ({fraction:g} of the burn-rate "
                   "threshold). Keeps an incident open, so it notifies once.",
            slo=slo.describe(),
            metric=MathExpression(
                expression=f"IF((100 - fast) * requests / 100 >= {self._short_min}, (100 - fast) / 100, 0)",
                using_metrics={"fast": fast, "requests": count},
                period=window.long_window_seconds,
                label=f"Slow request ratio over {long_words}",
            ),
            threshold=hold_threshold, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            window=f"hold {long_words}", primary=False,
        )
        self._finish(window, long, short, hold)


    def slow_share(self, slo: LatencySlo, latency_metric: Callable[[str], Metric | MathExpression]) -> None:
        """Many requests are slow: HIGH at once, before a long window has diluted a regression."""
        owner = self._owner
        ms = slo.threshold_millis
        for seconds, index in SLOW_SHARE_WINDOWS:
            window = BURN_RATE_WINDOWS[index]
            threshold = round_threshold(slo.slow_ratio_threshold(window))
            rate = window.burn_rate(slo.period_seconds)
            window_words = words(seconds)
            member = owner._add_member(
                id=f"SlowShare{window_tag(seconds)}",
                signal="latency", title=f"Share of requests slower than {ms} ms, {window_words}",
                urgency=Urgency.HIGH,
                impact=f"Customers of {owner.entrypoint_name} wait longer than {ms} ms: {threshold:.4%} of requests "
                       f"or more were slow within {window_words} ({rate:g}x the sustainable rate, the "
                       f"{words(window.long_window_seconds)} window's), {SLOW_SHARE_MIN_SLOW} or more of them.",
                slo=slo.describe(),
                metric=MathExpression(
                    expression=f"IF((100 - fast) * requests / 100 >= {SLOW_SHARE_MIN_SLOW}, (100 - fast) / 100, 0)",
                    using_metrics={"fast": latency_metric(f"PR(:{ms})"), "requests": latency_metric("SampleCount")},
                    period=seconds,
                    label=f"Slow request ratio over {window_words}",
                ),
                threshold=threshold, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            )
            hold_fraction = seconds / SLOW_SHARE_HOLD_SECONDS
            hold_threshold = round_threshold(threshold * hold_fraction)
            hold_words = words(SLOW_SHARE_HOLD_SECONDS)
            hold = owner._add_member(
                id=f"SlowShare{window_tag(seconds)}Hold",
                signal="latency", title=f"Share of requests slower than {ms} ms, {hold_words}, incident still open",
                urgency=Urgency.HIGH,
                impact=f"Customers of {owner.entrypoint_name} waited longer than {ms} ms recently: over "
                       f"{hold_words}, {hold_threshold:.4%} of requests or more were slow (the {window_words} "
                       f"threshold's slow requests, spread over {hold_words}). Keeps an incident open, so it "
                       "notifies once.",
                slo=slo.describe(),
                metric=MathExpression(
                    expression=f"IF((100 - fast) * requests / 100 >= {self._short_min}, (100 - fast) / 100, 0)",
                    using_metrics={"fast": latency_metric(f"PR(:{ms})"), "requests": latency_metric("SampleCount")},
                    period=SLOW_SHARE_HOLD_SECONDS,
                    label=f"Slow request ratio over {hold_words}",
                ),
                threshold=hold_threshold, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                primary=False,
            )
            owner._add_rule(Urgency.HIGH, owner._any_of([member]))
            owner._add_hold(Urgency.HIGH, owner._any_of([member]))
            owner._add_hold(Urgency.HIGH, owner._any_of([hold]))
            owner._high_longs.append(member)  # keeps LOW quiet too, as the outage windows do


def slow_share_text(slo: LatencySlo | None, what: str = "requests") -> str:
    """The slow-share members in one sentence, for the HIGH notifier's text (and so `explain`);
    empty without a latency SLO. `what` names the requests (``requests``, ``executions``)."""
    if slo is None or not SLOW_SHARE_WINDOWS:
        return ""
    parts = []
    for seconds, index in SLOW_SHARE_WINDOWS:
        threshold = round_threshold(slo.slow_ratio_threshold(BURN_RATE_WINDOWS[index]))
        parts.append(f"{threshold:.4%} within {words(seconds)}")
    return (f" A latency regression shorter than the burn-rate windows notifies too: {what} slower than "
            f"{slo.threshold_millis} ms reaching {' or '.join(parts)} ({SLOW_SHARE_MIN_SLOW} or more of them).")


def outage_text(owner: EntrypointAlarms, what: str = "requests") -> str:
    """The outage notifier's text (and so `explain`'s): what it tells, and why apart from the HIGH
    notifier; with ``outage_notifier=False``, the sentence the HIGH notifier's text gains. `what`
    names the requests."""
    quiet = " or ".join(words(s) for s in OUTAGE_WINDOWS_SECONDS if s > 60)
    share = (f"({OUTAGE_FAILED_SHARE:.0%} or more within {quiet}, {OUTAGE_MIN_FAILED} or more of them; or within "
             "1 min, as many as the burn rates' guard)")
    if not owner._outage_notifier_on:
        # Short: it joins the HIGH text within CloudWatch's 1,024 characters; the members give the numbers.
        return f"An outage, nearly every one of its {what} failing, notifies too."
    return (f"Customers of {owner.entrypoint_name} cannot use it: nearly every one of its {what} fails "
            f"{share}. Apart from the HIGH notifier, so an outage is told even "
            "while that one is already in ALARM for a smaller incident; the HIGH one stays quiet during an "
            f"outage and for at least {words(OUTAGE_MEMORY_SECONDS)} after it.")


def _windows(tickets: bool) -> tuple[BurnRateWindow, ...]:
    return tuple(w for w in BURN_RATE_WINDOWS if tickets or w.urgency is Urgency.HIGH)


def _hold_fraction(window: BurnRateWindow) -> float:
    return HOLD_FRACTION if window.urgency is Urgency.HIGH else LOW_HOLD_FRACTION


def window_tag(seconds: int) -> str:
    """Construct-id fragment for a window: 1h, 5m, 1d."""
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"
