"""Composite alarm rules (``ALARM("a") AND (ALARM("b") OR NOT OK("c"))``) as alternatives.

A rule is read into a small tree and flattened into OR-terms of AND-ed ``ALARM`` members, which is
how the report explains a composite: "pages when <term 1>; or when <term 2>". Anything it cannot
flatten (NOT, OK(), INSUFFICIENT_DATA(), TRUE/FALSE) is kept as text so nothing is hidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Term", "alternatives", "members"]

_TOKEN = re.compile(r'\s*(\(|\)|AND\b|OR\b|NOT\b|TRUE\b|FALSE\b|(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*"?[^")]*"?\s*\))')
_STATE = re.compile(r'(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*"?([^")]*)"?\s*\)')


@dataclass(frozen=True)
class Term:
    """One alternative: every member must be in ALARM; ``other`` holds what is not an ALARM member."""

    alarms: tuple[str, ...]
    other: tuple[str, ...] = ()


def members(rule: str) -> list[str]:
    """Every alarm the rule names, in order of appearance, once."""
    return list(dict.fromkeys(name for _, name in _STATE.findall(rule)))


class _Parser:
    def __init__(self, rule: str) -> None:
        self.tokens: list[str] = []
        pos = 0
        while pos < len(rule):
            if rule[pos:].strip() == "":
                break
            match = _TOKEN.match(rule, pos)
            if not match:
                raise ValueError(f"cannot read composite rule at {rule[pos:pos + 20]!r}")
            self.tokens.append(match.group(1))
            pos = match.end()
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.i]
        self.i += 1
        return token

    # Each parse function returns the rule in disjunctive normal form: a list of AND-ed atoms.
    def expr(self) -> list[list[str]]:
        terms = self.conj()
        while self.peek() == "OR":
            self.take()
            terms = terms + self.conj()
        return terms

    def conj(self) -> list[list[str]]:
        terms = self.unary()
        while self.peek() == "AND":
            self.take()
            right = self.unary()
            terms = [a + b for a in terms for b in right]
        return terms

    def unary(self) -> list[list[str]]:
        token = self.take()
        if token == "(":
            inner = self.expr()
            if self.peek() != ")":
                raise ValueError("unbalanced parentheses in composite rule")
            self.take()
            return inner
        if token == "NOT":
            operand = self.unary()
            text = " OR ".join(" AND ".join(t) for t in operand)
            return [[f"NOT ({text})"]]
        return [[token]]


def alternatives(rule: str) -> list[Term]:
    """The rule's OR-terms; a rule that cannot be parsed is one term holding the rule's text."""
    try:
        parser = _Parser(rule)
        dnf = parser.expr()
        if parser.peek() is not None:
            raise ValueError("trailing tokens")
    except (ValueError, IndexError):
        return [Term((), (rule,))]
    out: list[Term] = []
    for atoms in dnf:
        alarms: list[str] = []
        other: list[str] = []
        for atom in atoms:
            match = _STATE.fullmatch(atom)
            if match and match.group(1) == "ALARM":
                alarms.append(match.group(2))
            else:
                other.append(atom)
        out.append(Term(tuple(dict.fromkeys(alarms)), tuple(other)))
    return out
