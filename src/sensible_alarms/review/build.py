"""From synthesized templates to a :class:`Review`: entrypoints, their alarms in words, who they
notify and what they cost.

Entrypoints come from two places. Alarms the library made carry the ``SensibleAlarms`` metadata and
are grouped by its ``entrypoint`` (a construct path). Independently, customer-facing resources are
detected by ``sensible_alarms.model`` (``entrypoints.py`` shapes them for the review). A detected
entrypoint belongs to a construct entrypoint when one of that construct's alarms watches it;
otherwise it is reported on its own.

Coverage rule: an alarm *watches* a resource when one of its metrics has a dimension whose value
references that resource (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``) or equals its literal name (an API's
``Name``, a queue's ``QueueName``, ...); a composite watches what its members watch. An alarm
*notifies* when it has at least one alarm action and its actions are not disabled. An entrypoint is
covered when a notifying alarm watches one of its resources; a construct entrypoint whose resources
were not detected is covered when one of its alarms notifies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..cfn_text import ALARM_TYPES, Renderer, StackTemplate, read_stacks
from ..metadata import METADATA_KEY
from ..model import build_stack
from .entrypoints import DetectedEntrypoint, detected_entrypoints
from .model import AlarmReview, ChartWindow, EntrypointReview, Review, Route, StackReview
from .policy import policy_section
from .pricing import DEFAULT_PRICING, AlarmPricing, alarm_metric_count, monthly_cost
from .references import metric_references
from .routes import action_routes, topic_routes
from .rules import alternatives, members
from .words import (
    COMPARISON,
    AlarmFacts,
    burn_rate,
    duration,
    evaluation_window,
    metric_alarm_words,
    period_of,
    term_words,
)

__all__ = ["review_stacks", "review_templates"]

_COMPOSITE = "AWS::CloudWatch::CompositeAlarm"
_URGENCY_ORDER = {"HIGH": 0, "LOW": 1}


def _verb(meta: dict[str, Any] | None) -> str:
    urgency = (meta or {}).get("urgency")
    if urgency == "HIGH":
        return "pages when"
    if urgency == "LOW":
        return "raises a low-urgency notification when"
    return "notifies when"


class _Stack:
    """One template's alarms, indexed for the review."""

    def __init__(self, stack: StackTemplate, pricing: AlarmPricing) -> None:
        self.name = stack.name
        self.resources = stack.resources
        self.model_stack = build_stack(stack.name, stack.template)
        self.pricing = pricing
        self.render = Renderer(self.resources)
        self.render_ids = Renderer(self.resources, name_of=lambda lid: lid)
        self.topics = topic_routes(self.resources, self.render)
        self.facts: dict[str, AlarmFacts] = {}
        for lid, resource in sorted(self.resources.items()):
            if isinstance(resource, dict) and resource.get("Type") in ALARM_TYPES:
                props = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
                metadata = resource.get("Metadata") if isinstance(resource.get("Metadata"), dict) else {}
                meta = (metadata or {}).get(METADATA_KEY)
                self.facts[lid] = AlarmFacts(lid, self.render.alarm_name(lid), str(resource["Type"]), props or {},
                                             meta if isinstance(meta, dict) else None)
        self.members: dict[str, list[str]] = {
            lid: [m for m in members(self.render_ids(f.properties.get("AlarmRule"))) if m in self.facts]
            for lid, f in self.facts.items() if f.type == _COMPOSITE
        }
        self.watch: dict[str, set[str]] = {}
        for lid in self.facts:
            self._watched(lid, set())
        self.reviews = {lid: self._alarm(lid) for lid in self.facts}

    def _watched(self, lid: str, seen: set[str]) -> set[str]:
        if lid in self.watch:
            return self.watch[lid]
        facts = self.facts[lid]
        if facts.type != _COMPOSITE:
            refs = metric_references(facts.properties)
        else:
            refs = set()
            for member in self.members.get(lid, []):
                if member not in seen:
                    refs |= self._watched(member, seen | {lid})
        self.watch[lid] = refs
        return refs

    def notifying(self, lid: str) -> bool:
        props = self.facts[lid].properties
        return bool(props.get("AlarmActions")) and props.get("ActionsEnabled") is not False

    def _conditions(self, lid: str) -> tuple[str, ...]:
        facts = self.facts[lid]
        verb = _verb(facts.meta) if self.notifying(lid) else "in ALARM when"
        if facts.type != _COMPOSITE:
            return (f"{verb} {metric_alarm_words(facts)}",)
        out = []
        for term in alternatives(self.render_ids(facts.properties.get("AlarmRule"))):
            group = [self.facts[m] for m in term.alarms if m in self.facts]
            external = tuple(f'ALARM("{m}")' for m in term.alarms if m not in self.facts)
            out.append(f"{verb} {term_words(group, term.other + external)}")
        return tuple(out)

    def _settings(self, lid: str, routes: tuple[Route, ...]) -> tuple[tuple[str, str], ...]:
        facts = self.facts[lid]
        props = facts.properties
        meta = facts.meta or {}
        settings: list[tuple[str, str]] = [
            ("urgency", str(meta.get("urgency", "-"))),
            ("actions", "; ".join(r.target for r in routes) if self.notifying(lid) else "none"),
        ]
        if facts.type == _COMPOSITE:
            settings.append(("rule", self.render(props.get("AlarmRule"))))
            if props.get("ActionsSuppressor"):
                settings.append(("suppressed by", self.render(props.get("ActionsSuppressor"))))
        else:
            op = COMPARISON.get(str(props.get("ComparisonOperator")), str(props.get("ComparisonOperator")))
            settings += [
                ("threshold", f"{op} {self.render(props.get('Threshold', props.get('ThresholdMetricId')))}"),
                ("window", f"{duration(period_of(props) or 0)} x {props.get('EvaluationPeriods')}, "
                           f"{props.get('DatapointsToAlarm', props.get('EvaluationPeriods'))} to alarm"),
                ("missing data", str(props.get("TreatMissingData", "missing"))),
                ("metrics", self.render(props.get("Metrics")) if props.get("Metrics") else
                 f"{props.get('Namespace')} {props.get('MetricName')} "
                 f"{props.get('ExtendedStatistic') or props.get('Statistic')} {self.render(props.get('Dimensions'))}"),
            ]
        return tuple(settings)

    def _alarm(self, lid: str) -> AlarmReview:
        facts = self.facts[lid]
        props = facts.properties
        meta = facts.meta or {}
        routes = action_routes(list(props.get("AlarmActions") or []), self.topics, self.render)
        anomaly = bool(props.get("ThresholdMetricId"))
        metrics = 0 if facts.type == _COMPOSITE else (
            self.pricing.anomaly_detection_metrics if anomaly else alarm_metric_count(facts.type, props))
        period = period_of(props)
        return AlarmReview(
            logical_id=lid, name=facts.name,
            kind="composite" if facts.type == _COMPOSITE else "metric",
            role=str(meta.get("role", "unmanaged")),
            urgency=meta.get("urgency"), signal=meta.get("signal"),
            customer_impact=meta.get("customerImpact"), slo=meta.get("slo"), runbook=meta.get("runbook"),
            conditions=self._conditions(lid), notifying=self.notifying(lid),
            routes=routes if self.notifying(lid) else (),
            metrics=metrics, high_resolution=facts.type != _COMPOSITE and period is not None and period < 60,
            anomaly_detection=anomaly,
            monthly_cost=monthly_cost(facts.type, props, self.pricing),
            settings=self._settings(lid, routes),
        )

    def chart(self, lids: list[str]) -> tuple[ChartWindow, ...]:
        out: list[ChartWindow] = []
        pairs: dict[str, str] = {}
        for lid in lids:
            if lid in self.members:
                for term in alternatives(self.render_ids(self.facts[lid].properties.get("AlarmRule"))):
                    for member in term.alarms if len(term.alarms) > 1 else ():
                        pairs.setdefault(member, term.alarms[0])
        for lid in lids:
            facts = self.facts[lid]
            window = evaluation_window(facts.properties)
            period = period_of(facts.properties)
            if facts.type == _COMPOSITE or window is None or period is None:
                continue
            meta = facts.meta or {}
            label = str(meta.get("window") or meta.get("signal") or facts.name)
            if meta.get("window") and meta.get("signal"):
                label = f"{meta['signal']} {meta['window'].split(' ', 1)[-1]}"
            rate = burn_rate(facts)
            out.append(ChartWindow(label, str(meta.get("urgency") or "-"), window, period,
                                   None if rate is None else round(rate, 3), pairs.get(lid)))
        return tuple(sorted(out, key=lambda w: (w.burn_rate is None, w.window_seconds, w.label)))

    def alarm_order(self, lid: str) -> tuple[int, bool, int, str]:
        review = self.reviews[lid]
        return (0 if review.notifying else 1, review.kind != "composite",
                _URGENCY_ORDER.get(review.urgency or "", 2), review.name)

    def cost(self, lids: Sequence[str]) -> float:
        return round(sum(self.reviews[lid].monthly_cost for lid in set(lids)), 4)


