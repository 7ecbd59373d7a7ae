#!/usr/bin/env python3
"""L1 against L2: the same member and composite alarms built with ``cw.Alarm`` + ``MathExpression``
and ``cw.CompositeAlarm`` (as sensible_alarms builds them today) and with ``CfnAlarm`` and
``CfnCompositeAlarm``, in one process, side by side.

The alarms are shaped like the library's request burn rates: entrypoints of 10 members (5 windows,
a long and a short alarm each, a math expression over two fresh metrics, the library's metadata on
each), a HIGH composite over four windows ("long AND short" per window, OR-ed) and a LOW one over the
fifth whose actions the HIGH one suppresses, both notifying one SNS topic. Three variants:

* ``l2``: ``cw.Metric`` x2 + ``cw.MathExpression`` + ``cw.Alarm`` per member, metadata through
  ``alarm.node.default_child``; ``AlarmRule`` + ``cw.CompositeAlarm`` + ``SnsAction`` per composite.
* ``l1``: a ``Construct`` holder with the L2's id and a ``CfnAlarm`` / ``CfnCompositeAlarm`` named
  ``Resource`` under it (so logical ids and construct paths stay those of the L2), properties and
  the alarm rule rendered in Python from the ARN tokens.
* ``l1_handles``: ``l1`` plus a typed handle per alarm, ``cw.Alarm.from_alarm_arn`` /
  ``cw.CompositeAlarm.from_composite_alarm_arn`` (the ``IAlarm`` users keep).

The three templates must be identical, resource by resource (type, properties, metadata, logical id):
:func:`run` raises otherwise. Times are per round, variants in alternating order, after a warm-up
round, and reported as ratios within a round; jsii calls are counted in a separate, untimed pass.

Usage: python alarm_micro.py [--alarms 200] [--rounds 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import psutil
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jsii_calls import JsiiCalls

from sensible_alarms.metadata import METADATA_KEY
from sensible_alarms.model import load_assembly

VARIANTS = ("l2", "l1", "l1_handles")
MEMBERS_PER_ENTRYPOINT = 10
WINDOWS = ((3600, 300), (21600, 1800), (86400, 7200), (43200, 3600), (7200, 600))  # (long, short) seconds
CLI_CONTEXT = {"aws:cdk:enable-path-metadata": True, "aws:cdk:disable-stack-trace": True}


# -- what to build, as data ------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    description: str
    expression: str
    label: str
    metrics: tuple[tuple[str, str, str], ...]  # (query id, metric name, statistic)
    period: int
    threshold: float
    metadata: dict[str, object]


@dataclass(frozen=True)
class Notifier:
    id: str
    name: str
    description: str
    windows: tuple[tuple[str, str], ...]  # (long member id, short member id), OR-ed
    suppressed_by: str | None
    metadata: dict[str, object]


@dataclass(frozen=True)
class Entrypoint:
    id: str
    dimensions: dict[str, str]
    members: tuple[Member, ...]
    notifiers: tuple[Notifier, ...]


def _metadata(entrypoint: str, role: str, urgency: str, window: str | None) -> dict[str, object]:
    return {"version": 1, "entrypoint": f"Micro/{entrypoint}", "entrypointKind": "api", "role": role,
            "urgency": urgency, "signal": "availability", "slo": "99.9% of requests succeed over 30 days",
            "customerImpact": f"Customers of {entrypoint} get server errors.",
            "runbook": f"https://runbooks.example.com/{entrypoint}", "window": window}


def entrypoints(alarms: int) -> list[Entrypoint]:
    """Entrypoints of MEMBERS_PER_ENTRYPOINT members each, `alarms` members in all."""
    if alarms < MEMBERS_PER_ENTRYPOINT or alarms % MEMBERS_PER_ENTRYPOINT:
        raise SystemExit(f"--alarms must be a multiple of {MEMBERS_PER_ENTRYPOINT} (got {alarms})")
    result = []
    for n in range(alarms // MEMBERS_PER_ENTRYPOINT):
        entry = f"Api{n}"
        members = []
        pairs = []
        for w, (long, short) in enumerate(WINDOWS):
            urgency = "LOW" if w == len(WINDOWS) - 1 else "HIGH"
            for kind, seconds, expression in (
                ("Long", long, "IF(errors >= 5, errors / requests, 0)"),
                ("Short", short, "FILL(errors, 0) / requests"),
            ):
                member_id = f"Availability{kind}{w}"
                members.append(Member(
                    id=member_id, name=f"Micro-{entry}-{member_id}",
                    description=(f"Customer impact: customers of {entry} get server errors: 2% of the 30-day error "
                                 f"budget burned within {seconds // 60} min.\nUrgency: {urgency}\n"
                                 f"SLO: 99.9% of requests succeed over 30 days\n"
                                 f"Runbook: https://runbooks.example.com/{entry}"),
                    expression=expression, label=f"Failed request ratio over {seconds // 60} min",
                    metrics=(("errors", "5XXError", "Sum"), ("requests", "Count", "Sum")),
                    period=seconds, threshold=0.0144,
                    metadata=_metadata(entry, "member", urgency, f"{kind.lower()} {seconds // 60} min")))
            pairs.append((f"AvailabilityLong{w}", f"AvailabilityShort{w}"))
        notifiers = (
            Notifier(id="HighUrgency", name=f"Micro-{entry}-HighUrgency", description=f"{entry} is failing now.",
                     windows=tuple(pairs[:-1]), suppressed_by=None,
                     metadata=_metadata(entry, "notifier", "HIGH", None)),
            Notifier(id="LowUrgency", name=f"Micro-{entry}-LowUrgency", description=f"{entry} fails slowly.",
                     windows=(pairs[-1],), suppressed_by="HighUrgency",
                     metadata=_metadata(entry, "notifier", "LOW", None)),
        )
        result.append(Entrypoint(entry, {"ApiName": f"api-{n}", "Stage": "prod"}, tuple(members), notifiers))
    return result


# -- the builders ----------------------------------------------------------------------------


class _L2:
    """Today's way: L2 alarms, metrics and rules."""

    def __init__(self, stack: cdk.Stack, topic: sns.Topic) -> None:
        self.stack, self.topic = stack, topic
        self.alarms: dict[tuple[str, str], cw.IAlarm] = {}

    def members(self, entry: Entrypoint, scope: Construct) -> None:
        for m in entry.members:
            metrics = {qid: cw.Metric(namespace="AWS/ApiGateway", metric_name=name, statistic=stat,
                                      dimensions_map=entry.dimensions) for qid, name, stat in m.metrics}
            alarm = cw.Alarm(scope, m.id, alarm_name=m.name, alarm_description=m.description,
                             metric=cw.MathExpression(expression=m.expression, using_metrics=metrics,
                                                      period=cdk.Duration.seconds(m.period), label=m.label),
                             threshold=m.threshold,
                             comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                             evaluation_periods=1, treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
                             actions_enabled=False)
            resource = alarm.node.default_child
            assert isinstance(resource, cdk.CfnResource)
            resource.add_metadata(METADATA_KEY, m.metadata)
            self.alarms[(entry.id, m.id)] = alarm

    def notifiers(self, entry: Entrypoint, scope: Construct) -> None:
        for n in entry.notifiers:
            rules = [cw.AlarmRule.all_of(*(cw.AlarmRule.from_alarm(self.alarms[(entry.id, member)],
                                                                   cw.AlarmState.ALARM) for member in pair))
                     for pair in n.windows]
            suppressor = self.alarms[(entry.id, n.suppressed_by)] if n.suppressed_by else None
            composite = cw.CompositeAlarm(
                scope, n.id, composite_alarm_name=n.name, alarm_description=n.description,
                alarm_rule=rules[0] if len(rules) == 1 else cw.AlarmRule.any_of(*rules),
                actions_suppressor=suppressor,
                actions_suppressor_wait_period=cdk.Duration.minutes(30) if suppressor else None,
                actions_suppressor_extension_period=cdk.Duration.minutes(15) if suppressor else None)
            composite.add_alarm_action(cw_actions.SnsAction(self.topic))
            resource = composite.node.default_child
            assert isinstance(resource, cdk.CfnResource)
            resource.add_metadata(METADATA_KEY, n.metadata)
            self.alarms[(entry.id, n.id)] = composite


