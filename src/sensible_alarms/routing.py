"""Where notifications go, by urgency: SNS topics, email, and an optional Slack channel."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
import jsii
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


#: Each resource this construct creates is an L1 (``CfnKey``, ``CfnTopic``, ...) under a construct with
#: the id the L2 had, so construct paths and logical ids are the L2's: the L2s (statements,
#: principals, policy objects) cost 85 jsii calls for the orders example's key, two topics and two
#: emails, these 23, for the same template (docs/synth-speed.md). The typed handles (`topic()`,
#: `key`) are imported from the L1s when read.

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
        for prop, emails in (("high_emails", high_emails), ("low_emails", low_emails)):
            if isinstance(emails, str):
                raise self._fail(f"'{prop}' must be a list of addresses, not one string (got {emails!r})",
                                 prop, emails)
            if not isinstance(emails, Iterable):
                raise self._fail(f"'{prop}' must be a list of addresses (got {emails!r})", prop, emails)
            for email in emails:
                if not _EMAIL.fullmatch(str(email)) and not cdk.Token.is_unresolved(email):
                    raise self._fail(f"'{prop}' must hold email addresses such as oncall@example.com; it "
                                     f"holds an invalid email address (got {email!r})", prop, email)
        if slack is not None and not isinstance(slack, SlackChannel):
            raise self._fail(f"'slack' must be a SlackChannel (got {slack!r})", "slack", slack)
        if high_topic is None and low_topic is None and not high_emails and not low_emails and slack is None:
            # Topics passed in are used as they are (they may have subscribers of their own); topics this
            # construct creates reach only the emails and the Slack channel given here.
            raise self._fail(
                "AlarmRouting notifies no one: 'high_emails', 'low_emails' and 'slack' must name at least one "
                "recipient, or 'high_topic'/'low_topic' pass in a topic of your own "
                "(got no email, no Slack channel and no topic)", "high_emails", None)

        self._key: kms.CfnKey | None = None
        self._key_holder: Construct | None = None
        self._key_handle: kms.IKey | None = None
        self._key_arn = ""
        #: Per urgency: the topic passed in, or the CfnTopic created and the construct that holds it.
        self._given: dict[Urgency, sns.ITopic] = {}
        self._created: dict[Urgency, tuple[Construct, sns.CfnTopic]] = {}
        self._handles: dict[Urgency, sns.ITopic] = {}
        self._arns: dict[Urgency, str] = {}
        #: Per created topic: its policy, its own statements, and those added through its handle.
        self._policies: dict[Urgency, tuple[sns.CfnTopicPolicy, list[dict[str, Any]], list[iam.PolicyStatement]]] = {}
        for urgency, given, emails in ((Urgency.HIGH, high_topic, high_emails),
                                       (Urgency.LOW, low_topic, low_emails)):
            if given is not None:
                self._given[urgency] = given
                for email in emails:
                    given.add_subscription(subscriptions.EmailSubscription(email))
                continue
            holder = self._new_topic(urgency)
            for email in emails:
                # sns.Subscription's id is the address, its CfnSubscription "Resource": the same path.
                sns.CfnSubscription(Construct(holder, email), "Resource", protocol="email", endpoint=email,
                                    topic_arn=self.topic_arn(urgency))

        if slack is not None:
            chatbot.SlackChannelConfiguration(
                self, "Slack",
                slack_channel_configuration_name=slack.configuration_name,
                slack_workspace_id=slack.workspace_id,
                slack_channel_id=slack.channel_id,
                notification_topics=[self.topic(u) for u in dict.fromkeys(slack.urgencies)],
                # Notifications only: the channel cannot run commands against the account.
                guardrail_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("ReadOnlyAccess")],
            )

    def topic(self, urgency: Urgency) -> sns.ITopic:
        """The topic that notifications of `urgency` are published to. A topic this construct created
        is returned as a handle made the first time it is asked for; ``add_to_resource_policy`` on it
        (and a grant that needs the topic's policy, such as one to another account) appends to the
        topic policy this construct writes, after its own statements. Only CloudWatch alarms of this
        account may publish: a statement allowing ``sns:Publish``, or ``grant_publish``, raises
        :class:`SensibleAlarmsError` (the policy's explicit denies would make it a no-op)."""
        if urgency in self._given:
            return self._given[urgency]
        handle = self._handles.get(urgency)
        if handle is None:
            holder, _ = self._created[urgency]
            handle = self._handles[urgency] = _RoutedTopic(holder, "Handle", self, urgency)
        return handle

    def topic_arn(self, urgency: Urgency) -> str:
        """The ARN of the topic of `urgency` (a token), read once: the cheap way to name it as an alarm
        action (``CfnCompositeAlarm(alarm_actions=[...])``), with no handle made."""
        arn = self._arns.get(urgency)
        if arn is None:
            arn = self._arns[urgency] = (self._given[urgency].topic_arn if urgency in self._given
                                         else self._created[urgency][1].ref)
        return arn

    @property
    def key(self) -> kms.IKey | None:
        """The KMS key of the topics this construct created, if it created any: an imported handle
        (``Key.from_key_arn``), made the first time it is read. Its policy is this construct's:
        ``add_to_resource_policy`` on the handle adds nothing and says so (``statement_added`` is False,
        and with ``allow_no_op=False`` it raises), as on any imported key."""
        if self._key is None or self._key_holder is None:
            return None
        if self._key_handle is None:
            self._key_handle = kms.Key.from_key_arn(self._key_holder, "Handle", self._key_arn)
        return self._key_handle

    def _fail(self, message: str, prop: str, value: object) -> SensibleAlarmsError:
        return SensibleAlarmsError(message, path=self.node.path, prop=prop, value=value)

    @functools.cached_property
    def _environment(self) -> tuple[str, str, str]:
        """The stack's partition, account and Region (tokens or literals), read once."""
        stack = cdk.Stack.of(self)
        return stack.partition, stack.account, stack.region

    def _new_key(self) -> str:
        """The key of the created topics, as kms.Key writes it: CDK's default statement (the account
        root may administer the key), then CloudWatch's use of it; retained on delete."""
        if self._key is None:
            partition, account, _ = self._environment
            self._key_holder = Construct(self, "TopicKey")
            self._key = kms.CfnKey(
                self._key_holder, "Resource",
                description="Encrypts the sensible_alarms notification topics",
                enable_key_rotation=True,
                key_policy={"Statement": [
                    {"Action": "kms:*", "Effect": "Allow",
                     "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"}, "Resource": "*"},
                    # CloudWatch needs the data key to publish to an encrypted topic.
                    {"Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Effect": "Allow",
                     "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Resource": "*",
                     "Sid": "AllowCloudWatchAlarmsToUseTheKey"},
                ], "Version": "2012-10-17"},
            )
            self._key.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
            self._key_arn = self._key.attr_arn
        return self._key_arn

    def _new_topic(self, urgency: Urgency) -> Construct:
        key_arn = self._new_key()
        holder = Construct(self, f"{urgency.value.title()}Topic")
        topic = sns.CfnTopic(holder, "Resource", display_name=f"sensible_alarms {urgency.value} notifications",
                             kms_master_key_id=key_arn)
        self._created[urgency] = (holder, topic)
        arn = self.topic_arn(urgency)
        statements = self._topic_statements(arn)
        policy = sns.CfnTopicPolicy(Construct(holder, "Policy"), "Resource", topics=[arn],
                                    policy_document={"Statement": statements, "Version": "2012-10-17"})
        self._policies[urgency] = (policy, statements, [])
        return holder

    def _add_topic_statement(self, urgency: Urgency, statement: iam.PolicyStatement) -> None:
        """Append `statement` to the policy of the created topic of `urgency`, rendered at synth (a
        statement can still change after it is added, as with the L2's policy document)."""
        policy, own, added = self._policies[urgency]
        if not added:
            policy.policy_document = cdk.Lazy.any(_PolicyDocument(own, added))
        added.append(statement)

    def _topic_statements(self, arn: str) -> list[dict[str, Any]]:
        partition, account, region = self._environment
        alarm_arns = f"arn:{partition}:cloudwatch:{region}:{account}:alarm:*"
        anyone = {"AWS": "*"}

        def statement(sid: str, effect: str, principal: dict[str, str], actions: str | list[str],
                      condition: dict[str, dict[str, str]]) -> dict[str, Any]:
            # The keys in the order iam.PolicyStatement writes them.
            return {"Action": actions, "Condition": condition, "Effect": effect, "Principal": principal,
                    "Resource": arn, "Sid": sid}

        return [
            statement("AllowPublishByCloudWatchAlarmsOfThisAccount", "Allow",
                      {"Service": "cloudwatch.amazonaws.com"}, "sns:Publish",
                      {"StringEquals": {"aws:SourceAccount": account}, "ArnLike": {"aws:SourceArn": alarm_arns}}),
            # Explicit denies, so that no later allow (a grant_publish, an identity policy with sns:*) opens
            # the topic to anyone else. The conditions of one statement must all hold, so each way of not
            # being "a CloudWatch alarm of this account" is a statement of its own.
            statement("DenyPublishByAnyoneButCloudWatch", "Deny", anyone, "sns:Publish",
                      {"StringNotEquals": {"aws:PrincipalServiceName": "cloudwatch.amazonaws.com"}}),
            statement("DenyPublishOnBehalfOfOtherAccounts", "Deny", anyone, "sns:Publish",
                      {"StringNotEquals": {"aws:SourceAccount": account}}),
            statement("DenyPublishForAnythingButAlarms", "Deny", anyone, "sns:Publish",
                      {"ArnNotLike": {"aws:SourceArn": alarm_arns}}),
            # Not CDK's enforce_ssl, which denies only sns:Publish without TLS.
            statement("DenyAnyRequestWithoutTls", "Deny", anyone, list(_TOPIC_ACTIONS),
                      {"Bool": {"aws:SecureTransport": "false"}}),
        ]


@jsii.implements(cdk.IStableAnyProducer)
class _PolicyDocument:
    """A topic policy document: the construct's own statements, then those added through the handle."""

    def __init__(self, own: list[dict[str, Any]], added: list[iam.PolicyStatement]) -> None:
        self._own, self._added = own, added

    def produce(self) -> Any:
        return {"Statement": self._own + [s.to_statement_json() for s in self._added], "Version": "2012-10-17"}


class _RoutedTopic(sns.TopicBase):
    """The handle of a topic `AlarmRouting` created: an ``ITopic`` whose resource policy is the
    construct's ``CfnTopicPolicy`` (an imported topic's handle would drop added statements)."""

    def __init__(self, scope: Construct, id: str, routing: AlarmRouting, urgency: Urgency) -> None:
        super().__init__(scope, id)
        self._routing, self._urgency = routing, urgency
        self._arn = routing.topic_arn(urgency)

    @property
    def topic_arn(self) -> str:
        return self._arn

    @property
    def topic_name(self) -> str:
        return cdk.Fn.select(5, cdk.Fn.split(":", self._arn))

    @property
    def fifo(self) -> bool:
        return False

    @property
    def content_based_deduplication(self) -> bool:
        return False

    @property
    def master_key(self) -> kms.IKey | None:
        return self._routing.key

    @property
    def _auto_create_policy(self) -> bool:
        return False

    def add_to_resource_policy(self, statement: iam.PolicyStatement) -> iam.AddToResourcePolicyResult:
        if statement.effect == iam.Effect.ALLOW and any(a in ("sns:Publish", "sns:*", "*") for a in statement.actions):
            raise self._refuse_publish(f"a statement allowing {', '.join(statement.actions)}")
        self._routing._add_topic_statement(self._urgency, statement)
        return iam.AddToResourcePolicyResult(statement_added=True)

    def grant_publish(self, grantee: iam.IGrantable) -> iam.Grant:
        raise self._refuse_publish("grant_publish")

    def _refuse_publish(self, what: str) -> SensibleAlarmsError:
        # The topic policy's explicit denies would make such a grant a silent no-op at run time.
        return SensibleAlarmsError(
            f"the {self._urgency.value} topic accepts only CloudWatch alarms of this account (its policy denies "
            f"every other publisher), so {what} would not take effect; publish to a topic of your own, or "
            "pass one in as 'high_topic'/'low_topic'", path=self._routing.node.path, prop="topic", value=what)
