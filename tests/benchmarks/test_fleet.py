"""The fleet benchmark's single command on a fleet of 2 services (the real synth of all three variants,
the real replay), and the pieces it is built from. The full run (S = 10, 50, 100) is a benchmark, not a
test: `python benchmarks/fleet/run.py`."""

from __future__ import annotations

import dataclasses
import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from cdk_support import ROOT, cfn_lint_errors

FLEET = ROOT / "benchmarks" / "fleet"


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


VARIANTS = ("none", "per_resource", "hand_tuned", "sensible")
ALARMED = ("per_resource", "hand_tuned", "sensible")


def test_every_variant_synthesizes_lint_clean_templates(fleet_run: dict[str, Any]) -> None:
    """All four variants synthesize both services, and cfn-lint finds nothing in any template."""
    for variant in VARIANTS:
        templates = _templates(fleet_run["dir"] / "work" / "s2" / variant)
        assert sorted(templates) == ["Svc000.template.json", "Svc001.template.json"]
        for name, template in templates.items():
            assert cfn_lint_errors(template) == [], f"{variant}/{name}"


def test_the_variants_share_their_resources_and_differ_only_in_alarms(fleet_run: dict[str, Any]) -> None:
    """Every alarmed variant holds the resources of the app without alarms under the same logical ids."""
    base = _templates(fleet_run["dir"] / "work" / "s2" / "none")
    assert _count(base, "AWS::CloudWatch::Alarm") == 0
    for variant in ALARMED:
        other = _templates(fleet_run["dir"] / "work" / "s2" / variant)
        for name, template in base.items():
            # Same logical ids: the metrics of a resource have the same dimensions in every variant.
            assert set(template["Resources"]) <= set(other[name]["Resources"]), (variant, name)