def _entrypoint(stack: _Stack, *, id: str, key: str, kind: str, title: str, source: str, lids: list[str],
                detected: list[DetectedEntrypoint]) -> EntrypointReview:
    lids = sorted(set(lids), key=stack.alarm_order)
    notifying = [lid for lid in lids if stack.notifying(lid)]
    keys: set[str] = set().union(*(d.keys() for d in detected)) if detected else set()
    covering = [lid for lid in notifying if not keys or stack.watch[lid] & keys]
    resource_names = sorted({lid for d in detected for lid in d.resources})
    if covering:
        coverage = "covered: notifies through " + ", ".join(stack.reviews[lid].name for lid in covering)
    elif notifying:
        coverage = "not covered: its notifying alarms watch none of its resources"
    elif lids:
        coverage = "not covered: none of its alarms notifies anyone"
    else:
        what = ", ".join(resource_names) if resource_names else id
        coverage = f"not covered: no notifying alarm watches {what}"
    slo = next((stack.reviews[lid].slo for lid in lids if stack.reviews[lid].slo), None)
    return EntrypointReview(
        id=id, key=key, kind=kind, title=title, source=source,
        resources=tuple(f"{lid} ({stack.resources[lid].get('Type')})" for lid in resource_names),
        features=tuple(sorted({f for d in detected for f in d.features})),
        covered=bool(covering), coverage=coverage, slo=slo,
        alarms=tuple(stack.reviews[lid] for lid in lids), monthly_cost=stack.cost(lids), chart=stack.chart(lids),
    )


