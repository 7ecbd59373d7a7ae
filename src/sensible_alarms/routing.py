"""Where notifications go, by urgency: SNS topics, email, and an optional Slack channel."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import aws_cdk as cdk
from aws_cdk import aws_chatbot as chatbot
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from .errors import SensibleAlarmsError
from .urgency import Urgency

__all__ = ["AlarmRouting", "SlackChannel"]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


#: The actions a topic policy can name: all of them are denied without TLS.
_TOPIC_ACTIONS = (
    "sns:AddPermission", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic",
    "sns:Publish", "sns:RemovePermission", "sns:SetTopicAttributes", "sns:Subscribe",
)


@dataclass(frozen=True)
class SlackChannel:
    """An AWS Chatbot Slack channel that receives notifications of the given urgencies.

    The workspace must already be authorized in the AWS Chatbot console; its ids are not secrets.

    :param workspace_id: Slack workspace (team) id, e.g. ``T0123ABCD``.
    :param channel_id: Slack channel id, e.g. ``C0123ABCD``.
    :param configuration_name: name of the Chatbot channel configuration.
    :param urgencies: which urgencies post to the channel. Default: HIGH and LOW.
    """

    workspace_id: str
    channel_id: str
    configuration_name: str
    urgencies: tuple[Urgency, ...] = field(default=(Urgency.HIGH, Urgency.LOW))

    def __post_init__(self) -> None:
        for prop in ("workspace_id", "channel_id", "configuration_name"):
            value = getattr(self, prop)
            if not isinstance(value, str) or not value.strip():
                raise SensibleAlarmsError(f"'{prop}' of SlackChannel must be a non-empty string (got {value!r})",
                                          prop=prop, value=value)
        if not self.urgencies or not all(isinstance(u, Urgency) for u in self.urgencies):
            raise SensibleAlarmsError(
                f"'urgencies' of SlackChannel must name at least one Urgency (got {self.urgencies!r})",
                prop="urgencies", value=self.urgencies,
            )


class AlarmRouting(Construct):
    """One SNS topic per urgency, and who is told through it.

    Topics it creates are encrypted with a customer-managed KMS key (rotation on) whose policy lets
    CloudWatch use it; their policy allows publishing only by CloudWatch alarms of this account,
    explicitly denies every other publisher (other services, IAM principals, CloudWatch of other
    accounts or for anything but an alarm) and denies every request made without TLS. Topics passed
    in are used as they are. At least one recipient is required: an email, a Slack channel, or a topic
    passed in (which may have subscribers of its own).

    :param high_topic: an existing topic for HIGH notifications. Default: a new encrypted topic.
    :param low_topic: an existing topic for LOW notifications. Default: a new encrypted topic.
    :param high_emails: email addresses subscribed to the HIGH topic. Default: none.
    :param low_emails: email addresses subscribed to the LOW topic. Default: none.
    :param slack: an AWS Chatbot Slack channel. Default: no chat delivery.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        high_topic: sns.ITopic | None = None,
        low_topic: sns.ITopic | None = None,
        high_emails: Sequence[str] = (),
        low_emails: Sequence[str] = (),
        slack: SlackChannel | None = None,
    ) -> None:
        super().__init__(scope, id)
        path = self.node.path
        for prop, emails in (("high_emails", high_emails), ("low_emails", low_emails)):
            if isinstance(emails, str):
                raise SensibleAlarmsError(f"'{prop}' must be a list of addresses, not one string (got {emails!r})",
                                          path=path, prop=prop, value=emails)
            if not isinstance(emails, Iterable):
                raise SensibleAlarmsError(f"'{prop}' must be a list of addresses (got {emails!r})",
                                          path=path, prop=prop, value=emails)
            for email in emails:
                if not cdk.Token.is_unresolved(email) and not _EMAIL.fullmatch(str(email)):
                    raise SensibleAlarmsError(f"'{prop}' must hold email addresses such as oncall@example.com; it "
                                              f"holds an invalid email address (got {email!r})",
                                              path=path, prop=prop, value=email)
        if slack is not None and not isinstance(slack, SlackChannel):
            raise SensibleAlarmsError(f"'slack' must be a SlackChannel (got {slack!r})",
                                      path=path, prop="slack", value=slack)
        if high_topic is None and low_topic is None and not high_emails and not low_emails and slack is None:
            # Topics passed in are used as they are (they may have subscribers of their own); topics this
            # construct creates reach only the emails and the Slack channel given here.
            raise SensibleAlarmsError(
                "AlarmRouting notifies no one: 'high_emails', 'low_emails' and 'slack' must name at least one "
                "recipient, or 'high_topic'/'low_topic' pass in a topic of your own "
                "(got no email, no Slack channel and no topic)",
                path=path, prop="high_emails", value=None)

        self._key: kms.Key | None = None
        self._topics: dict[Urgency, sns.ITopic] = {}
        for urgency, given, emails in ((Urgency.HIGH, high_topic, high_emails),
                                       (Urgency.LOW, low_topic, low_emails)):
            topic = given if given is not None else self._new_topic(urgency)
            for email in emails:
                topic.add_subscription(subscriptions.EmailSubscription(email))
            self._topics[urgency] = topic

        if slack is not None:
            chatbot.SlackChannelConfiguration(
                self, "Slack",
                slack_channel_configuration_name=slack.configuration_name,
                slack_workspace_id=slack.workspace_id,
                slack_channel_id=slack.channel_id,
                notification_topics=[self._topics[u] for u in dict.fromkeys(slack.urgencies)],
                # Notifications only: the channel cannot run commands against the account.
                guardrail_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("ReadOnlyAccess")],
            )

    def topic(self, urgency: Urgency) -> sns.ITopic:
        """The topic that notifications of `urgency` are published to."""
        return self._topics[urgency]

    @property
    def key(self) -> kms.IKey | None:
        """The KMS key of the topics this construct created, if it created any."""
        return self._key

    def _new_topic(self, urgency: Urgency) -> sns.Topic:
        stack = cdk.Stack.of(self)
        if self._key is None:
            self._key = kms.Key(
                self, "TopicKey",
                description="Encrypts the sensible_alarms notification topics",
                enable_key_rotation=True,
            )
            # CloudWatch needs the data key to publish to an encrypted topic.
            self._key.add_to_resource_policy(iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToUseTheKey",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            ))
        topic = sns.Topic(
            self, f"{urgency.value.title()}Topic",
            display_name=f"sensible_alarms {urgency.value} notifications",
            master_key=self._key,
            # Not CDK's enforce_ssl, which denies only sns:Publish without TLS: see the last statement.
            enforce_ssl=False,
        )
        alarm_arns = stack.format_arn(service="cloudwatch", resource="alarm", resource_name="*",
                                      arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)
        topic.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowPublishByCloudWatchAlarmsOfThisAccount",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {"aws:SourceArn": alarm_arns},
            },
        ))
        # Explicit denies, so that no later allow (a grant_publish, an identity policy with sns:*) opens
        # the topic to anyone else. The conditions of one statement must all hold, so each way of not
        # being "a CloudWatch alarm of this account" is a statement of its own.
        for sid, condition in (
            ("DenyPublishByAnyoneButCloudWatch",
             {"StringNotEquals": {"aws:PrincipalServiceName": "cloudwatch.amazonaws.com"}}),
            ("DenyPublishOnBehalfOfOtherAccounts", {"StringNotEquals": {"aws:SourceAccount": stack.account}}),
            ("DenyPublishForAnythingButAlarms", {"ArnNotLike": {"aws:SourceArn": alarm_arns}}),
        ):
            topic.add_to_resource_policy(iam.PolicyStatement(
                sid=sid,
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions=condition,
            ))
        topic.add_to_resource_policy(iam.PolicyStatement(
            sid="DenyAnyRequestWithoutTls",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=list(_TOPIC_ACTIONS),
            resources=[topic.topic_arn],
            conditions={"Bool": {"aws:SecureTransport": "false"}},
        ))
        return topic