def test_the_hand_tuned_variant_has_rate_alarms_over_3_of_3_and_nothing_on_tables(fleet_run: dict[str, Any]) -> None:
    """Hand-tuned: every alarm 3 of 3 periods, no DynamoDB, throttle, 4xx or queue-depth alarm."""
    templates = _templates(fleet_run["dir"] / "work" / "s2" / "hand_tuned")
    alarms = [r["Properties"] for t in templates.values() for r in t["Resources"].values()
              if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert alarms
    assert all((a["EvaluationPeriods"], a["DatapointsToAlarm"]) == (3, 3) for a in alarms)
    metrics = json.dumps(alarms)
    for absent in ("AWS/DynamoDB", "Throttles", "4XXError"):
        assert absent not in metrics
    for alarm in alarms:  # queue size only on dead-letter and failure queues (a dead letter is lost work)
        if "ApproximateNumberOfMessagesVisible" in json.dumps(alarm):
            assert "DeadLetters" in json.dumps(alarm) or "StreamFailures" in json.dumps(alarm)
    assert "5XXError" in metrics


#: CDK's own function that configures S3 bucket notifications (one a stack with a notified bucket).
_CDK_NOTIFICATIONS_HANDLER = "BucketNotificationsHandler"


def _census_of(templates: dict[str, dict[str, Any]]) -> dict[str, int]:
    """The census of synthesized templates, counted from their resources."""
    functions = sum(1 for t in templates.values() for lid, r in t["Resources"].items()
                    if r["Type"] == "AWS::Lambda::Function" and not lid.startswith(_CDK_NOTIFICATIONS_HANDLER))
    return {"lambda_functions": functions, "apis": _count(templates, "AWS::ApiGateway::RestApi"),
            "api_routes": _count(templates, "AWS::ApiGateway::Method"),
            "dynamodb_tables": _count(templates, "AWS::DynamoDB::Table"),
            "event_consumers_topic": _count(templates, "AWS::SNS::Subscription"),
            "event_consumers_bucket": _count(templates, "AWS::S3::Bucket"),
            "workflows": _count(templates, "AWS::StepFunctions::StateMachine"),
            "function_urls": _count(templates, "AWS::Lambda::Url"),
            "load_balancers": _count(templates, "AWS::ElasticLoadBalancingV2::TargetGroup"),
            "graphql_apis": _count(templates, "AWS::AppSync::GraphQLApi"),
            "websocket_apis": _count(templates, "AWS::ApiGatewayV2::Api")}


def test_the_fleet_census_is_what_was_synthesized(fleet_run: dict[str, Any]) -> None:
    """The census in the results counts exactly the resources the app without alarms synthesized."""
    size = fleet_run["results"]["sizes"][0]
    census = size["fleet"]
    base = _templates(fleet_run["dir"] / "work" / "s2" / "none")
    for name, count in _census_of(base).items():
        assert census[name] == count, name
    assert _count(base, "AWS::SQS::Queue") == 2 * census["queues_with_dlq"] + census["stream_consumers"]
    assert _count(base, "AWS::Events::Rule") == census["scheduled_jobs"] + census["event_consumers_rule"]
    assert census["event_consumers"] == sum(census[f"event_consumers_{s}"] for s in ("topic", "rule", "bucket"))
    # Mostly asynchronous consumers: the first two services have some, and events of the new kinds.
    assert census["event_consumers"] > 0
    assert any(kind in fleet_run["results"]["sizes"][0]["events"] for kind in
               ("async_poison_events", "async_retry_burst", "event_burst", "async_handler_failing"))


def test_the_results_recount_from_the_templates_and_add_up(fleet_run: dict[str, Any]) -> None:
    """Alarm counts recount from the templates; every score of every variant adds up with the others."""
    results = fleet_run["results"]
    size = results["sizes"][0]
    assert set(size["variants"]) == set(ALARMED)
    impacting = sum(size["customer_impacting_events"].values())
    for variant in ALARMED:
        x = size["variants"][variant]
        templates = _templates(fleet_run["dir"] / "work" / "s2" / variant)
        assert x["metric_alarms"] == _count(templates, "AWS::CloudWatch::Alarm")
        assert x["composite_alarms"] == _count(templates, "AWS::CloudWatch::CompositeAlarm")
        # every notification has one cause, one alarm type, one event (or none)
        assert sum(x["notifications_by_cause"].values()) == x["notifications"]
        assert sum(x["notifications_by_alarm_type"].values()) == x["notifications"]
        assert sum(x["notifications_by_event_kind"].values()) == x["notifications"]
        assert sum(x["renotifications_by_cause"].values()) == x["renotifications"] <= x["notifications"]
        assert all(x["renotifications_by_cause"][c] <= n for c, n in x["notifications_by_cause"].items())
        assert x["notifications_by_cause"]["drain"] == len(x["drain_notifications"])
        # false notifications: outside every customer-impacting window
        assert x["false_notifications"] == x["notifications"] - x["notifications_in_customer_impact"]
        assert x["notifications_by_cause"]["no customer impact"] <= x["false_notifications"]
        assert sum(x["false_notifications_by_source"].values()) == x["false_notifications"]
        assert x["false_notifications_per_service_per_day"] == pytest.approx(
            x["false_notifications"] / (size["services"] * results["days"]), abs=1e-5)
        # recall and its parts
        assert x["customer_impact_incidents"] == impacting
        assert x["recall"] == pytest.approx(x["detected"] / x["customer_impact_incidents"], abs=1e-4)
        assert x["notifications_by_cause"]["new incident"] <= x["detected"]
        assert sum(k["incidents"] for k in x["by_kind"].values()) == x["customer_impact_incidents"]
        assert sum(k["detected"] for k in x["by_kind"].values()) == x["detected"]
        assert x["full_outages_detected"] <= x["full_outages"] <= x["customer_impact_incidents"]
        if x["full_outages"]:
            assert x["full_outage_recall"] == pytest.approx(x["full_outages_detected"] / x["full_outages"], abs=1e-4)
        # notifications per incident
        assert sum(k["notifications"] for k in x["by_kind"].values()) == x["notifications_put_down_to_incidents"]
        assert x["notifications_put_down_to_incidents"] >= x["detected"]
        if x["detected"]:
            assert x["notifications_per_incident"] == pytest.approx(
                x["notifications_put_down_to_incidents"] / x["detected"], abs=1e-3)
        undetected = x["customer_impact_incidents"] - x["detected"]
        listed_missed = [m for m in x["missed_or_late"] if m["minutes_to_detect"] is None]
        assert len(listed_missed) == undetected
        assert all(m["why"] for m in x["missed_or_late"])
        assert all(o["notifications"] > 1 for o in x["over_notified"])
        assert all(sum(o["notifications_by_cause"].values()) == o["notifications"] for o in x["over_notified"])
        # entrypoint-aware attribution only takes matches away from the entrypoint-blind scoring
        blind = x["entrypoint_blind"]
        assert blind["false_notifications"] == x["notifications"] - blind["notifications_in_customer_impact"]
        assert blind["false_notifications"] <= x["false_notifications"]
        assert blind["detected"] >= x["detected"]
        assert blind["full_outages_detected"] >= x["full_outages_detected"]
    assert size["variants"]["per_resource"]["alarms_with_actions"] == size["variants"]["per_resource"]["alarms"]
    assert size["variants"]["hand_tuned"]["alarms_with_actions"] == size["variants"]["hand_tuned"]["alarms"]
    # Only composites notify in sensible_alarms; some composites only confirm or suppress (issue 17).
    assert 0 < size["variants"]["sensible"]["alarms_with_actions"] <= size["variants"]["sensible"]["composite_alarms"]
    for other in ("per_resource", "hand_tuned"):
        x, sens = size["variants"][other], size["variants"]["sensible"]
        assert size["comparison"][other]["notification_reduction"] == pytest.approx(
            1 - sens["notifications"] / x["notifications"], abs=1e-4)
    for variant in VARIANTS:
        assert results["synth"][variant]["seconds"] > 0
        assert results["synth"][variant]["peak_rss_mb"] > 0


def test_the_why_of_a_miss_quotes_the_guard_the_templates_have(fleet_modules: dict[str, ModuleType],
                                                              fleet_run: dict[str, Any]) -> None:
    """The failed-request guard quoted in a miss's why is read from the sensible templates, never assumed."""
    replay_fleet = fleet_modules["replay_fleet"]
    work = fleet_run["dir"] / "work" / "s2"
    sets = {v: replay_fleet.alarm_set_from_templates(work / v) for v in ALARMED}
    assert replay_fleet.failed_request_guard(sets["per_resource"]) is None
    guard = replay_fleet.failed_request_guard(sets["sensible"])
    if guard is not None:
        assert f">= {guard:g}," in json.dumps(_templates(work / "sensible")).replace(".0,", ",")


def test_the_docs_show_every_variant_the_goals_and_every_missed_incident(fleet_run: dict[str, Any]) -> None:
    """docs/benchmarks.md names the versions, shows each variant's figures, the goals and every miss."""
    docs = fleet_run["docs"]
    results = fleet_run["results"]
    size = results["sizes"][0]
    assert f"aws-cdk-lib {results['versions']['aws-cdk-lib']}" in docs
    assert f"cdk-monitoring-constructs {results['versions']['cdk-monitoring-constructs']}" in docs
    assert "| | per-resource 1 of 1 | hand-tuned | sensible_alarms |" in docs
    for variant in ALARMED:
        assert f"{size['variants'][variant]['notifications_per_day']:,.1f}" in docs
    assert "## Goals (sensible_alarms)" in docs
    assert "≤ 0.02 false notifications per service per day" in docs
    assert "committed before the first run" in docs
    for missed in size["variants"]["sensible"]["missed_or_late"]:
        assert missed["id"] in docs
    # The by-kind tables show every kind with incidents, the other entrypoints' kinds among them.
    report = importlib.import_module("report")
    for kind in size["variants"]["sensible"]["by_kind"]:
        assert f"| {report.KIND_LABELS[kind]} |" in docs
    assert "The other entrypoint kinds:" in docs
    assert (fleet_run["dir"] / "benchmarks" / "fleet.svg").read_text().startswith("<?xml")


def test_a_service_is_the_same_in_every_fleet_size_and_every_run(fleet_modules: dict[str, ModuleType]) -> None:
    """Fixed seeds: a service, its events, its traffic and their labels are the same in every fleet and run."""
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    assert spec.fleet(2)[1] == spec.fleet(7)[1]
    service = spec.service(3)
    first, again = events.draw(service), events.draw(service)
    assert first == again
    assert first
    a, b = traffic.simulate(service, first), traffic.simulate(service, again)
    assert np.array_equal(a.api.requests, b.api.requests)
    assert np.array_equal(a.api.errors_5xx, b.api.errors_5xx)
    assert a.outcomes == b.outcomes


def _event(events: ModuleType, kind: str, target: str, start: int, end: int, **params: float) -> Any:
    return events.Event(f"test-{kind}", kind, "Svc003", target, start, end, params)


def _quiet_service(spec: ModuleType) -> Any:
    return next(s for s in (spec.service(i) for i in range(40)) if s.tier == "quiet")


def _busy_service(spec: ModuleType) -> Any:
    return next(s for s in (spec.service(i) for i in range(40)) if s.tier == "busy")


def test_an_outage_fails_every_request_and_its_customers_are_counted(fleet_modules: dict[str, ModuleType]) -> None:
    """A full outage fails every request; its label counts each of them as a failed request."""
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = spec.service(3)
    start = 2 * 1440 + 14 * 60
    outage = _event(events, "api_outage", "Api", start, start + 20)
    minutes = traffic.simulate(service, [outage])
    span = slice(start, start + 20)
    assert minutes.api.requests[span].sum() > 0
    assert np.array_equal(minutes.api.errors_5xx[span], minutes.api.requests[span])
    got = minutes.outcomes[outage.id]
    assert got.failed_requests == minutes.api.requests[span].sum()
    assert got.customer_impact


def test_poison_messages_land_on_the_dead_letter_queue_and_label_the_event(
        fleet_modules: dict[str, ModuleType]) -> None:
    """Poison messages are received five times, then wait on the DLQ until redriven: each is a lost message."""
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = spec.service(3)
    start = 2 * 1440 + 14 * 60
    poison = _event(events, "poison_messages", "Queue0", start, start + 15, messages=4, redrive_after=120)
    minutes = traffic.simulate(service, [poison])
    dlq = minutes.queues["Queue0DeadLetters"]
    assert dlq.visible[start + 14] == 0
    assert dlq.visible[start + 15] == 4
    assert dlq.visible[start + 134] == 4
    assert dlq.deleted[start + 135] == 4
    consumer = minutes.functions["Queue0Consumer"]
    assert consumer.errors[start:start + 15].sum() == 4 * 5  # five receives each
    assert minutes.outcomes[poison.id].dead_lettered == 4
    assert minutes.outcomes[poison.id].customer_impact


def test_the_background_rate_fails_requests_that_clients_retry_past(fleet_modules: dict[str, ModuleType]) -> None:
    """Every API has background 5xx all month; a small burst on a busy route is retried past: not an incident."""
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = _busy_service(spec)
    route = events.handler_ids(service)[0]
    noon = 3 * 1440 + int((12 - service.timezone_shift_h) % 24 * 60)
    burst = _event(events, "error_burst", route, noon, noon + 3, count=20)
    minutes = traffic.simulate(service, [burst])
    assert minutes.api.errors_5xx.sum() > 0  # the background rate, with no other event
    got = minutes.outcomes[burst.id]
    assert got.failed_requests < 1
    assert not got.customer_impact


def test_a_burst_that_fails_every_request_of_a_quiet_route_fails_its_customers(
        fleet_modules: dict[str, ModuleType]) -> None:
    """On a quiet route the same kind of burst fails every attempt: customers got errors, and the label says so."""
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = _quiet_service(spec)
    route = events.handler_ids(service)[0]
    noon = 3 * 1440 + int((12 - service.timezone_shift_h) % 24 * 60)
    burst = _event(events, "error_burst", route, noon, noon + 5, count=100)
    minutes = traffic.simulate(service, [burst])
    fm = minutes.functions[route]
    span = slice(noon, noon + 5)
    assert fm.invocations[span].sum() >= 3
    assert np.array_equal(fm.errors[span], fm.invocations[span])
    assert minutes.outcomes[burst.id].failed_requests == pytest.approx(fm.invocations[span].sum())


def test_slow_requests_weigh_half_a_failed_one(fleet_modules: dict[str, ModuleType]) -> None:
    """Three failed requests make an incident; three slow ones do not, six do."""
    traffic = fleet_modules["traffic"]
    assert traffic.Outcome(failed_requests=3).customer_impact
    assert not traffic.Outcome(slow_requests=3).customer_impact
    assert traffic.Outcome(slow_requests=6).customer_impact
    assert not traffic.Outcome(failed_requests=2).customer_impact
    assert traffic.Outcome(delayed_messages=1).customer_impact
    assert traffic.Outcome(runs_not_done=1).customer_impact


def test_a_stall_is_an_incident_only_when_a_message_waited_past_its_freshness(
        fleet_modules: dict[str, ModuleType]) -> None:
    """A stopped consumer delays the messages that arrive while it is stopped; only those waiting over 15 min count."""
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = spec.service(3)
    start = 2 * 1440 + 14 * 60
    short = _event(events, "stuck_consumer", "Queue0", start, start + 10)
    minutes = traffic.simulate(service, [short])
    assert minutes.outcomes[short.id].delayed_messages == 0
    assert not minutes.outcomes[short.id].customer_impact
    long = _event(events, "stuck_consumer", "Queue0", start, start + 120)
    minutes = traffic.simulate(service, [long])
    assert minutes.outcomes[long.id].delayed_messages > 0
    assert minutes.queues["Queue0"].age[start + 119] >= 60 * 60


def test_series_fail_loudly_for_a_metric_the_simulation_does_not_model(fleet_modules: dict[str, ModuleType]) -> None:
    """A series the simulation cannot produce is an error naming it; a PR(:1000) series stays in 0..100."""
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
    """The main job's summary prints each variant's recorded recall, false rate and notifications a day."""
    fleet_modules["summary"].main(fleet_run["dir"] / "fleet.json")
    out = capsys.readouterr().out
    size = fleet_run["results"]["sizes"][0]
    for variant, label in (("per_resource", "per-resource"), ("hand_tuned", "hand-tuned"),
                           ("sensible", "sensible_alarms")):
        x = size["variants"][variant]
        row = next(line for line in out.splitlines() if label in line)
        assert f"{x['notifications_per_day']:,.1f}" in row
        assert f"({x['detected']}/{x['customer_impact_incidents']})" in row
        assert f"{x['false_notifications_per_service_per_day']:.3f}" in row


# -- the entrypoint kinds added later -------------------------------------------------------------------------

def _every_kind(spec: ModuleType) -> Any:
    """Service 0 with one of every entrypoint kind."""
    return dataclasses.replace(spec.service(0), event_consumers=("topic", "rule", "bucket"), workflow=True,
                               function_url=True, load_balancer=True, graphql=True, websocket=True)


def test_the_other_kinds_leave_the_first_kinds_as_they_were(fleet_modules: dict[str, ModuleType]) -> None:
    """A service's first kinds (resources, events, traffic) do not depend on the kinds added later."""
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = spec.service(3)
    bare = spec.Service(**{f: getattr(service, f) for f in ("index", "tier", "peak_rpm", "routes", "helpers", "queues",
                                                            "stream_consumer", "job_hour", "tables", "base_latency_ms",
                                                            "timezone_shift_h")})
    first = [e for e in events.draw(service) if e.kind not in events.OTHER_KINDS]
    assert first == events.draw(bare)
    a, b = traffic.simulate(service, events.draw(service)), traffic.simulate(bare, first)
    assert np.array_equal(a.api.requests, b.api.requests)
    assert np.array_equal(a.api.errors_5xx, b.api.errors_5xx)
    for name, fm in b.functions.items():
        assert np.array_equal(fm.errors, a.functions[name].errors), name
    assert {e.id: a.outcomes[e.id] for e in first} == b.outcomes


def test_a_service_with_every_kind_is_alarmed_three_ways_and_replays(fleet_modules: dict[str, ModuleType],
                                                                      tmp_path: Path) -> None:
    """Every kind is built in every variant (lint-clean), alarmed as described, and every series its alarms
    query is simulated: the replay of a month runs through, its figures add up."""
    import aws_cdk as cdk

    spec = fleet_modules["spec"]
    app = importlib.import_module("app")
    replay_fleet = fleet_modules["replay_fleet"]
    service = _every_kind(spec)
    dirs = {}
    for variant in ALARMED:
        dirs[variant] = tmp_path / variant
        cdk_app = cdk.App(outdir=str(dirs[variant]), context=dict(app.CLI_CONTEXT))
        app.ServiceStack(cdk_app, service, variant)
        cdk_app.synth()
        template = _templates(dirs[variant])["Svc000.template.json"]
        assert cfn_lint_errors(template) == [], variant
    alarms = {v: json.dumps([r for r in _templates(d)["Svc000.template.json"]["Resources"].values()
                             if r["Type"] == "AWS::CloudWatch::Alarm"]) for v, d in dirs.items()}
    for needed in ("AsyncEventAge", "AsyncEventsDropped", "FailedInvocations", "ExecutionsFailed", "Url5xxCount",
                   "HTTPCode_Target_5XX_Count", "AWS/AppSync", "IntegrationError"):
        assert needed in alarms["sensible"], needed
    for needed in ("NumberOfNotificationsFailed", "ExecutionsFailed", "ExecutionsTimedOut", "AWS/AppSync"):
        assert needed in alarms["per_resource"], needed
    assert "ExecutionsFailed" in alarms["hand_tuned"]
    assert "AWS/AppSync" in alarms["hand_tuned"]
    replayer = replay_fleet.FleetReplay(dirs)
    done = replayer.replay_service(service)
    other = {k: n for k, n in done.events.items() if k in fleet_modules["events"].OTHER_KINDS}
    assert other  # the month holds events of the new kinds
    for variant, totals in done.totals.items():
        x = totals.as_dict()
        assert sum(x["notifications_by_cause"].values()) == x["notifications"], variant
        assert sum(k["incidents"] for k in x["by_kind"].values()) == x["customer_impact_incidents"]
        assert x["customer_impact_incidents"] == sum(done.impacting.values())
    _assert_every_notifier_watches_one_entrypoint(replayer, service, fleet_modules)


def _assert_every_notifier_watches_one_entrypoint(replayer: Any, service: Any,
                                                  fleet_modules: dict[str, ModuleType]) -> None:
    """By its metrics, every notifying alarm watches one entrypoint, but a per-resource table alarm (shared:
    it matches every incident); for sensible_alarms that is the entrypoint its metadata names; and every
    entrypoint an event names is one a sensible_alarms alarm watches."""
    from sensible_alarms.replay.incidents import same_entrypoint

    metrics, replay_fleet = importlib.import_module("metrics"), fleet_modules["replay_fleet"]
    by_metrics: dict[str, str] = {}
    for variant in ALARMED:
        alarms, composites = replayer._by_stack[variant][service.name]
        stack = replayer.templates[variant][service.name]
        ids = metrics.construct_ids({lid: {"Metadata": dict(r.metadata)} for lid, r in stack.resources.items()})
        mapped = replay_fleet.watched_entrypoints(service, alarms, composites, ids, {})
        by_metrics.update(mapped)
        notifiers = [a.name for a in alarms if a.has_actions] + [c.name for c in composites if c.has_actions]
        unknown = [n for n in notifiers if n not in mapped]
        if variant == "per_resource":
            assert unknown
            assert all("-Table" in n for n in unknown), unknown
        else:
            assert unknown == [], variant
    watched = replayer.sets["sensible"].entrypoints
    alarms, composites = replayer._by_stack["sensible"][service.name]
    notifiers = [c.name for c in composites if c.has_actions]
    assert notifiers
    assert all(same_entrypoint(by_metrics[n], watched[n]) for n in notifiers)
    named = {service.entrypoint_of(e.target) for e in fleet_modules["events"].draw(service)} - {None}
    assert named
    assert all(any(same_entrypoint(f"{service.name}/{e}", w) for w in watched.values()) for e in named), named


def _other_event(events: ModuleType, kind: str, target: str, start: int, end: int, **params: float) -> Any:
    return events.Event(f"test-{kind}", kind, "Svc000", target, start, end, params)


def test_an_async_consumer_failing_drops_events_after_three_attempts(fleet_modules: dict[str, ModuleType]) -> None:
    """A consumer failing every attempt: each event is run 3 times, then dropped and counted as lost."""
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = _every_kind(spec)
    start = 2 * 1440 + 14 * 60
    failing = _other_event(events, "async_handler_failing", "Events0", start, start + 60)
    minutes = traffic.simulate(service, [failing])
    queue = minutes.events["Events0"]
    arrived_early = queue.received[start:start + 57].sum()
    assert arrived_early > 0
    assert minutes.outcomes[failing.id].events_lost == arrived_early
    assert queue.dropped.sum() == arrived_early
    assert minutes.outcomes[failing.id].customer_impact
    jitter = np.ones(traffic.MINUTES)
    dropped = traffic.series(minutes, "AWS/Lambda", "AsyncEventsDropped", "Events0Consumer", {}, "Sum", 60, jitter)
    assert np.nansum(dropped) == arrived_early


def test_a_rule_that_cannot_deliver_loses_every_matched_event(fleet_modules: dict[str, ModuleType]) -> None:
    """A rule without permission to invoke its target: FailedInvocations counts every matched event, none runs."""
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = _every_kind(spec)
    start = 2 * 1440 + 14 * 60
    broken = _other_event(events, "event_delivery_failure", "Events1", start, start + 30)
    minutes = traffic.simulate(service, [broken])
    span = slice(start, start + 30)
    queue = minutes.events["Events1"]
    assert queue.failed_deliveries[span].sum() == queue.sent[span].sum() > 0
    assert minutes.functions["Events1Consumer"].invocations[span].sum() == 0
    failed = traffic.series(minutes, "AWS/Events", "FailedInvocations", "Events1Rule", {}, "Sum", 60,
                            np.ones(traffic.MINUTES))
    assert np.nansum(failed) == minutes.outcomes[broken.id].events_lost


def test_a_throttled_consumer_delays_events_and_their_age_shows_it(fleet_modules: dict[str, ModuleType]) -> None:
    """A consumer throttled to a share of its arrivals falls behind: AsyncEventAge grows, late events are counted."""
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = dataclasses.replace(_busy_service(spec), event_consumers=("topic",))
    noon = 3 * 1440 + int((12 - service.timezone_shift_h) % 24 * 60)
    lag = _other_event(events, "async_consumer_lag", "Events0", noon, noon + 90, capacity=0.2)
    minutes = traffic.simulate(service, [lag])
    queue = minutes.events["Events0"]
    assert queue.age[noon + 60] > traffic.EVENT_FRESHNESS_MINUTES * 60_000
    assert minutes.outcomes[lag.id].delayed_messages > 0
    # every event sent is run once in the end (none lost), a few minutes after the throttling ends
    fm = minutes.functions["Events0Consumer"]
    after = slice(noon, noon + 200)
    assert fm.invocations[after].sum() == pytest.approx(queue.received[after].sum())


def test_outages_of_every_endpoint_fail_every_request_in_its_own_metrics(fleet_modules: dict[str, ModuleType]) -> None:
    """An outage of a Function URL, load balancer, GraphQL or WebSocket API fails each request, in its metrics."""
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = _every_kind(spec)
    start = 2 * 1440 + 14 * 60
    jitter = np.ones(traffic.MINUTES)
    metric = {"Webhook": ("AWS/Lambda", "Url5xxCount", "UrlRequestCount", "Webhook"),
              "Storefront": ("AWS/ApplicationELB", "LambdaUserError", "RequestCount", "Storefront"),
              "Graphql": ("AWS/AppSync", "5XXError", "Latency", "Graphql"),
              "Live": ("AWS/ApiGateway", "IntegrationError", "MessageCount", "Live")}
    for endpoint, (namespace, failed, requests, resource) in metric.items():
        outage = _other_event(events, "endpoint_outage", endpoint, start, start + 30)
        minutes = traffic.simulate(service, [outage])
        span = slice(start, start + 30)
        fm = minutes.functions[service.endpoints[endpoint]]
        assert fm.invocations[span].sum() > 0
        assert minutes.outcomes[outage.id].failed_requests == fm.invocations[span].sum()
        bad = traffic.series(minutes, namespace, failed, resource, {}, "Sum", 60, jitter)[span]
        stat = "SampleCount" if requests == "Latency" else "Sum"
        total = traffic.series(minutes, namespace, requests, resource, {}, stat, 60, jitter)[span]
        assert np.nansum(bad) >= np.nansum(total) > 0, endpoint


def test_a_failing_workflow_fails_executions_and_a_retried_step_does_not(fleet_modules: dict[str, ModuleType]) -> None:
    """Failing executions are failed requests in ExecutionsFailed; a step retried by the state machine is not."""
    spec, events, traffic = fleet_modules["spec"], fleet_modules["events"], fleet_modules["traffic"]
    service = dataclasses.replace(_busy_service(spec), workflow=True)
    noon = 3 * 1440 + int((12 - service.timezone_shift_h) % 24 * 60)
    failing = _other_event(events, "workflow_failing", "Workflow", noon, noon + 60, share=1.0)
    retried = _other_event(events, "workflow_step_retried", "Workflow", noon + 200, noon + 203, count=10)
    minutes = traffic.simulate(service, [failing, retried])
    assert minutes.workflow is not None
    span = slice(noon, noon + 60)
    assert minutes.workflow.failed[span].sum() == minutes.workflow.started[span].sum() > 0
    assert minutes.outcomes[failing.id].failed_requests == minutes.workflow.started[span].sum()
    assert minutes.workflow.failed[noon + 200:noon + 203].sum() == 0
    assert minutes.functions["WorkflowStep"].errors[noon + 200:noon + 203].sum() == 10
    assert not minutes.outcomes[retried.id].customer_impact
