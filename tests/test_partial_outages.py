"""One route failing while the others serve is one incident, told once: replayed with CloudWatch
semantics on a synthesized ApiAlarms of three routes. The route's outage pages (HIGH, from
RouteOutage5m); the API's own outage windows, crossing half as the failing route's share of the
requests comes and goes, do not page it again (OneRouteDown3m keeps the outage notifier quiet). A
whole-API outage, or a second route failing, during it still pages, and so does a short burst on
one route."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import numpy as np
import pytest
from aws_cdk import aws_apigateway as apigw

from cdk_support import resources_of, synth
from construct_replay import Traffic, api_store, binomial, function, minutes_of, pages, poisson, replayed, synthesized
from sensible_alarms import AlarmRouting, ApiAlarms, AvailabilitySlo
from sensible_alarms.replay.from_templates import AlarmSet
from sensible_alarms.review import review_stacks

SLO = AvailabilitySlo(target=99.9)
MINUTES = 2 * 1440
#: Day 0 fills the windows; the replay covers day 1.
FIRST = 1440
START = FIRST + 600
#: A page counts for an incident from its start to 15 minutes after its end.
GRACE = 15
#: Requests a minute of each route: the failing one carries about half of the API's requests, so the
#: API's 1 and 5 minute failed shares hover around the outage members' 50 %.
PER_MINUTE = {"Route0": 12.0, "Route1": 9.0, "Route2": 3.0}


def _rest_api(stack: cdk.Stack) -> apigw.RestApi:
    api = apigw.RestApi(stack, "Api", deploy_options=apigw.StageOptions(stage_name="prod"))
    for name in PER_MINUTE:
        api.root.add_resource(name.lower()).add_method("GET", apigw.LambdaIntegration(function(stack, name)))
    return api


@pytest.fixture(scope="module")
def alarms(tmp_path_factory: pytest.TempPathFactory) -> AlarmSet:
    def add(stack: cdk.Stack, routing: AlarmRouting) -> None:
        ApiAlarms(stack, "ApiAlarms", api=_rest_api(stack), routing=routing, availability=SLO)

    return synthesized(tmp_path_factory.mktemp("routes"), add)


def _pages(alarms: AlarmSet, seed: int, failing: dict[str, list[tuple[int, int]]]) -> list[tuple[int, str]]:
    """(minute, notifier) of each page when each route's requests fail within its (first, end)
    minutes of `failing`, and 0.05 % of them fail otherwise."""
    rng = np.random.default_rng(seed)
    routes = {}
    for name, rate in PER_MINUTE.items():
        requests = poisson(rng, rate, MINUTES)
        share = np.full(MINUTES, 0.0005)
        for lo, hi in failing.get(name, []):
            share[lo:hi] = 1.0
        routes[name] = Traffic(requests, binomial(rng, requests, share))
    api = Traffic(sum(t.requests for t in routes.values()), sum(t.errors for t in routes.values()))
    result = replayed(alarms, api_store(alarms, api, routes), FIRST, MINUTES)
    told = pages(result)
    return list(zip(minutes_of(result, told), (n.alarm.rsplit("-", 1)[-1] for n in told), strict=True))


class TestReplayed:
    @pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6, 7, 8])
    def test_a_route_outage_of_90_minutes_pages_once(self, alarms: AlarmSet, seed: int):
        """Route0 (half of the requests) fails for 90 min while the others serve: one page. The
        constructs before OneRouteDown3m paged 5 of these 8 twice, the second time from the outage
        notifier when the API's own outage windows crossed half."""
        told = _pages(alarms, seed, {"Route0": [(START, START + 90)]})
        assert len(told) == 1, told
        assert START <= told[0][0] <= START + GRACE, told

    @pytest.mark.parametrize("seed", [1, 2])
    def test_a_whole_api_outage_during_a_route_outage_pages_again(self, alarms: AlarmSet, seed: int):
        """Route0 fails; 40 min later every route fails for 20 min: that outage pages too, from the
        outage notifier, within 3 minutes (the reason the outage notifier exists)."""
        whole = (START + 40, START + 60)
        told = _pages(alarms, seed, {"Route0": [(START, START + 90)], "Route1": [whole], "Route2": [whole]})
        assert len(told) == 2, told
        assert told[1][1] == "OutageUrgency", told
        assert whole[0] <= told[1][0] <= whole[0] + 3, told

    @pytest.mark.parametrize("seed", [1, 2])
    def test_a_second_route_failing_during_a_route_outage_pages_again(self, alarms: AlarmSet, seed: int):
        """Route0 fails; 40 min later Route1 fails too for 20 min, while Route2 still serves: two
        routes failing is not one route's outage, and the outage notifier tells it."""
        second = (START + 40, START + 60)
        told = _pages(alarms, seed, {"Route0": [(START, START + 90)], "Route1": [second]})
        assert len(told) == 2, told
        assert told[1][1] == "OutageUrgency", told
        assert second[0] <= told[1][0] <= second[1] + GRACE, told

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_a_three_minute_burst_on_one_route_pages(self, alarms: AlarmSet, seed: int):
        """Route0 fails for 3 min: the API's 1 minute outage member holds before RouteOutage5m does,
        and the outage notifier pages; OneRouteDown3m needs the route down over two 3 minute windows,
        so it does not silence that page (the fleet benchmark lost two such bursts without it)."""
        told = _pages(alarms, seed, {"Route0": [(START, START + 3)]})
        assert len(told) == 1, told
        assert START <= told[0][0] <= START + 3 + GRACE, told


