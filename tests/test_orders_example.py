"""The orders example, synthesized: it lints clean, notifies once per entrypoint and urgency through a
composite, never on per-resource Lambda or DynamoDB metrics, says what customers feel in every alarm,
synthesizes byte for byte the same, routes through encrypted topics only CloudWatch may publish to,
and alarms at the burn-rate thresholds its SLOs imply."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from cdk_support import ALARM_TYPES, EXAMPLE_DIR, ROOT, cfn_lint, resources_of
from sensible_alarms import BURN_RATE_WINDOWS, AvailabilitySlo, LatencySlo
from sensible_alarms.constructs.request_burn_rates import (
    HOLD_FRACTION,
    LOW_HOLD_FRACTION,
    OUTAGE_FAILED_SHARE,
    OUTAGE_WINDOWS_SECONDS,
)
from sensible_alarms.constructs.routes import ROUTE_DOWN_SECONDS
from sensible_alarms.metadata import DESCRIPTION_KEYS, METADATA_KEY

ALARM = "AWS::CloudWatch::Alarm"
COMPOSITE = "AWS::CloudWatch::CompositeAlarm"
ACTION_PROPERTIES = ("AlarmActions", "OKActions", "InsufficientDataActions")

#: cfn-lint warnings the example may have, each with why it is accepted. Any other warning fails.
ALLOWED_WARNINGS = {
    # aws-cdk-lib's lambda.Function adds DependsOn its service role although Role already GetAtt's it;
    # CDK's own output, not ours to change.
    "W3005": "AWS::Lambda::Function",
}

#: The example's entrypoints (construct path, kind) and the urgencies each notifies at.
EXPECTED_NOTIFICATIONS = {
    ("OrdersService/OrdersApiAlarms", "api"): {"HIGH", "LOW"},
    ("OrdersService/OrderQueueAlarms", "queue_consumer"): {"HIGH"},
    ("OrdersService/OrderEventsAlarms", "stream_consumer"): {"HIGH"},
    ("OrdersService/NightlyReportAlarms", "scheduled_job"): {"LOW"},
}
#: Who each urgency reaches in the example (the email subscribed to that urgency's topic).
EXPECTED_RECIPIENTS = {"HIGH": "oncall@example.com", "LOW": "orders-team@example.com"}

#: The API's SLOs as orders_stack.py declares them; the test checks the template says the same.
API_AVAILABILITY = AvailabilitySlo(target=99.9)
API_LATENCY = LatencySlo(threshold=cdk.Duration.seconds(1), target=99.0)

#: Namespaces whose metrics are per-resource noise when they notify on their own.
NOISE_NAMESPACES = {"AWS/Lambda", "AWS/DynamoDB"}
#: Dimensions that make a metric per-function, whatever its namespace (Lambda, Lambda Insights).
PER_FUNCTION_DIMENSIONS = {"FunctionName", "function_name"}

CLOUDWATCH = "cloudwatch.amazonaws.com"


# -- reading the template ---------------------------------------------------------------------------

def _alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return resources_of(template, *ALARM_TYPES)


def _meta(resource: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = resource.get("Metadata", {}).get(METADATA_KEY, {})
    return meta


def _notifies(resource: dict[str, Any]) -> bool:
    """An alarm notifies when any of its action lists is non-empty."""
    props = resource.get("Properties", {})
    return any(props.get(key) for key in ACTION_PROPERTIES)


def _watched_metrics(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """Every metric an alarm reads: its single metric, or each MetricStat of its metric math."""
    props = resource.get("Properties", {})
    metrics = []
    if "MetricName" in props:
        metrics.append({"Namespace": props.get("Namespace"), "MetricName": props["MetricName"],
                        "Dimensions": props.get("Dimensions", [])})
    for query in props.get("Metrics", []):
        if "MetricStat" in query:
            metric = query["MetricStat"]["Metric"]
            metrics.append({"Namespace": metric.get("Namespace"), "MetricName": metric.get("MetricName"),
                            "Dimensions": metric.get("Dimensions", [])})
    return metrics


def _noise_metrics(resource: dict[str, Any]) -> list[str]:
    """The metrics of `resource` that are AWS/Lambda, AWS/DynamoDB or per-function."""
    found = []
    for metric in _watched_metrics(resource):
        names = {d["Name"] for d in metric["Dimensions"]}
        if metric["Namespace"] in NOISE_NAMESPACES or names & PER_FUNCTION_DIMENSIONS:
            found.append(f"{metric['Namespace']} {metric['MetricName']} {sorted(names)}")
    return found


def _rule_references(rule: Any) -> list[str]:
    """Logical ids of the alarms a composite's AlarmRule names (an Fn::Join of strings and
    Fn::GetAtt [id, Arn]); an alarm named any other way (a literal name or ARN) fails the test."""
    if isinstance(rule, str):
        parts = [rule]
    else:
        assert list(rule) == ["Fn::Join"], f"unexpected AlarmRule {rule}"
        separator, parts = rule["Fn::Join"]
        assert separator == "", f"unexpected AlarmRule {rule}"
    ids, text = [], ""
    for part in parts:
        if isinstance(part, str):
            text += part
        else:
            assert list(part) == ["Fn::GetAtt"], f"unexpected rule part {part}"
            assert part["Fn::GetAtt"][1] == "Arn", f"unexpected rule part {part}"
            ids.append(part["Fn::GetAtt"][0])
            text += "<ref>"
    named = re.findall(r'\b(?:ALARM|OK|INSUFFICIENT_DATA)\("([^"]*)"\)', text)
    assert named == ["<ref>"] * len(ids), f"the rule names alarms outside the template: {text}"
    return ids


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement.get("Action", [])
    return {action} if isinstance(action, str) else set(action)


def _covers_publish(statement: dict[str, Any]) -> bool:
    return bool(_actions(statement) & {"sns:Publish", "sns:*", "*"})


def _is_everyone(principal: Any) -> bool:
    return principal in ("*", {"AWS": "*"})


# -- lint -------------------------------------------------------------------------------------------

class TestLint:
    def test_the_example_has_no_cfn_lint_error_and_only_the_accepted_warnings(self, orders_template):
        """cfn-lint finds no error, and every warning is one ALLOWED_WARNINGS names, on the resource type it names."""
        findings = cfn_lint(orders_template)
        assert [f for f in findings if f.startswith("E")] == []
        warnings = [f for f in findings if not f.startswith("E")]
        assert {f.split()[0] for f in warnings} == set(ALLOWED_WARNINGS), "\n".join(warnings)
        for finding in warnings:
            rule, path = finding.split()[0], finding.split()[1].rstrip(":").split("/")
            assert path[0] == "Resources", finding
            assert path[2] == "DependsOn", finding
            assert orders_template["Resources"][path[1]]["Type"] == ALLOWED_WARNINGS[rule], finding


# -- who is notified, about what --------------------------------------------------------------------

class TestNotifications:
    def test_no_notifying_alarm_watches_lambda_dynamodb_or_per_function_metrics(self, orders_template):
        """Alarms with actions read no AWS/Lambda, AWS/DynamoDB or per-function metric, alone or in metric math."""
        notifying = {k: r for k, r in _alarms(orders_template).items() if _notifies(r)}
        assert notifying
        offending = {k: _noise_metrics(r) for k, r in notifying.items() if _noise_metrics(r)}
        assert offending == {}

    def test_the_noise_check_catches_a_notifying_lambda_errors_alarm(self):
        """The check above is not vacuous: per-function metrics, single or in metric math, are found."""
        single = {"Properties": {"Namespace": "AWS/Lambda", "MetricName": "Errors", "AlarmActions": ["t"],
                                 "Dimensions": [{"Name": "FunctionName", "Value": "f"}]}}
        insights = {"Properties": {"AlarmActions": ["t"], "Metrics": [
            {"Id": "e", "Expression": "m * 2"},
            {"Id": "m", "MetricStat": {"Metric": {"Namespace": "LambdaInsights", "MetricName": "memory_utilization",
                                                  "Dimensions": [{"Name": "function_name", "Value": "f"}]}}}]}}
        table = {"Properties": {"OKActions": ["t"], "Namespace": "AWS/DynamoDB", "MetricName": "ThrottledRequests"}}
        assert all(_notifies(r) and _noise_metrics(r) for r in (single, insights, table))

    def test_each_entrypoint_notifies_once_per_urgency_through_a_composite(self, orders_template):
        """The only notifying alarms are one composite per (entrypoint, urgency), and the API's outage
        notifier (HIGH); members have no actions."""
        notifiers: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for logical_id, resource in _alarms(orders_template).items():
            meta = _meta(resource)
            assert meta, f"{logical_id} has no {METADATA_KEY} metadata"
            assert (meta["entrypoint"], meta["entrypointKind"]) in EXPECTED_NOTIFICATIONS, logical_id
            if _notifies(resource):
                assert resource["Type"] == COMPOSITE, f"{logical_id} notifies but is not a composite"
                assert meta["role"] == "notifier", logical_id
                assert resource["Properties"].get("ActionsEnabled", True) is True, logical_id
                notifiers[(meta["entrypoint"], meta["entrypointKind"], meta["urgency"])].append(logical_id)
            else:
                assert meta["role"] == "member", f"{logical_id} is a {meta['role']} that notifies no one"
                assert resource["Properties"].get("ActionsEnabled") is False, logical_id
        expected = {(path, kind, urgency) for (path, kind), urgencies in EXPECTED_NOTIFICATIONS.items()
                    for urgency in urgencies}
        assert {key: len(ids) for key, ids in notifiers.items()} == {
            key: 2 if key[1:] == ("api", "HIGH") else 1 for key in expected}

    def test_each_urgency_reaches_its_own_recipients(self, orders_template):
        """A HIGH composite publishes to the topic the on-call address is subscribed to, a LOW one to the team's."""
        subscribers = {
            s["Properties"]["TopicArn"]["Ref"]: s["Properties"]["Endpoint"]
            for s in resources_of(orders_template, "AWS::SNS::Subscription").values()
            if s["Properties"]["Protocol"] == "email"
        }
        reached = {
            (logical_id, _meta(r)["urgency"]): [subscribers.get(a["Ref"]) for a in r["Properties"]["AlarmActions"]]
            for logical_id, r in _alarms(orders_template).items() if _notifies(r)
        }
        assert reached == {key: [EXPECTED_RECIPIENTS[key[1]]] for key in reached}

    def test_composites_name_only_member_alarms_of_their_own_entrypoint_and_urgency(self, orders_template):
        """A composite's rule names members of its own entrypoint and urgency (a LOW confirmation also the HIGH long
        windows); every member is named by one."""
        alarms = _alarms(orders_template)
        referenced: Counter[str] = Counter()
        for logical_id, composite in resources_of(orders_template, COMPOSITE).items():
            ids = _rule_references(composite["Properties"]["AlarmRule"])
            assert ids, f"{logical_id} names no alarm"
            own = _meta(composite)
            for member_id in ids:
                member = alarms.get(member_id)
                assert member is not None, f"{logical_id} names {member_id}, which is no alarm of the template"
                assert member["Type"] == ALARM, f"{logical_id} names the composite {member_id}"
                meta = _meta(member)
                # The LOW confirmation also names the HIGH long windows: an escalating incident
                # notifies once, as HIGH.
                urgencies = {own["urgency"], "HIGH"} if own["signal"] == "confirmation" else {own["urgency"]}
                assert (meta["role"], meta["entrypoint"]) == ("member", own["entrypoint"]), member_id
                assert meta["urgency"] in urgencies, member_id
            referenced.update(ids)
        members = {k for k, r in alarms.items() if r["Type"] == ALARM}
        assert set(referenced) == members, "members named by no composite"


