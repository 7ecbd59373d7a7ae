"""What every entrypoint construct shares: member alarms without actions, one notifying composite
per urgency, deterministic names and descriptions that say what customers feel."""

from __future__ import annotations

import hashlib
import re
import weakref
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from .._durations import seconds_of, words
from .._tokens import unresolved
from ..burn_rate import BURN_RATE_WINDOWS
from ..errors import SensibleAlarmsError
from ..metadata import METADATA_KEY, AlarmMetadata, EntrypointKind
from ..routing import AlarmRouting
from ..urgency import Urgency
from .composites import Rule, all_of, any_of, composite_alarm, from_alarm, not_
from .metrics import alarm_properties
from .signals import ARRIVAL_QUIET_MINUTES

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .metrics import MathExpression, Metric

__all__ = ["EntrypointAlarms", "SignalAlarm"]

#: CloudWatch's limits on alarm names and descriptions.
MAX_ALARM_NAME = 255
MAX_DESCRIPTION = 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Alarm names given so far, per construct tree: (account, region, name) -> the alarm's construct path.
_NAMES_GIVEN: weakref.WeakKeyDictionary[Any, dict[tuple[str, str, str], str]] = weakref.WeakKeyDictionary()
#: ARN tokens of alarms read so far (each read is a jsii call; rules and typed handles share them).
_ARNS: weakref.WeakKeyDictionary[cw.CfnAlarm | cw.CfnCompositeAlarm, str] = weakref.WeakKeyDictionary()
#: How long a LOW notification waits for the HIGH one of the same entrypoint before it goes out:
#: the longest HIGH confirmation (short) window, so an incident that escalates notifies once, as HIGH.
_SUPPRESSOR_WAIT_SECONDS = max(w.short_window_seconds for w in BURN_RATE_WINDOWS if w.urgency is Urgency.HIGH)
#: `sustain` of the age signals: whole minutes (their datapoints are 1 minute), at most 1 hour.
MAX_SUSTAIN_SECONDS = 3600
#: An incident notifier waits this long after its confirmation holds before it notifies: one
#: evaluation. Without it a confirmation of a single minute (a burst of errors that fills a short
#: window and an outage window at once) paged: 5 more false notifications at S = 50 on the fleet
#: benchmark, for 1 minute less to detect (docs/concepts.md).
_CONFIRMATION_WAIT_SECONDS = 60
#: A confirmed LOW incident notifies once it has stayed confirmed, with no HIGH long window (or
#: outage window) over its threshold, this long: a burn near a HIGH threshold crosses it on and off,
#: and a shorter spell let the ticket out after the page (fleet benchmark, docs/concepts.md).
_LOW_CONFIRMATION_SECONDS = 2 * 3600
#: CloudFormation's spelling of the L2 enums a member takes (jsii's Python enums carry the names).
_COMPARISON = {
    cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD: "GreaterThanOrEqualToThreshold",
    cw.ComparisonOperator.GREATER_THAN_THRESHOLD: "GreaterThanThreshold",
    cw.ComparisonOperator.LESS_THAN_THRESHOLD: "LessThanThreshold",
    cw.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD: "LessThanOrEqualToThreshold",
}
_MISSING = {
    cw.TreatMissingData.BREACHING: "breaching", cw.TreatMissingData.NOT_BREACHING: "notBreaching",
    cw.TreatMissingData.IGNORE: "ignore", cw.TreatMissingData.MISSING: "missing",
}


@dataclass(frozen=True)
class SignalAlarm:
    """A member alarm and what it watches, for dashboards and callers.

    The member is a ``CfnAlarm`` (`resource`) under a construct with the member's id; `alarm`, a
    typed ``IAlarm`` handle on it, is made the first time it is read (each handle is a jsii call,
    and most members are never asked for one)."""

    resource: cw.CfnAlarm
    urgency: Urgency
    signal: str
    title: str
    #: Shown on the dashboard (long burn-rate windows and every non-burn-rate signal).
    primary: bool
    #: The construct with the member's id that holds `resource` (and `alarm`, once made).
    holder: Construct = field(repr=False, compare=False)

    @cached_property
    def alarm(self) -> cw.IAlarm:
        """The member as an ``IAlarm`` (``Alarm.from_alarm_arn``), for widgets and rules."""
        return cw.Alarm.from_alarm_arn(self.holder, "Alarm", alarm_arn(self.resource))