class TestConstruct:
    def test_one_alarm_per_five_routes_reads_their_errors_and_invocations(self):
        """Seven routes: two OneRouteDown3m alarms (5 + 2 functions), at most 10 metrics each,
        two 3 minute periods; both in the outage notifier's confirmation, none in a notifier's rule."""
        stack = cdk.Stack(cdk.App(), "Shop")
        api = apigw.RestApi(stack, "Api", deploy_options=apigw.StageOptions(stage_name="prod"))
        for n in range(7):
            api.root.add_resource(f"r{n}").add_method("GET", apigw.LambdaIntegration(function(stack, f"Route{n}")))
        ApiAlarms(stack, "ApiAlarms", api=api, routing=AlarmRouting(stack, "Routing", high_emails=["o@example.com"]),
                  availability=SLO)
        template = synth(stack)
        down = {k: v["Properties"] for k, v in resources_of(template, "AWS::CloudWatch::Alarm").items()
                if k.startswith("ApiAlarmsOneRouteDown")}
        assert len(down) == 2
        metrics = sorted(sum("MetricStat" in q for q in p["Metrics"]) for p in down.values())
        assert metrics == [4, 10]
        assert {(q["MetricStat"]["Period"], p["EvaluationPeriods"], p["DatapointsToAlarm"])
                for p in down.values() for q in p["Metrics"] if "MetricStat" in q} == {(180, 2, 2)}
        composites = {k: str(v["Properties"]["AlarmRule"])
                      for k, v in resources_of(template, "AWS::CloudWatch::CompositeAlarm").items()}
        holders = {k for k, rule in composites.items() for d in down if d in rule}
        assert holders, composites
        assert all(k.startswith("ApiAlarmsOutageUrgencyUnconfirmed") for k in holders), holders

    def test_a_single_route_api_and_outage_notifier_false_have_none(self):
        """With one route, its outage is the API's; with outage_notifier=False there is no outage
        notifier to keep quiet: no OneRouteDown3m, and nothing to pay for."""
        for routes, notifier in ((1, True), (3, False)):
            stack = cdk.Stack(cdk.App(), "Shop")
            api = apigw.RestApi(stack, "Api", deploy_options=apigw.StageOptions(stage_name="prod"))
            for n in range(routes):
                api.root.add_resource(f"r{n}").add_method("GET", apigw.LambdaIntegration(function(stack, f"R{n}")))
            ApiAlarms(stack, "ApiAlarms", api=api, availability=SLO, outage_notifier=notifier,
                      routing=AlarmRouting(stack, "Routing", high_emails=["o@example.com"]))
            found: dict[str, Any] = {k: v for k, v in resources_of(synth(stack), "AWS::CloudWatch::Alarm").items()
                                     if "OneRouteDown" in k}
            assert found == {}, (routes, notifier)

    def test_the_review_prices_outage_notifier_with_the_route_members_as_the_templates_differ(self, tmp_path):
        """Three routes: outage_notifier=False saves the outage composites, memories and OneRouteDown3m,
        what the two templates differ by; =True costs it back."""
        costs, options = {}, {}
        for notifier in (True, False):
            stack = cdk.Stack(cdk.App(context={"aws:cdk:enable-path-metadata": True}), "Shop",
                              synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
            ApiAlarms(stack, "ApiAlarms", api=_rest_api(stack), availability=SLO, outage_notifier=notifier,
                      routing=AlarmRouting(stack, "Routing", high_emails=["o@example.com"]))
            path = tmp_path / f"Shop{notifier}.template.json"
            path.write_text(json.dumps(synth(stack)))
            (entry,) = review_stacks(path).stacks[0].entrypoints
            costs[notifier] = entry.monthly_cost
            options[notifier] = {o.option: o.saves for o in entry.cost_options}
        saved = options[True]["ApiAlarms(..., outage_notifier=False)"]
        assert saved == pytest.approx(round(costs[True] - costs[False], 2))
        assert saved > 6 * 0.10  # OneRouteDown3m reads 6 metrics, on top of the composites and memories
        assert options[False]["ApiAlarms(..., outage_notifier=True)"] == pytest.approx(-saved)
