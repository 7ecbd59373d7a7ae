"""CloudWatch statistic names, and which of them a sliding window can be derived for."""

from __future__ import annotations

import re

from .exceptions import ReplayError

__all__ = ["BASIC_STATISTICS", "DERIVABLE_STATISTICS", "is_derivable", "is_statistic", "validate_statistic"]

#: The five basic statistics.
BASIC_STATISTICS = frozenset({"SampleCount", "Average", "Sum", "Minimum", "Maximum"})
#: Statistics whose value over a long window follows from finer rows (Average as Sum / SampleCount).
DERIVABLE_STATISTICS = BASIC_STATISTICS

_NUMBER = r"\d+(?:\.\d+)?"
_PERCENT = r"(?:\d{1,2}(?:\.\d+)?|100(?:\.0+)?)"
_BOUND = rf"(?:{_NUMBER}%?)"
_EXTENDED = re.compile(
    rf"^(?:p{_PERCENT}"                                # percentile: p99, p99.9
    rf"|(?:tm|tc|ts|wm){_PERCENT}"                      # trimmed mean/count/sum, winsorized mean: tm90
    r"|IQM"                                            # interquartile mean
    rf"|(?:TM|TC|TS|WM|PR)\(\s*(?:{_BOUND}\s*:\s*{_BOUND}?|:\s*{_BOUND})\s*\))$"  # TM(10%:90%), PR(:300)
)


def is_statistic(stat: str) -> bool:
    """Whether ``stat`` is a CloudWatch statistic as a template writes it (case-sensitive)."""
    return stat in BASIC_STATISTICS or bool(_EXTENDED.match(stat))


def is_derivable(stat: str) -> bool:
    """Whether a window's ``stat`` can be computed from rows at a finer period."""
    return stat in DERIVABLE_STATISTICS


def validate_statistic(stat: str, *, where: str) -> None:
    """Raise :class:`ReplayError` naming ``where`` unless ``stat`` is a CloudWatch statistic."""
    if not is_statistic(stat):
        raise ReplayError(
            f"unknown statistic {stat!r}: expected SampleCount, Average, Sum, Minimum, Maximum or an extended "
            "statistic such as p99, p99.9, tm90, IQM, TM(10%:90%) or PR(:300)", path=where, prop="stat", value=stat)
