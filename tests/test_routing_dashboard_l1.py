"""AlarmRouting's L1 resources and ServiceDashboard's Python-rendered body synthesize exactly as the
L2 constructs they replace (kms.Key, sns.Topic and its policy statements, EmailSubscription;
cw.Dashboard with its widgets), on what the examples lack: a stack with a concrete account and
Region, partition literals, passed-in topics, Slack, several addresses, wrapping rows, names with
quotes and non-ASCII text, a dashboard name, and the L2 dashboard built when it is read."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_chatbot as chatbot
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk_support import resources_of, synth
from sensible_alarms import (
    AlarmRouting,
    ApiAlarms,
    AvailabilitySlo,
    FreshnessSlo,
    LatencySlo,
    QueueConsumerAlarms,
    SensibleAlarmsError,
    ServiceDashboard,
    SlackChannel,
    Urgency,
)

_TOPIC_ACTIONS = (
    "sns:AddPermission", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic",
    "sns:Publish", "sns:RemovePermission", "sns:SetTopicAttributes", "sns:Subscribe",
)


class L2Routing(Construct):
    """The L2 AlarmRouting this library had before its L1 one (session 5): the reference."""

    def __init__(self, scope: Construct, id: str, *, high_topic: sns.ITopic | None = None,
                 low_topic: sns.ITopic | None = None, high_emails: Sequence[str] = (),
                 low_emails: Sequence[str] = (), slack: SlackChannel | None = None) -> None:
        super().__init__(scope, id)
        self._key: kms.Key | None = None
        topics: dict[Urgency, sns.ITopic] = {}
        for urgency, given, emails in ((Urgency.HIGH, high_topic, high_emails), (Urgency.LOW, low_topic, low_emails)):
            topic = given if given is not None else self._new_topic(urgency)
            for email in emails:
                topic.add_subscription(subscriptions.EmailSubscription(email))
            topics[urgency] = topic
        self.topics = topics
        if slack is not None:
            chatbot.SlackChannelConfiguration(
                self, "Slack", slack_channel_configuration_name=slack.configuration_name,
                slack_workspace_id=slack.workspace_id, slack_channel_id=slack.channel_id,
                notification_topics=[topics[u] for u in dict.fromkeys(slack.urgencies)],
                guardrail_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("ReadOnlyAccess")])

    def _new_topic(self, urgency: Urgency) -> sns.Topic:
        stack = cdk.Stack.of(self)
        if self._key is None:
            self._key = kms.Key(self, "TopicKey", description="Encrypts the sensible_alarms notification topics",
                                enable_key_rotation=True)
            self._key.add_to_resource_policy(iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToUseTheKey", principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"], resources=["*"]))
        topic = sns.Topic(self, f"{urgency.value.title()}Topic", display_name=f"sensible_alarms {urgency.value} "
                          "notifications", master_key=self._key, enforce_ssl=False)
        alarm_arns = stack.format_arn(service="cloudwatch", resource="alarm", resource_name="*",
                                      arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)
        topic.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowPublishByCloudWatchAlarmsOfThisAccount",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"], resources=[topic.topic_arn],
            conditions={"StringEquals": {"aws:SourceAccount": stack.account},
                        "ArnLike": {"aws:SourceArn": alarm_arns}}))
        for sid, condition in (
            ("DenyPublishByAnyoneButCloudWatch",
             {"StringNotEquals": {"aws:PrincipalServiceName": "cloudwatch.amazonaws.com"}}),
            ("DenyPublishOnBehalfOfOtherAccounts", {"StringNotEquals": {"aws:SourceAccount": stack.account}}),
            ("DenyPublishForAnythingButAlarms", {"ArnNotLike": {"aws:SourceArn": alarm_arns}}),
        ):
            topic.add_to_resource_policy(iam.PolicyStatement(
                sid=sid, effect=iam.Effect.DENY, principals=[iam.AnyPrincipal()], actions=["sns:Publish"],
                resources=[topic.topic_arn], conditions=condition))
        topic.add_to_resource_policy(iam.PolicyStatement(
            sid="DenyAnyRequestWithoutTls", effect=iam.Effect.DENY, principals=[iam.AnyPrincipal()],
            actions=list(_TOPIC_ACTIONS), resources=[topic.topic_arn],
            conditions={"Bool": {"aws:SecureTransport": "false"}}))
        return topic


def _text(template: dict[str, Any]) -> str:
    """The template as the CLI writes it: key order included, so equal text is a byte-identical file."""
    return json.dumps(template, indent=1)


def _twin_stacks(context: dict[str, Any] | None = None,
                 env: cdk.Environment | None = None) -> tuple[cdk.Stack, cdk.Stack]:
    """Two stacks of the same name in two apps: the one with the L2, the one with the L1."""
    return tuple(cdk.Stack(cdk.App(context=dict(context or {})), "Service", env=env)  # type: ignore[return-value]
                 for _ in range(2))


_ENV = cdk.Environment(account="123456789012", region="eu-west-1")
_SLACK = SlackChannel(workspace_id="T0123ABCD", channel_id="C0123ABCD", configuration_name="orders")


@pytest.mark.parametrize(("env", "context"), [
    (None, None),
    (_ENV, None),
    (cdk.Environment(account="123456789012", region="cn-north-1"), {"@aws-cdk/core:enablePartitionLiterals": True}),
], ids=["env-agnostic", "concrete-env", "partition-literal"])
@pytest.mark.parametrize("case", ["emails", "given-high-topic", "slack-high-only", "slack-and-given-low"])
def test_routing_synthesizes_as_the_l2_it_replaces(env: cdk.Environment | None, context: dict[str, Any] | None,
                                                   case: str) -> None:
    """Key, topics, policies, subscriptions and Slack configuration are the L2's, byte for byte."""
    l2_stack, l1_stack = _twin_stacks(context, env)

    def build(stack: cdk.Stack, routing: Callable[..., Construct]) -> None:
        kwargs: dict[str, Any] = {"high_emails": ["oncall@example.com", "pager+1@example.co.uk"],
                                  "low_emails": ["team@example.com"]}
        if case == "given-high-topic":
            kwargs["high_topic"] = sns.Topic(stack, "Pager")
        elif case == "slack-high-only":
            kwargs = {"slack": SlackChannel(workspace_id="T0123ABCD", channel_id="C0123ABCD",
                                            configuration_name="orders", urgencies=(Urgency.HIGH,))}
        elif case == "slack-and-given-low":
            kwargs = {"low_topic": sns.Topic.from_topic_arn(stack, "Tickets", "arn:aws:sns:eu-west-1:123456789012:t"),
                      "high_emails": ["oncall@example.com"], "slack": _SLACK}
        routing(stack, "Routing", **kwargs)

    build(l2_stack, L2Routing)
    build(l1_stack, AlarmRouting)
    l2, l1 = synth(l2_stack), synth(l1_stack)
    assert resources_of(l1, "AWS::SNS::TopicPolicy" if case != "slack-and-given-low" else "AWS::SNS::Subscription")
    assert _text(l1) == _text(l2)


