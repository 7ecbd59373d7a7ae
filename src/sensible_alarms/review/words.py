"""Alarms in plain words: the signal, its window and threshold, and for composites the AND-ed
long/short burn-rate pairs ("pages when 2% of the 30-day error budget burns within 1 h (failed
requests >= 1.44%), confirmed over 5 min")."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AlarmFacts",
    "duration",
    "evaluation_window",
    "metric_alarm_words",
    "percent",
    "slo_terms",
    "term_words",
]

COMPARISON = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
    "LessThanLowerOrGreaterThanUpperThreshold": "outside the band",
    "LessThanLowerThreshold": "below the band",
    "GreaterThanUpperThreshold": "above the band",
}
_BURN_SIGNALS = {"availability": ("failed requests", "error budget"), "latency": (None, "latency budget")}
_SLO = re.compile(r"(\d+(?:\.\d+)?)% of .*? over (\d+) days?")
_LATENCY = re.compile(r"within (\d+(?:\.\d+)? ?(?:ms|s|min))")
_GUARD = re.compile(r">=\s*(\d+)\s*,")


@dataclass(frozen=True)
class AlarmFacts:
    """What the words are built from: one alarm resource of the template."""

    logical_id: str
    name: str
    type: str
    properties: dict[str, Any]
    meta: dict[str, Any] | None


def duration(seconds: float) -> str:
    """``3600`` -> ``1 h``; ``300`` -> ``5 min``; ``172800`` -> ``2 days``; ``45`` -> ``45 s``."""
    s = int(seconds)
    for unit, size in (("day", 86400), ("h", 3600), ("min", 60)):
        if s and s % size == 0:
            n = s // size
            return f"{n} {unit}" + ("s" if unit == "day" and n != 1 else "")
    return f"{s} s"


def percent(ratio: float) -> str:
    """``0.0144`` -> ``1.44%``; ``0.02`` -> ``2%``."""
    return f"{ratio * 100:.3g}%"


def _number(value: Any) -> str:
    return json.dumps(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def period_of(props: dict[str, Any]) -> int | None:
    if isinstance(props.get("Period"), int | float):
        return int(props["Period"])
    for query in props.get("Metrics") or []:
        if not isinstance(query, dict):
            continue
        stat = query.get("MetricStat")
        if isinstance(stat, dict) and isinstance(stat.get("Period"), int | float):
            return int(stat["Period"])
        if isinstance(query.get("Period"), int | float):
            return int(query["Period"])
    return None


def evaluation_window(props: dict[str, Any]) -> int | None:
    """Seconds one evaluation looks at: period x evaluation periods."""
    period = period_of(props)
    evaluations = props.get("EvaluationPeriods", 1)
    return period * int(evaluations) if period and isinstance(evaluations, int | float) else None


def slo_terms(slo: str | None) -> tuple[float, int] | None:
    """``availability: 99.9% of requests succeed over 30 days`` -> ``(99.9, 30)``."""
    match = _SLO.search(slo or "")
    return (float(match.group(1)), int(match.group(2))) if match else None


def burn_rate(facts: AlarmFacts) -> float | None:
    """The threshold as a multiple of the SLO's sustainable bad-request ratio, for burn-rate alarms."""
    meta = facts.meta or {}
    terms = slo_terms(meta.get("slo"))
    threshold = facts.properties.get("Threshold")
    if meta.get("signal") not in _BURN_SIGNALS or not terms or not isinstance(threshold, int | float):
        return None
    budget = 1 - terms[0] / 100
    return float(threshold) / budget if budget > 0 else None


def _quantity(facts: AlarmFacts) -> str:
    meta = facts.meta or {}
    if meta.get("signal") == "availability":
        return "failed requests"
    if meta.get("signal") == "latency":
        match = _LATENCY.search(meta.get("slo") or "")
        return f"requests slower than {match.group(1)}" if match else "slow requests"
    props = facts.properties
    for query in props.get("Metrics") or []:
        if isinstance(query, dict) and query.get("ReturnData", True) and "Expression" in query:
            return str(query.get("Label") or query["Expression"])
    stat = props.get("ExtendedStatistic") or props.get("Statistic")
    return f"{props.get('MetricName')} ({stat})"


