"""Composite alarms: the AlarmRule language and actions suppression.

AlarmRule grammar (CloudWatch ``PutCompositeAlarm``)::

    rule    := or
    or      := and ("OR" and)*
    and     := not ("AND" not)*
    not     := "NOT" not | primary
    primary := "TRUE" | "FALSE" | "(" rule ")" | STATE "(" alarm ")"
    STATE   := "ALARM" | "OK" | "INSUFFICIENT_DATA"
    alarm   := '"' name-or-arn '"' | name-or-arn

An alarm is named by its name or its ARN ``arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME``.

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

from .evaluation import ALARM, INSUFFICIENT_DATA, OK, States
from .exceptions import AlarmRuleError

__all__ = [
    "RuleAnd",
    "RuleConst",
    "RuleNode",
    "RuleNot",
    "RuleOr",
    "RuleState",
    "SuppressionOutcome",
    "alarm_name_from_reference",
    "evaluate_rule",
    "parse_alarm_rule",
    "rule_references",
    "suppress_actions",
]


@dataclass(frozen=True)
class RuleConst:
    value: bool


@dataclass(frozen=True)
class RuleState:
    state: str  # ALARM, OK, INSUFFICIENT_DATA
    alarm: str  # the alarm's name (ARNs are reduced to names)


@dataclass(frozen=True)
class RuleNot:
    operand: RuleNode


@dataclass(frozen=True)
class RuleAnd:
    left: RuleNode
    right: RuleNode


@dataclass(frozen=True)
class RuleOr:
    left: RuleNode
    right: RuleNode


RuleNode = RuleConst | RuleState | RuleNot | RuleAnd | RuleOr

_STATE_FUNCTIONS = ("ALARM", "OK", "INSUFFICIENT_DATA")
_STATE_CODE = {"OK": OK, "ALARM": ALARM, "INSUFFICIENT_DATA": INSUFFICIENT_DATA}
_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:cloudwatch:[^:]*:[^:]*:alarm:(?P<name>.+)$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def alarm_name_from_reference(reference: str) -> str:
    """The alarm name in an AlarmRule reference: the name itself, or the last part of an ARN."""
    text = reference.strip()
    match = _ARN.match(text)
    if match:
        return match.group("name")
    if text.startswith("arn:"):
        raise AlarmRuleError(f"not a CloudWatch alarm ARN: {reference!r} (expected "
                             "arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME)")
    return text


class _RuleParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def _fail(self, expected: str) -> AlarmRuleError:
        found = repr(self.text[self.pos:self.pos + 20]) if self.pos < len(self.text) else "the end"
        return AlarmRuleError(f"expected {expected} at position {self.pos + 1} but found {found} in rule {self.text!r}")

    def _word(self) -> str | None:
        self._skip()
        match = _WORD.match(self.text, self.pos)
        return match.group() if match else None

    def _keyword(self, *words: str) -> str | None:
        word = self._word()
        if word in words:
            self.pos += len(word)
            return word
        return None

    def _char(self, char: str) -> bool:
        self._skip()
        if self.text.startswith(char, self.pos):
            self.pos += 1
            return True
        return False

    def parse(self) -> RuleNode:
        node = self._or()
        self._skip()
        if self.pos != len(self.text):
            raise self._fail("AND, OR or the end of the rule")
        return node

    def _or(self) -> RuleNode:
        node = self._and()
        while self._keyword("OR"):
            node = RuleOr(node, self._and())
        return node

    def _and(self) -> RuleNode:
        node = self._not()
        while self._keyword("AND"):
            node = RuleAnd(node, self._not())
        return node

    def _not(self) -> RuleNode:
        if self._keyword("NOT"):
            return RuleNot(self._not())
        return self._primary()

    def _primary(self) -> RuleNode:
        if self._char("("):
            node = self._or()
            if not self._char(")"):
                raise self._fail("')'")
            return node
        word = self._word()
        if word in ("TRUE", "FALSE"):
            self.pos += len(word)
            return RuleConst(word == "TRUE")
        if word in _STATE_FUNCTIONS:
            self.pos += len(word)
            if not self._char("("):
                raise self._fail(f"'(' after {word}")
            return RuleState(word, alarm_name_from_reference(self._argument()))
        if word is not None:
            self._skip()
            after = self.pos + len(word)
            rest = self.text[after:].lstrip()
            if rest.startswith("("):
                raise AlarmRuleError(f"unsupported function {word}() in rule {self.text!r}: replay evaluates "
                                     "ALARM(), OK(), INSUFFICIENT_DATA(), AND, OR, NOT, TRUE and FALSE")
        raise self._fail("ALARM(...), OK(...), INSUFFICIENT_DATA(...), TRUE, FALSE, NOT or '('")

    def _argument(self) -> str:
        self._skip()
        if self.pos < len(self.text) and self.text[self.pos] in "\"'":
            quote = self.text[self.pos]
            close = self.text.find(quote, self.pos + 1)
            if close < 0:
                raise self._fail(f"a closing {quote}")
            value = self.text[self.pos + 1:close]
            self.pos = close + 1
        else:
            close = self.text.find(")", self.pos)
            if close < 0:
                raise self._fail("')'")
            value = self.text[self.pos:close].strip()
            self.pos = close
        if not value.strip():
            raise self._fail("an alarm name or ARN")
        if not self._char(")"):
            raise self._fail("')'")
        return value


def parse_alarm_rule(text: str) -> RuleNode:
    """The tree of an AlarmRule; :class:`AlarmRuleError` says where a rule does not parse."""
    return _RuleParser(text).parse()


def rule_references(node: RuleNode) -> set[str]:
    """The names of every alarm the rule refers to."""
    if isinstance(node, RuleState):
        return {node.alarm}
    if isinstance(node, RuleNot):
        return rule_references(node.operand)
    if isinstance(node, RuleAnd | RuleOr):
        return rule_references(node.left) | rule_references(node.right)
    return set()


def evaluate_rule(node: RuleNode, states: Mapping[str, States], size: int) -> npt.NDArray[np.bool_]:
    """Where the rule is TRUE, evaluation by evaluation, given each alarm's states."""
    if isinstance(node, RuleConst):
        return np.full(size, node.value)
    if isinstance(node, RuleState):
        return np.asarray(states[node.alarm] == _STATE_CODE[node.state])
    if isinstance(node, RuleNot):
        return ~evaluate_rule(node.operand, states, size)
    left = evaluate_rule(node.left, states, size)
    right = evaluate_rule(node.right, states, size)
    return left & right if isinstance(node, RuleAnd) else left | right


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