# -- what the alarms say ----------------------------------------------------------------------------

class TestDescriptions:
    def test_every_alarm_states_impact_urgency_slo_and_runbook(self, orders_template):
        """Each description has the four lines, in order, agreeing with the alarm's metadata."""
        problems = []
        for logical_id, resource in _alarms(orders_template).items():
            meta, description = _meta(resource), resource["Properties"].get("AlarmDescription", "")
            lines = description.split("\n")
            if [line.split(": ", 1)[0] for line in lines] != list(DESCRIPTION_KEYS):
                problems.append(f"{logical_id}: lines are {lines}")
                continue
            impact, urgency, slo, runbook = lines
            if not meta["customerImpact"].strip() or impact != f"Customer impact: {meta['customerImpact']}":
                problems.append(f"{logical_id}: {impact!r}")
            if meta["urgency"] not in ("HIGH", "LOW") or not re.fullmatch(rf"Urgency: {meta['urgency']}( - .+)?",
                                                                           urgency):
                problems.append(f"{logical_id}: {urgency!r} for metadata urgency {meta['urgency']}")
            if not meta["slo"].strip() or slo != f"SLO: {meta['slo']}":
                problems.append(f"{logical_id}: {slo!r}")
            if not re.fullmatch(r"Runbook: https://\S+", runbook):
                problems.append(f"{logical_id}: {runbook!r}")
        assert problems == []

    def test_descriptions_and_names_fit_cloudwatch_and_names_are_unique(self, orders_template):
        """Descriptions are at most 1024 characters, names are literal, at most 255 and all different."""
        props = {k: r["Properties"] for k, r in _alarms(orders_template).items()}
        assert {k: len(p["AlarmDescription"]) for k, p in props.items() if len(p["AlarmDescription"]) > 1024} == {}
        names = {k: p.get("AlarmName") for k, p in props.items()}
        assert {k: n for k, n in names.items() if not isinstance(n, str) or not 0 < len(n) <= 255} == {}
        assert [n for n, count in Counter(names.values()).items() if count > 1] == []


