"""Composite alarms as ``CfnCompositeAlarm`` with rules as plain Python data, rendered exactly as
``aws_cloudwatch.CompositeAlarm`` and ``aws_cloudwatch.AlarmRule`` render them (aws-cdk-lib 2.275).

An ``AlarmRule`` is a Node.js object: each ``from_alarm``, ``all_of``, ``any_of`` and ``not_`` is a
jsii round trip, and a ``CompositeAlarm`` with its ``SnsAction`` costs about six more; they were a
third of the calls sensible_alarms made after the members became L1 (docs/synth-speed.md). A
:class:`Rule` here costs nothing; :func:`composite_alarm` writes it into one ``CfnCompositeAlarm``
named ``Resource`` under a construct with the composite's id, so construct paths, logical ids and
templates are those of the L2. Alarm ARNs are the members' ``attr_arn`` tokens, read by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from ..errors import SensibleAlarmsError

__all__ = ["Rule", "all_of", "any_of", "composite_alarm", "from_alarm", "not_"]

#: CloudWatch's limit on a rule's length, which ``cw.CompositeAlarm`` checks on the rule it renders
#: (ARN tokens still as ``${Token[...]}``).
MAX_ALARM_RULE = 10240
#: What ``cw.CompositeAlarm`` sets a suppressor's wait and extension periods to when not given.
DEFAULT_SUPPRESSOR_PERIOD_SECONDS = 60

State = Literal["ALARM", "OK", "INSUFFICIENT_DATA"]


class Rule:
    """A composite alarm rule (``cw.IAlarmRule``); :meth:`render` gives ``render_alarm_rule()``'s text."""

    def render(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class _StateOf(Rule):
    alarm_arn: str
    state: State

    def render(self) -> str:
        return f'{self.state}("{self.alarm_arn}")'


@dataclass(frozen=True)
class _Concat(Rule):
    operator: Literal["AND", "OR"]
    operands: tuple[Rule, ...]

    def render(self) -> str:
        # As AlarmRule.concat: parenthesized even around one operand.
        return "(" + f" {self.operator} ".join(o.render() for o in self.operands) + ")"


@dataclass(frozen=True)
class _Not(Rule):
    operand: Rule

    def render(self) -> str:
        return f"(NOT ({self.operand.render()}))"


def from_alarm(alarm_arn: str, state: State = "ALARM") -> Rule:
    """``AlarmRule.from_alarm``: the alarm with `alarm_arn` is in `state`."""
    return _StateOf(alarm_arn, state)


def all_of(*operands: Rule) -> Rule:
    """``AlarmRule.all_of``: every operand holds."""
    return _concat("AND", operands)


def any_of(*operands: Rule) -> Rule:
    """``AlarmRule.any_of``: at least one operand holds."""
    return _concat("OR", operands)


def not_(operand: Rule) -> Rule:
    """``AlarmRule.not_``: the operand does not hold."""
    return _Not(operand)


def _concat(operator: Literal["AND", "OR"], operands: Sequence[Rule]) -> Rule:
    if not operands:  # CDK refuses it when rendering; here when built, where the mistake is
        raise ValueError(f"an {'all_of' if operator == 'AND' else 'any_of'}() rule needs at least one operand")
    return _Concat(operator, tuple(operands))


def composite_alarm(
    scope: Construct,
    id: str,
    *,
    composite_alarm_name: str,
    alarm_rule: Rule,
    alarm_description: str | None = None,
    actions_enabled: bool | None = None,
    alarm_actions: Sequence[str] = (),
    actions_suppressor: str | None = None,
    actions_suppressor_wait_period: int | None = None,
    actions_suppressor_extension_period: int | None = None,
) -> tuple[Construct, cw.CfnCompositeAlarm]:
    """The holder with id `id` and its ``CfnCompositeAlarm`` (``Resource``), with the properties a
    ``cw.CompositeAlarm`` with these arguments writes; `actions_suppressor` is the suppressing
    alarm's ARN and the periods are in seconds. 3 jsii calls with the caller's metadata."""
    rule = alarm_rule.render()
    if len(rule) > MAX_ALARM_RULE:
        raise SensibleAlarmsError(
            f"'alarm_rule' must be at most {MAX_ALARM_RULE} characters, CloudWatch's limit (got {len(rule)})",
            path=f"{scope.node.path}/{id}", prop="alarm_rule", value=len(rule))
    wait, extension = actions_suppressor_wait_period, actions_suppressor_extension_period
    if actions_suppressor is None:
        if wait is not None or extension is not None:
            raise ValueError("actions suppressor wait and extension periods need an actions suppressor")
    else:
        wait = DEFAULT_SUPPRESSOR_PERIOD_SECONDS if wait is None else wait
        extension = DEFAULT_SUPPRESSOR_PERIOD_SECONDS if extension is None else extension
    holder = Construct(scope, id)
    resource = cw.CfnCompositeAlarm(
        holder, "Resource",
        alarm_name=composite_alarm_name,
        alarm_rule=rule,
        alarm_description=alarm_description,
        actions_enabled=actions_enabled,
        alarm_actions=list(alarm_actions) or None,
        actions_suppressor=actions_suppressor,
        actions_suppressor_extension_period=extension,
        actions_suppressor_wait_period=wait,
    )
    return holder, resource
