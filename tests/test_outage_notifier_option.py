"""``outage_notifier=False`` on the six request/response constructs: the outage members notify through
the HIGH notifier (no OutageUrgency composites, no outage memories), the HIGH notifier's text says
so, the review prices the option both ways, and the trade replays as documented (an outage during an
open incident is not told again; a busy or a quiet outage still pages, once)."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from cdk_support import ROOT, synth
from construct_replay import (
    FIRST,
    GRACE,
    MINUTES,
    api_store,
    api_traffic,
    http_api,
    minute,
    minutes_of,
    pages,
    replayed,
    synthesized,
)
from sensible_alarms import AlarmRouting, ApiAlarms, AvailabilitySlo, SensibleAlarmsError
from sensible_alarms.model import CompositeAlarm, load
from sensible_alarms.replay.from_templates import AlarmSet
from sensible_alarms.review import review_stacks

EXAMPLE = ROOT / "examples" / "payments_service"
#: The payments example's request/response entrypoints, by construct id, and their construct.
REQUEST_ENTRYPOINTS = {"CheckoutApiAlarms": "ApiAlarms", "PaymentsApiAlarms": "ApiAlarms",
                       "SettlementAlarms": "WorkflowAlarms", "WebhookAlarms": "FunctionUrlAlarms",
                       "StorefrontAlarms": "LoadBalancerTargetAlarms", "PaymentsGraphqlAlarms": "GraphqlApiAlarms",
                       "LiveStatusAlarms": "WebSocketApiAlarms"}


def _payments(tmp: Path, outage_notifier: bool) -> Path:
    """The payments example's explicit stack, every request/response construct given `outage_notifier`,
    synthesized (cfn-lint clean) into a template file."""
    sys.path.insert(0, str(EXAMPLE))
    try:
        import payments_stack
    finally:
        sys.path.remove(str(EXAMPLE))
    originals = {name: getattr(payments_stack, name) for name in set(REQUEST_ENTRYPOINTS.values())}
    try:
        for name, construct in originals.items():
            setattr(payments_stack, name, functools.partial(construct, outage_notifier=outage_notifier))
        # With the construct paths, as `cdk synth` writes them: the review reads the option from them.
        stack = payments_stack.PaymentsStack(
            cdk.App(context={"aws:cdk:enable-path-metadata": True}), "Payments", alarms="explicit",
            synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
        template = synth(stack)
    finally:
        for name, construct in originals.items():
            setattr(payments_stack, name, construct)
    path = tmp / f"Payments{outage_notifier}.template.json"
    path.write_text(json.dumps(template))
    return path


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    tmp = tmp_path_factory.mktemp("outage_notifier")
    return {value: _payments(tmp, value) for value in (True, False)}


def _by_entrypoint(path: Path) -> dict[str, dict[str, Any]]:
    """Per request/response construct id: its alarms by construct id (under the construct)."""
    (stack,) = load(path).stacks
    found: dict[str, dict[str, Any]] = {}
    for alarm in stack.alarms:
        meta = alarm.metadata
        if meta is None or alarm.construct_path is None:
            continue
        entrypoint = meta.entrypoint.rsplit("/", 1)[-1]
        if entrypoint in REQUEST_ENTRYPOINTS:
            own = alarm.construct_path.removeprefix(f"{meta.entrypoint}/").removesuffix("/Resource")
            found.setdefault(entrypoint, {})[own] = alarm
    return found


def test_without_the_outage_notifier_every_outage_member_feeds_the_high_notifier(templates):
    """No OutageUrgency composites or outage memories; the HIGH notifier names every outage member and
    says outages notify."""
    default, without = _by_entrypoint(templates[True]), _by_entrypoint(templates[False])
    assert set(without) == set(REQUEST_ENTRYPOINTS)
    for entrypoint, alarms in without.items():
        assert "OutageUrgency" in default[entrypoint], entrypoint
        assert not [i for i in alarms if i.startswith("OutageUrgency") or i.endswith("Recent")], entrypoint
        outages = {alarm.logical_id for i, alarm in alarms.items() if i.startswith(("Outage", "Probe"))}
        assert outages, entrypoint
        high = alarms["HighUrgency"]
        assert isinstance(high, CompositeAlarm)
        assert outages <= set(high.members), entrypoint
        assert "An outage, nearly every one of its" in (high.metadata.customer_impact or ""), entrypoint
        assert [i for i in alarms if i.startswith("Outage")] == [i for i in default[entrypoint]
                                                                 if i.startswith("Outage") and "Urgency" not in i
                                                                 and not i.endswith("Recent")], entrypoint


def test_the_review_prices_the_outage_notifier_both_ways_as_the_templates_differ(templates):
    """Each request/response entrypoint: outage_notifier=False saves what the default costs more, and
    =True costs it back."""
    def entries(path: Path) -> dict[str, Any]:
        (stack,) = review_stacks(path).stacks
        return {e.id.rsplit("/", 1)[-1]: e for e in stack.entrypoints}

    default, without = entries(templates[True]), entries(templates[False])
    for entrypoint, construct in REQUEST_ENTRYPOINTS.items():
        mine = next(e for name, e in default.items() if entrypoint.removesuffix("Alarms") in name)
        theirs = next(e for name, e in without.items() if entrypoint.removesuffix("Alarms") in name)
        off = {o.option: o for o in mine.cost_options}[f"{construct}(..., outage_notifier=False)"]
        on = {o.option: o for o in theirs.cost_options}[f"{construct}(..., outage_notifier=True)"]
        assert off.saves > 0
        assert off.saves == pytest.approx(round(mine.monthly_cost - theirs.monthly_cost, 2)), entrypoint
        assert on.saves == pytest.approx(-off.saves), entrypoint
        assert f"{construct}(..., outage_notifier=True)" not in {o.option for o in mine.cost_options}


def test_a_value_other_than_a_bool_is_refused_naming_the_construct():
    """outage_notifier="no" raises SensibleAlarmsError with the construct path, the prop and the value."""
    from aws_cdk import aws_apigatewayv2 as apigwv2

    stack = cdk.Stack(cdk.App(), "Shop")
    routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
    with pytest.raises(SensibleAlarmsError) as raised:
        ApiAlarms(stack, "ShopApiAlarms", api=apigwv2.HttpApi(stack, "Api"), routing=routing,
                  availability=AvailabilitySlo(target=99.9), outage_notifier="no")  # type: ignore[arg-type]
    error = raised.value
    assert str(error).startswith("Shop/ShopApiAlarms: ")
    assert "'outage_notifier' must be True or False (got 'no')" in str(error)
    assert (error.path, error.prop, error.value) == ("Shop/ShopApiAlarms", "outage_notifier", "no")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> AlarmSet:
    """An HTTP API with an availability SLO of 99.9 % and LOW tickets, without the outage notifier."""
    def add(stack: cdk.Stack, routing: AlarmRouting) -> None:
        ApiAlarms(stack, "ShopApiAlarms", api=http_api(stack), routing=routing,
                  availability=AvailabilitySlo(target=99.9, tickets=True), outage_notifier=False)

    return synthesized(tmp_path_factory.mktemp("api"), add)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_busy_outage_pages_once_from_the_high_notifier(api: AlarmSet, seed: int):
    """200 requests a minute, all failing for 40 min: one page, from HighUrgency, within 3 minutes."""
    lo = minute(36)
    result = replayed(api, api_store(api, api_traffic(seed, 200.0, 0.002, [(lo, lo + 40, 1.0)])), FIRST, MINUTES)
    told = pages(result)
    assert [n.alarm.rsplit("-", 1)[-1] for n in told] == ["HighUrgency"], told
    assert minutes_of(result, told)[0] - lo <= 3


@pytest.mark.parametrize("seed", [1, 2])
def test_an_outage_while_an_earlier_page_still_holds_is_not_told_again(api: AlarmSet, seed: int):
    """The trade: 2 % of 30 requests a minute fail for 2 h (a page); an outage 2 h later, while the 6 h
    hold keeps the HIGH notifier in ALARM, pages no one (with the outage notifier it pages)."""
    first, second = (minute(30), minute(32)), (minute(34), minute(34) + 20)
    result = replayed(api, api_store(api, api_traffic(seed, 30.0, 0.0003, [(*first, 0.02), (*second, 1.0)])),
                      FIRST, MINUTES)
    told = minutes_of(result, pages(result))
    assert [sum(lo <= t <= hi + GRACE for t in told) for lo, hi in (first, second)] == [1, 0], told


@pytest.mark.parametrize("seed", [1, 2])
def test_an_outage_of_a_few_requests_at_night_still_pages(api: AlarmSet, seed: int):
    """One request every 2 minutes, all failing for 40 min: the outage members page through HighUrgency."""
    lo, hi = minute(36), minute(36) + 40
    result = replayed(api, api_store(api, api_traffic(seed, 0.5, 0.0, [(lo, hi, 1.0)])), FIRST, MINUTES)
    told = minutes_of(result, pages(result))
    assert len(told) == 1, told
    assert lo <= told[0] <= hi, told
