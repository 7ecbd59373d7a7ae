"""The alarm model: synthesized CloudFormation (a cloud assembly or template files) read into
stacks, customer-facing entrypoints, metric and composite alarms, their actions and urgency, and
what they say about customer impact. Pure Python over JSON: importing it never starts jsii.

Review, policy, replay and snapshots read this model; see ``docs/model.md``.
"""

from __future__ import annotations

from .alarms import (
    ActionKind,
    ActionsSuppressor,
    Alarm,
    AlarmAction,
    CompositeAlarm,
    DescriptionFields,
    Dimension,
    MetricAlarm,
    MetricQuery,
    MetricStat,
    UrgencySource,
)
from .build import build_stack, parse_description
from .entrypoints import (
    COMPONENT_TYPES,
    Api,
    Entrypoint,
    EntrypointKind,
    FailureDestination,
    FailureKind,
    ResourceRef,
    SourceService,
    literal_name,
    name_property,
)
from .errors import ModelLoadError
from .loader import from_templates, load, load_assembly, load_templates
from .resources import SUPPRESSIONS_KEY, Canary, Resource, Subscription, Suppression, Topic, resource_label
from .rule import (
    AlarmState,
    And,
    Constant,
    Not,
    Or,
    RuleNode,
    StateCheck,
    Unparsed,
    parse_rule,
    rule_text,
    state_checks,
    sufficient_alarms,
)
from .stack import AlarmModel, Stack
from .values import JsonValue, Unresolved, render

__all__ = [
    "COMPONENT_TYPES",
    "SUPPRESSIONS_KEY",
    "ActionKind",
    "ActionsSuppressor",
    "Alarm",
    "AlarmAction",
    "AlarmModel",
    "AlarmState",
    "And",
    "Api",
    "Canary",
    "CompositeAlarm",
    "Constant",
    "DescriptionFields",
    "Dimension",
    "Entrypoint",
    "EntrypointKind",
    "FailureDestination",
    "FailureKind",
    "JsonValue",
    "MetricAlarm",
    "MetricQuery",
    "MetricStat",
    "ModelLoadError",
    "Not",
    "Or",
    "Resource",
    "ResourceRef",
    "RuleNode",
    "SourceService",
    "Stack",
    "StateCheck",
    "Subscription",
    "Suppression",
    "Topic",
    "Unparsed",
    "Unresolved",
    "UrgencySource",
    "build_stack",
    "from_templates",
    "literal_name",
    "load",
    "load_assembly",
    "load_templates",
    "name_property",
    "parse_description",
    "parse_rule",
    "render",
    "resource_label",
    "rule_text",
    "state_checks",
    "sufficient_alarms",
]
