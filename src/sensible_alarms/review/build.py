"""From the alarm model to a :class:`Review`: entrypoints, their alarms in words, who they notify
and what they cost. Everything is read from :mod:`sensible_alarms.model`; nothing here reads a
template.

Entrypoints come from two places. Alarms the library made carry the ``SensibleAlarms`` metadata and
are grouped by its ``entrypoint`` (a construct path). Independently, the model detects
customer-facing resources (``entrypoints.py`` shapes them for the review). A detected entrypoint
belongs to a construct entrypoint when one of that construct's alarms watches it; otherwise it is
reported on its own.

Coverage rule: an alarm *watches* the resources the model says its metrics name (by reference or
literal name); a composite watches what its members watch. An alarm notifies when the model says
so (:attr:`sensible_alarms.model.Alarm.notifies`). An entrypoint is covered when a notifying alarm
watches one of its resources; a construct entrypoint whose resources were not detected is covered
when one of its alarms notifies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from ..model import (
    Alarm,
    AlarmModel,
    Canary,
    CompositeAlarm,
    MetricAlarm,
    Not,
    RuleNode,
    Stack,
    StateCheck,
    Topic,
    load,
)
from ..model.resources import path_label
from ..wording import COMPARISON, duration, number
from .document import (
    AlarmReview,
    ChartWindow,
    EntrypointReview,
    PolicySection,
    ProbeReview,
    Recipient,
    Review,
    Route,
    StackReview,
)
from .entrypoints import DetectedEntrypoint, detected_entrypoints
from .pricing import (
    DAYS_PER_MONTH,
    DEFAULT_PRICING,
    AlarmPricing,
    alarm_metric_count,
    canary_monthly_cost,
    cost_options,
    is_high_resolution,
    monthly_cost,
)
from .sentences import alternatives, burn_rate, evaluation_window, metric_alarm_words, period_of, term_words

__all__ = ["policy_section", "review_model", "review_stacks"]

_URGENCY_ORDER = {"HIGH": 0, "LOW": 1}


def _verb(urgency: str | None) -> str:
    if urgency == "HIGH":
        return "pages when"
    if urgency == "LOW":
        return "raises a low-urgency notification when"
    return "notifies when"


def topic_route(topic: Topic) -> Route:
    """A topic of the stack and who it reaches, sorted."""
    recipients = {Recipient(s.protocol, s.endpoint) for s in topic.subscriptions}
    return Route(f"SNS topic {topic.name if topic.name is not None else path_label(None, topic.logical_id)}",
                 tuple(sorted(recipients, key=lambda r: (r.kind, r.target))))


def _metric_words(alarm: MetricAlarm) -> str:
    parts = []
    for query in alarm.queries:
        if query.metric is not None:
            metric = query.metric
            dims = ", ".join(f"{d.name}={d.text}" for d in metric.dimensions)
            parts.append(f"{query.id}: {metric.namespace} {metric.metric_name} {metric.stat} {{{dims}}}"
                         + (f" per {duration(metric.period)}" if isinstance(metric.period, int) else ""))
        elif query.expression is not None:
            parts.append(f"{query.id} = {query.expression}")
    return "; ".join(parts)


class _Stack:
    """One stack's alarms, indexed for the review."""

    def __init__(self, stack: Stack, pricing: AlarmPricing) -> None:
        self.stack = stack
        self.name = stack.name
        self.pricing = pricing
        self.topics = {topic.logical_id: topic_route(topic) for topic in stack.topics}
        self.alarms: dict[str, Alarm] = {alarm.logical_id: alarm for alarm in stack.alarms}
        self.watch: dict[str, frozenset[str]] = {}
        for lid in self.alarms:
            self._watched(lid, frozenset())
        self.reviews = {lid: self._alarm(alarm) for lid, alarm in self.alarms.items()}
        self.probes = {canary.logical_id: self._probe(canary) for canary in stack.canaries}

    def _probe(self, canary: Canary) -> ProbeReview:
        cost = canary_monthly_cost(canary, self.pricing)
        runs = None if not canary.every_seconds else DAYS_PER_MONTH * 86400 // canary.every_seconds
        return ProbeReview(self.stack.label(canary.logical_id), canary.schedule, runs, cost)

    def probes_of(self, lids: Sequence[str]) -> tuple[ProbeReview, ...]:
        """The probes the alarms `lids` read, by logical id."""
        read = set().union(*(self.watch[lid] for lid in lids)) if lids else set()
        return tuple(self.probes[lid] for lid in sorted(read & set(self.probes)))

    def _watched(self, lid: str, seen: frozenset[str]) -> frozenset[str]:
        if lid in self.watch:
            return self.watch[lid]
        alarm = self.alarms[lid]
        if isinstance(alarm, MetricAlarm):
            refs = frozenset(alarm.resources)
        else:
            refs = frozenset().union(*(self._watched(m, seen | {lid}) for m in alarm.members
                                       if m in self.alarms and m not in seen))
        self.watch[lid] = refs
        return refs

    def name_of(self, check: StateCheck) -> str:
        alarm = self.alarms.get(check.logical_id) if check.logical_id else None
        return _display(alarm) if alarm is not None else check.alarm

    def _conditions(self, alarm: Alarm) -> tuple[str, ...]:
        verb = _verb(alarm.urgency) if alarm.notifies else "in ALARM when"
        if isinstance(alarm, MetricAlarm):
            return (f"{verb} {metric_alarm_words(alarm)}",)
        out = []
        confirmation = self._confirmation(alarm) if alarm.notifies else None
        if confirmation is not None:
            # One incident, one notification: the notifier's rule keeps the incident open and its
            # suppressor, NOT(condition), lets it notify once when the condition holds.
            for term in alternatives(confirmation, self.name_of):
                group = [self.alarms[m] for m in term.alarms if m in self.alarms]
                out.append(f"{verb} {term_words(group, term.other, term.quiet_while)}")
            verb = "once per incident: stays in ALARM, without notifying again, while"
        for term in alternatives(alarm.rule, self.name_of):
            group = [self.alarms[m] for m in term.alarms if m in self.alarms]
            out.append(f"{verb} {term_words(group, term.other, term.quiet_while)}")
        return tuple(out)

    def _confirmation(self, alarm: CompositeAlarm) -> RuleNode | None:
        """X when the composite's actions suppressor is a composite without actions whose rule is NOT X."""
        suppressor = alarm.actions_suppressor
        found = self.alarms.get(suppressor.logical_id or "") if suppressor is not None else None
        if isinstance(found, CompositeAlarm) and not found.notifies and isinstance(found.rule, Not):
            return found.rule.operand
        return None

    def _settings(self, alarm: Alarm, routes: tuple[Route, ...]) -> tuple[tuple[str, str], ...]:
        settings: list[tuple[str, str]] = [
            ("urgency", alarm.urgency or "-"),
            ("actions", "; ".join(r.target for r in routes) if alarm.notifies else "none"),
        ]
        if isinstance(alarm, CompositeAlarm):
            settings.append(("rule", self.stack.with_alarm_names(alarm.rule_text, _display)))
            if alarm.actions_suppressor is not None:
                suppressor = self.alarms.get(alarm.actions_suppressor.logical_id or "")
                settings.append(("suppressed by", _display(suppressor) if suppressor is not None
                                 else alarm.actions_suppressor.alarm))
        else:
            op = COMPARISON.get(alarm.comparison, alarm.comparison)
            threshold = alarm.threshold if alarm.threshold is not None else alarm.threshold_metric_id
            datapoints = alarm.effective_datapoints_to_alarm
            settings += [
                ("threshold", f"{op} {number(threshold)}"),
                ("window", f"{duration(period_of(alarm) or 0)} x {alarm.evaluation_periods}, {datapoints} to alarm"),
                ("missing data", alarm.treat_missing_data),
                ("metrics", _metric_words(alarm)),
            ]
        return tuple(settings)

    def _alarm(self, alarm: Alarm) -> AlarmReview:
        routes = tuple(self.topics[a.target] if a.target in self.topics else Route(a.text, ())
                       for a in alarm.alarm_actions)
        metadata = alarm.metadata
        composite = isinstance(alarm, CompositeAlarm)
        return AlarmReview(
            logical_id=alarm.logical_id, name=_display(alarm),
            kind="composite" if composite else "metric",
            role=metadata.role if metadata is not None else "unmanaged",
            urgency=alarm.urgency, signal=metadata.signal if metadata is not None else None,
            customer_impact=alarm.customer_impact,
            slo=metadata.slo if metadata is not None else alarm.fields.slo,
            runbook=metadata.runbook if metadata is not None and metadata.runbook else alarm.fields.runbook,
            conditions=self._conditions(alarm), notifying=alarm.notifies,
            routes=routes if alarm.notifies else (),
            metrics=alarm_metric_count(alarm, self.pricing),
            high_resolution=isinstance(alarm, MetricAlarm) and is_high_resolution(alarm),
            anomaly_detection=isinstance(alarm, MetricAlarm) and alarm.threshold_metric_id is not None,
            monthly_cost=monthly_cost(alarm, self.pricing),
            settings=self._settings(alarm, routes),
        )

    def chart(self, lids: list[str]) -> tuple[ChartWindow, ...]:
        out: list[ChartWindow] = []
        pairs: dict[str, str] = {}
        for lid in lids:
            alarm = self.alarms[lid]
            if isinstance(alarm, CompositeAlarm):
                for term in alternatives(alarm.rule, self.name_of):
                    for member in term.alarms if len(term.alarms) > 1 else ():
                        pairs.setdefault(member, term.alarms[0])
        for lid in lids:
            alarm = self.alarms[lid]
            if not isinstance(alarm, MetricAlarm):
                continue
            window, period = evaluation_window(alarm), period_of(alarm)
            if window is None or period is None:
                continue
            metadata = alarm.metadata
            label = _display(alarm)
            if metadata is not None:
                label = metadata.window or metadata.signal or label
                if metadata.window and metadata.signal:
                    label = f"{metadata.signal} {metadata.window.split(' ', 1)[-1]}"
            rate = burn_rate(alarm)
            out.append(ChartWindow(label, alarm.urgency or "-", window, period,
                                   None if rate is None else round(rate, 3), pairs.get(lid)))
        return tuple(sorted(out, key=lambda w: (w.burn_rate is None, w.window_seconds, w.label)))

    def alarm_order(self, lid: str) -> tuple[int, bool, int, str]:
        review = self.reviews[lid]
        return (0 if review.notifying else 1, review.kind != "composite",
                _URGENCY_ORDER.get(review.urgency or "", 2), review.name)

    def cost(self, lids: Sequence[str]) -> float:
        """Monthly list price of the alarms `lids` and of the probes they read."""
        probes = sum(p.monthly_cost or 0.0 for p in self.probes_of(lids))
        return round(sum(self.reviews[lid].monthly_cost for lid in set(lids)) + probes, 4)


