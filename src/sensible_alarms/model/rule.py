"""Composite alarm rules as a tree: ``ALARM("a") AND (ALARM("b") OR NOT OK("c"))``.

The grammar is CloudWatch's ``AlarmRule``; ``NOT`` binds tighter than ``AND``, which binds tighter
than ``OR``::

    rule    := or
    or      := and ("OR" and)*
    and     := not ("AND" not)*
    not     := "NOT" not | primary
    primary := "TRUE" | "FALSE" | "(" rule ")" | STATE "(" alarm ")"
    STATE   := "ALARM" | "OK" | "INSUFFICIENT_DATA"
    alarm   := '"' name-or-arn '"' | name-or-arn

A rule the parser cannot read is kept as :class:`Unparsed`, with the reason, so a malformed rule
never stops a load. Replay reads rules with the same :class:`RuleParser`, raising instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, TypeAlias

__all__ = [
    "AlarmState",
    "And",
    "Constant",
    "Not",
    "Or",
    "RuleNode",
    "RuleParser",
    "RuleSyntaxError",
    "StateCheck",
    "Unparsed",
    "alarm_name_of",
    "parse_rule",
    "rule_text",
    "state_checks",
    "sufficient_alarms",
]

AlarmState = Literal["ALARM", "OK", "INSUFFICIENT_DATA"]


@dataclass(frozen=True)
class StateCheck:
    """``ALARM(x)``, ``OK(x)`` or ``INSUFFICIENT_DATA(x)``."""

    state: AlarmState
    alarm: str
    """The alarm as the rule names it: a name, an ARN, or a placeholder such as ``${Member1234.Arn}``
    where the template references an alarm resource."""
    logical_id: str | None
    """The alarm resource of the same stack this names, when it names one."""


@dataclass(frozen=True)
class Constant:
    """``TRUE`` or ``FALSE``."""

    value: bool


@dataclass(frozen=True)
class Not:
    operand: RuleNode


@dataclass(frozen=True)
class And:
    operands: tuple[RuleNode, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[RuleNode, ...]


@dataclass(frozen=True)
class Unparsed:
    """A rule that could not be read (or is an unresolvable intrinsic), as text, with the reason."""

    text: str
    error: str


RuleNode: TypeAlias = "StateCheck | Constant | Not | And | Or | Unparsed"

# Partition, region and account may be placeholders of pseudo parameters (``${AWS::Region}``): CDK
# writes an alarm it only knows by name (``Alarm.from_alarm_name``) as such an ARN.
_ARN_PART = r"(?:[^:$]*|\$\{AWS::[A-Za-z]+\})"
_ARN = re.compile(rf"^arn:(?:aws[a-zA-Z-]*|\$\{{AWS::Partition\}}):cloudwatch:{_ARN_PART}:{_ARN_PART}"
                  r":alarm:(?P<name>.+)$")
_STATES: tuple[AlarmState, ...] = ("ALARM", "OK", "INSUFFICIENT_DATA")


def alarm_name_of(reference: str) -> str:
    """The alarm name in a rule reference: the last part of an alarm ARN, else the text itself."""
    match = _ARN.match(reference.strip())
    return match.group("name") if match else reference.strip()


class RuleSyntaxError(ValueError):
    """A rule that does not parse; the message says what was expected where."""


class RuleParser:
    """One rule read into a tree; ``resolve`` is called on each alarm reference once its ``)`` is read.

    Replay's reader is a subclass: it overrides the class attributes (what it accepts) and the error
    hooks :meth:`fail` and :meth:`no_term` (how it words them), so both read the same grammar.
    """

    word = re.compile(r"[A-Za-z_]+")
    quotes = '"'
    blank_names = True  # ALARM("  ") names an alarm called "  "

    def __init__(self, text: str, resolve: Callable[[str], str | None]) -> None:
        self.text = text
        self.pos = 0
        self.resolve = resolve

    def found(self) -> str:
        return repr(self.text[self.pos:self.pos + 20]) if self.pos < len(self.text) else "the end"

    def fail(self, expected: str, after: str | None = None) -> Exception:
        """The error for ``expected`` at the current position; ``after`` is the state function or
        opening quote it follows, for readers that name it."""
        return RuleSyntaxError(f"expected {expected} at position {self.pos + 1}, found {self.found()}")

    def no_term(self) -> Exception:
        return self.fail("ALARM(...), OK(...), INSUFFICIENT_DATA(...), NOT, TRUE, FALSE or '('")

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek_word(self) -> str | None:
        self.skip()
        match = self.word.match(self.text, self.pos)
        return match.group() if match else None

    def take_word(self, word: str) -> None:
        self.skip()
        self.pos += len(word)

    def take_char(self, char: str, after: str | None = None) -> None:
        self.skip()
        if not self.text.startswith(char, self.pos):
            raise self.fail(repr(char), after)
        self.pos += 1

    def rule(self) -> RuleNode:
        node = self.or_()
        self.skip()
        if self.pos != len(self.text):
            raise self.fail("AND, OR or the end of the rule")
        return node

    def or_(self) -> RuleNode:
        operands = [self.and_()]
        while self.peek_word() == "OR":
            self.take_word("OR")
            operands.append(self.and_())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_(self) -> RuleNode:
        operands = [self.not_()]
        while self.peek_word() == "AND":
            self.take_word("AND")
            operands.append(self.not_())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_(self) -> RuleNode:
        if self.peek_word() == "NOT":
            self.take_word("NOT")
            return Not(self.not_())
        return self.primary()

    def primary(self) -> RuleNode:
        word = self.peek_word()
        if word in ("TRUE", "FALSE"):
            self.take_word(word)
            return Constant(word == "TRUE")
        if word in _STATES:
            self.take_word(word)
            self.take_char("(", word)
            alarm = self.alarm()
            self.take_char(")")
            state: AlarmState = "ALARM" if word == "ALARM" else "OK" if word == "OK" else "INSUFFICIENT_DATA"
            return StateCheck(state, alarm, self.resolve(alarm))
        self.skip()
        if self.text.startswith("(", self.pos):
            self.pos += 1
            node = self.or_()
            self.take_char(")")
            return node
        raise self.no_term()

    def alarm(self) -> str:
        self.skip()
        quote = self.text[self.pos:self.pos + 1]
        if quote and quote in self.quotes:
            end = self.text.find(quote, self.pos + 1)
            if end < 0:
                raise self.fail(f"a closing {quote!r}", quote)
            name = self.text[self.pos + 1:end]
            self.pos = end + 1
        else:
            end = self.text.find(")", self.pos)
            if end < 0:
                raise self.fail("')'")
            name = self.text[self.pos:end].strip()
            self.pos = end
        if not (name if self.blank_names else name.strip()):
            raise self.fail("an alarm name or ARN")
        return name


def parse_rule(text: str, resolve: Callable[[str], str | None] = lambda _: None) -> RuleNode:
    """The tree of a rule. ``resolve`` maps an alarm reference (name, ARN or placeholder) to the
    logical id of an alarm of the same stack, or None. Never raises: a rule that cannot be read is
    an :class:`Unparsed` node."""
    try:
        return RuleParser(text, resolve).rule()
    except RuleSyntaxError as error:
        return Unparsed(text, str(error))


def state_checks(node: RuleNode) -> Iterator[StateCheck]:
    """Every state check of the rule, in order of appearance."""
    if isinstance(node, StateCheck):
        yield node
    elif isinstance(node, Not):
        yield from state_checks(node.operand)
    elif isinstance(node, And | Or):
        for operand in node.operands:
            yield from state_checks(operand)


def sufficient_alarms(node: RuleNode) -> frozenset[str]:
    """Logical ids of the alarms whose ALARM state alone puts the composite into ALARM (the
    ``ALARM(x)`` terms reachable through ``OR`` only, or ``AND`` with ``TRUE``)."""
    if isinstance(node, StateCheck):
        return frozenset({node.logical_id}) if node.state == "ALARM" and node.logical_id else frozenset()
    if isinstance(node, Or):
        return frozenset().union(*(sufficient_alarms(operand) for operand in node.operands))
    if isinstance(node, And):
        rest = [operand for operand in node.operands if operand != Constant(True)]
        return sufficient_alarms(rest[0]) if len(rest) == 1 else frozenset()
    return frozenset()


def rule_text(node: RuleNode, name: Callable[[StateCheck], str] = lambda check: check.alarm) -> str:
    """The rule written back in CloudWatch's syntax, naming each alarm with ``name``."""
    if isinstance(node, StateCheck):
        return f'{node.state}("{name(node)}")'
    if isinstance(node, Constant):
        return "TRUE" if node.value else "FALSE"
    if isinstance(node, Not):
        return f"NOT {_grouped(node.operand, name)}"
    if isinstance(node, And | Or):
        joiner = " AND " if isinstance(node, And) else " OR "
        return joiner.join(_grouped(operand, name) for operand in node.operands)
    return node.text


def _grouped(node: RuleNode, name: Callable[[StateCheck], str]) -> str:
    text = rule_text(node, name)
    return f"({text})" if isinstance(node, And | Or) else text
