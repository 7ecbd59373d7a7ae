"""Described alarms in the alarm model, classified with the policy: the per-resource baseline's
alarms as DescribeAlarms gives them once deployed, with and without its cloud assembly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sensible_alarms.audit import AccountRead, account_model, build_report, classify
from sensible_alarms.model import load
from sensible_alarms.policy import check

T0 = datetime(2026, 11, 1, tzinfo=UTC)
STACK = "OrdersPerResourceBaseline"  # as tests/audit/conftest.py synthesizes it


def _read(deployed, *, with_stack: bool = True, history=()) -> AccountRead:
    physical, alarms = deployed
    read = AccountRead(region="eu-west-1", start=T0, end=T0 + timedelta(days=30), metric_alarms=list(alarms),
                       history=list(history), alarms_read=True, history_read=True)
    if with_stack:
        read.deployed[STACK] = dict(physical)
    return read


def _history(name: str, *at: datetime) -> list[dict]:
    return [{"AlarmName": name, "Timestamp": t, "HistoryItemType": "StateUpdate",
             "HistoryData": '{"oldState": {"stateValue": "OK"}, "newState": {"stateValue": "ALARM"}}'} for t in at]


class TestWithTheAssembly:
    def test_every_deployed_alarm_takes_the_place_of_its_template_alarm(self, baseline_assembly, deployed):
        """Each described alarm lands in the assembly's stack under its template logical id."""
        model = account_model(_read(deployed), load(baseline_assembly))
        template_alarms = {a.logical_id for a in load(baseline_assembly).stacks[0].alarms}
        assert {lid for _, lid in model.place.values()} == template_alarms
        assert not model.not_deployed

    def test_the_policy_finds_the_same_on_the_account_as_on_the_template(self, baseline_assembly, deployed):
        """Same rules, same model: the account's findings per rule equal check's on the synthesized template."""
        on_template = check(load(baseline_assembly)).counts()
        on_account = check(account_model(_read(deployed), load(baseline_assembly)).model).counts()
        assert on_account == on_template
        assert on_account["per-resource-noise"] > 0

    def test_function_alarms_are_noise_and_the_api_5xx_is_customer_impact(self, baseline_assembly, deployed):
        """Lambda error counts are per-resource noise of the API entrypoint; the API's 5xx covers it, but
        on one datapoint (noise first: a single 5xx notifies); its latency alarm covers it too, a duplicate."""
        classified, _, _ = classify(account_model(_read(deployed), load(baseline_assembly)))
        by_name = {c.alarm.name: c for c in classified}
        function = by_name["Orders-CreateOrder-Fault-Count-Critical"]
        assert function.classification == "per-resource noise"
        assert function.entrypoint is not None
        assert function.entrypoint.startswith("REST API orders-api")
        api = by_name["Orders-orders-api-prod-Fault-Count-Critical"]
        assert api.labels == ("per-resource noise", "customer-impact")
        assert api.mapped_by == "assembly"
        assert by_name["Orders-orders-api-prod-Latency-P99-Warning"].labels == ("duplicate", "customer-impact")

    def test_an_alarm_the_account_lacks_is_listed_as_not_deployed(self, baseline_assembly, deployed):
        """An alarm of the template that DescribeAlarms did not return is reported as not deployed."""
        physical, alarms = deployed
        model = account_model(_read((physical, alarms[1:])), load(baseline_assembly))
        assert [name for _, _, name in model.not_deployed] == [alarms[0]["AlarmName"]]

    def test_notifications_in_one_burst_count_per_incident(self, baseline_assembly, deployed):
        """Two alarms of the API notifying 3 minutes apart are one burst of two; a day later, another."""
        history = (_history("Orders-CreateOrder-Fault-Count-Critical", T0 + timedelta(hours=1))
                   + _history("Orders-orders-api-prod-Fault-Count-Critical", T0 + timedelta(hours=1, minutes=3),
                              T0 + timedelta(days=1)))
        report = build_report(_read(deployed, history=history), load(baseline_assembly))
        assert report.notifications == 3
        assert [len(b.notifications) for b in report.bursts] == [2, 1]
        assert report.bursts[0].alarms == ("Orders-CreateOrder-Fault-Count-Critical",
                                           "Orders-orders-api-prod-Fault-Count-Critical")


class TestByDimensionsAlone:
    def test_without_an_assembly_internal_metrics_are_noise_and_api_errors_customer_impact(self, deployed):
        """No assembly: Lambda and DynamoDB alarms are noise by the catalogue, the API's 5xx customer impact."""
        classified, uncovered, _ = classify(account_model(_read(deployed, with_stack=False)))
        by_name = {c.alarm.name: c for c in classified}
        assert by_name["Orders-CreateOrder-Fault-Count-Critical"].classification == "per-resource noise"
        assert by_name["Orders-OrdersTable-Read-Throttled-Events-Warning"].classification == "per-resource noise"
        assert by_name["Orders-orders-api-prod-Latency-P99-Warning"].classification == "customer-impact"
        assert all(c.mapped_by == "dimensions" for c in classified)
        assert not uncovered

    def test_an_alarm_that_only_notifies_with_others_is_a_duplicate(self, deployed):
        """By dimensions alone, an alarm outside the catalogues whose every notification shared a burst
        with other alarms is a duplicate; the API's latency alarm in that burst stays customer impact."""
        physical, alarms = deployed
        custom = {"AlarmName": "checkout-failures", "Namespace": "Shop", "MetricName": "CheckoutFailures",
                  "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 5,
                  "ComparisonOperator": "GreaterThanThreshold", "ActionsEnabled": True,
                  "AlarmActions": ["arn:aws:sns:eu-west-1:123456789012:alarms"], "StateValue": "OK"}
        history = (_history("Orders-orders-api-prod-Latency-P99-Warning", T0 + timedelta(hours=1))
                   + _history("checkout-failures", T0 + timedelta(hours=1, minutes=2)))
        report = build_report(_read((physical, [*alarms, custom]), with_stack=False, history=history))
        by_name = {a.name: a for a in report.alarms}
        assert by_name["Orders-orders-api-prod-Latency-P99-Warning"].classification == "customer-impact"
        assert by_name["checkout-failures"].classification == "duplicate"
        assert len(report.bursts) == 1
