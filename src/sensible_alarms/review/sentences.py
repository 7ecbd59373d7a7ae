"""Alarms of the model in plain words: the signal, its window and threshold, and for composites
the AND-ed long/short burn-rate pairs ("pages when 2% of the 30-day error budget burns within 1 h
(failed requests >= 1.44%), confirmed over 5 min"). Shared words come from
:mod:`sensible_alarms.wording`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..model import (
    Alarm,
    And,
    CompositeAlarm,
    Constant,
    MetricAlarm,
    Not,
    Or,
    RuleNode,
    StateCheck,
    Unparsed,
    rule_text,
)
from ..wording import COMPARISON, duration, number, percent

__all__ = [
    "Term",
    "alternatives",
    "burn_rate",
    "evaluation_window",
    "metric_alarm_words",
    "period_of",
    "slo_terms",
    "term_words",
]

_BURN_SIGNALS = {"availability": ("failed requests", "error budget"), "latency": (None, "latency budget")}
_SLO = re.compile(r"(\d+(?:\.\d+)?)% of .*? over (\d+) days?")
_LATENCY = re.compile(r"within (\d+(?:\.\d+)? ?(?:ms|s|min))")
_GUARD = re.compile(r">=\s*(\d+)\s*,")


def _meta(alarm: Alarm, field: str) -> str | None:
    value = getattr(alarm.metadata, field, None) if alarm.metadata is not None else None
    return value if isinstance(value, str) else None


def period_of(alarm: MetricAlarm) -> int | None:
    """The alarm's period: its metric's, else the first query's that states one."""
    for query in alarm.queries:
        for period in (query.metric.period if query.metric else None, query.period):
            if isinstance(period, int):
                return period
    return None


def evaluation_window(alarm: MetricAlarm) -> int | None:
    """Seconds one evaluation looks at: period x evaluation periods."""
    period = period_of(alarm)
    evaluations = alarm.evaluation_periods if alarm.evaluation_periods is not None else 1
    return period * evaluations if period and isinstance(evaluations, int) else None


def slo_terms(slo: str | None) -> tuple[float, int] | None:
    """``availability: 99.9% of requests succeed over 30 days`` -> ``(99.9, 30)``."""
    match = _SLO.search(slo or "")
    return (float(match.group(1)), int(match.group(2))) if match else None


def burn_rate(alarm: MetricAlarm) -> float | None:
    """The threshold as a multiple of the SLO's sustainable bad-request ratio, for burn-rate alarms."""
    terms = slo_terms(_meta(alarm, "slo"))
    if _meta(alarm, "signal") not in _BURN_SIGNALS or not terms or not isinstance(alarm.threshold, float):
        return None
    budget = 1 - terms[0] / 100
    return alarm.threshold / budget if budget > 0 else None


def _quantity(alarm: MetricAlarm) -> str:
    signal = _meta(alarm, "signal")
    if signal == "availability":
        return "failed requests"
    if signal == "latency":
        match = _LATENCY.search(_meta(alarm, "slo") or "")
        return f"requests slower than {match.group(1)}" if match else "slow requests"
    for query in alarm.returned:
        if query.expression is not None:
            return query.label or query.expression
        if query.metric is not None:
            return f"{query.metric.metric_name} ({query.metric.stat})"
    return "the alarm's value"


def _threshold(alarm: MetricAlarm) -> str:
    op = COMPARISON.get(alarm.comparison, alarm.comparison)
    threshold = alarm.threshold
    if threshold is None:
        return f"{op} {alarm.threshold_metric_id}"
    signal = _meta(alarm, "signal")
    if isinstance(threshold, float):
        if signal in _BURN_SIGNALS:
            return f"{op} {percent(threshold)}"
        if signal == "message-age":
            return f"{op} {duration(threshold)}"
        if signal == "iterator-age" and threshold % 1000 == 0:
            return f"{op} {duration(threshold / 1000)}"
    return f"{op} {number(threshold)}"


def _for(alarm: MetricAlarm) -> str:
    period = period_of(alarm)
    n = alarm.evaluation_periods if alarm.evaluation_periods is not None else 1
    m = alarm.effective_datapoints_to_alarm if alarm.datapoints_to_alarm is not None else n
    if period is None:
        return ""
    if m == n:
        if n == 1:
            return f"over {duration(period)}"
        if isinstance(n, int):
            return f"for {duration(period * n)} ({n} periods of {duration(period)} in a row)"
    return f"in {m} of the last {n} periods of {duration(period)}"


_SIGNAL_SUBJECT = {
    "message-age": "the oldest message has waited",
    "iterator-age": "records read from the stream have waited",
    "dead-letters": "messages arriving on the dead-letter queue",
    "failure-destination": "records arriving on the failure destination",
    "consecutive-failures": "runs failing (1 when every run of the period failed)",
    "missed-runs": "invocations of the job",
}
#: Known signals whose usual settings read better as a sentence: signal -> (operator, threshold, words).
_SENTENCES = {
    ("dead-letters", ">", 0.0): "any message arrives on the dead-letter queue",
    ("failure-destination", ">", 0.0): "any record arrives on the failure destination",
    ("consecutive-failures", ">=", 1.0): "every run failed",
    ("missed-runs", "<", 1.0): "the job was not invoked",
}


def metric_alarm_words(alarm: Alarm) -> str:
    """One alarm's condition, e.g. ``failed requests >= 1.44% over 1 h``."""
    if isinstance(alarm, CompositeAlarm):
        return f"composite {alarm.label} is in ALARM"
    signal = _meta(alarm, "signal")
    op = COMPARISON.get(alarm.comparison, "")
    threshold = alarm.threshold if isinstance(alarm.threshold, float) else None
    sentence = _SENTENCES.get((str(signal), op, threshold)) if threshold is not None else None
    if sentence:
        words = f"{sentence}, {_for(alarm)}"
    else:
        subject = _SIGNAL_SUBJECT.get(str(signal)) or _quantity(alarm)
        words = f"{subject} {_threshold(alarm)} {_for(alarm)}".strip()
    if alarm.treat_missing_data == "breaching":
        words += " (no data counts as breaching)"
    return words