# -- determinism ------------------------------------------------------------------------------------

def _templates(assembly: Path) -> dict[str, bytes]:
    return {str(p.relative_to(assembly)): p.read_bytes() for p in sorted(assembly.rglob("*.template.json"))}


class TestDeterminism:
    def test_a_second_app_in_the_same_process_writes_identical_templates(self, orders_assembly, tmp_path):
        """Synthesizing the example again, in a new App into another directory, gives the same bytes."""
        from app import build

        build(str(tmp_path / "cdk.out")).synth()
        first, second = _templates(orders_assembly), _templates(tmp_path / "cdk.out")
        assert first
        assert first == second

    def test_a_fresh_process_with_another_hash_seed_writes_identical_templates(self, orders_assembly, tmp_path):
        """Synthesizing in a new Python process (different PYTHONHASHSEED) gives the same bytes."""
        outdir = tmp_path / "cdk.out"
        script = "import sys; sys.path.insert(0, sys.argv[1]); from app import build; build(sys.argv[2]).synth()"
        env = {**os.environ, "PYTHONHASHSEED": "4242"}
        subprocess.run([sys.executable, "-c", script, str(EXAMPLE_DIR), str(outdir)], cwd=ROOT, env=env,
                       check=True, timeout=600, capture_output=True)
        first, second = _templates(orders_assembly), _templates(outdir)
        assert first
        assert first == second


