"""The opt-in synthetic probe (constructs/probe.py): a CloudWatch Synthetics canary whose failed runs
feed the entrypoint's HIGH rule and hold, its texts and price, and what it notifies when replayed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import numpy as np
import pytest
from aws_cdk import aws_lambda as lambda_

from cdk_support import ROOT, resources_of, synth
from construct_replay import function, minutes_of, pages, replayed, store_for, synthesized
from sensible_alarms import AlarmRouting, AvailabilitySlo, FunctionUrlAlarms, SensibleAlarmsError, WebSocketApiAlarms
from sensible_alarms.constructs.probe import (
    CANARY_RUN_USD,
    PROBE_FAILED_RUNS,
    Probe,
    probe_monthly_cost,
)
from sensible_alarms.metadata import METADATA_KEY

if TYPE_CHECKING:
    from pathlib import Path

    from sensible_alarms.replay.from_templates import AlarmSet


def _webhook(stack: cdk.Stack, routing: AlarmRouting, probe: Probe | None) -> FunctionUrlAlarms:
    url = function(stack, "Hook").add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)
    return FunctionUrlAlarms(stack, "WebhookAlarms", url=url, routing=routing,
                             availability=AvailabilitySlo(99.9), probe=probe)


def _template(probe: Probe | None) -> dict[str, Any]:
    stack = cdk.Stack(cdk.App(), "Hooks")
    routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"], low_emails=["team@example.com"])
    _webhook(stack, routing, probe)
    return synth(stack)


def _high(template: dict[str, Any]) -> dict[str, Any]:
    """The outage notifier: it pages for an outage, and its text says how a quiet entrypoint is watched."""
    return next(r for r in resources_of(template, "AWS::CloudWatch::CompositeAlarm").values()
                if r["Properties"].get("AlarmActions") and r["Properties"]["AlarmName"].endswith("-OutageUrgency"))


class TestProbeConstruct:
    def test_a_probe_is_a_canary_calling_the_url_on_its_schedule(self):
        """The canary calls the Function URL every 5 min by default and is started when created."""
        template = _template(Probe(url="https://hooks.example.com/health"))
        (canary,) = resources_of(template, "AWS::Synthetics::Canary").values()
        props = canary["Properties"]
        assert props["Schedule"]["Expression"] == "rate(5 minutes)"
        assert props["RunConfig"]["EnvironmentVariables"]["PROBE_URL"] == "https://hooks.example.com/health"
        assert props["StartCanaryAfterCreation"] is True

    def test_its_failed_runs_feed_the_outage_notifier(self):
        """ProbeFailing is an outage member: in the outage notifier's rule and its confirmation, and in
        the HIGH notifier's suppressor (an outage pages once, from the outage notifier)."""
        template = _template(Probe(url="https://hooks.example.com/health", every=cdk.Duration.minutes(1)))
        alarms = resources_of(template, "AWS::CloudWatch::Alarm")
        (lid, probe) = next((k, v) for k, v in alarms.items() if v["Metadata"][METADATA_KEY]["signal"] == "probe")
        assert probe["Properties"]["ActionsEnabled"] is False
        assert probe["Properties"]["Metrics"][0]["Expression"] == f"IF(runs >= {PROBE_FAILED_RUNS}, 100 - success, 0)"
        assert {m["MetricStat"]["Period"] for m in probe["Properties"]["Metrics"][1:]} == {PROBE_FAILED_RUNS * 60}
        composites = resources_of(template, "AWS::CloudWatch::CompositeAlarm")
        naming = {c["Properties"]["AlarmName"].rsplit("-", 1)[-1] for c in composites.values()
                  if lid in str(c["Properties"]["AlarmRule"])}
        assert naming == {"OutageUrgency", "OutageUrgencyUnconfirmed", "HighUrgencyUnconfirmed"}

    def test_the_high_text_says_the_probe_and_its_price(self):
        """The notifier's description (what explain and review show) names the probe's schedule and cost."""
        text = _high(_template(Probe(url="https://hooks.example.com/health")))["Properties"]["AlarmDescription"]
        assert "a synthetic probe also calls it every 5 min" in text
        assert f"${probe_monthly_cost(300):,.2f} a month" in text

    def test_without_a_probe_the_high_text_says_how_a_quiet_entrypoint_is_watched(self):
        """No canary; the text names the outage windows and what a probe would cost."""
        template = _template(None)
        assert not resources_of(template, "AWS::Synthetics::Canary")
        text = _high(template)["Properties"]["AlarmDescription"]
        assert "On a quiet entrypoint, 50% of its requests failing (3 or more) within 5 min or 30 min notifies" in text
        assert f"probe=Probe(url): about ${probe_monthly_cost(300):,.2f} a month" in text

    def test_a_websocket_api_is_not_offered_a_probe(self):
        """A one-request HTTP probe cannot call a WebSocket API: its text does not suggest one."""
        from aws_cdk import aws_apigatewayv2 as apigwv2
        from aws_cdk import aws_apigatewayv2_integrations as integrations

        stack = cdk.Stack(cdk.App(), "Live")
        api = apigwv2.WebSocketApi(stack, "LiveApi", connect_route_options=apigwv2.WebSocketRouteOptions(
            integration=integrations.WebSocketLambdaIntegration("Connect", function(stack, "OnConnect"))))
        stage = apigwv2.WebSocketStage(stack, "Prod", web_socket_api=api, stage_name="prod", auto_deploy=True)
        WebSocketApiAlarms(stack, "LiveAlarms", stage=stage, availability=AvailabilitySlo(99.9),
                           routing=AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"]))
        text = _high(synth(stack))["Properties"]["AlarmDescription"]
        assert "On a quiet entrypoint, 50% of its connections and messages failing" in text
        assert "probe" not in text

    @pytest.mark.parametrize(("kwargs", "prop"), [
        pytest.param({"url": "hooks.example.com"}, "url", id="a URL without a scheme is refused"),
        pytest.param({"url": "https://x.example.com", "every": cdk.Duration.seconds(90)}, "every",
                     id="a schedule of part minutes is refused"),
        pytest.param({"url": "https://x.example.com", "every": cdk.Duration.hours(2)}, "every",
                     id="a schedule over an hour is refused"),
        pytest.param({"url": "https://x.example.com", "method": "FETCH"}, "method", id="an unknown method is refused"),
        pytest.param({"url": "https://x.example.com", "headers": {"a": 1}}, "headers",
                     id="a header that is not a string is refused"),
    ])
    def test_a_bad_probe_is_refused_naming_the_field(self, kwargs, prop):
        """Probe checks its fields when made, and says which one is wrong."""
        with pytest.raises(SensibleAlarmsError, match=f"'{prop}' must"):
            Probe(**kwargs)

    def test_a_probe_that_is_not_a_probe_is_refused(self):
        """`probe` takes a Probe, not a bare URL."""
        stack = cdk.Stack(cdk.App(), "Hooks")
        routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
        with pytest.raises(SensibleAlarmsError, match="'probe' must be a Probe or None"):
            _webhook(stack, routing, "https://hooks.example.com")  # type: ignore[arg-type]


class TestProbePrice:
    def test_the_price_is_runs_a_month_times_the_run_price(self):
        """Every 5 min is 8,640 runs in 30 days; every minute 43,200."""
        assert probe_monthly_cost(300) == round(8640 * CANARY_RUN_USD, 2)
        assert probe_monthly_cost(60) == round(43200 * CANARY_RUN_USD, 2)

    def test_the_docs_quote_the_prices_the_module_computes(self):
        """docs/concepts.md states the probe's price at 5 min and 1 min as the module computes it."""
        text = (ROOT / "docs" / "concepts.md").read_text()
        for every in (300, 60):
            assert f"${probe_monthly_cost(every):,.2f}" in text


def _canary_store(alarm_set: AlarmSet, requests: np.ndarray, errors: np.ndarray, runs_failed: np.ndarray,
                  every: int) -> Any:
    """Metrics of a webhook and its canary: a run at every `every`-th minute, failed where `runs_failed`."""
    ran = np.zeros(requests.size, dtype=bool)
    ran[::every] = True
    success = np.where(ran, np.where(runs_failed, 0.0, 100.0), np.nan)

    def series(namespace: str, metric: str, stat: str, dims: dict[str, str]) -> np.ndarray:
        if namespace == "CloudWatchSynthetics":
            return success if stat == "Average" else np.where(ran, 1.0, np.nan)
        values = {"UrlRequestCount": requests, "Url5xxCount": errors}[metric]
        return np.where(requests > 0, values, np.nan)

    return store_for(alarm_set, series)


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> AlarmSet:
    """A webhook with a probe every minute, synthesized and read back."""
    tmp: Path = tmp_path_factory.mktemp("probe")
    return synthesized(tmp, lambda stack, routing: _webhook(
        stack, routing, Probe(url="https://hooks.example.com/health", every=cdk.Duration.minutes(1))), "Hooks")


class TestProbeReplayed:
    HOURS = 6 * 60

    def test_an_outage_with_no_customer_calling_pages_once_from_the_probe(self, hooks):
        """No request at all; every run fails from minute 120 for an hour: one HIGH notification,
        within the two failed runs plus the confirmation wait."""
        zeros = np.zeros(self.HOURS)
        failed = np.zeros(self.HOURS, dtype=bool)
        failed[120:180] = True
        result = replayed(hooks, _canary_store(hooks, zeros, zeros, failed, 1), 0, self.HOURS - 1)
        found = pages(result)
        assert len(found) == 1
        assert len(result.notifications) == 1
        assert 120 < minutes_of(result, found)[0] <= 120 + PROBE_FAILED_RUNS + 2

    def test_one_failed_run_does_not_page(self, hooks):
        """A single failed run (one lost connection) notifies no one."""
        zeros = np.zeros(self.HOURS)
        failed = np.zeros(self.HOURS, dtype=bool)
        failed[120] = True
        assert not replayed(hooks, _canary_store(hooks, zeros, zeros, failed, 1), 0, self.HOURS - 1).notifications

    def test_a_busy_outage_seen_by_requests_and_probe_pages_once(self, hooks):
        """20 requests a minute and the probe all fail for 40 min: Outage5m and ProbeFailing both
        hold, and the outage notifier notifies once (the HIGH one stays quiet)."""
        requests = np.full(self.HOURS, 20.0)
        errors = np.zeros(self.HOURS)
        errors[120:160] = 20.0
        failed = np.zeros(self.HOURS, dtype=bool)
        failed[120:160] = True
        result = replayed(hooks, _canary_store(hooks, requests, errors, failed, 1), 0, self.HOURS - 1)
        probe = next(name for name in result.timelines if name.endswith("ProbeFailing"))
        assert result.timelines[probe].change_states.tolist().count(1) == 1
        assert [n.alarm.split("-")[-1] for n in result.notifications] == ["OutageUrgency"]