class _L1:
    """CfnAlarm / CfnCompositeAlarm under a holder with the L2's id; optionally a typed handle each."""

    def __init__(self, stack: cdk.Stack, topic: sns.Topic, *, handles: bool) -> None:
        self.stack, self.handles = stack, handles
        self.topic_arn = topic.topic_arn
        self.arns: dict[tuple[str, str], str] = {}
        self.alarms: dict[tuple[str, str], cw.IAlarm] = {}

    def members(self, entry: Entrypoint, scope: Construct) -> None:
        dimensions = [cw.CfnAlarm.DimensionProperty(name=k, value=v) for k, v in entry.dimensions.items()]
        for m in entry.members:
            queries = [cw.CfnAlarm.MetricDataQueryProperty(id="expr_1", expression=m.expression, label=m.label,
                                                           return_data=True)]
            queries += [cw.CfnAlarm.MetricDataQueryProperty(
                id=qid, return_data=False, metric_stat=cw.CfnAlarm.MetricStatProperty(
                    metric=cw.CfnAlarm.MetricProperty(namespace="AWS/ApiGateway", metric_name=name,
                                                      dimensions=dimensions),
                    period=m.period, stat=stat)) for qid, name, stat in m.metrics]
            holder = Construct(scope, m.id)
            alarm = cw.CfnAlarm(holder, "Resource", alarm_name=m.name, alarm_description=m.description,
                                actions_enabled=False, comparison_operator="GreaterThanOrEqualToThreshold",
                                evaluation_periods=1, metrics=queries, threshold=m.threshold,
                                treat_missing_data="notBreaching")
            alarm.add_metadata(METADATA_KEY, m.metadata)
            arn = alarm.attr_arn
            self.arns[(entry.id, m.id)] = arn
            if self.handles:
                self.alarms[(entry.id, m.id)] = cw.Alarm.from_alarm_arn(holder, "Handle", arn)

    def notifiers(self, entry: Entrypoint, scope: Construct) -> None:
        for n in entry.notifiers:
            # AlarmRule's rendering: ALARM("<arn>"), "(a AND b)" per window, "(x OR y)" across windows.
            rules = ["(" + " AND ".join(f'ALARM("{self.arns[(entry.id, member)]}")' for member in pair) + ")"
                     for pair in n.windows]
            rule = rules[0] if len(rules) == 1 else "(" + " OR ".join(rules) + ")"
            suppressor = self.arns[(entry.id, n.suppressed_by)] if n.suppressed_by else None
            holder = Construct(scope, n.id)
            composite = cw.CfnCompositeAlarm(
                holder, "Resource", alarm_rule=rule, alarm_name=n.name, alarm_description=n.description,
                alarm_actions=[self.topic_arn], actions_suppressor=suppressor,
                actions_suppressor_wait_period=1800 if suppressor else None,
                actions_suppressor_extension_period=900 if suppressor else None)
            composite.add_metadata(METADATA_KEY, n.metadata)
            arn = composite.attr_arn
            self.arns[(entry.id, n.id)] = arn
            if self.handles:
                self.alarms[(entry.id, n.id)] = cw.CompositeAlarm.from_composite_alarm_arn(holder, "Handle", arn)


