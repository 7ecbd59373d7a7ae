"""From one template (a parsed JSON object) to a :class:`Stack`. Never raises on the content of a
template that has a ``Resources`` object: whatever is unexpected is carried as written."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..metadata import DESCRIPTION_KEYS, METADATA_KEY, AlarmMetadata
from .alarms import (
    ActionKind,
    ActionsSuppressor,
    AlarmAction,
    CompositeAlarm,
    DescriptionFields,
    Dimension,
    MetricAlarm,
    MetricQuery,
    MetricStat,
    UrgencySource,
)
from .entrypoints import detect_apis, detect_entrypoints, detect_failure_destinations, literal_names
from .errors import ModelLoadError
from .resources import (
    SUPPRESSIONS_KEY,
    Canary,
    Resource,
    Subscription,
    Suppression,
    Topic,
    canary_every_seconds,
    deployment_resources,
    path_label,
)
from .rule import alarm_name_of, parse_rule
from .stack import Stack
from .values import as_bool, as_int, as_number, as_text, referenced_ids, render, target_id

__all__ = ["CDK_PATH_KEY", "build_stack", "parse_description"]

#: The template metadata key where CDK writes a resource's construct path.
CDK_PATH_KEY = "aws:cdk:path"
_METRIC_ALARM = "AWS::CloudWatch::Alarm"
_COMPOSITE_ALARM = "AWS::CloudWatch::CompositeAlarm"
_CANARY = "AWS::Synthetics::Canary"
_PLACEHOLDER = re.compile(r"^\$\{([A-Za-z0-9]+)(?:\.Arn)?\}$")
_CHAT = {
    "AWS::Chatbot::SlackChannelConfiguration": ("slack", "SlackWorkspaceId", "SlackChannelId"),
    "AWS::Chatbot::MicrosoftTeamsChannelConfiguration": ("teams", "TeamId", "TeamsChannelId"),
}
_DESCRIPTION_FIELD = {
    "customer impact": "customer_impact",
    "urgency": "urgency",
    "slo": "slo",
    "runbook": "runbook",
}
assert {key.lower() for key in DESCRIPTION_KEYS} == set(_DESCRIPTION_FIELD)


def parse_description(text: str | None) -> DescriptionFields:
    """The ``Customer impact:``, ``Urgency:``, ``SLO:`` and ``Runbook:`` lines of a description.
    The urgency keeps its first word, upper-cased (``HIGH - customers are affected now`` -> ``HIGH``);
    a runbook of ``none given`` is None."""
    if not text:
        return DescriptionFields()
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        field_name = _DESCRIPTION_FIELD.get(key.strip().lower()) if sep else None
        if field_name and value.strip() and field_name not in values:
            values[field_name] = value.strip()
    urgency = values.get("urgency")
    if urgency:
        urgency = urgency.split(" - ", 1)[0].split()[0].upper()
    runbook = values.get("runbook")
    if runbook and runbook.lower() == "none given":
        runbook = None
    return DescriptionFields(customer_impact=values.get("customer_impact"), urgency=urgency,
                             slo=values.get("slo"), runbook=runbook)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _resource(logical_id: str, raw: Any, paths: Mapping[str, str]) -> Resource:
    body = _mapping(raw)
    metadata = _mapping(body.get("Metadata"))
    path = metadata.get(CDK_PATH_KEY)
    construct_path = path.lstrip("/") if isinstance(path, str) else paths.get(logical_id)
    suppressions: list[Suppression] = []
    for entry in metadata.get(SUPPRESSIONS_KEY) or []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            reason = entry.get("reason")
            suppressions.append(Suppression(entry["id"], reason if isinstance(reason, str) else ""))
    kind = body.get("Type")
    return Resource(logical_id=logical_id, type=kind if isinstance(kind, str) else "",
                    construct_path=construct_path, properties=_mapping(body.get("Properties")),
                    metadata=metadata, suppressions=tuple(suppressions))


_NO_VALUE = {"Ref": "AWS::NoValue"}


def _action_items(value: Any) -> list[Any]:
    """The items of an actions list, through ``Fn::If`` branches; an item ``AWS::NoValue`` drops."""
    if value is None or value == _NO_VALUE:
        return []
    if isinstance(value, list):
        return [item for item in value if item != _NO_VALUE]
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Fn::If"), list) \
            and len(value["Fn::If"]) == 3:
        _, when_true, when_false = value["Fn::If"]
        return _action_items(when_true) + _action_items(when_false)
    return [value]


class _StackBuilder:
    def __init__(self, name: str, resources: dict[str, Resource], stack_path: str | None) -> None:
        self.name = name
        self.stack_path = stack_path
        self.resources = resources
        self.names = literal_names(resources)
        self.alarm_names: dict[str, str] = {}
        for lid, resource in resources.items():
            if resource.type in (_METRIC_ALARM, _COMPOSITE_ALARM):
                alarm_name = resource.properties.get("AlarmName")
                if isinstance(alarm_name, str):
                    self.alarm_names.setdefault(alarm_name, lid)
        self.stages: dict[str, list[tuple[str, str]]] = defaultdict(list)
        """API logical id -> (stage logical id, literal stage name)."""
        for lid, resource in resources.items():
            if resource.type in ("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment", "AWS::ApiGatewayV2::Stage"):
                api = target_id(resource.properties.get("RestApiId", resource.properties.get("ApiId")))
                stage_name = resource.properties.get("StageName")
                if api and isinstance(stage_name, str):
                    self.stages[api].append((lid, stage_name))

    # -- references --------------------------------------------------------------------------

    def named(self, value: Any) -> tuple[str, ...]:
        """Logical ids a dimension value names: by reference, or by a literal resource name."""
        if isinstance(value, str):
            return tuple(self.names.get(value, ()))
        return tuple(sorted(lid for lid in referenced_ids(value) if lid in self.resources))

    def alarm_reference(self, text: str) -> str | None:
        """The alarm of this stack a rule or suppressor names (placeholder, name or ARN)."""
        match = _PLACEHOLDER.match(text.strip())
        if match:
            resource = self.resources.get(match.group(1))
            if resource is not None and resource.type in (_METRIC_ALARM, _COMPOSITE_ALARM):
                return match.group(1)
        return self.alarm_names.get(alarm_name_of(text))

    # -- metrics -----------------------------------------------------------------------------

    def metric_stat(self, metric: dict[str, Any], stat: Any, period: Any, unit: Any) -> MetricStat:
        namespace = render(metric.get("Namespace"))
        dimensions = []
        for raw in metric.get("Dimensions") or []:
            if isinstance(raw, dict):
                value = raw.get("Value")
                dimensions.append(Dimension(render(raw.get("Name")), value, render(value), self.named(value)))
        if namespace == "AWS/ApiGateway":
            dimensions = self._api_stages(dimensions)
        return MetricStat(namespace=namespace, metric_name=render(metric.get("MetricName")),
                          dimensions=tuple(dimensions), stat=render(stat), period=as_int(period),
                          unit=as_text(unit))

    def _api_stages(self, dimensions: list[Dimension]) -> list[Dimension]:
        """A literal ``Stage`` dimension names the stages of that name of the APIs the metric names."""
        apis = [lid for d in dimensions if d.name in ("ApiName", "ApiId") for lid in d.resources]
        out = []
        for dimension in dimensions:
            if dimension.name == "Stage" and isinstance(dimension.value, str) and not dimension.resources:
                stages = tuple(stage for api in apis for stage, name in self.stages.get(api, [])
                               if name == dimension.value)
                dimension = Dimension(dimension.name, dimension.value, dimension.text, stages)
            out.append(dimension)
        return out

    def queries(self, props: dict[str, Any]) -> tuple[str, tuple[MetricQuery, ...]]:
        metrics = props.get("Metrics")
        if isinstance(metrics, list) and metrics:
            queries = []
            for raw in metrics:
                if not isinstance(raw, dict):
                    continue
                stat = _mapping(raw.get("MetricStat"))
                metric = self.metric_stat(_mapping(stat.get("Metric")), stat.get("Stat"), stat.get("Period"),
                                          stat.get("Unit")) if stat else None
                expression = raw.get("Expression")
                returns = as_bool(raw.get("ReturnData"), True)
                queries.append(MetricQuery(
                    id=render(raw.get("Id")), metric=metric,
                    expression=render(expression) if expression is not None else None,
                    return_data=returns if isinstance(returns, bool) else True,
                    period=as_int(raw.get("Period")), label=as_text(raw.get("Label")),
                    account_id=as_text(raw.get("AccountId"))))
            return "math", tuple(queries)
        if props.get("MetricName") is None:
            return "metric", ()
        statistic = props.get("ExtendedStatistic")
        if statistic is None:
            statistic = props.get("Statistic")
        single = self.metric_stat(props, statistic, props.get("Period"), props.get("Unit"))
        return "metric", (MetricQuery(id="m1", metric=single, expression=None, return_data=True),)

    # -- alarms ------------------------------------------------------------------------------

    def actions(self, value: Any) -> tuple[AlarmAction, ...]:
        """The actions of an ``AlarmActions``-like list. A list chosen by ``Fn::If`` gives the actions
        of both branches (the alarm notifies in some deployment); a list CloudFormation computes
        (``Ref`` to a list parameter, ``Fn::Split``, ...) is one action written as the template
        writes it; ``AWS::NoValue`` is no action."""
        out = []
        for raw in _action_items(value):
            lid = target_id(raw)
            target = lid if lid in self.resources else None
            out.append(AlarmAction(self._action_kind(target, render(raw)), render(raw), target))
        return tuple(out)

    def _action_kind(self, target: str | None, text: str) -> ActionKind:
        kind = self.resources[target].type if target else ""
        if kind == "AWS::SNS::Topic" or text.startswith("arn:aws:sns:") or ":sns:" in text:
            return "sns"
        if kind.startswith("AWS::Lambda::") or ":lambda:" in text:
            return "lambda"
        if kind.startswith("AWS::ApplicationAutoScaling::") or kind.startswith("AWS::AutoScaling::") \
                or ":autoscaling:" in text:
            return "autoscaling"
        if ":ssm:" in text or ":ssm-incidents:" in text:
            return "ssm"
        if text.startswith("arn:aws:automate:") or ":swf:" in text:
            return "ec2"
        return "other"

    def common(self, resource: Resource) -> dict[str, Any]:
        props = resource.properties
        alarm_name = props.get("AlarmName")
        description = props.get("AlarmDescription")
        description_text = render(description) if description is not None else None
        fields = parse_description(description_text)
        metadata = _alarm_metadata(resource.metadata.get(METADATA_KEY))
        urgency: str | None
        source: UrgencySource
        if metadata is not None and metadata.urgency:
            urgency, source = metadata.urgency, "metadata"
        elif fields.urgency:
            urgency, source = fields.urgency, "description"
        else:
            urgency, source = None, "unknown"
        enabled = as_bool(props.get("ActionsEnabled"), True)
        return {
            "stack": self.name,
            "logical_id": resource.logical_id,
            "construct_path": resource.construct_path,
            "name": alarm_name if isinstance(alarm_name, str) else f"{self.name}/{resource.logical_id}",
            "physical_name": alarm_name if isinstance(alarm_name, str) else None,
            "label": alarm_name if isinstance(alarm_name, str) else path_label(
                resource.construct_path, resource.logical_id, self.stack_path),
            "description": description_text,
            "fields": fields,
            "metadata": metadata,
            "urgency": urgency,
            "urgency_source": source,
            "actions_enabled": enabled if isinstance(enabled, bool) else True,
            "alarm_actions": self.actions(props.get("AlarmActions")),
            "ok_actions": self.actions(props.get("OKActions")),
            "insufficient_data_actions": self.actions(props.get("InsufficientDataActions")),
        }

    def metric_alarm(self, resource: Resource) -> MetricAlarm:
        props = dict(resource.properties)
        form, queries = self.queries(props)
        comparison = props.get("ComparisonOperator")
        missing = props.get("TreatMissingData")
        return MetricAlarm(
            **self.common(resource), form="metric" if form == "metric" else "math", queries=queries,
            threshold=as_number(props.get("Threshold")), threshold_metric_id=as_text(props.get("ThresholdMetricId")),
            comparison=render(comparison) if comparison is not None else "",
            evaluation_periods=as_int(props.get("EvaluationPeriods")),
            datapoints_to_alarm=as_int(props.get("DatapointsToAlarm")),
            treat_missing_data=missing if isinstance(missing, str) else "missing",
            treat_missing_data_given=missing if isinstance(missing, str) else None,
            evaluation_window="wall_clock" if "WallClockWindow" in _mapping(props.get("EvaluationWindow"))
            else "sliding",
            evaluate_low_sample_count_percentile=as_text(props.get("EvaluateLowSampleCountPercentile")),
        )

    def composite_alarm(self, resource: Resource) -> CompositeAlarm:
        props = resource.properties
        text = render(props.get("AlarmRule"))
        suppressor_value = props.get("ActionsSuppressor")
        suppressor = None
        if suppressor_value is not None:
            suppressor_text = render(suppressor_value)
            wait = as_int(props.get("ActionsSuppressorWaitPeriod"))
            extension = as_int(props.get("ActionsSuppressorExtensionPeriod"))
            suppressor = ActionsSuppressor(
                alarm=suppressor_text, logical_id=self.alarm_reference(suppressor_text),
                wait_period=60 if wait is None else wait, extension_period=60 if extension is None else extension)
        return CompositeAlarm(**self.common(resource), rule=parse_rule(text, self.alarm_reference), rule_text=text,
                              actions_suppressor=suppressor)

    def topics(self) -> tuple[Topic, ...]:
        subscriptions: dict[str, list[Subscription]] = defaultdict(list)
        for resource in self.resources.values():
            props = resource.properties
            if resource.type == "AWS::SNS::Topic":
                for sub in props.get("Subscription") or []:
                    if isinstance(sub, dict):
                        subscriptions[resource.logical_id].append(
                            Subscription(render(sub.get("Protocol")), render(sub.get("Endpoint"))))
            elif resource.type == "AWS::SNS::Subscription":
                topic = target_id(props.get("TopicArn"))
                if topic:
                    subscriptions[topic].append(Subscription(render(props.get("Protocol")),
                                                             render(props.get("Endpoint"))))
            elif resource.type in _CHAT:
                protocol, workspace, channel = _CHAT[resource.type]
                endpoint = (f"{render(props.get('ConfigurationName'))} (workspace {render(props.get(workspace))}, "
                            f"channel {render(props.get(channel))})")
                arns = props.get("SnsTopicArns")
                for topic in referenced_ids(arns if isinstance(arns, list) else []):
                    subscriptions[topic].append(Subscription(protocol, endpoint))
        out = []
        for lid, resource in sorted(self.resources.items()):
            if resource.type == "AWS::SNS::Topic":
                out.append(Topic(lid, resource.construct_path, as_text(resource.properties.get("TopicName")),
                                 tuple(sorted(set(subscriptions[lid]), key=lambda s: (s.protocol, s.endpoint)))))
        return tuple(out)


def _canaries(resources: Mapping[str, Resource]) -> tuple[Canary, ...]:
    """The stack's Synthetics canaries with their schedules, by logical id."""
    out = []
    for lid, resource in sorted(resources.items()):
        if resource.type == _CANARY:
            schedule = resource.properties.get("Schedule")
            expression = render(schedule.get("Expression")) if isinstance(schedule, dict) else ""
            out.append(Canary(lid, resource.construct_path, expression, canary_every_seconds(expression)))
    return tuple(out)


