"""Metric alarm evaluation, as the CloudWatch user guide documents it.

Each minute an alarm looks at its *evaluation range*: the newest ``N + 2`` datapoints at its
period (N = EvaluationPeriods; the guide's worked examples use a range of 5 for N = 3, and
CloudWatch does not publish the rule for other periods). Then
("Configuring how CloudWatch alarms treat missing data"):

- if the range holds at least N real datapoints, the newest N of them decide: ALARM when at
  least M (DatapointsToAlarm) breach, else OK; TreatMissingData plays no part;
- if it holds none: ``missing`` gives INSUFFICIENT_DATA, ``ignore`` keeps the state,
  ``breaching`` gives ALARM, ``notBreaching`` gives OK;
- if it holds fewer than N, the missing ones are filled as TreatMissingData says and every real
  datapoint of the range counts: ``breaching`` adds N - real breaching datapoints,
  ``notBreaching`` adds good ones; with ``missing`` and ``ignore`` the real datapoints decide
  (ALARM with at least M breaching, OK when any is not breaching), and when all real datapoints
  breach but fewer than M, the "premature alarm" rule applies: ALARM (``missing``) or no change
  (``ignore``) when the oldest breaching datapoint is at least M datapoints old, else no change.

These rules reproduce every row of both tables in the guide (tests/replay/test_missing_data.py).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from .windows import FloatArray

__all__ = [
    "ALARM",
    "EXTRA_RANGE",
    "INSUFFICIENT_DATA",
    "OK",
    "RETAIN",
    "STATE_NAMES",
    "States",
    "breaches",
    "evaluate_ranges",
    "states_from_outcomes",
    "transitions",
]

States = npt.NDArray[np.int8]

OK: Final = 0
ALARM: Final = 1
INSUFFICIENT_DATA: Final = 2
#: An outcome that keeps the alarm's current state.
RETAIN: Final = -1
STATE_NAMES: Final = ("OK", "ALARM", "INSUFFICIENT_DATA")

#: Datapoints an evaluation range holds beyond EvaluationPeriods.
EXTRA_RANGE: Final = 2


def breaches(values: FloatArray, threshold: float, operator: str) -> npt.NDArray[np.bool_]:
    """Where a datapoint crosses the threshold (False where it is missing)."""
    with np.errstate(invalid="ignore"):
        if operator == "GreaterThanOrEqualToThreshold":
            out = values >= threshold
        elif operator == "GreaterThanThreshold":
            out = values > threshold
        elif operator == "LessThanThreshold":
            out = values < threshold
        elif operator == "LessThanOrEqualToThreshold":
            out = values <= threshold
        else:
            raise ValueError(f"unsupported comparison operator {operator!r}")
    return np.asarray(out & ~np.isnan(values))


def evaluate_ranges(ranges: FloatArray, *, threshold: float, operator: str, evaluation_periods: int,
                    datapoints_to_alarm: int, treat_missing_data: str) -> States:
    """The outcome of each evaluation: ``ranges[i]`` is evaluation i's range, oldest datapoint first
    (NaN = missing). Returns OK, ALARM, INSUFFICIENT_DATA or RETAIN per evaluation.

    Works column by column (a range holds a handful of datapoints, an alarm tens of thousands of
    evaluations), newest datapoint first.
    """
    n, m = evaluation_periods, datapoints_to_alarm
    size, width = ranges.shape
    real = np.zeros(size, dtype=np.int32)          # real datapoints in the range
    breach_all = np.zeros(size, dtype=np.int32)    # breaching ones among them
    breach_newest_n = np.zeros(size, dtype=np.int32)  # breaching among the newest N real ones
    any_good = np.zeros(size, dtype=bool)
    oldest_age = np.zeros(size, dtype=np.int32)    # age of the oldest real datapoint (1 = newest)
    for age, column in enumerate(range(width - 1, -1, -1), start=1):
        values = ranges[:, column]
        present = ~np.isnan(values)
        breach = breaches(values, threshold, operator)
        newest = present & (real < n)
        breach_newest_n += breach & newest
        real += present
        breach_all += breach
        any_good |= present & ~breach
        oldest_age[present] = age

    out = np.full(size, RETAIN, dtype=np.int8)
    full = real >= n
    out[full] = np.where(breach_newest_n[full] >= m, ALARM, OK)
    none = real == 0
    partial = ~full & ~none
    if treat_missing_data == "breaching":
        out[none] = ALARM
        out[partial] = np.where(breach_all[partial] + (n - real[partial]) >= m, ALARM, OK)
    elif treat_missing_data == "notBreaching":
        out[none] = OK
        out[partial] = np.where(breach_all[partial] >= m, ALARM, OK)
    else:
        out[none] = INSUFFICIENT_DATA if treat_missing_data == "missing" else RETAIN
        premature = (oldest_age >= m) & (treat_missing_data == "missing")
        decided = np.where(breach_all >= m, ALARM, np.where(any_good, OK, np.where(premature, ALARM, RETAIN)))
        out[partial] = decided[partial]
    return out


def states_from_outcomes(outcomes: States, initial: int = INSUFFICIENT_DATA) -> States:
    """The state after each evaluation: RETAIN keeps the previous state (``initial`` before any)."""
    positions = np.arange(outcomes.shape[0])
    last = np.maximum.accumulate(np.where(outcomes != RETAIN, positions, -1))
    states: States = np.where(last >= 0, outcomes[np.maximum(last, 0)], initial).astype(np.int8)
    return states


def transitions(states: States, initial: int = INSUFFICIENT_DATA) -> npt.NDArray[np.int64]:
    """Indices of the evaluations at which the state changed."""
    previous = np.empty_like(states)
    if states.size:
        previous[0] = initial
        previous[1:] = states[:-1]
    changed: npt.NDArray[np.int64] = np.flatnonzero(states != previous)
    return changed
