"""ApiAlarms watches each route on its own (RouteOutage5m, from the route handlers' Lambda metrics):
the routes are discovered from the construct tree or given, grouped five to an alarm, fed to the
HIGH notifier; replayed, a 4-request burst on one quiet route of a busy API is told and a transient
error of 1 to 3 invocations is not."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import numpy as np
import pytest
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from cdk_support import resources_of, synth
from construct_replay import Traffic, api_store, function, minutes_of, notifications, poisson, replayed, synthesized
from sensible_alarms import AlarmRouting, ApiAlarms, AvailabilitySlo, SensibleAlarmsError, Urgency
from sensible_alarms.constructs.routes import ROUTE_MIN_FAILED, ROUTES_PER_ALARM
from sensible_alarms.policy import check_paths
from sensible_alarms.replay.from_templates import AlarmSet

SLO = AvailabilitySlo(target=99.9)


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Shop")


def _routing(stack: cdk.Stack) -> AlarmRouting:
    return AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])


def _rest_api(stack: cdk.Stack, routes: int) -> apigw.RestApi:
    api = apigw.RestApi(stack, "Api", deploy_options=apigw.StageOptions(stage_name="prod"))
    for n in range(routes):
        api.root.add_resource(f"r{n}").add_method("GET", apigw.LambdaIntegration(function(stack, f"Route{n}")))
    return api


def _route_alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources_of(template, "AWS::CloudWatch::Alarm").items()
            if "RouteOutage" in k}


def _functions_read(alarm: dict[str, Any]) -> set[str]:
    return {q["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Ref"] for q in alarm["Metrics"] if "MetricStat" in q}


def _high_rule(template: dict[str, Any]) -> str:
    composite = next(v["Properties"] for k, v in resources_of(template, "AWS::CloudWatch::CompositeAlarm").items()
                     if k.startswith("ApiAlarmsHighUrgencyUnconfirmed"))
    return str(composite["AlarmRule"])


class TestConstruct:
    def test_the_routes_of_a_rest_api_are_found_and_grouped_five_to_an_alarm(self):
        """Seven Lambda-backed methods: two RouteOutage5m alarms (5 + 2 routes), each reading only
        its functions' Errors and Invocations (at most 10 metrics), each in the HIGH rule."""
        stack = _stack()
        ApiAlarms(stack, "ApiAlarms", api=_rest_api(stack, 7), routing=_routing(stack), availability=SLO)
        template = synth(stack)
        alarms = _route_alarms(template)
        assert len(alarms) == 2
        read = [_functions_read(a) for a in sorted(alarms.values(), key=lambda a: a["AlarmName"])]
        assert [len(r) for r in read] == [ROUTES_PER_ALARM, 2]
        assert all(len([q for q in a["Metrics"] if "MetricStat" in q]) <= 10 for a in alarms.values())
        assert not read[0] & read[1]
        for alarm in alarms.values():
            assert alarm["Threshold"] == 0.5
            assert alarm["ActionsEnabled"] is False
            assert "watched on its own" in alarm["AlarmDescription"]
        rule = _high_rule(template)
        assert all(k[:-8] in rule for k in [k for k in resources_of(template, "AWS::CloudWatch::Alarm")
                                                if "RouteOutage" in k])

    def test_the_routes_of_an_http_api_are_found_through_their_integrations(self):
        """Two HTTP routes served by one function and a third by another: two functions watched, once each."""
        stack = _stack()
        api = apigwv2.HttpApi(stack, "Api")
        shared, other = function(stack, "Shared"), function(stack, "Other")
        api.add_routes(path="/a", methods=[apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
                       integration=integrations.HttpLambdaIntegration("SharedIntegration", shared))
        api.add_routes(path="/b", methods=[apigwv2.HttpMethod.GET],
                       integration=integrations.HttpLambdaIntegration("OtherIntegration", other))
        ApiAlarms(stack, "ApiAlarms", api=api, routing=_routing(stack), availability=SLO)
        (alarm,) = _route_alarms(synth(stack)).values()
        assert {ref.rstrip("0123456789ABCDEF") for ref in _functions_read(alarm)} == {"Shared", "Other"}
        assert "GET /a and POST /a" in alarm["AlarmDescription"]

    def test_given_route_functions_replace_the_discovered_ones(self):
        """`route_functions` names the routes and functions watched, whatever the API's integrations."""
        stack = _stack()
        api = _rest_api(stack, 3)
        given = function(stack, "Given")
        ApiAlarms(stack, "ApiAlarms", api=api, routing=_routing(stack), availability=SLO,
                  route_functions={"POST /checkout": given})
        (alarm,) = _route_alarms(synth(stack)).values()
        assert {ref.rstrip("0123456789ABCDEF") for ref in _functions_read(alarm)} == {"Given"}
        assert "POST /checkout" in alarm["AlarmDescription"]

    def test_without_lambda_integrations_no_route_is_watched_and_the_notifier_says_so(self):
        """A mock-integrated API (or `route_functions={}`): no RouteOutage alarm, and the HIGH
        notifier's description says routes are not watched one by one."""
        for given in (None, {}):
            stack = _stack()
            api = apigw.RestApi(stack, "Api")
            api.root.add_method("GET")  # a mock integration
            ApiAlarms(stack, "ApiAlarms", api=api, routing=_routing(stack), availability=SLO,
                      route_functions=given)
            template = synth(stack)
            assert not _route_alarms(template)
            composites = resources_of(template, "AWS::CloudWatch::CompositeAlarm")
            notifier = next(v["Properties"] for k, v in composites.items()
                            if k.startswith("ApiAlarmsHighUrgency") and "Unconfirmed" not in k)
            assert "Routes are not watched one by one" in notifier["AlarmDescription"]

    @pytest.mark.parametrize(("given", "shows"), [
        (["GET /a"], "got list"),
        ({"": None}, "got ''"),
        ({"GET /a": "arn:aws:lambda:us-east-1:1:function:a"}, "got str"),
    ])
    def test_bad_route_functions_raise_naming_path_field_and_value(self, given: object, shows: str):
        """Not a mapping, an empty route name, a value that is no Lambda function: refused at once."""
        stack = _stack()
        with pytest.raises(SensibleAlarmsError) as caught:
            ApiAlarms(stack, "ApiAlarms", api=_rest_api(stack, 1), routing=_routing(stack), availability=SLO,
                      route_functions=given)  # type: ignore[arg-type]
        message = str(caught.value)
        assert message.startswith("Shop/ApiAlarms: "), message
        assert "'route_functions" in message, message
        assert shows in message, message
        assert caught.value.prop == "route_functions"

    def test_the_policy_takes_the_route_member_as_a_customer_signal_not_a_handler_alarm(self, tmp_path):
        """check: RouteOutage5m reads the handlers' Errors and passes; a plain alarm on a handler's
        Errors that notifies is still per-resource noise."""
        stack = _stack()
        api = _rest_api(stack, 2)
        alarms = ApiAlarms(stack, "ApiAlarms", api=api, routing=_routing(stack), availability=SLO)
        handler = next(c for c in stack.node.children if c.node.id == "Route0")
        assert isinstance(handler, lambda_.Function)
        plain = handler.metric_errors().create_alarm(stack, "HandlerErrors", threshold=1, evaluation_periods=1)
        plain.add_alarm_action(cw_actions.SnsAction(alarms.node.scope.node.find_child("Routing").topic(Urgency.HIGH)))
        path = tmp_path / "Shop.template.json"
        path.write_text(json.dumps(synth(stack)))
        noise = [f for f in check_paths(path).findings if f.rule_id == "per-resource-noise"]
        assert [f.logical_id.rstrip("0123456789ABCDEF") for f in noise] == ["HandlerErrors"]

    def test_a_queue_is_not_a_route_function(self):
        """A construct of another kind in `route_functions` is refused, naming its type."""
        stack = _stack()
        with pytest.raises(SensibleAlarmsError, match=r"'route_functions\['GET /a'\]' must be an aws_lambda .*Queue"):
            ApiAlarms(stack, "ApiAlarms", api=_rest_api(stack, 1), routing=_routing(stack), availability=SLO,
                      route_functions={"GET /a": sqs.Queue(stack, "Q")})  # type: ignore[dict-item]


# -- replayed ---------------------------------------------------------------------------------------

MINUTES = 2 * 1440
#: Day 0 fills the windows; the replay covers day 1.
FIRST = 1440
BURST = FIRST + 600
TRANSIENT = FIRST + 1000


def _routes_traffic(seed: int, burst: int, transient: int) -> tuple[Traffic, dict[str, Traffic]]:
    """A busy route (30 a minute), a normal one (5) and a quiet one (a request every 30 minutes),
    no background errors; the quiet route's `burst` requests, one a minute, all fail, and
    `transient` invocations of it fail in one minute (a transient error its callers retried)."""
    rng = np.random.default_rng(seed)
    busy, normal = poisson(rng, 30.0, MINUTES), poisson(rng, 5.0, MINUTES)
    quiet = np.zeros(MINUTES)
    quiet[::30] = 1
    quiet_errors = np.zeros(MINUTES)
    quiet[BURST:BURST + burst] = 1
    quiet_errors[BURST:BURST + burst] = 1
    quiet[TRANSIENT] = max(quiet[TRANSIENT], transient)
    quiet_errors[TRANSIENT] = transient
    routes = {"Route0": Traffic(busy, np.zeros(MINUTES)), "Route1": Traffic(normal, np.zeros(MINUTES)),
              "Route2": Traffic(quiet, quiet_errors)}
    return Traffic(busy + normal + quiet, quiet_errors), routes


def _alarms(tmp: Any, route_functions: dict[str, Any] | None) -> AlarmSet:
    def add(stack: cdk.Stack, routing: AlarmRouting) -> None:
        ApiAlarms(stack, "ApiAlarms", api=_rest_api(stack, 3), routing=routing, availability=SLO,
                  route_functions=route_functions)

    return synthesized(tmp, add)


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> AlarmSet:
    return _alarms(tmp_path_factory.mktemp("watched"), None)


@pytest.fixture(scope="module")
def unwatched(tmp_path_factory: pytest.TempPathFactory) -> AlarmSet:
    return _alarms(tmp_path_factory.mktemp("unwatched"), {})


def _told(alarms: AlarmSet, seed: int, *, burst: int, transient: int) -> list[int]:
    api, routes = _routes_traffic(seed, burst, transient)
    result = replayed(alarms, api_store(alarms, api, routes), FIRST, MINUTES)
    return minutes_of(result, notifications(result))


class TestReplayed:
    @pytest.mark.parametrize("seed", [1, 2])
    def test_a_four_request_burst_on_a_quiet_route_is_told_once(self, watched: AlarmSet, seed: int):
        """4 failed of the quiet route's 4 requests in 4 minutes (0.3 % of the API's hour, far under
        every API-level window): one HIGH notification within the burst's 15 minutes."""
        told = _told(watched, seed, burst=ROUTE_MIN_FAILED, transient=0)
        assert len(told) == 1, told
        assert BURST <= told[0] <= BURST + ROUTE_MIN_FAILED + 15, told

    def test_without_route_watching_the_same_burst_is_missed(self, unwatched: AlarmSet):
        """The API-level signals alone (route_functions={}, the constructs before RouteOutage5m): silent."""
        assert _told(unwatched, 1, burst=ROUTE_MIN_FAILED, transient=0) == []

    @pytest.mark.parametrize("failed", [1, 3])
    def test_a_transient_error_on_a_quiet_route_is_not_told(self, watched: AlarmSet, failed: int):
        """1 or 3 invocations of the quiet route fail in one minute (100 % of its 5 minutes, under the
        route guard of 4): no notification. 3 is the price measured on the fleet: a 3-request burst
        is not told by the route signal either."""
        assert _told(watched, 1, burst=0, transient=failed) == []
