"""The model of the orders example, read from its real synthesized cloud assembly."""

from __future__ import annotations

from pathlib import Path

import pytest

from sensible_alarms.model import (
    And,
    CompositeAlarm,
    MetricAlarm,
    Not,
    Or,
    Stack,
    StateCheck,
    load,
    rule_text,
)


@pytest.fixture(scope="module")
def orders(orders_assembly: Path) -> Stack:
    model = load(orders_assembly)
    assert [s.name for s in model.stacks] == ["OrdersService"]
    return model.stacks[0]


def _alarm(stack: Stack, suffix: str) -> MetricAlarm | CompositeAlarm:
    found = [a for a in stack.alarms if a.name.endswith(suffix)]
    assert len(found) == 1, [a.name for a in stack.alarms]
    return found[0]


class TestEntrypoints:
    def test_the_four_entrypoints_are_found_with_their_kinds_and_titles(self, orders: Stack):
        """The REST API stage, the queue consumer, the stream consumer and the schedule, in words."""
        assert sorted((e.kind, e.title) for e in orders.entrypoints) == [
            ("api", "REST API orders-api, stage prod"),
            ("queue_consumer", "SQS queue OrderQueue -> Lambda FulfilOrder"),
            ("scheduled_job", "schedule NightlySchedule (cron(0 2 * * ? *)) -> Lambda NightlyReport"),
            ("stream_consumer", "DynamoDB stream of OrdersTable -> Lambda ProjectOrderEvents"),
        ]

    def test_the_api_knows_the_three_functions_behind_its_routes(self, orders: Stack):
        """API integrations are followed to the Lambda functions they invoke."""
        api = next(e for e in orders.entrypoints if e.kind == "api")
        assert sorted(orders.label(f) for f in api.functions) == ["CreateOrder", "GetOrder", "ListOrders"]
        assert api.construct_path == "OrdersService/OrdersApi/DeploymentStage.prod/Resource"

    def test_the_queue_consumer_knows_its_queue_and_dead_letter_queue(self, orders: Stack):
        """The mapping's source queue and the queue's redrive dead-letter queue are resolved to logical ids."""
        consumer = next(e for e in orders.entrypoints if e.kind == "queue_consumer")
        assert consumer.source is not None
        assert orders.label(consumer.source.logical_id or "") == "OrderQueue"
        assert consumer.dead_letter_queue is not None
        assert orders.label(consumer.dead_letter_queue.logical_id or "") == "OrderDeadLetters"

    def test_the_stream_consumer_knows_its_failure_destination(self, orders: Stack):
        """The mapping's on-failure destination is resolved, and listed among the stack's failure destinations."""
        consumer = next(e for e in orders.entrypoints if e.kind == "stream_consumer")
        assert consumer.failure_destination is not None
        assert orders.label(consumer.failure_destination.logical_id or "") == "StreamFailures"
        assert {(orders.label(d.logical_id), d.kind) for d in orders.failure_destinations} == {
            ("OrderDeadLetters", "redrive"), ("StreamFailures", "event_source_mapping")}


