"""Resources of a template, the suppressions written on them, and SNS topics with their subscribers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .values import referenced_ids

__all__ = [
    "SUPPRESSIONS_KEY",
    "Canary",
    "Resource",
    "Subscription",
    "Suppression",
    "Topic",
    "canary_every_seconds",
    "deployment_resources",
    "path_label",
    "resource_label",
]

#: Key of a resource's CloudFormation ``Metadata`` under which suppressions of policy rules are
#: written: a list of ``{"id": "<rule id>", "reason": "<why>"}`` (see ``sensible_alarms.policy.suppress``).
SUPPRESSIONS_KEY = "SensibleAlarmsSuppressions"


@dataclass(frozen=True)
class Suppression:
    """A policy rule switched off for one resource, with the reason someone wrote down."""

    rule_id: str
    reason: str


@dataclass(frozen=True)
class Resource:
    """A resource of a template, carried as written whatever its type."""

    logical_id: str
    type: str
    """The resource type (``AWS::Lambda::Function``, ``Custom::Thing``, ...); ``""`` when missing."""
    construct_path: str | None
    """The construct path, without a leading ``/`` (``Orders/Api/Resource``), when known."""
    properties: Mapping[str, Any] = field(default_factory=dict)
    """The ``Properties`` object as written (JSON values; intrinsic functions unevaluated)."""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """The ``Metadata`` object as written."""
    suppressions: tuple[Suppression, ...] = ()

    def suppression(self, rule_id: str) -> Suppression | None:
        """The suppression of ``rule_id`` on this resource that gives a reason, if any."""
        return next((s for s in self.suppressions if s.rule_id == rule_id and s.reason.strip()), None)


@dataclass(frozen=True)
class Subscription:
    """Who a topic reaches: ``protocol`` is ``email``, ``sms``, ``https``, ``lambda``, ``sqs``, or
    ``slack`` / ``teams`` for a chat channel configuration; ``endpoint`` is rendered as text."""

    protocol: str
    endpoint: str


@dataclass(frozen=True)
class Topic:
    """An ``AWS::SNS::Topic`` of the stack and the subscriptions the stack gives it."""

    logical_id: str
    construct_path: str | None
    name: str | None
    """The literal ``TopicName``, if the template sets one."""
    subscriptions: tuple[Subscription, ...]


@dataclass(frozen=True)
class Canary:
    """An ``AWS::Synthetics::Canary`` of the stack: a synthetic probe, billed per run."""

    logical_id: str
    construct_path: str | None
    schedule: str
    """The schedule expression as written (``rate(5 minutes)``, ``cron(...)``), rendered as text."""
    every_seconds: int | None
    """Seconds between runs for a ``rate(...)`` schedule; None for a cron schedule, a single run
    (``rate(0 minutes)``) or an expression that is not understood."""

    @property
    def runs_per_day(self) -> float | None:
        """Runs a day, when the schedule is a rate."""
        return None if not self.every_seconds else 86400 / self.every_seconds


_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours)\s*\)$")
_RATE_UNIT_SECONDS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600}


def canary_every_seconds(expression: str) -> int | None:
    """Seconds between runs of a Synthetics ``rate(...)`` schedule expression, else None."""
    match = _RATE.match(expression.strip())
    if match is None or int(match.group(1)) == 0:
        return None
    return int(match.group(1)) * _RATE_UNIT_SECONDS[match.group(2)]


_CDK_HASH_SUFFIX = re.compile(r"(?<=.)[0-9A-F]{8}$")
_LEAF_CHILDREN = ("Resource", "Default")


def resource_label(resource: Resource, stack_path: str | None = None) -> str:
    """A short name for messages: the construct path less the stack's (``stack_path``, else its
    first part) and a trailing ``Resource`` (``OrdersApi/DeploymentStage.prod``), else the logical
    id less CDK's hash (``OrderQueue``)."""
    return path_label(resource.construct_path, resource.logical_id, stack_path)


def path_label(construct_path: str | None, logical_id: str, stack_path: str | None = None) -> str:
    """:func:`resource_label` from a construct path (or None) and a logical id."""
    if construct_path:
        parts = construct_path.split("/")
        if len(parts) > 2 and parts[-1] in _LEAF_CHILDREN:
            parts = parts[:-1]
        prefix = len(stack_path.split("/")) if stack_path and construct_path.startswith(stack_path + "/") else 1
        if len(parts) > prefix:
            parts = parts[prefix:]
        return "/".join(parts)
    return _CDK_HASH_SUFFIX.sub("", logical_id)


_FUNCTION = "AWS::Lambda::Function"
_STATE_MACHINE = "AWS::StepFunctions::StateMachine"
#: Where a deployment resource names what it calls: a function's environment, a state machine's definition.
_CALLS = {_FUNCTION: ("Environment",), _STATE_MACHINE: ("DefinitionString", "Definition")}


def deployment_resources(resources: Mapping[str, Resource]) -> frozenset[str]:
    """Logical ids of the Lambda functions and state machines that serve CloudFormation, not
    customers: the provider (``ServiceToken``) of a custom resource, and what a provider calls (CDK's
    provider framework names its handlers and its waiter state machine in its environment). CDK's
    own singletons are such functions: the bucket notifications handler, log retention,
    ``AwsCustomResource``, auto-delete-objects providers."""
    def callable_(lid: str) -> bool:
        return lid in resources and resources[lid].type in _CALLS

    found = {lid for resource in resources.values()
             if resource.type == "AWS::CloudFormation::CustomResource" or resource.type.startswith("Custom::")
             for lid in referenced_ids(resource.properties.get("ServiceToken")) if callable_(lid)}
    pending = list(found)
    while pending:
        provider = resources[pending.pop()]
        for key in _CALLS[provider.type]:
            for lid in referenced_ids(provider.properties.get(key)):
                if callable_(lid) and lid not in found:
                    found.add(lid)
                    pending.append(lid)
    return frozenset(found)
