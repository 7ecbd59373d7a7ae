"""Described alarms into the alarm model: the same model ``check`` reads, built by the model's own
builder (:func:`sensible_alarms.model.build_stack`), so the policy's rules run on an account as
they run on a template.

``DescribeAlarms`` answers with the same fields an ``AWS::CloudWatch::Alarm`` (or
``CompositeAlarm``) takes, so each described alarm becomes a template resource with those
properties as deployed (literal names and ARNs instead of references). With a cloud assembly, each
of its stacks is rebuilt with:

* the deployed alarms in place of the template's (matched by the alarm's physical name from
  ``ListStackResources``; what the account has is what is audited, drift included), and the
  account's other alarms whose dimensions name a resource of that stack added to it;
* each resource named as deployed (``FunctionName``, ``QueueName``, ... set from its physical id),
  so a dimension value written as a literal name maps to the resource behind it, and through the
  template's structure to the customer-facing entrypoint.

Alarms that belong to no stack of the assembly (or all of them, without an assembly) go into one
stack named after the region, mapped by their dimensions alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model import AlarmModel, Stack, build_stack, name_property
from .fetch import AccountRead

__all__ = ["AccountModel", "account_model", "deployed_name"]

_METRIC_FIELDS = (
    "AlarmName", "AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions",
    "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit", "EvaluationPeriods",
    "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData", "EvaluateLowSampleCountPercentile",
    "Metrics", "ThresholdMetricId",
)
_COMPOSITE_FIELDS = (
    "AlarmName", "AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions",
    "AlarmRule", "ActionsSuppressor", "ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod",
)
_ALARM_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
#: Types whose ``Name``/``StageName`` is what metrics use already, whatever the physical id (an API id).
_KEEP_NAME = frozenset({"AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api", "AWS::ApiGateway::Stage",
                        "AWS::ApiGatewayV2::Stage"})


@dataclass(frozen=True)
class AccountModel:
    """The model of the account's alarms, and where each described alarm went."""

    model: AlarmModel
    #: alarm name -> (model stack name, logical id)
    place: Mapping[str, tuple[str, str]]
    #: model stack name -> deployed stack name, for the stacks of the assembly
    deployed_stacks: Mapping[str, str]
    #: alarms of the assembly that the account does not have: (stack, logical id, alarm name or None)
    not_deployed: tuple[tuple[str, str, str | None], ...]
    #: the name of the stack of alarms mapped by dimensions alone
    account_stack: str


def deployed_name(resource_type: str, physical_id: str) -> str:
    """The name a metric dimension uses for a deployed resource: a queue's name from its URL, a
    topic's or state machine's from its ARN, a rule's without its bus, else the physical id."""
    if resource_type == "AWS::SQS::Queue":
        return physical_id.rstrip("/").rsplit("/", 1)[-1]
    if physical_id.startswith("arn:"):
        return physical_id.rsplit(":", 1)[-1]
    if resource_type == "AWS::Events::Rule":
        return physical_id.rsplit("|", 1)[-1]
    return physical_id


def _properties(described: Mapping[str, Any], composite: bool) -> dict[str, Any]:
    fields = _COMPOSITE_FIELDS if composite else _METRIC_FIELDS
    props = {key: described[key] for key in fields if key in described and described[key] not in (None, [], "")}
    props.setdefault("ActionsEnabled", bool(described.get("ActionsEnabled", True)))
    return props


def _resource(described: Mapping[str, Any], metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
    composite = "AlarmRule" in described
    resource: dict[str, Any] = {"Type": _ALARM_TYPES[1] if composite else _ALARM_TYPES[0],
                                "Properties": _properties(described, composite)}
    if metadata:
        resource["Metadata"] = dict(metadata)
    return resource


def _dimension_values(described: Mapping[str, Any]) -> set[str]:
    values = {str(d.get("Value")) for d in described.get("Dimensions", ())}
    for query in described.get("Metrics", ()):
        metric = query.get("MetricStat", {}).get("Metric", {})
        values.update(str(d.get("Value")) for d in metric.get("Dimensions", ()))
    return values


class _Ids:
    """Logical ids for alarms added to a template: the name's letters and digits, made unique."""

    def __init__(self, taken: Iterable[str]) -> None:
        self.taken = set(taken)

    def __call__(self, name: str) -> str:
        base = "Account" + (re.sub(r"[^A-Za-z0-9]", "", name) or "Alarm")
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}{n}"
        self.taken.add(candidate)
        return candidate


