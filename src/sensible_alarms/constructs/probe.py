"""An opt-in synthetic probe for an entrypoint too quiet for its own requests to tell an outage.

The SRE Workbook's remedy for low-traffic services ("Alerting on SLOs", low-traffic services) is
synthetic traffic: a CloudWatch Synthetics canary calls the entrypoint on a schedule, so an outage
shows even when no customer is calling. The canary's own success signal (``CloudWatchSynthetics``
``SuccessPercent`` by ``CanaryName``) becomes one more outage member of the entrypoint, told by its
outage notifier like ``Outage5m``: a busy outage that trips both still notifies once.

A run fails on a server error (5xx), a connection error or a timeout, as the availability SLO
counts; a 4xx is the caller's error and passes (a URL behind IAM auth answers the unsigned probe
with 403: give the probe a URL it may call). The member needs ``PROBE_FAILED_RUNS`` failed runs in
a row, so one lost connection does not page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_synthetics as synthetics

from .._durations import seconds_of, words
from ..errors import SensibleAlarmsError
from ..review.pricing import DAYS_PER_MONTH, DEFAULT_PRICING
from ..urgency import Urgency
from .metrics import MathExpression, Metric
from .request_burn_rates import OUTAGE_FAILED_SHARE, OUTAGE_MIN_FAILED, OUTAGE_WINDOWS_SECONDS

if TYPE_CHECKING:
    from ..slo import AvailabilitySlo
    from .entrypoint import EntrypointAlarms

__all__ = [
    "CANARY_RUN_USD",
    "DAYS_PER_MONTH",
    "PROBE_FAILED_RUNS",
    "PROBE_SIGNAL",
    "Probe",
    "add_probe",
    "probe_monthly_cost",
    "quiet_entrypoint_text",
]

#: The member's signal id (alarm metadata).
PROBE_SIGNAL = "probe"
#: Failed runs in a row that make the member ALARM: one lost connection is one request, not an outage.
PROBE_FAILED_RUNS = 2
#: USD per canary run: the review's price (``review.pricing.AlarmPricing.canary_run``), so the
#: texts here and the review's cost say the same.
CANARY_RUN_USD = DEFAULT_PRICING.canary_run
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: The probe's script: one request; throws (the run fails) on a 5xx, a connection error or a timeout.
_SCRIPT = """\
const https = require('https');
const http = require('http');
exports.handler = async () => {
  const url = new URL(process.env.PROBE_URL);
  const body = process.env.PROBE_BODY || '';
  const headers = JSON.parse(process.env.PROBE_HEADERS || '{}');
  if (body) headers['content-length'] = Buffer.byteLength(body);
  const status = await new Promise((resolve, reject) => {
    const request = (url.protocol === 'http:' ? http : https).request(
      url, {method: process.env.PROBE_METHOD, headers, timeout: 10000}, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      });
    request.on('timeout', () => request.destroy(new Error('no answer within 10 s')));
    request.on('error', reject);
    request.end(body);
  });
  if (status >= 500) throw new Error(`server error: HTTP ${status}`);
  return status;
};
"""


@dataclass(frozen=True)
class Probe:
    """A synthetic request to the entrypoint on a schedule (a CloudWatch Synthetics canary).

    :param url: the URL the canary calls: ``https://...`` (a token such as ``api.url`` or
        ``function_url.url`` is accepted).
    :param every: how often it calls. Default: every 5 minutes (8,640 runs, about $10.37 a month;
        every minute: about $51.84). An outage is told after ``PROBE_FAILED_RUNS`` failed runs in
        a row, so within about twice this.
    :param method: the HTTP method. Default: GET.
    :param body: the request body (a GraphQL query, for example). Default: none.
    :param headers: request headers (``{"content-type": "application/json"}``). Default: none.
    """

    url: str
    every: cdk.Duration = field(default_factory=lambda: cdk.Duration.minutes(5))
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.url, str) or not (
                cdk.Token.is_unresolved(self.url) or re.fullmatch(r"https?://\S+", self.url)):
            raise SensibleAlarmsError(f"'url' must be an http(s) URL (got {self.url!r})", prop="url", value=self.url)
        seconds = seconds_of(self.every, owner="Probe", prop="every")
        if seconds % 60 or not 60 <= seconds <= 3600:
            raise SensibleAlarmsError(
                f"'every' must be a whole number of minutes from 1 min to 1 h, a canary's schedule "
                f"(got {words(seconds)})", prop="every", value=self.every)
        if self.method not in _METHODS:
            raise SensibleAlarmsError(f"'method' must be one of {', '.join(sorted(_METHODS))} (got {self.method!r})",
                                      prop="method", value=self.method)
        if self.body is not None and not isinstance(self.body, str):
            raise SensibleAlarmsError(f"'body' must be a string or None (got {type(self.body).__name__})",
                                      prop="body", value=self.body)
        if not isinstance(self.headers, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in self.headers.items()):
            raise SensibleAlarmsError(f"'headers' must map header names to strings (got {self.headers!r})",
                                      prop="headers", value=self.headers)

    @property
    def every_seconds(self) -> int:
        return seconds_of(self.every, owner="Probe", prop="every")


def probe_monthly_cost(every_seconds: int) -> float:
    """USD a month of a canary that runs every `every_seconds` (list price, see ``CANARY_RUN_USD``)."""
    return round(DAYS_PER_MONTH * 86400 // every_seconds * CANARY_RUN_USD, 2)


def add_probe(owner: EntrypointAlarms, probe: object, slo: AvailabilitySlo) -> str:
    """Add to `owner` the canary of `probe` and its member ``ProbeFailing`` (a HIGH rule and hold);
    returns the end of a sentence for the HIGH notifier's text. Raises, naming `owner`'s path, unless `probe`
    is a Probe."""
    if not isinstance(probe, Probe):
        raise owner._fail(f"'probe' must be a Probe or None (got {type(probe).__name__})", "probe", probe)
    every = probe.every_seconds
    runs = DAYS_PER_MONTH * 86400 // every
    cost = probe_monthly_cost(every)
    canary = synthetics.Canary(
        owner, "Probe",
        runtime=synthetics.Runtime.SYNTHETICS_NODEJS_3_1,
        test=synthetics.Test.custom(code=synthetics.Code.from_inline(_SCRIPT), handler="index.handler"),
        schedule=synthetics.Schedule.rate(probe.every),
        environment_variables={"PROBE_URL": probe.url, "PROBE_METHOD": probe.method, "PROBE_BODY": probe.body or "",
                               "PROBE_HEADERS": json.dumps(probe.headers, sort_keys=True)},
        timeout=cdk.Duration.seconds(min(every, 30)),
        # The canary's Lambda function goes with the stack; its run artifacts are kept a week.
        provisioned_resource_cleanup=True,
        artifacts_bucket_lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(7))],
    )
    window = PROBE_FAILED_RUNS * every
    window_words = words(window)
    dimensions = {"CanaryName": canary.canary_name}
    alarm = owner._add_member(
        id="ProbeFailing",
        signal=PROBE_SIGNAL, title=f"Synthetic probe failing, {window_words}", urgency=Urgency.HIGH,
        impact=f"Customers of {owner.entrypoint_name} cannot use it: the synthetic probe, calling it every "
               f"{words(every)}, failed {PROBE_FAILED_RUNS} runs in a row (server error, no connection or no "
               f"answer). It tells an outage when no customer is calling; it costs about ${cost:,.2f} a month "
               f"({runs:,} runs at ${CANARY_RUN_USD} each, list price).",
        slo=slo.describe(),
        metric=MathExpression(
            expression=f"IF(runs >= {PROBE_FAILED_RUNS}, 100 - success, 0)",
            using_metrics={"success": Metric("CloudWatchSynthetics", "SuccessPercent", dimensions, "Average", window),
                           "runs": Metric("CloudWatchSynthetics", "SuccessPercent", dimensions, "SampleCount",
                                          window)},
            period=window,
            label=f"Failed share of the probe's runs over {window_words}, percent",
        ),
        threshold=100, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    )
    owner._add_outage(alarm)  # told by the outage notifier, like Outage5m; keeps LOW quiet too
    return (f"; a synthetic probe also calls it every {words(every)} (about ${cost:,.2f} a month): "
            f"{PROBE_FAILED_RUNS} failed runs in a row notify, even when no customer is calling.")


def quiet_entrypoint_text(owner: EntrypointAlarms, what: str, probe: object, slo: AvailabilitySlo, *,
                          offered: bool = True) -> str:
    """How a quiet entrypoint is watched, for the HIGH notifier's text (and so `explain`); adds
    the probe to `owner` when `probe` is not None. `offered`: whether to suggest one."""
    windows = " or ".join(words(s) for s in OUTAGE_WINDOWS_SECONDS if s > 60)  # 1 min counts from the guard
    text = (f" On a quiet entrypoint, {OUTAGE_FAILED_SHARE:.0%} of its {what} failing ({OUTAGE_MIN_FAILED} or more) "
            f"within {windows} notifies")
    if probe is None and not offered:
        return text + "."
    if probe is None:
        return text + (f"; one with too few {what} for that can add a synthetic probe (probe=Probe(url): about "
                       f"${probe_monthly_cost(300):,.2f} a month at one call every 5 min).")
    return text + add_probe(owner, probe, slo)
