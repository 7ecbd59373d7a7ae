"""The cost-options benchmark's command on a fleet of 1 service (real synth of two options, real replay).
The full run (S = 10, 50) is a benchmark, not a test: `python benchmarks/cost_options.py`."""

from __future__ import annotations

import json
import subprocess
import sys
from types import ModuleType
from typing import Any

import pytest

from cdk_support import ROOT, cfn_lint_errors
from sensible_alarms.model import CompositeAlarm, load
from sensible_alarms.review import review_stacks


@pytest.fixture(scope="module")
def cost_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("cost_options")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "cost_options.py"), "--sizes", "1",
                    "--options", "before,no_tickets,no_outage_notifier", "--jobs", "1", "--workdir", str(out / "work"),
                    "--results", str(out / "cost.json")], check=True, capture_output=True)
    return {"work": out / "work", "results": json.loads((out / "cost.json").read_text())}


def test_each_option_costs_what_the_review_of_its_synthesized_templates_says(cost_run: dict[str, Any]) -> None:
    """An option's cost per service is the review's total of the templates synthesized with it, lint-clean."""
    size = cost_run["results"]["sizes"]["1"]
    for option in ("before", "no_tickets", "no_outage_notifier"):
        assembly = cost_run["work"] / option
        for template in assembly.glob("*.template.json"):
            assert not cfn_lint_errors(json.loads(template.read_text()))
        assert size[option]["cost_per_service_usd"] == pytest.approx(review_stacks(assembly).monthly_cost)


def test_the_options_set_what_they_say_on_every_construct(cost_run: dict[str, Any]) -> None:
    """'before' has LOW burn-rate windows and 3-metric dead letters; 'no_tickets' neither."""
    def shape(option: str) -> tuple[set[str | None], set[int]]:
        (stack,) = load(cost_run["work"] / option).stacks
        metas = [(a, a.metadata) for a in stack.alarms if a.metadata is not None]
        lows = {m.window for _, m in metas if m.urgency == "LOW" and m.signal in ("availability", "latency")}
        dead = {len(a.metrics) for a, m in metas if m.signal == "dead-letters"}  # type: ignore[union-attr]
        return lows, dead

    assert shape("before") == ({"long 1 day", "short 2 h", "hold 1 day"}, {3})
    assert shape("no_tickets") == (set(), {1})


def test_one_notifier_per_service_costs_less_and_detects_no_more(cost_run: dict[str, Any]) -> None:
    """Merging notifiers saves composites, and can only lose detections; the pair composite keeps more."""
    size = cost_run["results"]["sizes"]["1"]
    for option in ("before", "no_tickets"):
        alone, merged, second = (size[option], size[f"{option}+per_service_notifier"],
                                 size[f"{option}+per_service_notifier_second"])
        assert merged["cost_per_service_usd"] < second["cost_per_service_usd"]
        assert merged["cost_per_service_usd"] < alone["cost_per_service_usd"]
        assert merged["detected"] <= second["detected"] <= alone["detected"]
        assert merged["customer_impact_incidents"] == alone["customer_impact_incidents"]


def test_each_option_is_scored_as_the_fleet_scores_it(cost_run: dict[str, Any],
                                                       fleet_modules: dict[str, ModuleType]) -> None:
    """The option's scores, entrypoint-aware and blind, are the fleet benchmark's replay of the same templates."""
    (service,) = fleet_modules["spec"].fleet(1)
    replayer = fleet_modules["replay_fleet"].FleetReplay({"sensible": cost_run["work"] / "no_tickets"})
    totals = replayer.replay_service(service).totals["sensible"]
    fleet_scores = totals.as_dict()
    mine = cost_run["results"]["sizes"]["1"]["no_tickets"]
    for key in ("detected", "customer_impact_incidents", "false_notifications", "notifications_per_incident",
                "full_outages_detected", "notifications_by_cause"):
        assert mine[key] == fleet_scores[key], key
    for key, value in mine["entrypoint_blind"].items():
        assert value == fleet_scores["entrypoint_blind"][key], key
    assert mine["cost_per_service_usd"] == pytest.approx(totals.monthly_cost_usd)


def test_without_the_outage_notifier_outages_notify_through_the_high_notifier(cost_run: dict[str, Any]) -> None:
    """'no_outage_notifier': one HIGH notifier and no outage memories per request entrypoint, its rule naming
    every outage member; the default has two HIGH notifiers there."""
    def high_notifiers(option: str) -> dict[str, list[CompositeAlarm]]:
        (stack,) = load(cost_run["work"] / option).stacks
        found: dict[str, list[CompositeAlarm]] = {}
        for alarm in stack.alarms:
            meta = alarm.metadata
            if isinstance(alarm, CompositeAlarm) and meta is not None and meta.entrypoint_kind == "api" \
                    and meta.urgency == "HIGH" and meta.signal == "notification":
                found.setdefault(meta.entrypoint, []).append(alarm)
        return found

    (default,) = high_notifiers("no_tickets").values()
    (without,) = high_notifiers("no_outage_notifier").values()
    assert len(default) == 2
    assert len(without) == 1
    (stack,) = load(cost_run["work"] / "no_outage_notifier").stacks
    paths = [a.construct_path or "" for a in stack.alarms]
    outages = {a.logical_id for a, path in zip(stack.alarms, paths, strict=True)
               if "/Outage" in path and a.metadata is not None and a.metadata.entrypoint_kind == "api"}
    assert outages
    assert not any("Recent" in p or "OutageUrgency" in p for p in paths)
    assert outages <= set(without[0].members)