def _alarm_metadata(value: Any) -> AlarmMetadata | None:
    """The SensibleAlarms metadata of an alarm, when it has every field the contract requires."""
    if not isinstance(value, dict):
        return None
    required = ("entrypoint", "entrypointKind", "role", "urgency", "signal", "slo", "customerImpact")
    if not all(isinstance(value.get(key), str) for key in required):
        return None
    runbook, window = value.get("runbook"), value.get("window")
    return AlarmMetadata(
        entrypoint=value["entrypoint"], entrypoint_kind=value["entrypointKind"], role=value["role"],
        urgency=value["urgency"], signal=value["signal"], slo=value["slo"], customer_impact=value["customerImpact"],
        runbook=runbook if isinstance(runbook, str) else None, window=window if isinstance(window, str) else None,
    )


def _refuse_unexpanded_sam(raw_resources: object, where: str | Path) -> None:
    """SAM resources hide their entrypoints (a function's ``Events``) until CloudFormation expands
    them: reading them as they are would report a covered stack that is not, so they are refused."""
    if not isinstance(raw_resources, dict):
        return
    sam = sorted(str(lid) for lid, raw in raw_resources.items()
                 if isinstance(raw, dict) and str(raw.get("Type", "")).startswith("AWS::Serverless::"))
    if sam:
        shown = ", ".join(sam[:3]) + (f" and {len(sam) - 3} more" if len(sam) > 3 else "")
        raise ModelLoadError(where, f"has SAM resources that are not expanded ({shown}), so their entrypoints "
                                    "cannot be seen; give the processed template (aws cloudformation get-template "
                                    "--stack-name NAME --template-stage Processed)")