def test_typed_handles_name_the_created_resources(stack: cdk.Stack) -> None:
    """topic() and key are ITopic / IKey handles on the created topic and key; topic_arn() is the topic's Ref."""
    routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
    template = synth(stack)
    [high_id] = [lid for lid in resources_of(template, "AWS::SNS::Topic") if lid.startswith("RoutingHighTopic")]
    [key_id] = resources_of(template, "AWS::KMS::Key")
    assert stack.resolve(routing.topic(Urgency.HIGH).topic_arn) == {"Ref": high_id}
    assert stack.resolve(routing.topic_arn(Urgency.HIGH)) == {"Ref": high_id}
    assert routing.topic(Urgency.HIGH) is routing.topic(Urgency.HIGH)
    assert routing.key is not None
    assert stack.resolve(routing.key.key_arn) == {"Fn::GetAtt": [key_id, "Arn"]}


def test_a_statement_added_through_the_topic_handle_lands_in_the_topic_policy() -> None:
    """add_to_resource_policy on topic() appends to the construct's topic policy, as on the L2 topic."""
    l2_stack, l1_stack = _twin_stacks(env=_ENV)
    for routing in (L2Routing(l2_stack, "Routing", high_emails=["oncall@example.com"]),
                    AlarmRouting(l1_stack, "Routing", high_emails=["oncall@example.com"])):
        topic = routing.topics[Urgency.HIGH] if isinstance(routing, L2Routing) else routing.topic(Urgency.HIGH)
        statement = iam.PolicyStatement(sid="OpsAccountSubscribes", actions=["sns:Subscribe"],
                                        principals=[iam.AccountPrincipal("210987654321")], resources=[topic.topic_arn])
        result = topic.add_to_resource_policy(statement)
        assert result.statement_added
        # Added after the call, as a PolicyDocument would still render it.
        statement.add_actions("sns:GetTopicAttributes")
    l2, l1 = synth(l2_stack), synth(l1_stack)
    [policy] = [r for lid, r in resources_of(l1, "AWS::SNS::TopicPolicy").items() if lid.startswith("RoutingHigh")]
    assert policy["Properties"]["PolicyDocument"]["Statement"][-1]["Sid"] == "OpsAccountSubscribes"
    assert _text(l1) == _text(l2)


@pytest.mark.parametrize("how", ["grant_publish", "allow-publish-statement", "allow-everything-statement"])
def test_a_publish_grant_on_the_topic_handle_is_refused(stack: cdk.Stack, how: str) -> None:
    """A grant or statement allowing publish, which the topic's explicit denies would void, is a clear error."""
    routing = AlarmRouting(stack, "Routing", low_emails=["team@example.com"])
    topic = routing.topic(Urgency.LOW)
    def attempt() -> None:
        if how == "grant_publish":
            topic.grant_publish(iam.ServicePrincipal("events.amazonaws.com"))
        else:
            topic.add_to_resource_policy(iam.PolicyStatement(
                actions=["sns:Publish"] if how == "allow-publish-statement" else ["*"],
                principals=[iam.AccountPrincipal("210987654321")], resources=[topic.topic_arn]))

    with pytest.raises(SensibleAlarmsError, match=r"Routing: the LOW topic accepts only CloudWatch alarms") as err:
        attempt()
    assert err.value.prop == "topic"