def _display(alarm: Alarm) -> str:
    """How the review names an alarm: its ``AlarmName``, else its logical id."""
    return alarm.physical_name if alarm.physical_name is not None else alarm.logical_id


def _entrypoint(stack: _Stack, *, id: str, key: str, kind: str, title: str, source: str, lids: list[str],
                detected: list[DetectedEntrypoint]) -> EntrypointReview:
    lids = sorted(set(lids), key=stack.alarm_order)
    notifying = [lid for lid in lids if stack.alarms[lid].notifies]
    keys: set[str] = set().union(*(d.targets() for d in detected)) if detected else set()
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
    resources = stack.stack.resources
    return EntrypointReview(
        id=id, key=key, kind=kind, title=title, source=source,
        resources=tuple(f"{lid} ({resources[lid].type})" for lid in resource_names if lid in resources),
        features=tuple(sorted({f for d in detected for f in d.features})),
        covered=bool(covering), coverage=coverage, slo=slo,
        alarms=tuple(stack.reviews[lid] for lid in lids), monthly_cost=stack.cost(lids), chart=stack.chart(lids),
        identity=detected[0].identity if detected else (kind, "construct", id.partition("/")[2]),
        cost_options=cost_options([stack.alarms[lid] for lid in lids], stack.pricing),
        probes=stack.probes_of(lids),
    )


