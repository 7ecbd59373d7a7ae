"""Each rule on small hand-written templates: a compliant case and a non-compliant case per reason,
in the manner of cdk-nag's rule tests."""

from __future__ import annotations

from typing import Any

import pytest
from policy_templates import (
    GOOD_DESCRIPTION,
    api_errors_alarm,
    arn,
    composite,
    function,
    lambda_alarm,
    mapping,
    metric_alarm,
    queue,
    ref,
    run,
    shop,
    suppressed,
    topic,
)

from sensible_alarms.policy.rules import (
    dead_letter_queue,
    duplicate_notification,
    per_resource_noise,
    uncovered_entrypoint,
    unexplained_alarm,
)


def _ids(report) -> list[str]:
    return [f.logical_id for f in report.findings]


class TestUncoveredEntrypoint:
    RULE = uncovered_entrypoint.RULE

    def test_compliant_an_api_whose_5xx_alarm_notifies(self):
        """An alarm on the API's server errors that notifies covers the API."""
        assert run(self.RULE, shop(ApiErrors=api_errors_alarm())).ok

    def test_compliant_an_api_covered_through_a_notifying_composite(self):
        """A member without actions, read by a composite that notifies, covers the API."""
        template = shop(ApiErrors=api_errors_alarm(actions=(), description=None), Notify=composite("ApiErrors"))
        assert run(self.RULE, template).ok

    @staticmethod
    def _bus_rule(bus: Any, *dimensions: str) -> dict:
        """A Lambda behind a rule on ``bus``, and a notifying alarm on the rule's FailedInvocations
        with the given dimensions."""
        values = {"RuleName": ref("Chargebacks"), "EventBusName": "payments"}
        rule = {"Type": "AWS::Events::Rule", "Properties": {
            "EventPattern": {"source": ["payments"]}, "Targets": [{"Id": "t", "Arn": arn("Charge")}],
            **({"EventBusName": bus} if bus is not None else {})}}
        return {"Resources": {"Topic": topic(), "Charge": function(), "Chargebacks": rule,
                              "Failed": metric_alarm("AWS/Events", "FailedInvocations",
                                                     {d: values[d] for d in dimensions})}}

    @pytest.mark.parametrize("bus", [None, "default"], ids=["no bus named", "the default bus by name"])
    def test_compliant_a_rule_on_the_default_bus_alarmed_by_its_rule_name(self, bus):
        """On the default bus EventBridge names a rule's metrics by RuleName alone: that alarm covers it."""
        assert run(self.RULE, self._bus_rule(bus, "RuleName")).ok

    def test_compliant_a_rule_on_a_custom_bus_alarmed_by_bus_and_rule_name(self):
        """On a custom bus the metrics carry EventBusName and RuleName: an alarm naming both covers the rule."""
        assert run(self.RULE, self._bus_rule(ref("Bus"), "EventBusName", "RuleName")).ok

    def test_non_compliant_a_rule_on_a_custom_bus_alarmed_by_its_rule_name_alone(self):
        """RuleName alone is the default bus's rule of that name: the alarm never sees this rule's failures,
        so the consumer is reported uncovered instead of passing on an alarm that cannot fire."""
        report = run(self.RULE, self._bus_rule(ref("Bus"), "RuleName"))
        assert _ids(report) == ["Chargebacks"]

    def test_non_compliant_an_api_without_alarms(self):
        """A REST API stage with no alarm at all is reported at its stage, named in words."""
        report = run(self.RULE, shop())
        assert _ids(report) == ["ApiStage"]
        assert "REST API shop-api, stage prod has no alarm that notifies" in report.findings[0].message
        assert "ApiAlarms(" in report.findings[0].message

    def test_non_compliant_an_api_whose_only_notifying_alarm_is_on_its_function(self):
        """Per-resource alarms of the function behind the API do not cover it, and the message says so."""
        report = run(self.RULE, shop(CheckoutErrors=lambda_alarm("Checkout")))
        assert _ids(report) == ["ApiStage"]
        assert "Only per-resource alarms of what sits behind it notify (CheckoutErrors)" in report.findings[0].message

    def test_non_compliant_an_api_alarm_whose_actions_are_disabled(self):
        """An alarm on the right signal that notifies no one does not cover the API."""
        report = run(self.RULE, shop(ApiErrors=api_errors_alarm(enabled=False)))
        assert _ids(report) == ["ApiStage"]

    def test_non_compliant_an_alarm_on_another_stage_of_the_same_api(self):
        """The 5xx alarm of stage 'test' does not cover stage 'prod'."""
        alarm = metric_alarm("AWS/ApiGateway", "5XXError", {"ApiName": "shop-api", "Stage": "test"})
        assert _ids(run(self.RULE, shop(TestStageErrors=alarm))) == ["ApiStage"]

    @pytest.mark.parametrize(("resources", "primary"), [
        pytest.param({"Orders": queue(), "Fulfil": function(), "Mapping": mapping(arn("Orders"), "Fulfil")},
                     "Mapping", id="an SQS queue consumer"),
        pytest.param({"Events": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}},
                      "Project": function(),
                      "Mapping": mapping(arn("Events"), "Project", StartingPosition="LATEST")},
                     "Mapping", id="a Kinesis stream consumer"),
        pytest.param({"Report": function(), "Nightly": {"Type": "AWS::Scheduler::Schedule", "Properties": {
                          "ScheduleExpression": "cron(0 2 * * ? *)", "FlexibleTimeWindow": {"Mode": "OFF"},
                          "Target": {"Arn": arn("Report"), "RoleArn": "arn:aws:iam::123456789012:role/x"}}}},
                     "Nightly", id="an EventBridge Scheduler schedule"),
        pytest.param({"Handle": function(), "OnOrder": {"Type": "AWS::Events::Rule", "Properties": {
                          "EventPattern": {"source": ["shop"]}, "Targets": [{"Id": "1", "Arn": arn("Handle")}]}}},
                     "OnOrder", id="an EventBridge rule consumer"),
    ])
    def test_non_compliant_every_kind_of_entrypoint_without_alarms(self, resources, primary):
        """Each kind of entrypoint without a notifying customer-impact alarm is reported at its primary resource."""
        report = run(self.RULE, {"Resources": {"Topic": topic(), **resources}})
        assert _ids(report) == [primary]

    def test_compliant_a_queue_consumer_whose_message_age_alarm_notifies(self):
        """The age of the oldest message of the consumed queue is the queue consumer's customer signal."""
        template = {"Resources": {
            "Topic": topic(), "Orders": queue(), "Fulfil": function(), "Mapping": mapping(arn("Orders"), "Fulfil"),
            "Age": metric_alarm("AWS/SQS", "ApproximateAgeOfOldestMessage",
                                {"QueueName": {"Fn::GetAtt": ["Orders", "QueueName"]}}, stat="Maximum"),
        }}
        assert run(self.RULE, template).ok

    def test_a_suppression_with_a_reason_lists_the_finding_as_suppressed(self):
        """A suppression on the API resource switches the finding off and keeps its reason."""
        template = shop()
        template["Resources"]["Api"] = suppressed(template["Resources"]["Api"], "uncovered-entrypoint",
                                                  "internal API, alarmed by the platform team")
        report = run(self.RULE, template)
        assert report.ok
        assert [f.suppressed_reason for f in report.suppressed] == ["internal API, alarmed by the platform team"]

    def test_a_suppression_without_a_reason_is_not_honoured(self):
        """An empty reason does not suppress anything."""
        template = shop()
        template["Resources"]["Api"] = suppressed(template["Resources"]["Api"], "uncovered-entrypoint", "  ")
        assert not run(self.RULE, template).ok