def test_a_given_topic_is_returned_as_it_is(stack: cdk.Stack) -> None:
    """A topic passed in is what topic() returns, and topic_arn() is its ARN; no key is created."""
    pager = sns.Topic(stack, "Pager")
    routing = AlarmRouting(stack, "Routing", high_topic=pager, low_emails=["team@example.com"])
    assert routing.topic(Urgency.HIGH) is pager
    assert stack.resolve(routing.topic_arn(Urgency.HIGH)) == stack.resolve(pager.topic_arn)
    given_only = AlarmRouting(stack, "Given", high_topic=pager, low_topic=pager)
    assert given_only.key is None


# -- ServiceDashboard ---------------------------------------------------------------------------------


def _service(stack: cdk.Stack, *, api_id: str = "OrdersApi", queue_id: str = "Orders") -> list[Construct]:
    routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
    handler = lambda_.Function(stack, "Handler", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                               code=lambda_.Code.from_inline("def handler(event, context): pass"))
    api = apigw.LambdaRestApi(stack, "Api", handler=handler)
    api_alarms = ApiAlarms(stack, api_id, api=api, routing=routing,
                           availability=AvailabilitySlo(target=99.9, tickets=True),
                           latency=LatencySlo(threshold=cdk.Duration.millis(800), target=99.0))
    dlq = sqs.Queue(stack, "Dlq")
    queue = sqs.Queue(stack, "Queue", dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dlq))
    consumer = QueueConsumerAlarms(stack, queue_id, queue=queue, routing=routing,
                                   freshness=FreshnessSlo(max_age=cdk.Duration.minutes(10)))
    return [api_alarms, consumer]


@pytest.mark.parametrize(("ids", "name"), [
    (("OrdersApi", "Orders"), None),
    (('Caf\u00e9 "Orders" \\ API', "\u6ce8\u6587-Queue"), "orders-dash_1"),
], ids=["plain", "quotes-backslash-non-ascii-and-a-name"])
def test_the_dashboard_body_is_the_l2s(ids: tuple[str, str], name: str | None) -> None:
    """The CfnDashboard's body and name are what cw.Dashboard renders for the same widgets, byte for byte:
    two entrypoints, a row of 8 widgets that wraps at 24 columns, titles needing JSON escapes."""
    l2_stack, l1_stack = _twin_stacks()
    for stack in (l2_stack, l1_stack):
        _service(stack, api_id=ids[0], queue_id=ids[1])
    ServiceDashboard(l2_stack, "Dashboard", dashboard_name=name).dashboard  # noqa: B018 - builds the L2
    ServiceDashboard(l1_stack, "Dashboard", dashboard_name=name)
    l2, l1 = synth(l2_stack), synth(l1_stack)
    (dashboard,) = resources_of(l1, "AWS::CloudWatch::Dashboard").values()
    body = "".join(p if isinstance(p, str) else "x" for p in dashboard["Properties"]["DashboardBody"]["Fn::Join"][1])
    assert len(json.loads(body)["widgets"]) > 1 + 4 + 1  # the API's row wraps
    assert _text(l1) == _text(l2)


def test_reading_dashboard_gives_the_l2_in_place_of_the_l1(stack: cdk.Stack) -> None:
    """`dashboard` is a cw.Dashboard that replaces the CfnDashboard: one dashboard resource, widgets addable."""
    _service(stack)
    service_dashboard = ServiceDashboard(stack, "Dashboard")
    dashboard = service_dashboard.dashboard
    assert isinstance(dashboard, cdk.aws_cloudwatch.Dashboard)
    assert service_dashboard.dashboard is dashboard
    dashboard.add_widgets(cdk.aws_cloudwatch.TextWidget(markdown="mine", width=24, height=2))
    (resource,) = resources_of(synth(stack), "AWS::CloudWatch::Dashboard").values()
    assert '"markdown":"mine"' in "".join(p for p in resource["Properties"]["DashboardBody"]["Fn::Join"][1]
                                          if isinstance(p, str))


@pytest.mark.parametrize("name", ["orders dashboard", "caf\u00e9", "a/b", ""])
def test_a_dashboard_name_cloudwatch_refuses_is_an_error(stack: cdk.Stack, name: str) -> None:
    """A dashboard name with characters other than A-Z a-z 0-9 - _ raises, naming the field and value."""
    _service(stack)
    with pytest.raises(SensibleAlarmsError, match="'dashboard_name' can only contain"):
        ServiceDashboard(stack, "Dashboard", dashboard_name=name)