def _template_of(stack: Stack) -> tuple[dict[str, Any], dict[str, str]]:
    resources = {lid: {"Type": r.type, "Properties": dict(r.properties), "Metadata": dict(r.metadata)}
                 for lid, r in stack.resources.items()}
    paths = {lid: r.construct_path for lid, r in stack.resources.items() if r.construct_path}
    return {"Resources": resources}, paths


def account_model(read: AccountRead, assembly: AlarmModel | None = None,
                  stack_names: Mapping[str, str] | None = None) -> AccountModel:
    """The account's alarms as a model (see the module documentation). ``stack_names`` maps an
    assembly stack's name to its deployed name (default: the name, ``/`` written ``-``)."""
    described = {a["AlarmName"]: a for a in read.alarms}
    place: dict[str, tuple[str, str]] = {}
    not_deployed: list[tuple[str, str, str | None]] = []
    stacks: list[Stack] = []
    deployed_stacks: dict[str, str] = {}
    templates: list[tuple[Stack, dict[str, Any], dict[str, str], dict[str, str]]] = []
    for stack in assembly.stacks if assembly is not None else ():
        deployed = (stack_names or {}).get(stack.name, stack.name.replace("/", "-"))
        deployed_stacks[stack.name] = deployed
        template, paths = _template_of(stack)
        physical = read.deployed.get(deployed, {})
        names: dict[str, str] = {}
        for lid, resource in template["Resources"].items():
            kind = resource["Type"]
            if lid not in physical:
                continue
            name = deployed_name(kind, physical[lid][1])
            if kind in _ALARM_TYPES:
                continue
            prop = name_property(kind)
            if prop and kind not in _KEEP_NAME:
                resource["Properties"][prop] = name
                names[name] = lid
        for lid in [lid for lid, r in template["Resources"].items() if r["Type"] in _ALARM_TYPES]:
            resource = template["Resources"][lid]
            name = physical[lid][1] if lid in physical else resource["Properties"].get("AlarmName")
            alarm = described.get(name) if isinstance(name, str) else None
            if alarm is None or name in place:
                not_deployed.append((stack.name, lid, name if isinstance(name, str) else None))
                del template["Resources"][lid]
                continue
            template["Resources"][lid] = _resource(alarm, resource.get("Metadata"))
            place[name] = (stack.name, lid)
        templates.append((stack, template, paths, names))
    # Alarms no template defines: into the stack whose resources their dimensions name, if any.
    region_stack = f"account {read.region}"
    leftovers: dict[str, dict[str, Any]] = {}
    ids = {stack.name: _Ids(template["Resources"]) for stack, template, _, _ in templates}
    for name, alarm in described.items():
        if name in place:
            continue
        values = _dimension_values(alarm)
        home = next((t for t in templates if values & set(t[3])), None)
        if home is None:
            leftovers[name] = alarm
            continue
        lid = ids[home[0].name](name)
        home[1]["Resources"][lid] = _resource(alarm)
        place[name] = (home[0].name, lid)
    for stack, template, paths, _ in templates:
        stacks.append(build_stack(stack.name, template, template_path=stack.template_path,
                                  construct_path=stack.construct_path, construct_paths=paths))
    if leftovers or not stacks:
        new_id = _Ids(())
        resources: dict[str, Any] = {}
        for name in sorted(leftovers):
            lid = new_id(name)
            resources[lid] = _resource(leftovers[name])
            place[name] = (region_stack, lid)
        stacks.append(build_stack(region_stack, {"Resources": resources}))
    return AccountModel(model=AlarmModel(tuple(stacks)), place=place, deployed_stacks=deployed_stacks,
                        not_deployed=tuple(not_deployed), account_stack=region_stack)