def _builder(variant: str, stack: cdk.Stack, topic: sns.Topic) -> _L1 | _L2:
    return _L2(stack, topic) if variant == "l2" else _L1(stack, topic, handles=variant == "l1_handles")


def build(variant: str, spec: list[Entrypoint], outdir: str,
          measure: Callable[[str], contextlib.AbstractContextManager[Any]] | None = None) -> cdk.App:
    """The app of one variant. `measure(phase)`, if given, is a context manager around the members
    phase and the composites phase."""
    app = cdk.App(outdir=outdir, context=dict(CLI_CONTEXT))
    stack = cdk.Stack(app, "Micro", synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    topic = sns.Topic(stack, "Notifications")
    scopes = {entry.id: Construct(stack, entry.id) for entry in spec}
    builder = _builder(variant, stack, topic)
    for phase, step in (("members", builder.members), ("composites", builder.notifiers)):
        with measure(phase) if measure else contextlib.nullcontext():
            for entry in spec:
                step(entry, scopes[entry.id])
    return app


# -- measuring -------------------------------------------------------------------------------


def _resources(outdir: str) -> dict[str, tuple[str, Any, Any]]:
    (stack,) = load_assembly(outdir).stacks
    return {lid: (r.type, r.properties, r.metadata) for lid, r in stack.resources.items()}


def count_calls(spec: list[Entrypoint], workdir: Path) -> tuple[dict[str, Any], bool, int]:
    """Calls per variant, members and composites apart; whether the templates are identical; and
    how many resources were compared."""
    calls: dict[str, Any] = {}
    templates = {}
    members = sum(len(e.members) for e in spec)
    composites = sum(len(e.notifiers) for e in spec)
    for variant in VARIANTS:
        counters: dict[str, JsiiCalls] = {}

        def measure(phase: str, counters: dict[str, JsiiCalls] = counters) -> JsiiCalls:
            counters[phase] = JsiiCalls()
            return counters[phase]

        outdir = str(workdir / f"count-{variant}")
        build(variant, spec, outdir, measure).synth()
        templates[variant] = _resources(outdir)
        member_calls, composite_calls = counters["members"], counters["composites"]
        calls[variant] = {
            "per_member_alarm": round(member_calls.total() / members, 2),
            "per_composite_alarm": round(composite_calls.total() / composites, 2),
            "per_alarm": round((member_calls.total() + composite_calls.total()) / (members + composites), 2),
            "members_by_kind": member_calls.by("kind"),
            "composites_by_kind": composite_calls.by("kind"),
            "members_by_name": member_calls.by("name"),
            "composites_by_name": composite_calls.by("name"),
        }
    reference = templates["l2"]
    for variant in VARIANTS[1:]:
        if templates[variant] != reference:
            differ = sorted(lid for lid in reference.keys() | templates[variant].keys()
                            if reference.get(lid) != templates[variant].get(lid))
            raise SystemExit(f"the {variant} template differs from the l2 template in {len(differ)} resources, "
                             f"e.g. {differ[:3]}: {templates[variant].get(differ[0])} != {reference.get(differ[0])}")
    return calls, True, len(reference)


def _cpu() -> float:
    """CPU seconds (user + system) so far of this process and its children (jsii's Node.js)."""
    total = 0.0
    for process in [psutil.Process(), *psutil.Process().children(recursive=True)]:
        times = process.cpu_times()
        total += times.user + times.system
    return total


def run(alarms: int, rounds: int, workdir: Path) -> dict[str, Any]:
    spec = entrypoints(alarms)
    for variant in VARIANTS:  # warm-up: Node.js loads the classes each variant uses
        build(variant, entrypoints(MEMBERS_PER_ENTRYPOINT), str(workdir / f"warm-{variant}")).synth()
    timed = []
    for r in range(rounds):
        order = VARIANTS if r % 2 == 0 else tuple(reversed(VARIANTS))
        load = round(os.getloadavg()[0], 2)
        times: dict[str, dict[str, float]] = {}
        for variant in order:
            cpu_started, started = _cpu(), time.perf_counter()
            app = build(variant, spec, str(workdir / f"round{r}-{variant}"))
            built = time.perf_counter()
            app.synth()
            done, cpu_done = time.perf_counter(), _cpu()
            times[variant] = {"build_seconds": round(built - started, 3), "synth_seconds": round(done - built, 3),
                              "cpu_seconds": round(cpu_done - cpu_started, 3)}
        timed.append({"order": list(order), "load_1min": load, **times})
    calls, identical, resources = count_calls(spec, workdir)

    def ratios(numerator: str, denominator: str, phase: str) -> dict[str, float]:
        values = [_phase(t[numerator], phase) / _phase(t[denominator], phase) for t in timed]
        return _summary(values)

    members = sum(len(e.members) for e in spec)
    composites = sum(len(e.notifiers) for e in spec)
    return {
        "member_alarms": members,
        "composite_alarms": composites,
        "rounds": timed,
        "ratio_l2_over_l1": {phase: ratios("l2", "l1", phase) for phase in ("build", "synth", "total", "cpu")},
        "ratio_l1_handles_over_l1": {phase: ratios("l1_handles", "l1", phase)
                                     for phase in ("build", "synth", "total", "cpu")},
        "jsii_calls": calls,
        "templates_identical": identical,
        "resources_compared": resources,
    }


def _phase(times: dict[str, float], phase: str) -> float:
    if phase == "total":
        return times["build_seconds"] + times["synth_seconds"]
    if phase == "cpu":
        return times["cpu_seconds"]
    return times[f"{phase}_seconds"]


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alarms", type=int, default=200, help="member alarms (a multiple of 10)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="keep the cloud assemblies here (default: a temporary directory)")
    args = parser.parse_args()
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        print(json.dumps(run(args.alarms, args.rounds, args.workdir), indent=2))
        return
    with tempfile.TemporaryDirectory(prefix="alarm-micro-") as workdir:
        print(json.dumps(run(args.alarms, args.rounds, Path(workdir)), indent=2))


if __name__ == "__main__":
    main()