class TestPerResourceNoise:
    RULE = per_resource_noise.RULE

    def test_compliant_a_notifying_alarm_on_the_api_over_three_datapoints(self):
        """The API's own 5xx signal over several datapoints is not noise."""
        assert run(self.RULE, shop(ApiErrors=api_errors_alarm())).ok

    def test_compliant_a_function_alarm_that_notifies_no_one(self):
        """Without actions, an alarm on a function is a dashboard signal, not noise."""
        assert run(self.RULE, shop(CheckoutErrors=lambda_alarm("Checkout", actions=()))).ok

    def test_compliant_a_function_alarm_needed_together_with_another_in_a_composite(self):
        """A member that cannot put the composite into ALARM on its own is not a notification path."""
        template = shop(CheckoutErrors=lambda_alarm("Checkout", actions=()), ApiErrors=api_errors_alarm(actions=()),
                        Both=composite("CheckoutErrors", "ApiErrors", operator="AND"))
        assert run(self.RULE, template).ok

    @pytest.mark.parametrize("metric", ["Throttles", "Duration", "ConcurrentExecutions", "Errors"])
    def test_non_compliant_a_notifying_alarm_on_the_function_behind_the_api(self, metric):
        """Lambda metrics of a function behind an entrypoint are internal signals."""
        report = run(self.RULE, shop(CheckoutAlarm=lambda_alarm("Checkout", metric)))
        assert _ids(report) == ["CheckoutAlarm"]
        assert f"{metric} of the Lambda function Checkout, an internal signal of a component behind REST API " \
               "shop-api, stage prod" in report.findings[0].message

    def test_non_compliant_a_table_the_function_uses_through_its_role(self):
        """A table named in the function's IAM policy is a component of the API; its throttles are internal."""
        template = shop(
            Role={"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
            Policy={"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": [ref("Role")],
                    "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "dynamodb:*",
                                                      "Resource": arn("Carts")}]}}},
            Carts={"Type": "AWS::DynamoDB::Table", "Properties": {}},
            Throttled=metric_alarm("AWS/DynamoDB", "ThrottledRequests", {"TableName": ref("Carts")}),
        )
        template["Resources"]["Checkout"] = function(role="Role")
        report = run(self.RULE, template)
        assert _ids(report) == ["Throttled"]
        assert "ThrottledRequests of the DynamoDB table Carts" in report.findings[0].message

    def test_non_compliant_a_single_datapoint_alarm_on_the_api_error_count(self):
        """One 5xx in one minute notifying someone is noise even on the entrypoint's own signal."""
        report = run(self.RULE, shop(ApiErrors=api_errors_alarm(threshold=0, evaluation_periods=1)))
        assert _ids(report) == ["ApiErrors"]
        assert "a single datapoint of an error count (5XXError > 0 in 1 of 1 datapoints x 60 s)" \
               in report.findings[0].message

    def test_non_compliant_a_function_alarm_that_notifies_through_a_composite(self):
        """An internal signal that alone triggers a notifying composite is reported, naming the composite."""
        template = shop(CheckoutErrors=lambda_alarm("Checkout", actions=()), ApiErrors=api_errors_alarm(actions=()),
                        Either=composite("CheckoutErrors", "ApiErrors"))
        report = run(self.RULE, template)
        assert _ids(report) == ["CheckoutErrors"]
        assert "through the composite Either" in report.findings[0].message


