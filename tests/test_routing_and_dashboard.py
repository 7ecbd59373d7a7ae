"""AlarmRouting's targets (created or given topics, email, Slack) and the opt-in ServiceDashboard."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from cdk_support import resources_of, synth
from sensible_alarms import AlarmRouting, FreshnessSlo, QueueConsumerAlarms, ServiceDashboard, SlackChannel, Urgency


def _consumer(stack: cdk.Stack, routing: AlarmRouting, id: str = "Orders") -> QueueConsumerAlarms:
    dlq = sqs.Queue(stack, f"{id}Dlq")
    queue = sqs.Queue(stack, f"{id}Queue", dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dlq))
    return QueueConsumerAlarms(stack, id, queue=queue, routing=routing,
                               freshness=FreshnessSlo(max_age=cdk.Duration.minutes(10)))


class TestAlarmRouting:
    def test_a_slack_channel_subscribes_to_the_urgencies_it_names(self, stack: cdk.Stack):
        """A SlackChannel for HIGH only gets an AWS Chatbot configuration on the HIGH topic alone."""
        routing = AlarmRouting(stack, "Routing", slack=SlackChannel(
            workspace_id="T0123ABCD", channel_id="C0123ABCD", configuration_name="orders-oncall",
            urgencies=(Urgency.HIGH,)))
        _consumer(stack, routing)
        template = synth(stack)
        (config,) = resources_of(template, "AWS::Chatbot::SlackChannelConfiguration").values()
        high_topic = stack.resolve(routing.topic(Urgency.HIGH).topic_arn)
        assert config["Properties"]["SnsTopicArns"] == [high_topic]
        assert config["Properties"]["SlackChannelId"] == "C0123ABCD"

    def test_no_template_holds_a_webhook_or_token(self, stack: cdk.Stack):
        """Chat delivery goes through AWS Chatbot ids, so no webhook URL or token is ever synthesized."""
        routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"], slack=SlackChannel(
            workspace_id="T0123ABCD", channel_id="C0123ABCD", configuration_name="orders"))
        _consumer(stack, routing)
        text = json.dumps(synth(stack)).lower()
        for secret_marker in ("hooks.slack.com", "webhook", "xoxb-", "xoxp-", "token"):
            assert secret_marker not in text

    def test_given_topics_are_used_as_they_are(self, stack: cdk.Stack):
        """Existing topics receive the notifications; the routing then creates no topic and no key."""
        high = sns.Topic(stack, "PagerTopic")
        low = sns.Topic(stack, "TicketTopic")
        routing = AlarmRouting(stack, "Routing", high_topic=high, low_topic=low)
        consumer = _consumer(stack, routing)
        template = synth(stack)
        assert len(resources_of(template, "AWS::SNS::Topic")) == 2
        assert not resources_of(template, "AWS::KMS::Key")
        notifier = consumer.notifier_resources[Urgency.HIGH]
        assert isinstance(notifier, cdk.CfnResource)
        actions = stack.resolve(notifier.get_att("Arn"))  # the composite exists and resolves
        assert actions
        (composite,) = resources_of(template, "AWS::CloudWatch::CompositeAlarm").values()
        assert composite["Properties"]["AlarmActions"] == [stack.resolve(high.topic_arn)]


class TestServiceDashboard:
    def _widgets(self, template: dict[str, Any]) -> list[dict[str, Any]]:
        (dashboard,) = resources_of(template, "AWS::CloudWatch::Dashboard").values()
        body = dashboard["Properties"]["DashboardBody"]
        text = "".join(part if isinstance(part, str) else "X" for part in body["Fn::Join"][1])
        return json.loads(text)["widgets"]

    def test_one_line_shows_every_entrypoint_in_the_stack(self, stack: cdk.Stack):
        """With no arguments the dashboard has a title, a notification status and a signal graph per entrypoint."""
        routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
        _consumer(stack, routing, "Orders")
        _consumer(stack, routing, "Refunds")
        ServiceDashboard(stack, "Dashboard")
        widgets = self._widgets(synth(stack))
        titles = [w["properties"]["markdown"] for w in widgets if w["type"] == "text"]
        assert titles == ["### Orders", "### Refunds"]
        # Per consumer: the notification status, and message age and dead-letter arrivals against thresholds.
        assert [w["type"] for w in widgets].count("alarm") == 2
        graphs = [w for w in widgets if w["type"] == "metric"]
        assert len(graphs) == 2 * 2
        assert all(w["properties"]["annotations"]["alarms"] for w in graphs)

    def test_explicit_entrypoints_limit_what_is_shown(self, stack: cdk.Stack):
        """Passing entrypoints shows only those."""
        routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
        orders = _consumer(stack, routing, "Orders")
        _consumer(stack, routing, "Refunds")
        ServiceDashboard(stack, "Dashboard", entrypoints=[orders])
        titles = [w["properties"]["markdown"] for w in self._widgets(synth(stack)) if w["type"] == "text"]
        assert titles == ["### Orders"]
