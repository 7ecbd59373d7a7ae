"""Composite alarms: the AlarmRule language and actions suppression.

Rules are read into the model's tree by the model's parser (:mod:`sensible_alarms.model.rule`,
which gives the grammar) and evaluated here over alarm states; a rule that does not parse raises
:class:`AlarmRuleError`. An alarm is named by its name or its ARN
``arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME``; names also accept single quotes here.

Actions suppression ("Suppressing composite alarm actions" in the CloudWatch user guide): when
the composite goes into ALARM while its suppressor is in ALARM, its actions are suppressed; when
the suppressor is not in ALARM, a *wait period* starts and the actions run when it ends, unless
the suppressor went into ALARM (suppressed) or the composite left ALARM first (discarded). When
the suppressor leaves ALARM, an *extension period* starts; when it ends with the composite still
in ALARM, the actions run then. The engine counts a state change at the very instant a period
ends as inside the period.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..model import rule
from ..model.rule import RuleNode
from .evaluation import ALARM, INSUFFICIENT_DATA, OK, States
from .exceptions import AlarmRuleError

__all__ = [
    "RuleNode",
    "SuppressionOutcome",
    "alarm_name_from_reference",
    "evaluate_rule",
    "parse_alarm_rule",
    "rule_references",
    "suppress_actions",
]

_STATE_CODE = {"OK": OK, "ALARM": ALARM, "INSUFFICIENT_DATA": INSUFFICIENT_DATA}


def alarm_name_from_reference(reference: str) -> str:
    """The alarm name in an AlarmRule reference: the name itself, or the last part of an ARN."""
    name = rule.alarm_name_of(reference)
    if name == reference.strip() and name.startswith("arn:"):
        raise AlarmRuleError(f"not a CloudWatch alarm ARN: {reference!r} (expected "
                             "arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME)")
    return name


class _ReplayRuleParser(rule.RuleParser):
    # What replay has always accepted and how it words errors, kept apart from the model's reading.
    word = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    quotes = "\"'"
    blank_names = False

    def fail(self, expected: str, after: str | None = None) -> Exception:
        if after:
            expected = f"a closing {after}" if after in self.quotes else f"{expected} after {after}"
        return AlarmRuleError(f"expected {expected} at position {self.pos + 1} but found {self.found()} "
                              f"in rule {self.text!r}")

    def no_term(self) -> Exception:
        word = self.word.match(self.text, self.pos)
        if word and self.text[word.end():].lstrip().startswith("("):
            return AlarmRuleError(f"unsupported function {word.group()}() in rule {self.text!r}: replay evaluates "
                                  "ALARM(), OK(), INSUFFICIENT_DATA(), AND, OR, NOT, TRUE and FALSE")
        return self.fail("ALARM(...), OK(...), INSUFFICIENT_DATA(...), TRUE, FALSE, NOT or '('")


def parse_alarm_rule(text: str) -> RuleNode:
    """The model's tree of an AlarmRule, each alarm named by its name (ARNs reduced to names);
    :class:`AlarmRuleError` says where a rule does not parse."""
    # Resolving each reference as it is read reports a bad ARN before any later syntax error; the
    # name goes into the state check's logical_id slot, which is what the engine looks states up by.
    return _ReplayRuleParser(text, alarm_name_from_reference).rule()


def _name(check: rule.StateCheck) -> str:
    return check.logical_id if check.logical_id is not None else alarm_name_from_reference(check.alarm)


def rule_references(node: RuleNode) -> set[str]:
    """The names of every alarm the rule refers to."""
    return {_name(check) for check in rule.state_checks(node)}


def evaluate_rule(node: RuleNode, states: Mapping[str, States], size: int) -> npt.NDArray[np.bool_]:
    """Where the rule is TRUE, evaluation by evaluation, given each alarm's states."""
    if isinstance(node, rule.Constant):
        return np.full(size, node.value)
    if isinstance(node, rule.StateCheck):
        return np.asarray(states[_name(node)] == _STATE_CODE[node.state])
    if isinstance(node, rule.Not):
        return ~evaluate_rule(node.operand, states, size)
    if isinstance(node, rule.Unparsed):  # never: the replay's parser raises instead
        raise AlarmRuleError(node.error)
    values = [evaluate_rule(operand, states, size) for operand in node.operands]
    result = values[0]
    for value in values[1:]:
        result = result & value if isinstance(node, rule.And) else result | value
    return result


@dataclass(frozen=True)
class SuppressionOutcome:
    """What became of one entry into ALARM: ``notified_at`` (epoch seconds) or a ``reason``."""

    alarm_at: int
    notified_at: int | None
    reason: str | None = None


def _next_index(flags: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """For each position, the first position at or after it where ``flags`` is true (len if none)."""
    size = flags.shape[0]
    marked = np.where(flags, np.arange(size), size)
    out: npt.NDArray[np.int64] = np.minimum.accumulate(marked[::-1])[::-1]
    return out


def suppress_actions(states: States, suppressor: States | None, times: npt.NDArray[np.int64], *,
                     wait_period: int, extension_period: int) -> list[SuppressionOutcome]:
    """What happens to the ALARM actions of each entry into ALARM of a composite.

    ``states`` and ``suppressor`` are states per evaluation at ``times`` (epoch seconds).
    Without a suppressor every entry notifies at once. Notifications due after the last
    evaluation are reported with a reason instead.
    """
    size = states.shape[0]
    alarm = states == ALARM
    previous = np.concatenate(([False], alarm[:-1]))
    entries = np.flatnonzero(alarm & ~previous)
    if suppressor is None:
        return [SuppressionOutcome(int(times[i]), int(times[i])) for i in entries]
    left_alarm = _next_index(~alarm)
    sup = suppressor == ALARM
    next_on = _next_index(sup)
    next_off = _next_index(~sup)
    last_time = int(times[-1]) if size else 0
    outcomes: list[SuppressionOutcome] = []
    for i in (int(x) for x in entries):
        episode_end = int(left_alarm[i])  # first evaluation no longer in ALARM (size: never)
        left_at = int(times[episode_end]) if episode_end < size else None
        at = int(times[i])
        start = i
        if not sup[i]:
            deadline = at + wait_period
            j = int(next_on[i])
            if j < episode_end and int(times[j]) <= deadline:
                start = j
            else:
                outcomes.append(_deliver(at, deadline, left_at, last_time, "wait period"))
                continue
        # Suppressed from `start`: look for the suppressor leaving ALARM, then the extension.
        while True:
            off = int(next_off[start])
            if off >= episode_end:
                outcomes.append(SuppressionOutcome(at, None, "suppressed: the suppressor alarm was in ALARM"))
                break
            deadline = int(times[off]) + extension_period
            j = int(next_on[off])
            if j < episode_end and int(times[j]) <= deadline:
                start = j
                continue
            outcomes.append(_deliver(at, deadline, left_at, last_time, "extension period"))
            break
    return outcomes


def _deliver(at: int, deadline: int, left_at: int | None, last_time: int, period: str) -> SuppressionOutcome:
    if left_at is not None and left_at <= deadline:
        return SuppressionOutcome(at, None, f"the composite left ALARM within the {period}")
    if deadline > last_time:
        return SuppressionOutcome(at, None, f"the {period} ends after the replay")
    return SuppressionOutcome(at, deadline)