@dataclass(frozen=True)
class _StackFacts:
    """What alarm names read of a stack, read once per stack (each is a jsii call) and shared by its
    entrypoint constructs: its name and path, the names given in its app, its account and Region."""

    name: str
    path: str
    names_given: dict[tuple[str, str, str], str]
    account: str
    region: str

    @staticmethod
    def of(stack: cdk.Stack) -> _StackFacts:
        facts = _STACK_FACTS.get(stack)
        if facts is None:
            node = stack.node
            facts = _STACK_FACTS[stack] = _StackFacts(
                stack.stack_name, node.path, _NAMES_GIVEN.setdefault(node.root, {}), stack.account, stack.region)
        return facts


#: _StackFacts per stack.
_STACK_FACTS: weakref.WeakKeyDictionary[cdk.Stack, _StackFacts] = weakref.WeakKeyDictionary()


class EntrypointAlarms(Construct):
    """Base of the entrypoint constructs. Not used directly."""

    _kind: EntrypointKind

    def __init__(self, scope: Construct, id: str, *, routing: AlarmRouting, runbook_url: str | None) -> None:
        super().__init__(scope, id)
        if not isinstance(routing, AlarmRouting):
            raise SensibleAlarmsError(
                f"'routing' must be an AlarmRouting (got {type(routing).__name__})",
                path=self.node.path, prop="routing", value=routing,
            )
        if runbook_url is not None and not (
            re.fullmatch(r"https?://\S+", str(runbook_url)) or unresolved(runbook_url)
        ):
            raise SensibleAlarmsError(
                f"'runbook_url' must be an http(s) URL (got {runbook_url!r})",
                path=self.node.path, prop="runbook_url", value=runbook_url,
            )
        self._routing = routing
        self._runbook_url = runbook_url
        #: The stack, when it is the scope (most entrypoint constructs), and the id: no Stack.of or path read.
        self._scope_stack, self._id = (scope if isinstance(scope, cdk.Stack) else None), _sanitized(id)
        self._members: list[SignalAlarm] = []
        self._rules: dict[Urgency, list[Rule]] = {Urgency.HIGH: [], Urgency.LOW: []}
        self._holds: dict[Urgency, list[Rule]] = {Urgency.HIGH: [], Urgency.LOW: []}
        self._notifiers: dict[Urgency, cw.CfnCompositeAlarm] = {}
        self._notifier_handles: dict[Urgency, cw.IAlarm] = {}
        #: The construct with the notifier's id that holds it (and its handle, once made).
        self._notifier_holders: dict[Urgency, Construct] = {}
        #: HIGH burn-rate long windows and outage windows: while one is over its threshold the LOW
        #: notification stays quiet.
        self._high_longs: list[cw.CfnAlarm] = []
        #: "Nearly every request fails" members (the outage now) and their memory (an outage within
        #: the last half hour): with them the entrypoint has its own outage notifier (``_add_notifiers``).
        self._outages: list[cw.CfnAlarm] = []
        self._outage_memory: list[cw.CfnAlarm] = []
        #: Conditions under which the outage members are explained by one part of the entrypoint
        #: failing, which the HIGH notifier tells (``_add_partial_outage``).
        self._partial_outages: list[Rule] = []
        self._outage_notifier: cw.CfnCompositeAlarm | None = None
        #: Whether outage members get that notifier (``outage_notifier``), or feed the HIGH one.
        self._outage_notifier_on = True
        #: How long the outage members' memory lasts (set by whoever adds them), for texts.
        self._outage_memory_seconds = 0
        #: How long a confirmed incident waits before it notifies (``_CONFIRMATION_WAIT_SECONDS``);
        #: subclasses whose rules already wait for their signal to be sustained set zero.
        self._confirmation_wait_seconds = _CONFIRMATION_WAIT_SECONDS
        #: How long a HIGH incident can keep a LOW signal in ALARM after it ends (subclasses with
        #: longer LOW windows raise it): the quiet spell of the arrival signals.
        self._low_window_seconds = ARRIVAL_QUIET_MINUTES * 60

    # -- public surface ------------------------------------------------------------------------

    @cached_property
    def entrypoint_name(self) -> str:
        """How texts name this entrypoint: the construct id, less a trailing "Alarms"."""
        name = self._path.rsplit("/", 1)[-1]  # the id: ids cannot hold "/"
        return name[: -len("Alarms")] if name.endswith("Alarms") and len(name) > len("Alarms") else name

    @property
    def members(self) -> list[SignalAlarm]:
        """The signal alarms; they carry no actions."""
        return list(self._members)

    @property
    def notifiers(self) -> dict[Urgency, cw.IAlarm]:
        """The composite alarm per urgency that carries the notification, as an ``IAlarm``
        (``CompositeAlarm.from_composite_alarm_arn``, made the first time it is read: each handle is
        a jsii call). The ``CfnCompositeAlarm`` itself is in `notifier_resources`."""
        for urgency, resource in self._notifiers.items():
            if urgency not in self._notifier_handles:
                self._notifier_handles[urgency] = cw.CompositeAlarm.from_composite_alarm_arn(
                    self._notifier_holders[urgency], "Alarm", alarm_arn(resource))
        return dict(self._notifier_handles)

    @property
    def notifier_resources(self) -> dict[Urgency, cw.CfnCompositeAlarm]:
        """The notifying ``CfnCompositeAlarm`` per urgency (under a construct with its id)."""
        return dict(self._notifiers)

    # -- for subclasses ------------------------------------------------------------------------

    def _fail(self, message: str, prop: str, value: Any) -> SensibleAlarmsError:
        return SensibleAlarmsError(message, path=self.node.path, prop=prop, value=value)

    def _choose_outage_notifier(self, value: object) -> None:
        """The ``outage_notifier`` argument: True gives outage members their own notifier
        (``_add_notifiers``); False makes them rules and holds of the HIGH notifier."""
        if not isinstance(value, bool):
            raise self._fail(f"'outage_notifier' must be True or False (got {value!r})", "outage_notifier", value)
        self._outage_notifier_on = value

    def _check_environments(self, **resources: object) -> None:
        """Each watched resource is in this stack's account and Region, where known: a CloudWatch
        alarm reads the metrics of its own account and Region, so an alarm on an imported resource
        of another environment would never fire."""
        _, _, account, region = self._name_scope
        for prop, resource in resources.items():
            env = getattr(resource, "env", None) if resource is not None else None
            if env is None:
                continue
            for what, theirs, ours in (("account", env.account, account), ("Region", env.region, region)):
                if not (unresolved(theirs) or unresolved(ours)) and theirs != ours:
                    raise self._fail(
                        f"'{prop}' must be in the alarms' {what}: CloudWatch alarms read the metrics of their own "
                        f"account and Region, so these would never fire (got {what} {theirs}, the stack's is "
                        f"{ours}); add the alarms in a stack of {theirs}", prop, resource)

    def _sustain_minutes(self, sustain: object) -> int:
        """`sustain` (a Duration of whole minutes, 1 min to 1 h) in minutes, or an error naming it."""
        seconds = seconds_of(sustain, owner=type(self).__name__, prop="sustain", path=self._path)
        if seconds % 60 or not 60 <= seconds <= MAX_SUSTAIN_SECONDS:
            raise self._fail(
                "'sustain' must be a whole number of minutes from 1 min to 1 h, the age signals' datapoints "
                f"being 1 minute (got {words(seconds)})", "sustain", sustain)
        return seconds // 60

    @cached_property  # the same for every alarm of the construct, and jsii calls are slow
    def _alarm_name_prefix(self) -> str:
        stack = self._stack
        if unresolved(stack.name):
            raise self._fail("the stack name must be concrete to derive alarm names", "stack_name", stack.name)
        relative = self._path[len(stack.path):].strip("/")
        return f"{stack.name}-{relative.replace('/', '-')}"

    @cached_property  # read once per construct: each is a jsii call, and they were 35 % of all calls
    def _name_scope(self) -> tuple[str, dict[tuple[str, str, str], str], str, str]:
        """This construct's path, the names given in its app, and its stack's account and Region."""
        stack = self._stack
        return self._path, stack.names_given, stack.account, stack.region

    @cached_property
    def _path(self) -> str:
        if self._scope_stack is not None:
            # constructs' Node.path: the scope's path and the (sanitized) id.
            parent = self._stack.path
            return f"{parent}/{self._id}" if parent else self._id
        return self.node.path

    @cached_property
    def _stack(self) -> _StackFacts:
        return _StackFacts.of(self._scope_stack or cdk.Stack.of(self))

    def _alarm_name(self, suffix: str) -> str:
        name = _UNSAFE.sub("-", f"{self._alarm_name_prefix}-{suffix}")
        if len(name) > MAX_ALARM_NAME:
            digest = hashlib.sha256(name.encode()).hexdigest()[:8]
            keep = MAX_ALARM_NAME - len(suffix) - len(digest) - 2
            name = f"{name[:keep]}-{digest}-{suffix}"
        # Alarm names are unique per account and Region: two construct paths that map to one name (ids
        # differing only in characters replaced by "-", or "A/B" beside "A-B") would fail the deploy.
        # Stacks of one app in one environment share the names (env-agnostic stacks count as one).
        path_of_construct, given, account, region = self._name_scope
        path = f"{path_of_construct}/{suffix}"
        first = given.setdefault((account, region, name), path)
        if first != path:
            raise self._fail(
                f"'id' must give alarm names unique in an account and Region: alarm name {name!r} of {path} is "
                f"already that of {first} (construct ids that differ only in characters other than A-Z a-z 0-9 "
                "'.' '_' '-', which become '-', give the same name); rename one of them", "id", self.node.id)
        return name

    def _description(self, impact: str, urgency: Urgency, slo: str) -> str:
        runbook = self._runbook_url or "none given"
        text = (
            f"Customer impact: {impact}\n"
            f"Urgency: {urgency.value} - {urgency.meaning}\n"
            f"SLO: {slo}\n"
            f"Runbook: {runbook}"
        )
        if len(text) > MAX_DESCRIPTION:
            raise self._fail(f"the alarm description is {len(text)} characters, over CloudWatch's "
                             f"{MAX_DESCRIPTION}; shorten the runbook URL or construct id", "runbook_url",
                             self._runbook_url)
        return text

    def _metadata(self, *, role: str, urgency: Urgency, signal: str, slo: str, impact: str,
                  window: str | None) -> dict[str, object]:
        return AlarmMetadata(
            entrypoint=self._path,
            entrypoint_kind=self._kind,
            role=role,  # type: ignore[arg-type]
            urgency=urgency.value,
            signal=signal,
            slo=slo,
            customer_impact=impact,
            runbook=self._runbook_url,
            window=window,
        ).to_template()

    def _add_member(
        self,
        *,
        id: str,
        signal: str,
        title: str,
        urgency: Urgency,
        impact: str,
        slo: str,
        metric: Metric | MathExpression,
        threshold: float,
        comparison: cw.ComparisonOperator,
        evaluation_periods: int = 1,
        datapoints_to_alarm: int | None = None,
        missing: cw.TreatMissingData = cw.TreatMissingData.NOT_BREACHING,
        window: str | None = None,
        primary: bool = True,
    ) -> cw.CfnAlarm:
        # A CfnAlarm named "Resource" under a holder with the member's id: the logical id and
        # construct path of a cw.Alarm, with 3 jsii calls instead of about 20 (docs/synth-speed.md).
        holder = Construct(self, id)
        alarm = cw.CfnAlarm(
            holder, "Resource",
            alarm_name=self._alarm_name(id),
            alarm_description=self._description(impact, urgency, slo),
            # Members never notify: their entrypoint's composite does, once.
            actions_enabled=False,
            comparison_operator=_COMPARISON[comparison],
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
            threshold=threshold,
            treat_missing_data=_MISSING[missing],
            **alarm_properties(metric),
        )
        alarm.add_metadata(METADATA_KEY, self._metadata(
            role="member", urgency=urgency, signal=signal, slo=slo, impact=impact, window=window))
        self._members.append(SignalAlarm(alarm, urgency, signal, title, primary, holder))
        return alarm

    def _add_rule(self, urgency: Urgency, rule: Rule) -> None:
        """A condition that notifies at `urgency` (the rules of an urgency are OR-ed)."""
        self._rules[urgency].append(rule)

    def _add_hold(self, urgency: Urgency, rule: Rule) -> None:
        """A condition that keeps an incident of `urgency` open once its rules notified: with holds,
        the notifier is in ALARM while any hold is, and notifies once, when a rule first holds within
        that time (see docs/concepts.md, "One incident, one notification")."""
        self._holds[urgency].append(rule)

    def _add_outage(self, outage: cw.CfnAlarm, memory: cw.CfnAlarm | None = None) -> None:
        """An outage member (and its memory): it notifies through the entrypoint's outage notifier,
        not the HIGH one, so an outage that starts while the HIGH notifier is already in ALARM for
        something smaller is still told; it keeps LOW quiet too. With ``outage_notifier=False`` it is
        a rule and a hold of the HIGH notifier instead (and has no memory)."""
        if not self._outage_notifier_on:
            self._add_rule(Urgency.HIGH, self._any_of([outage]))
            self._add_hold(Urgency.HIGH, self._any_of([outage]))
            self._high_longs.append(outage)
            return
        self._outages.append(outage)
        if memory is not None:
            self._outage_memory.append(memory)
        self._high_longs.append(outage)

    def _add_partial_outage(self, rule: Rule) -> None:
        """While `rule` holds, an outage member's ALARM is one part of the entrypoint failing (one
        route, told by the HIGH notifier), not the whole of it: the outage notifier does not notify."""
        self._partial_outages.append(rule)

    @staticmethod
    def _either(rules: Sequence[Rule]) -> Rule:
        return rules[0] if len(rules) == 1 else any_of(*rules)

    def _add_composite(self, suffix: str, urgency: Urgency, slo: str, impact: str, *, role: str, signal: str,
                       rule: Rule, topic_arn: str | None = None, suppressor: cw.CfnCompositeAlarm | None = None,
                       wait_seconds: int | None = None, extension_seconds: int | None = None,
                       ) -> tuple[Construct, cw.CfnCompositeAlarm]:
        """A composite as ``cw.CompositeAlarm`` writes it (L1: docs/synth-speed.md), with our metadata,
        and the construct with its id that holds it; one with no topic never notifies."""
        holder, resource = composite_alarm(
            self, suffix,
            composite_alarm_name=self._alarm_name(suffix),
            alarm_description=self._description(impact, urgency, slo),
            alarm_rule=rule,
            actions_enabled=False if topic_arn is None else None,
            alarm_actions=() if topic_arn is None else (topic_arn,),
            actions_suppressor=None if suppressor is None else alarm_arn(suppressor),
            actions_suppressor_wait_period=wait_seconds,
            actions_suppressor_extension_period=extension_seconds,
        )
        resource.add_metadata(METADATA_KEY, self._metadata(role=role, urgency=urgency, signal=signal, slo=slo,
                                                           impact=impact, window=None))
        return holder, resource

    def _add_outage_notifier(self, impact: str, slo: str) -> cw.CfnCompositeAlarm:
        """The outage notifier: in ALARM while an outage member is, or its memory (a sustained outage
        within the last half hour); notifies once, when an outage member has held for the
        confirmation wait. Apart from the HIGH notifier,
        so an outage is told even while that one is already in ALARM for a smaller incident."""
        suffix = "OutageUrgency"
        _, unconfirmed = self._add_composite(
            f"{suffix}Unconfirmed", Urgency.HIGH, slo,
            f"No request of {self.entrypoint_name} is in an outage now. (Notifies no one: while it is in ALARM, "
            f"{suffix} does not notify, so an outage notifies once, after it has held for "
            f"{words(self._confirmation_wait_seconds)}.)",
            role="member", signal="confirmation",
            rule=self._either([not_(self._any_of(self._outages)), *self._partial_outages]))
        _, notifier = self._add_composite(
            suffix, Urgency.HIGH, slo, impact, role="notifier", signal="notification",
            # The HIGH holds too: an incident still open keeps the outage notifier's episode open (its
            # actions held until an outage member confirms), so an outage within it notifies once, and a
            # later blip within the same incident does not notify again.
            rule=self._either([self._any_of(self._outages + self._outage_memory), *self._holds[Urgency.HIGH]]),
            topic_arn=self._routing.topic_arn(Urgency.HIGH),
            suppressor=unconfirmed, wait_seconds=self._confirmation_wait_seconds,
            extension_seconds=self._confirmation_wait_seconds)
        self._outage_notifier = notifier
        return notifier

    def _add_notifiers(self, impacts: dict[Urgency, str], slo: str, outage_impact: str | None = None) -> None:
        """One composite per urgency that has rules (and one for outages, with outage members: its
        text is `outage_impact`, else added to the HIGH one's); they alone have an alarm action."""
        if outage_impact and not self._outage_notifier_on:
            impacts = {**impacts, Urgency.HIGH: f"{impacts[Urgency.HIGH]} {outage_impact}"}
        outage = None
        if self._outages:
            outage = self._add_outage_notifier(outage_impact or impacts[Urgency.HIGH], slo)
        for urgency in (Urgency.HIGH, Urgency.LOW):
            rules = self._rules[urgency]
            if not rules:
                continue
            suffix = f"{urgency.value.title()}Urgency"
            holds = self._holds[urgency]
            suppressor: cw.CfnCompositeAlarm | None = None
            wait = extension = None
            if holds:
                # One incident, one notification: the notifier is in ALARM while the incident is
                # open (a hold), and its actions wait until a rule confirms it.
                quiet = (f"No {urgency.value} condition of {self.entrypoint_name} holds now. (Notifies no one: "
                         f"while it is in ALARM, {suffix} does not notify, so an open incident notifies once.)")
                confirmed = self._either(rules)
                wait = extension = self._confirmation_wait_seconds
                if urgency is Urgency.HIGH and outage is not None:
                    # An outage is told by the outage notifier: while it is in ALARM (and for its memory
                    # after), the burn rates the outage moves do not notify again.
                    quiet = (f"No {urgency.value} condition of {self.entrypoint_name} holds now, or an outage "
                             f"member is in ALARM or was within {words(self._outage_memory_seconds)}. (Notifies no "
                             f"one: while it is in ALARM, {suffix} does not notify, so an open incident notifies "
                             "once, and an outage only from OutageUrgency.)")
                    confirmed = all_of(confirmed, not_(self._any_of(self._outages + self._outage_memory)))
                if urgency is Urgency.LOW and self._high_longs:
                    # The one suppressor also keeps LOW quiet while a HIGH long window is over its
                    # threshold: an incident that escalates notifies once, as HIGH.
                    quiet = (f"No {urgency.value} condition of {self.entrypoint_name} holds now, or a HIGH "
                             f"long window is over its threshold. (Notifies no one: while it is in ALARM, "
                             f"{suffix} does not notify, so an open incident notifies once.)")
                    confirmed = all_of(confirmed, not_(self._any_of(self._high_longs)))
                    wait, extension = _SUPPRESSOR_WAIT_SECONDS, _LOW_CONFIRMATION_SECONDS
                _, suppressor = self._add_composite(
                    f"{suffix}Unconfirmed", urgency, slo, quiet, role="member", signal="confirmation",
                    rule=not_(confirmed))
                rule = self._either(holds)
            else:
                rule = self._either(rules)
            high = self._notifiers.get(Urgency.HIGH)
            if urgency is Urgency.LOW and high is not None and not holds:
                # One failure notifies once: while HIGH is in ALARM, and for the LOW windows'
                # length after, the LOW notification stays quiet.
                suppressor, wait = high, _SUPPRESSOR_WAIT_SECONDS
                extension = self._low_window_seconds
            self._notifier_holders[urgency], self._notifiers[urgency] = self._add_composite(
                suffix, urgency, slo, impacts[urgency], role="notifier", signal="notification", rule=rule,
                topic_arn=self._routing.topic_arn(urgency), suppressor=suppressor, wait_seconds=wait,
                extension_seconds=extension)

    @staticmethod
    def _all_of(alarms: Sequence[cw.CfnAlarm]) -> Rule:
        return all_of(*(from_alarm(alarm_arn(a)) for a in alarms))

    @staticmethod
    def _any_of(alarms: Sequence[cw.CfnAlarm]) -> Rule:
        if len(alarms) == 1:
            return from_alarm(alarm_arn(alarms[0]))
        return any_of(*(from_alarm(alarm_arn(a)) for a in alarms))


def alarm_arn(alarm: cw.CfnAlarm | cw.CfnCompositeAlarm) -> str:
    """`alarm`'s ARN token (``attr_arn``), read once: rules name a member several times."""
    arn = _ARNS.get(alarm)
    if arn is None:
        arn = _ARNS[alarm] = alarm.attr_arn
    return arn


def _sanitized(id: str) -> str:
    """A construct id as constructs' Node keeps it: "/" and newline (its path and address separators)
    become "--"."""
    return re.sub(r"[/\n]", "--", id)


def round_threshold(value: float) -> float:
    """Six significant digits: readable in the console and free of float noise in templates."""
    return float(f"{value:.6g}")