# -- routing ----------------------------------------------------------------------------------------

class TestRouting:
    def test_topics_are_encrypted_with_a_rotating_key_cloudwatch_may_use(self, orders_template):
        """Every topic has a KmsMasterKeyId from a key with rotation on whose policy lets CloudWatch encrypt."""
        topics = resources_of(orders_template, "AWS::SNS::Topic")
        keys = resources_of(orders_template, "AWS::KMS::Key")
        assert topics
        for topic_id, topic in topics.items():
            key_ref = topic["Properties"].get("KmsMasterKeyId")
            assert key_ref is not None, f"{topic_id} is not encrypted"
            key_id = key_ref["Fn::GetAtt"][0] if "Fn::GetAtt" in key_ref else key_ref["Ref"]
            key = keys[key_id]["Properties"]
            assert key["EnableKeyRotation"] is True, key_id
            assert any(
                s["Effect"] == "Allow" and s.get("Principal") == {"Service": CLOUDWATCH}
                and {"kms:Decrypt", "kms:GenerateDataKey*"} <= _actions(s)
                for s in key["KeyPolicy"]["Statement"]
            ), f"{key_id} does not let CloudWatch use it"

    def test_only_cloudwatch_of_this_account_may_publish_and_only_over_tls(self, orders_template):
        """Topic policies allow sns:Publish to CloudWatch with aws:SourceAccount, deny other publishers and non-TLS."""
        policies = resources_of(orders_template, "AWS::SNS::TopicPolicy")
        for topic_id in resources_of(orders_template, "AWS::SNS::Topic"):
            mine = [p for p in policies.values() if {"Ref": topic_id} in p["Properties"]["Topics"]]
            assert len(mine) == 1, f"{topic_id} has {len(mine)} topic policies"
            statements = mine[0]["Properties"]["PolicyDocument"]["Statement"]
            allows = [s for s in statements if s["Effect"] == "Allow" and _covers_publish(s)]
            assert allows, f"{topic_id}: nobody may publish"
            for s in allows:
                assert s["Principal"] == {"Service": CLOUDWATCH}, f"{topic_id}: {s}"
                source_account = s.get("Condition", {}).get("StringEquals", {}).get("aws:SourceAccount")
                assert source_account == {"Ref": "AWS::AccountId"}, f"{topic_id}: {s}"
            denies = [s for s in statements if s["Effect"] == "Deny" and _covers_publish(s)
                      and _is_everyone(s["Principal"])]
            assert any(s.get("Condition") == {"StringNotEquals": {"aws:PrincipalServiceName": CLOUDWATCH}}
                       for s in denies), f"{topic_id}: other publishers are not denied"
            assert any(s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
                       for s in denies), f"{topic_id}: publishing without TLS is not denied"


