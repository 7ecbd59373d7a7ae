"""The fleet benchmark's single command on a fleet of 2 services (the real synth of all three variants,
the real replay), and the pieces it is built from. The full run (S = 10, 50, 100) is a benchmark, not a
test: `python benchmarks/fleet/run.py`."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from cdk_support import ROOT, cfn_lint_errors

FLEET = ROOT / "benchmarks" / "fleet"


#: The benchmark's modules have plain names (it runs as a script); they must not outlive these tests,
#: or a later `import app` would find the fleet's app instead of the example's.
_FLEET_MODULES = ("spec", "events", "traffic", "metrics", "synth_timing", "replay_fleet", "report", "run", "app",
                  "summary")


@pytest.fixture(scope="module")
def fleet_modules() -> Iterator[dict[str, ModuleType]]:
    saved_path, saved_modules = list(sys.path), {n: sys.modules.get(n) for n in _FLEET_MODULES}
    sys.path.insert(0, str(FLEET))
    try:
        yield {name: importlib.import_module(name)
               for name in ("spec", "events", "traffic", "replay_fleet", "run", "summary")}
    finally:
        sys.path[:] = saved_path
        for name, module in saved_modules.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


@pytest.fixture(scope="module")
def fleet_run(fleet_modules: dict[str, ModuleType], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("fleet")
    fleet_modules["run"].main(["--sizes", "2", "--repeats", "1", "--workdir", str(out / "work"),
                               "--results", str(out / "fleet.json"), "--docs", str(out / "benchmarks.md")])
    return {"dir": out, "results": json.loads((out / "fleet.json").read_text()),
            "docs": (out / "benchmarks.md").read_text()}


def _templates(directory: Path) -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text()) for p in sorted(directory.glob("*.template.json"))}


def _count(templates: dict[str, dict[str, Any]], kind: str) -> int:
    return sum(1 for t in templates.values() for r in t["Resources"].values() if r["Type"] == kind)


def test_every_variant_synthesizes_lint_clean_templates(fleet_run: dict[str, Any]) -> None:
    for variant in ("none", "per_resource", "sensible"):
        templates = _templates(fleet_run["dir"] / "work" / "s2" / variant)
        assert sorted(templates) == ["Svc000.template.json", "Svc001.template.json"]
        for name, template in templates.items():
            assert cfn_lint_errors(template) == [], f"{variant}/{name}"


def test_the_variants_share_their_resources_and_differ_only_in_alarms(fleet_run: dict[str, Any]) -> None:
    base = _templates(fleet_run["dir"] / "work" / "s2" / "none")
    assert _count(base, "AWS::CloudWatch::Alarm") == 0
    for variant in ("per_resource", "sensible"):
        other = _templates(fleet_run["dir"] / "work" / "s2" / variant)
        for name, template in base.items():
            # Same logical ids: the metrics of a resource have the same dimensions in every variant.
            assert set(template["Resources"]) <= set(other[name]["Resources"]), (variant, name)


def test_the_fleet_census_is_what_was_synthesized(fleet_run: dict[str, Any]) -> None:
    size = fleet_run["results"]["sizes"][0]
    census = size["fleet"]
    base = _templates(fleet_run["dir"] / "work" / "s2" / "none")
    assert _count(base, "AWS::Lambda::Function") == census["lambda_functions"]
    assert _count(base, "AWS::ApiGateway::RestApi") == census["apis"]
    assert _count(base, "AWS::ApiGateway::Method") == census["api_routes"]
    assert _count(base, "AWS::DynamoDB::Table") == census["dynamodb_tables"]
    assert _count(base, "AWS::SQS::Queue") == 2 * census["queues_with_dlq"] + census["stream_consumers"]
    assert _count(base, "AWS::Events::Rule") == census["scheduled_jobs"]


def test_the_results_recount_from_the_templates_and_add_up(fleet_run: dict[str, Any]) -> None:
    size = fleet_run["results"]["sizes"][0]
    impacting_kinds = {k["name"] for k in fleet_run["results"]["event_kinds"] if k["customer_impact"]}
    for variant in ("per_resource", "sensible"):
        figures = size["variants"][variant]
        templates = _templates(fleet_run["dir"] / "work" / "s2" / variant)
        assert figures["metric_alarms"] == _count(templates, "AWS::CloudWatch::Alarm")
        assert figures["composite_alarms"] == _count(templates, "AWS::CloudWatch::CompositeAlarm")
        assert sum(figures["notifications_by_cause"].values()) == figures["notifications"]
        assert sum(figures["notifications_by_alarm_type"].values()) == figures["notifications"]
        assert figures["customer_impact_incidents"] == sum(n for k, n in size["events"].items() if k in impacting_kinds)
        assert sum(k["incidents"] for k in figures["by_kind"].values()) == figures["customer_impact_incidents"]
        assert figures["detected"] == sum(k["detected"] for k in figures["by_kind"].values())
        undetected = figures["customer_impact_incidents"] - figures["detected"]
        listed_missed = [m for m in figures["missed_or_late"] if m["minutes_to_detect"] is None]
        assert len(listed_missed) == undetected
        assert all(m["why"] for m in figures["missed_or_late"])
    assert size["variants"]["per_resource"]["alarms_with_actions"] == size["variants"]["per_resource"]["alarms"]
    assert size["variants"]["sensible"]["alarms_with_actions"] == size["variants"]["sensible"]["composite_alarms"]
    for variant in ("none", "per_resource", "sensible"):
        assert size["synth"][variant]["seconds"] > 0
        assert size["synth"][variant]["peak_rss_mb"] > 0


def test_the_why_of_a_miss_quotes_the_guard_the_templates_have(fleet_modules: dict[str, ModuleType],
                                                              fleet_run: dict[str, Any]) -> None:
    guard = fleet_modules["replay_fleet"].MIN_FAILED_REQUESTS
    templates = _templates(fleet_run["dir"] / "work" / "s2" / "sensible")
    assert f"IF(errors >= {guard}, errors / requests, 0)" in json.dumps(templates)


def test_the_docs_show_the_table_the_goals_and_every_missed_incident(fleet_run: dict[str, Any]) -> None:
    docs = fleet_run["docs"]
    results = fleet_run["results"]
    size = results["sizes"][0]
    assert f"aws-cdk-lib {results['versions']['aws-cdk-lib']}" in docs
    assert f"cdk-monitoring-constructs {results['versions']['cdk-monitoring-constructs']}" in docs
    assert "| S = 2 per-resource | S = 2 sensible |" in docs
    assert f"{size['variants']['per_resource']['notifications_per_day']:,.1f}" in docs
    assert "## Goals" in docs
    for missed in size["variants"]["sensible"]["missed_or_late"]:
        assert missed["id"] in docs
    assert (fleet_run["dir"] / "benchmarks" / "fleet.svg").read_text().startswith("<?xml")


def test_a_service_is_the_same_in_every_fleet_size_and_every_run(fleet_modules: dict[str, ModuleType]) -> None:
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    assert spec.fleet(2)[1] == spec.fleet(7)[1]
    service = spec.service(3)
    first, again = events.draw(service), events.draw(service)
    assert first == again
    assert first
    a, b = traffic.simulate(service, first), traffic.simulate(service, again)
    assert np.array_equal(a.api.requests, b.api.requests)
    assert np.array_equal(a.api.errors_5xx, b.api.errors_5xx)


def _event(events: ModuleType, kind: str, target: str, start: int, end: int, **params: float) -> Any:
    return events.Event(f"test-{kind}", kind, "Svc003", target, start, end, params)


def test_an_outage_fails_every_request_and_poison_lands_on_the_dead_letter_queue(
        fleet_modules: dict[str, ModuleType]) -> None:
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = spec.service(3)
    start = 2 * 1440 + 14 * 60
    minutes = traffic.simulate(service, [
        _event(events, "api_outage", "Api", start, start + 20),
        _event(events, "poison_messages", "Queue0", start, start + 15, messages=4, redrive_after=120),
    ])
    span = slice(start, start + 20)
    assert minutes.api.requests[span].sum() > 0
    assert np.array_equal(minutes.api.errors_5xx[span], minutes.api.requests[span])
    assert minutes.api.errors_5xx[start - 60:start].sum() == 0  # no event, no error
    dlq = minutes.queues["Queue0DeadLetters"]
    assert dlq.visible[start + 14] == 0
    assert dlq.visible[start + 15] == 4
    assert dlq.visible[start + 134] == 4
    assert dlq.deleted[start + 135] == 4
    consumer = minutes.functions["Queue0Consumer"]
    assert consumer.errors[start:start + 15].sum() == 4 * 5  # five receives each


def test_series_fail_loudly_for_a_metric_the_simulation_does_not_model(fleet_modules: dict[str, ModuleType]) -> None:
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = spec.service(3)
    minutes = traffic.simulate(service, events.draw(service))
    jitter = np.ones(traffic.MINUTES)
    with pytest.raises(ValueError, match="no series for AWS/Lambda ConcurrentExecutions Maximum"):
        traffic.series(minutes, "AWS/Lambda", "ConcurrentExecutions", "Helper0", {}, "Maximum", 60, jitter)
    rows = traffic.series(minutes, "AWS/ApiGateway", "Latency", "Api", {}, "PR(:1000)", 300, jitter)
    present = rows[~np.isnan(rows)]
    assert present.size
    assert ((present >= 0) & (present <= 100)).all()


def test_the_main_jobs_summary_reads_the_recorded_results(fleet_modules: dict[str, ModuleType],
                                                          fleet_run: dict[str, Any],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    fleet_modules["summary"].main(fleet_run["dir"] / "fleet.json")
    out = capsys.readouterr().out
    size = fleet_run["results"]["sizes"][0]
    for variant, label in (("per_resource", "per-resource"), ("sensible", "sensible_alarms")):
        row = next(line for line in out.splitlines() if label in line)
        assert f"{size['variants'][variant]['notifications_per_day']:,.1f}" in row
        assert f"{size['variants'][variant]['alarms']:,}" in row