def _window(alarm: Alarm) -> tuple[str, str] | None:
    window = _meta(alarm, "window")
    if window and " " in window:
        side, length = window.split(" ", 1)
        if side in ("long", "short"):
            return side, length
    return None


def _pair_words(long: MetricAlarm, short: MetricAlarm) -> str:
    terms = slo_terms(_meta(long, "slo"))
    _, length = _window(long) or ("", "?")
    _, short_length = _window(short) or ("", "?")
    rate = burn_rate(long)
    guard = ""
    for query in long.returned:
        expression = query.expression or ""
        match = _GUARD.search(expression)
        if match and expression.startswith("IF("):
            bad = "failed" if _meta(long, "signal") == "availability" else "slow"
            guard = f", and at least {match.group(1)} {bad} requests"
    threshold = f"{_quantity(long)} {_threshold(long)}{guard}"
    confirm = f"confirmed over {short_length}"
    if short.threshold != long.threshold:
        confirm += f" ({_threshold(short)})"
    window = evaluation_window(long)
    if terms and rate is not None and window:
        budget_word = _BURN_SIGNALS[str(_meta(long, "signal"))][1]
        fraction = rate * window / (terms[1] * 86400)
        return f"{percent(fraction)} of the {terms[1]}-day {budget_word} burns within {length} ({threshold}), {confirm}"
    return f"{threshold} within {length}, {confirm}"


def term_words(alarms: list[Alarm], other: tuple[str, ...] = (), quiet_while: tuple[str, ...] = ()) -> str:
    """An AND-ed group of members in words: long/short burn-rate pairs read as one sentence; `other`
    are rule texts, `quiet_while` suppressions already in words ("while none of ... is in ALARM")."""
    parts: list[str] = []
    metric_alarms = [a for a in alarms if isinstance(a, MetricAlarm)]
    longs = [a for a in metric_alarms if (_window(a) or ("",))[0] == "long"]
    shorts = [a for a in metric_alarms if (_window(a) or ("",))[0] == "short"]
    used: set[str] = set()
    for long in longs:
        partner = next((s for s in shorts if s.logical_id not in used
                        and _meta(s, "signal") == _meta(long, "signal")), None)
        if partner is not None:
            used |= {long.logical_id, partner.logical_id}
            parts.append(_pair_words(long, partner))
    parts += [metric_alarm_words(a) for a in alarms if a.logical_id not in used]
    parts += [f"rule {text}" for text in other]
    parts += list(quiet_while)
    return " and ".join(parts) if parts else "never (the rule names no alarm)"


@dataclass(frozen=True)
class Term:
    """One alternative of a composite's rule: every alarm in ``alarms`` (logical ids of the stack)
    must be in ALARM, every rule text in ``other`` hold, and no alarm named in a ``quiet_while``
    sentence be in ALARM."""

    alarms: tuple[str, ...]
    other: tuple[str, ...] = ()
    quiet_while: tuple[str, ...] = ()


def _dnf(node: RuleNode, name: Callable[[StateCheck], str]) -> list[list[RuleNode]]:
    if isinstance(node, Or):
        return [term for operand in node.operands for term in _dnf(operand, name)]
    if isinstance(node, And):
        terms: list[list[RuleNode]] = [[]]
        for operand in node.operands:
            terms = [a + b for a in terms for b in _dnf(operand, name)]
        return terms
    return [[node]]


def alternatives(rule: RuleNode, name: Callable[[StateCheck], str]) -> list[Term]:
    """The rule's OR-terms (its disjunctive normal form over the model's tree). What is not an
    ``ALARM`` of an alarm of the stack (NOT, OK(), INSUFFICIENT_DATA(), TRUE, an alarm of another
    stack) is kept as text, written with ``name``, so nothing is hidden."""
    if isinstance(rule, Unparsed):
        return [Term((), (rule.text,))]
    out: list[Term] = []
    # A term with FALSE in it can never hold: it is no way into ALARM (unless no other term is left).
    terms = [atoms for atoms in _dnf(rule, name) if Constant(False) not in atoms] or [[Constant(False)]]
    for atoms in terms:
        alarms: list[str] = []
        other: list[str] = []
        quiet: list[str] = []
        for atom in atoms:
            if isinstance(atom, StateCheck) and atom.state == "ALARM" and atom.logical_id:
                alarms.append(atom.logical_id)
            elif isinstance(atom, Constant) and atom.value:
                continue
            elif isinstance(atom, Not) and (none_of := _none_in_alarm(atom, name)) is not None:
                quiet.append(none_of)
            elif isinstance(atom, Not):
                other.append(f"NOT ({rule_text(atom.operand, name)})")
            else:
                other.append(rule_text(atom, name))
        out.append(Term(tuple(dict.fromkeys(alarms)), tuple(other), tuple(quiet)))
    return out


def _none_in_alarm(atom: Not, name: Callable[[StateCheck], str]) -> str | None:
    """NOT(ALARM(a) OR ALARM(b) ...), a suppression such as "no HIGH window holds", as "while none
    of a, b is in ALARM"; None for any other NOT."""
    operand = atom.operand
    checks = operand.operands if isinstance(operand, Or) else (operand,)
    if all(isinstance(c, StateCheck) and c.state == "ALARM" for c in checks):
        names = [name(c) for c in checks if isinstance(c, StateCheck)]
        return f"while none of {', '.join(names)} is in ALARM"
    return None