def _review_stack(model_stack: Stack, pricing: AlarmPricing) -> StackReview:
    stack = _Stack(model_stack, pricing)
    by_path: dict[str, list[str]] = defaultdict(list)
    kinds: dict[str, str] = {}
    for lid, alarm in stack.alarms.items():
        if alarm.metadata is not None:
            by_path[alarm.metadata.entrypoint].append(lid)
            kinds.setdefault(alarm.metadata.entrypoint, alarm.metadata.entrypoint_kind)
    # Resource -> the alarms watching it: each detected entrypoint looks up its own resources.
    watchers_of: dict[str, set[str]] = defaultdict(set)
    for lid, refs in stack.watch.items():
        for ref in refs:
            watchers_of[ref].add(lid)
    merged: dict[str, list[DetectedEntrypoint]] = defaultdict(list)
    entrypoints: list[EntrypointReview] = []
    attached: set[str] = {lid for lids in by_path.values() for lid in lids}
    for detected in detected_entrypoints(model_stack):
        watchers = sorted(set().union(*(watchers_of.get(key, set()) for key in detected.targets())))
        paths = sorted({meta.entrypoint for lid in watchers if lid in attached
                        and (meta := stack.alarms[lid].metadata) is not None})
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
    others = sorted((lid for lid in stack.alarms if lid not in attached), key=stack.alarm_order)
    return StackReview(
        name=model_stack.name, entrypoints=tuple(entrypoints),
        other_alarms=tuple(stack.reviews[lid] for lid in others),
        topics=tuple(sorted(stack.topics.values(), key=lambda r: r.target)),
        monthly_cost=stack.cost(list(stack.alarms)), alarm_count=len(stack.alarms),
    )


def policy_section(model: AlarmModel) -> PolicySection:
    """The policy's findings and suppressions over the same model."""
    from ..policy import check

    report = check(model)
    return PolicySection(True, "computed", tuple(sorted(f.words for f in report.findings)),
                         tuple(sorted(f"{f.words} (suppressed: {f.suppressed_reason})" for f in report.suppressed)))


def review_model(model: AlarmModel, *, pricing: AlarmPricing = DEFAULT_PRICING) -> Review:
    """The review of a loaded model."""
    reviews = sorted((_review_stack(s, pricing) for s in model.stacks), key=lambda s: s.name)
    return Review(tuple(reviews), round(sum(s.monthly_cost for s in reviews), 4), pricing.source,
                  policy_section(model))


def review_stacks(*paths: str | Path, pricing: AlarmPricing = DEFAULT_PRICING) -> Review:
    """The review of every stack of the given cloud assemblies (``cdk.out``) and template files."""
    return review_model(load(*paths), pricing=pricing)