class TestAlarms:
    def test_every_resource_has_its_construct_path_from_the_assembly_metadata(self, orders: Stack):
        """Without aws:cdk:path in the template, construct paths come from the stack's metadata file."""
        assert orders.construct_path == "OrdersService"
        assert all(a.construct_path and a.construct_path.startswith("OrdersService/") for a in orders.alarms)

    def test_a_burn_rate_member_has_its_metric_math_queries(self, orders: Stack):
        """Expression, metrics with namespace, dimensions, stat and period, and ReturnData are all kept."""
        alarm = _alarm(orders, "OrdersApiAlarms-Availability1h")
        assert isinstance(alarm, MetricAlarm)
        assert alarm.form == "math"
        assert [(q.id, q.return_data) for q in alarm.queries] == [("expr_1", True), ("errors", False),
                                                                  ("requests", False)]
        assert alarm.queries[0].expression == "IF(errors >= 10, errors / requests, 0)"
        errors = alarm.queries[1].metric
        assert errors is not None
        assert (errors.namespace, errors.metric_name, errors.stat, errors.period) == ("AWS/ApiGateway", "5XXError",
                                                                                       "Sum", 3600)
        assert [(d.name, d.text) for d in errors.dimensions] == [
            ("ApiName", "orders-api"), ("Stage", "${OrdersApiDeploymentStageprod80C33D00}")]
        assert {orders.label(lid) for lid in errors.resources} == {"OrdersApi", "OrdersApi/DeploymentStage.prod"}
        assert (alarm.threshold, alarm.comparison, alarm.evaluation_periods, alarm.datapoints_to_alarm,
                alarm.treat_missing_data) == (0.0144, "GreaterThanOrEqualToThreshold", 1, None, "notBreaching")
        assert not alarm.notifies

    def test_members_state_impact_and_urgency_in_metadata_and_description(self, orders: Stack):
        """The SensibleAlarms metadata wins; the description's lines are parsed too."""
        alarm = _alarm(orders, "OrderQueueAlarms-MessageAge")
        assert alarm.metadata is not None
        assert alarm.metadata.signal == "message-age"
        assert (alarm.urgency, alarm.urgency_source) == ("HIGH", "metadata")
        assert alarm.fields.urgency == "HIGH"
        assert alarm.fields.runbook == "https://runbooks.example.com/orders/fulfilment"
        assert alarm.customer_impact
        assert alarm.customer_impact.startswith("Customers' requests queued on OrderQueue")

    def test_the_api_high_composite_rule_is_a_tree_of_member_logical_ids(self, orders: Stack):
        """A rule built with Fn::Join and Fn::GetAtt X.Arn resolves every member to its logical id: the
        HIGH notifier's confirmation, NOT of four burn-rate pairs, the route window and the 30 min slow
        share, AND NOT an outage member or its memory (three windows, three memories)."""
        high = _alarm(orders, "OrdersApiAlarms-HighUrgency")
        unconfirmed = _alarm(orders, "OrdersApiAlarms-HighUrgencyUnconfirmed")
        assert isinstance(high, CompositeAlarm)
        assert isinstance(unconfirmed, CompositeAlarm)
        assert high.actions_suppressor is not None
        assert high.actions_suppressor.logical_id == unconfirmed.logical_id
        assert isinstance(unconfirmed.rule, Not)
        confirmed = unconfirmed.rule.operand
        assert isinstance(confirmed, And)
        rule, no_outage = confirmed.operands
        assert isinstance(rule, Or)
        assert isinstance(no_outage, Not)
        assert isinstance(no_outage.operand, Or)
        assert len(no_outage.operand.operands) == 6
        pairs = [term for term in rule.operands if isinstance(term, And)]
        assert len(pairs) == 4
        assert all(all(isinstance(c, StateCheck) and c.state == "ALARM" for c in term.operands) for term in pairs)
        assert len(unconfirmed.members) == 16
        assert not unconfirmed.outside_members
        names = {a.logical_id: a.name for a in orders.alarms}
        assert rule_text(rule, lambda check: names[check.logical_id or ""]).startswith(
            '(ALARM("OrdersService-OrdersApiAlarms-Availability1h") AND '
            'ALARM("OrdersService-OrdersApiAlarms-Availability5m")) OR')
        assert high.notifies
        assert not unconfirmed.notifies
        assert [a.kind for a in high.alarm_actions] == ["sns"]

    def test_the_low_composite_is_suppressed_by_its_confirmation(self, orders: Stack):
        """ActionsSuppressor resolves to the LOW confirmation composite, with the wait and extension periods."""
        unconfirmed = _alarm(orders, "OrdersApiAlarms-LowUrgencyUnconfirmed")
        low = _alarm(orders, "OrdersApiAlarms-LowUrgency")
        assert isinstance(low, CompositeAlarm)
        assert low.actions_suppressor is not None
        assert low.actions_suppressor.logical_id == unconfirmed.logical_id
        assert (low.actions_suppressor.wait_period, low.actions_suppressor.extension_period) == (1800, 7200)
        assert low.urgency == "LOW"

    def test_topics_list_their_email_subscriptions(self, orders: Stack):
        """Each routing topic is read with the subscription the routing construct gave it."""
        assert sorted((orders.label(t.logical_id), [s.protocol for s in t.subscriptions]) for t in orders.topics) == [
            ("Routing/HighTopic", ["email"]), ("Routing/LowTopic", ["email"])]