def build_stack(name: str, template: Mapping[str, Any], *, template_path: Path | None = None,
                construct_path: str | None = None, construct_paths: Mapping[str, str] | None = None) -> Stack:
    """The stack of one parsed template. ``construct_paths`` maps logical ids to construct paths
    for templates whose resources carry no ``aws:cdk:path`` metadata (a cloud assembly keeps them
    in its manifest)."""
    raw_resources = template.get("Resources")
    _refuse_unexpanded_sam(raw_resources, template_path or name)
    paths = construct_paths or {}
    resources = {str(lid): _resource(str(lid), raw, paths)
                 for lid, raw in (raw_resources.items() if isinstance(raw_resources, dict) else [])}
    builder = _StackBuilder(name, resources, construct_path)
    metric_alarms = []
    composite_alarms = []
    for lid in sorted(resources):
        resource = resources[lid]
        if resource.type == _METRIC_ALARM:
            metric_alarms.append(builder.metric_alarm(resource))
        elif resource.type == _COMPOSITE_ALARM:
            composite_alarms.append(builder.composite_alarm(resource))
    deployment = deployment_resources(resources)
    # An entrypoint that only reaches what serves CloudFormation (the provider framework's waiter
    # state machine, a rule on a provider function) is no customer's.
    entrypoints = tuple(e for e in detect_entrypoints(name, resources, construct_path)
                        if e.logical_id not in deployment and not (e.functions and set(e.functions) <= deployment))
    return Stack(name=name, template_path=template_path, construct_path=construct_path, resources=resources,
                 entrypoints=entrypoints, metric_alarms=tuple(metric_alarms),
                 composite_alarms=tuple(composite_alarms), topics=builder.topics(),
                 failure_destinations=detect_failure_destinations(resources), apis=detect_apis(resources),
                 canaries=_canaries(resources), deployment_resources=deployment)