class TestDuplicateNotification:
    RULE = duplicate_notification.RULE

    def test_compliant_one_notifying_composite_for_the_api(self):
        """Members without actions and one composite that notifies: one notification per failure."""
        template = shop(CheckoutErrors=lambda_alarm("Checkout", actions=()), ApiErrors=api_errors_alarm(actions=()),
                        Either=composite("CheckoutErrors", "ApiErrors"))
        assert run(self.RULE, template).ok

    def test_compliant_high_and_low_composites_when_high_suppresses_low(self):
        """A LOW composite whose ActionsSuppressor is the HIGH one is deduplicated already."""
        template = shop(ApiErrors=api_errors_alarm(actions=()), ApiSlow=api_errors_alarm(actions=()),
                        High=composite("ApiErrors"), Low=composite("ApiSlow", suppressor="High"))
        assert run(self.RULE, template).ok

    def test_compliant_an_api_writing_to_a_queue_another_entrypoint_consumes(self):
        """The queue is a component of the API, but its consumer's age alarm concerns the consumer, not the API."""
        template = shop(
            ApiErrors=api_errors_alarm(),
            Role={"Type": "AWS::IAM::Role", "Properties": {}},
            Policy={"Type": "AWS::IAM::Policy", "Properties": {"Roles": [ref("Role")], "PolicyDocument": {
                "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn("Orders")}]}}},
            Orders=queue(), Fulfil=function(), Mapping=mapping(arn("Orders"), "Fulfil"),
            OrdersAge=metric_alarm("AWS/SQS", "ApproximateAgeOfOldestMessage",
                                   {"QueueName": {"Fn::GetAtt": ["Orders", "QueueName"]}}, stat="Maximum"),
        )
        template["Resources"]["Checkout"] = function(role="Role")
        assert run(self.RULE, template).ok

    def test_non_compliant_the_api_5xx_alarm_and_its_function_errors_alarm(self):
        """The function's Errors alarm repeats the API's 5xx notification; the finding names the composite to use."""
        report = run(self.RULE, shop(ApiErrors=api_errors_alarm(), CheckoutErrors=lambda_alarm("Checkout")))
        assert _ids(report) == ["CheckoutErrors"]
        message = report.findings[0].message
        assert "CheckoutErrors notifies for the same failure of REST API shop-api, stage prod as ApiErrors" in message
        assert 'a composite alarm with the rule ALARM("ApiErrors") OR ALARM("CheckoutErrors") carries the actions' \
               in message
        assert report.findings[0].related == ("ApiErrors",)

    def test_non_compliant_high_and_low_composites_without_a_suppressor(self):
        """Two composites for one entrypoint without an actions suppressor notify twice for one failure."""
        template = shop(ApiErrors=api_errors_alarm(actions=()), ApiSlow=api_errors_alarm(actions=()),
                        High=composite("ApiErrors"), Low=composite("ApiSlow"))
        assert _ids(run(self.RULE, template)) == ["Low"]


class TestUnexplainedAlarm:
    RULE = unexplained_alarm.RULE

    def test_compliant_a_notifying_alarm_that_states_impact_and_urgency(self):
        """The description's Customer impact and Urgency lines explain the alarm."""
        assert run(self.RULE, shop(ApiErrors=api_errors_alarm())).ok

    def test_compliant_a_member_explained_by_its_composite(self):
        """A member without description or actions is explained by the composite that notifies."""
        template = shop(ApiErrors=api_errors_alarm(actions=(), description=None), Notify=composite("ApiErrors"))
        assert run(self.RULE, template).ok

    def test_compliant_an_alarm_with_the_library_metadata_only(self):
        """The SensibleAlarms metadata states impact and urgency as well as a description does."""
        metadata = {"SensibleAlarms": {
            "version": 1, "entrypoint": "Shop/ApiAlarms", "entrypointKind": "api", "role": "notifier",
            "urgency": "HIGH", "signal": "notification", "slo": "99.9%", "customerImpact": "Shoppers cannot pay."}}
        assert run(self.RULE, shop(ApiErrors=api_errors_alarm(description=None, metadata=metadata))).ok

    def test_non_compliant_a_notifying_alarm_without_a_description(self):
        """An alarm that notifies without saying what customers feel is reported."""
        report = run(self.RULE, shop(ApiErrors=api_errors_alarm(description=None)))
        assert _ids(report) == ["ApiErrors"]
        assert "does not state the customer impact" in report.findings[0].message

    def test_non_compliant_an_urgency_other_than_high_or_low(self):
        """'Urgency: CRITICAL' is not one of the two urgencies."""
        description = GOOD_DESCRIPTION.replace("Urgency: HIGH", "Urgency: CRITICAL")
        report = run(self.RULE, shop(ApiErrors=api_errors_alarm(description=description)))
        assert "an urgency of HIGH or LOW (it says 'CRITICAL')" in report.findings[0].message

    def test_non_compliant_an_alarm_without_actions_outside_any_composite(self):
        """An alarm that notifies no one and feeds no composite is reported as such."""
        report = run(self.RULE, shop(ApiErrors=api_errors_alarm(actions=())))
        assert "notifies no one (it has no alarm action) and belongs to no composite alarm" \
               in report.findings[0].message

    def test_non_compliant_an_alarm_whose_actions_are_disabled(self):
        """Disabled actions notify no one either."""
        report = run(self.RULE, shop(ApiErrors=api_errors_alarm(enabled=False)))
        assert "notifies no one (its actions are disabled)" in report.findings[0].message


def _consumer(**resources) -> dict:
    return {"Resources": {"Topic": topic(), "Fulfil": function(), "Mapping": mapping(arn("Orders"), "Fulfil"),
                          **resources}}


def _dead_letter_alarm(queue_id: str, **options) -> dict:
    return metric_alarm("AWS/SQS", "ApproximateNumberOfMessagesVisible",
                        {"QueueName": {"Fn::GetAtt": [queue_id, "QueueName"]}}, stat="Maximum", threshold=0, **options)


class TestDeadLetterQueue:
    RULE = dead_letter_queue.RULE

    def test_compliant_a_consumer_whose_dead_letter_queue_is_watched(self):
        """A redrive DLQ with a notifying alarm on it is what the rule asks for."""
        template = _consumer(Orders=queue("OrdersDlq"), OrdersDlq=queue(), DlqAlarm=_dead_letter_alarm("OrdersDlq"))
        assert run(self.RULE, template).ok

    def test_compliant_a_consumer_of_an_imported_queue(self):
        """A queue outside the template cannot be judged; no finding."""
        template = {"Resources": {"Fulfil": function(), "Mapping": mapping(
            "arn:aws:sqs:eu-west-1:123456789012:orders", "Fulfil")}}
        assert run(self.RULE, template).ok

    def test_non_compliant_a_consumer_without_a_dead_letter_queue(self):
        """A consumed queue without redrive policy loses messages that keep failing."""
        report = run(self.RULE, _consumer(Orders=queue()))
        assert _ids(report) == ["Orders"]
        assert "the queue has no dead-letter queue" in report.findings[0].message

    def test_non_compliant_a_dead_letter_queue_without_an_alarm(self):
        """A DLQ nobody watches keeps customers' failed work where nobody looks."""
        report = run(self.RULE, _consumer(Orders=queue("OrdersDlq"), OrdersDlq=queue()))
        assert _ids(report) == ["OrdersDlq"]
        assert "The SQS queue OrdersDlq receives messages of the queue Orders that failed every receive, and no " \
               "alarm that notifies watches it" in report.findings[0].message

    def test_non_compliant_a_dead_letter_queue_whose_alarm_notifies_no_one(self):
        """An alarm on the DLQ that has no actions and feeds no composite does not tell anyone."""
        template = _consumer(Orders=queue("OrdersDlq"), OrdersDlq=queue(),
                             DlqAlarm=_dead_letter_alarm("OrdersDlq", actions=()))
        assert _ids(run(self.RULE, template)) == ["OrdersDlq"]

    def test_non_compliant_a_stream_failure_destination_without_an_alarm(self):
        """Records sent to a stream mapping's on-failure destination are lost work nobody is told about."""
        template = {"Resources": {
            "Events": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}}, "Project": function(),
            "Failed": queue(),
            "Mapping": mapping(arn("Events"), "Project", StartingPosition="LATEST",
                               DestinationConfig={"OnFailure": {"Destination": arn("Failed")}}),
        }}
        report = run(self.RULE, template)
        assert _ids(report) == ["Failed"]
        assert "records the event source mapping" in report.findings[0].message