def _review_stack(template: StackTemplate, pricing: AlarmPricing) -> StackReview:
    stack = _Stack(template, pricing)
    by_path: dict[str, list[str]] = defaultdict(list)
    kinds: dict[str, str] = {}
    for lid, facts in stack.facts.items():
        if facts.meta and isinstance(facts.meta.get("entrypoint"), str):
            by_path[facts.meta["entrypoint"]].append(lid)
            kinds.setdefault(facts.meta["entrypoint"], str(facts.meta.get("entrypointKind", "-")))
    merged: dict[str, list[DetectedEntrypoint]] = defaultdict(list)
    entrypoints: list[EntrypointReview] = []
    attached: set[str] = {lid for lids in by_path.values() for lid in lids}
    for detected in detected_entrypoints(stack.model_stack, stack.render):
        keys = detected.keys()
        watchers = sorted(lid for lid, refs in stack.watch.items() if refs & keys)
        paths = sorted({str(stack.facts[lid].meta["entrypoint"]) for lid in watchers  # type: ignore[index]
                        if stack.facts[lid].meta and lid in attached})
        if paths:
            merged[paths[0]].append(detected)
            continue
        attached.update(watchers)
        entrypoints.append(_entrypoint(stack, id=detected.key, key=detected.key, kind=detected.kind,
                                       title=detected.title, source="detected", lids=watchers, detected=[detected]))
    for path, lids in by_path.items():
        detected_here = merged.get(path, [])
        title = detected_here[0].title if detected_here else f"{kinds[path].replace('_', ' ')} {path}"
        key = detected_here[0].key if detected_here else path
        entrypoints.append(_entrypoint(stack, id=path, key=key, kind=kinds[path], title=title, source="construct",
                                       lids=lids, detected=detected_here))
    entrypoints.sort(key=lambda e: (e.covered, e.id))
    others = sorted((lid for lid in stack.facts if lid not in attached), key=stack.alarm_order)
    return StackReview(
        name=template.name, entrypoints=tuple(entrypoints),
        other_alarms=tuple(stack.reviews[lid] for lid in others),
        topics=tuple(sorted(stack.topics.values(), key=lambda r: r.target)),
        monthly_cost=stack.cost(list(stack.facts)), alarm_count=len(stack.facts),
    )


def review_templates(stacks: Sequence[StackTemplate], *, pricing: AlarmPricing = DEFAULT_PRICING) -> Review:
    """The review of already-read stack templates."""
    reviews = sorted((_review_stack(s, pricing) for s in stacks), key=lambda s: s.name)
    return Review(tuple(reviews), round(sum(s.monthly_cost for s in reviews), 4), pricing.source,
                  policy_section(stacks))


def review_stacks(*paths: str | Path, pricing: AlarmPricing = DEFAULT_PRICING) -> Review:
    """The review of every stack of the given cloud assemblies (``cdk.out``) and template files."""
    return review_templates(read_stacks(*paths), pricing=pricing)