# -- SLO maths --------------------------------------------------------------------------------------

class TestBurnRates:
    def test_api_thresholds_are_those_the_slos_and_burn_rate_windows_imply(self, orders_template):
        """Each API member alarm's threshold is burn rate x error budget for its window's period and urgency."""
        slos: dict[str, AvailabilitySlo | LatencySlo] = {"availability": API_AVAILABILITY, "latency": API_LATENCY}
        # From first principles, not the library's own helpers: the share of the budget a window may
        # burn, scaled from the window to the compliance period, times the budget (1 - target).
        expected = {
            (signal, seconds, window.urgency.value):
                window.budget_fraction * slo.period_seconds / window.long_window_seconds * (1 - slo.target / 100)
            for signal, slo in slos.items()
            for window in BURN_RATE_WINDOWS
            for seconds in (window.long_window_seconds, window.short_window_seconds)
        }
        # The long windows' holds keep an incident open down to a share of the threshold.
        fractions = {"HIGH": HOLD_FRACTION, "LOW": LOW_HOLD_FRACTION}
        expected |= {(signal, seconds, urgency, "hold"): value * fractions[urgency]
                     for (signal, seconds, urgency), value in expected.items()
                     if seconds in {w.long_window_seconds for w in BURN_RATE_WINDOWS}}
        # Nearly every request failing: at least half of them, over 5 and 30 minutes.
        expected |= {("availability", seconds, "HIGH", "outage"): OUTAGE_FAILED_SHARE
                     for seconds in OUTAGE_WINDOWS_SECONDS}
        # ... and of one route's requests, over 5 minutes (the routes' member protects availability).
        expected |= {("route-outage", 300, "HIGH", "outage"): OUTAGE_FAILED_SHARE}
        # Many slow requests: the 6 h window's slow share over 30 minutes, and its hold over 2 hours at
        # the same slow requests (a quarter of the share).
        six_hours = 0.05 * API_LATENCY.period_seconds / 21_600 * (1 - API_LATENCY.target / 100)
        expected |= {("latency", 1800, "HIGH", "outage"): six_hours, ("latency", 7200, "HIGH", "outage"): six_hours / 4}
        slos["route-outage"] = API_AVAILABILITY
        # One route down while another serves (a 0/1 signal, the routes' availability), over 3 minutes.
        slos["confirmation"] = API_AVAILABILITY
        expected |= {("confirmation", ROUTE_DOWN_SECONDS, "HIGH", "outage"): 1}
        actual = {}
        for logical_id, resource in resources_of(orders_template, ALARM).items():
            meta = _meta(resource)
            if meta["entrypointKind"] != "api":
                continue
            assert meta["slo"] == slos[meta["signal"]].describe(), f"{logical_id}: the example's SLO changed"
            props = resource["Properties"]
            periods = {q["MetricStat"]["Period"] for q in props["Metrics"] if "MetricStat" in q}
            assert len(periods) == 1, logical_id
            window = meta.get("window") or "outage"
            key: tuple[str, ...] = (meta["signal"], periods.pop(), meta["urgency"])
            if window.startswith("hold") or window == "outage":
                key = (*key, window.split(" ")[0])
            actual[key] = props["Threshold"]
        assert actual == pytest.approx(expected, rel=1e-5)
