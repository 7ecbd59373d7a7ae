"""The synth-overhead benchmark's one command at its smallest size (one pair of orders runs, a 10-alarm
L1/L2 micro-benchmark): the results file has every field and its numbers agree with each other. No
time is asserted; the full run is `python benchmarks/synth_overhead.py`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cdk_support import ROOT, cfn_lint_errors


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("synth-overhead")
    command = [sys.executable, str(ROOT / "benchmarks" / "synth_overhead.py"), "--pairs", "1", "--examples", "orders",
               "--micro-alarms", "10", "--micro-rounds", "1", "--output", str(out / "synth.json"),
               "--workdir", str(out / "work")]
    done = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ), timeout=600)
    assert done.returncode == 0, done.stderr
    return {"results": json.loads((out / "synth.json").read_text()), "work": out / "work"}


def test_the_machine_and_its_load_are_recorded(run: dict[str, Any]) -> None:
    """The results say how many CPUs the machine has and how loaded it was, overall and per pair."""
    machine = run["results"]["machine"]
    assert machine["cpu_count"] == os.cpu_count()
    for moment in ("start", "end"):
        assert set(machine[moment]) == {"load_1min", "load_5min", "load_15min"}
        assert all(value >= 0 for value in machine[moment].values())
    (pair,) = run["results"]["examples"]["orders"]["pairs"]
    assert pair["load_1min"] >= 0
    assert pair["load_15min"] >= 0


SIDES = ("with_alarms", "without_alarms", "floor")


def test_a_pair_ratio_is_the_with_alarms_time_over_the_without(run: dict[str, Any]) -> None:
    """Each set ran every side in fresh processes; its ratios are with / without and floor / without,
    and the summaries are the medians of the set ratios."""
    orders = run["results"]["examples"]["orders"]
    (pair,) = orders["pairs"]
    assert sorted(pair["order"]) == sorted(SIDES)
    for side in SIDES:
        assert pair[side]["seconds"] > 0
        assert pair[side]["peak_rss_mb"] > 0
        assert pair[side]["cpu_seconds"] > 0
        assert 0 < pair[side]["construct_seconds"] + pair[side]["synth_seconds"] <= pair[side]["seconds"]
    assert pair["ratio"] == pytest.approx(pair["with_alarms"]["seconds"] / pair["without_alarms"]["seconds"],
                                          abs=1e-3)
    assert pair["floor_ratio"] == pytest.approx(pair["floor"]["seconds"] / pair["without_alarms"]["seconds"],
                                                abs=1e-3)
    assert orders["ratio"] == {"median": pair["ratio"], "min": pair["ratio"], "max": pair["ratio"], "n": 1}
    assert orders["floor_ratio"]["median"] == pair["floor_ratio"]
    assert pair["cpu_ratio"] == pytest.approx(
        pair["with_alarms"]["cpu_seconds"] / pair["without_alarms"]["cpu_seconds"], abs=1e-3)
    assert orders["cpu_ratio"]["median"] == pair["cpu_ratio"]
    assert orders["floor_cpu_ratio"]["median"] == pair["floor_cpu_ratio"]
    work = {side: pair[side]["construct_seconds"] + pair[side]["synth_seconds"] for side in SIDES}
    assert orders["work_ratio"]["median"] == pytest.approx(work["with_alarms"] / work["without_alarms"], abs=1e-3)
    assert orders["floor_work_ratio"]["median"] == pytest.approx(work["floor"] / work["without_alarms"], abs=1e-3)
    assert orders["peak_rss_mb"] == {side: pair[side]["peak_rss_mb"] for side in SIDES}
    assert pair["with_alarms"]["policy_seconds"] > 0
    assert pair["floor"]["policy_seconds"] > 0
    assert pair["without_alarms"]["policy_seconds"] == 0


def test_the_app_without_alarms_is_the_app_with_them_less_the_library(run: dict[str, Any]) -> None:
    """The template without alarms kept every resource of the app; the library added the alarms (the
    command stops if the floor's resources are not those with alarms)."""
    template = run["results"]["examples"]["orders"]["template"]
    assert template["identical_app_resources"] > 0
    assert template["metric_alarms"] > 0
    assert template["composite_alarms"] > 0
    assert template["library_resources"] >= template["metric_alarms"] + template["composite_alarms"]


def test_jsii_calls_add_up(run: dict[str, Any]) -> None:
    """Calls with alarms are those of the app plus those the library made, split by construct and
    kind without losing any; per alarm is what the alarms added over the alarms' count."""
    calls = run["results"]["examples"]["orders"]["jsii_calls"]
    template = run["results"]["examples"]["orders"]["template"]
    assert 0 < calls["without_alarms"] < calls["with_alarms"]
    assert calls["added_by_alarms"] == calls["with_alarms"] - calls["without_alarms"]
    assert calls["alarms"] == template["metric_alarms"] + template["composite_alarms"]
    assert calls["added_per_alarm"] == pytest.approx(calls["added_by_alarms"] / calls["alarms"], abs=0.01)
    table = calls["by_construct_and_kind"]
    assert sum(sum(kinds.values()) for kinds in table.values()) == calls["with_alarms"]
    assert sum(sum(kinds.values()) for owner, kinds in table.items() if owner != "app") == \
        calls["library_attributed"] == sum(calls["library_by_kind"].values())
    assert {"ApiAlarms", "QueueConsumerAlarms", "AlarmRouting"} <= set(table)
    assert sum(table["app"].values()) >= calls["without_alarms"]


def test_l1_and_l2_build_the_same_template_and_their_calls_are_counted(run: dict[str, Any]) -> None:
    """The micro-benchmark's L1 and L2 alarms synthesize to identical resources; the calls per alarm
    of each variant are counted, and the ratios summarize the rounds."""
    micro = run["results"]["l1_vs_l2"]
    assert micro["templates_identical"] is True
    assert micro["resources_compared"] > micro["member_alarms"]
    assert micro["member_alarms"] == 10
    assert micro["composite_alarms"] == 2
    for variant in ("l2", "l1", "l1_handles"):
        counted = micro["jsii_calls"][variant]
        assert counted["per_member_alarm"] > 0
        assert counted["per_composite_alarm"] > 0
        assert sum(counted["members_by_kind"].values()) == pytest.approx(
            counted["per_member_alarm"] * micro["member_alarms"], abs=0.01 * micro["member_alarms"])
    (round_,) = micro["rounds"]
    total = {v: round_[v]["build_seconds"] + round_[v]["synth_seconds"] for v in ("l2", "l1")}
    assert micro["ratio_l2_over_l1"]["total"]["median"] == pytest.approx(total["l2"] / total["l1"], abs=1e-3)


def test_the_synthesized_templates_pass_cfn_lint(run: dict[str, Any]) -> None:
    """The orders app with alarms, its floor and the micro-benchmark's L1 alarms are valid CloudFormation."""
    work: Path = run["work"]
    templates = [*sorted((work / "orders-0-on").glob("*.template.json")),
                 *sorted((work / "orders-0-floor").glob("*.template.json")),
                 work / "micro" / "round0-l1" / "Micro.template.json"]
    for path in templates:
        assert cfn_lint_errors(json.loads(path.read_text())) == [], path