def _threshold(facts: AlarmFacts) -> str:
    props = facts.properties
    op = COMPARISON.get(str(props.get("ComparisonOperator")), str(props.get("ComparisonOperator")))
    threshold = props.get("Threshold")
    if threshold is None:
        return f"{op} {props.get('ThresholdMetricId')}"
    signal = (facts.meta or {}).get("signal")
    if signal in _BURN_SIGNALS and isinstance(threshold, int | float):
        return f"{op} {percent(float(threshold))}"
    if signal == "message-age" and isinstance(threshold, int | float):
        return f"{op} {duration(threshold)}"
    if signal == "iterator-age" and isinstance(threshold, int | float) and threshold % 1000 == 0:
        return f"{op} {duration(threshold / 1000)}"
    return f"{op} {_number(threshold)}"


def _for(props: dict[str, Any]) -> str:
    period = period_of(props)
    n = props.get("EvaluationPeriods", 1)
    m = props.get("DatapointsToAlarm", n)
    if period is None:
        return ""
    if m == n:
        if n == 1:
            return f"over {duration(period)}"
        return f"for {duration(period * int(n))} ({n} periods of {duration(period)} in a row)"
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
    ("dead-letters", ">", 0): "any message arrives on the dead-letter queue",
    ("failure-destination", ">", 0): "any record arrives on the failure destination",
    ("consecutive-failures", ">=", 1): "every run failed",
    ("missed-runs", "<", 1): "the job was not invoked",
}


def metric_alarm_words(facts: AlarmFacts) -> str:
    """One metric alarm's condition, e.g. ``failed requests >= 1.44% over 1 h``."""
    if facts.type == "AWS::CloudWatch::CompositeAlarm":
        return f"composite {facts.name} is in ALARM"
    signal = (facts.meta or {}).get("signal")
    props = facts.properties
    op = COMPARISON.get(str(props.get("ComparisonOperator")), "")
    sentence = _SENTENCES.get((str(signal), op, props.get("Threshold")))  # type: ignore[arg-type]
    if sentence:
        words = f"{sentence}, {_for(props)}"
    else:
        subject = _SIGNAL_SUBJECT.get(str(signal)) or _quantity(facts)
        words = f"{subject} {_threshold(facts)} {_for(props)}".strip()
    if facts.properties.get("TreatMissingData") == "breaching":
        words += " (no data counts as breaching)"
    return words


def _window(facts: AlarmFacts) -> tuple[str, str] | None:
    window = (facts.meta or {}).get("window")
    if isinstance(window, str) and " " in window:
        side, length = window.split(" ", 1)
        if side in ("long", "short"):
            return side, length
    return None


def _pair_words(long: AlarmFacts, short: AlarmFacts) -> str:
    meta = long.meta or {}
    terms = slo_terms(meta.get("slo"))
    _, length = _window(long) or ("", "?")
    _, short_length = _window(short) or ("", "?")
    rate = burn_rate(long)
    guard = ""
    for query in long.properties.get("Metrics") or []:
        if isinstance(query, dict) and query.get("ReturnData", True) and "Expression" in query:
            match = _GUARD.search(str(query["Expression"]))
            if match and str(query["Expression"]).startswith("IF("):
                bad = "failed" if meta.get("signal") == "availability" else "slow"
                guard = f", and at least {match.group(1)} {bad} requests"
    threshold = f"{_quantity(long)} {_threshold(long)}{guard}"
    confirm = f"confirmed over {short_length}"
    if short.properties.get("Threshold") != long.properties.get("Threshold"):
        confirm += f" ({_threshold(short)})"
    window = evaluation_window(long.properties)
    if terms and rate is not None and window:
        budget_word = _BURN_SIGNALS[str(meta.get("signal"))][1]
        fraction = rate * window / (terms[1] * 86400)
        return f"{percent(fraction)} of the {terms[1]}-day {budget_word} burns within {length} ({threshold}), {confirm}"
    return f"{threshold} within {length}, {confirm}"


def term_words(alarms: list[AlarmFacts], other: tuple[str, ...] = ()) -> str:
    """An AND-ed group of members in words: long/short burn-rate pairs read as one sentence."""
    parts: list[str] = []
    longs = [a for a in alarms if (_window(a) or ("",))[0] == "long"]
    shorts = [a for a in alarms if (_window(a) or ("",))[0] == "short"]
    used: set[str] = set()
    for long in longs:
        partner = next((s for s in shorts if s.logical_id not in used
                        and (s.meta or {}).get("signal") == (long.meta or {}).get("signal")), None)
        if partner is not None:
            used |= {long.logical_id, partner.logical_id}
            parts.append(_pair_words(long, partner))
    parts += [metric_alarm_words(a) for a in alarms if a.logical_id not in used]
    parts += [f"rule {text}" for text in other]
    return " and ".join(parts) if parts else "never (the rule names no alarm)"
