"""Monthly CloudWatch alarm prices: one table, its source and date, overridable.

Source: the Amazon CloudWatch pricing page, "Alarms" section, US East (N. Virginia) list prices,
as read on 2026-11-29. Prices change and differ by region: pass your own ``AlarmPricing`` to the
review to use others. The free tier (10 alarm metrics a month) is ignored: estimates are list
prices for the alarms a template defines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import CompositeAlarm

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..model import Alarm, MetricAlarm

__all__ = [
    "DEFAULT_PRICING", "AlarmPricing", "CostOption", "alarm_metric_count", "cost_options", "is_high_resolution",
    "load_pricing", "monthly_cost",
]


@dataclass(frozen=True)
class AlarmPricing:
    """USD per month."""

    #: A metric alarm at a period of 60 s or more, per metric it evaluates (metric-math alarms
    #: are billed per metric in the expression).
    standard_per_metric: float = 0.10
    #: A metric alarm at a period under 60 s (10 s or 30 s), per metric.
    high_resolution_per_metric: float = 0.30
    #: A composite alarm.
    composite: float = 0.50
    #: An anomaly-detection alarm is billed as three metrics: the metric and the band's two bounds.
    anomaly_detection_metrics: int = 3
    source: str = "Amazon CloudWatch pricing page, Alarms, US East (N. Virginia), read 2026-11-29"


DEFAULT_PRICING = AlarmPricing()


def alarm_metric_count(alarm: Alarm, pricing: AlarmPricing = DEFAULT_PRICING) -> int:
    """How many alarm metrics CloudWatch bills for one alarm (0 for a composite)."""
    if isinstance(alarm, CompositeAlarm):
        return 0
    if alarm.threshold_metric_id is not None:
        # Anomaly detection: the band expression stands for the metric and its two bounds.
        return pricing.anomaly_detection_metrics
    if alarm.form == "metric":
        return 1
    return sum(1 for query in alarm.queries if query.metric is not None)


def is_high_resolution(alarm: MetricAlarm) -> bool:
    """True when a period of the alarm (its metrics' or its queries') is under 60 s."""
    periods = [q.period for q in alarm.queries] + [m.period for m in alarm.metrics]
    return any(isinstance(p, int) and p < 60 for p in periods)


def monthly_cost(alarm: Alarm, pricing: AlarmPricing = DEFAULT_PRICING) -> float:
    """Estimated USD per month of one alarm."""
    if isinstance(alarm, CompositeAlarm):
        return pricing.composite
    rate = pricing.high_resolution_per_metric if is_high_resolution(alarm) else pricing.standard_per_metric
    return round(alarm_metric_count(alarm, pricing) * rate, 4)


@dataclass(frozen=True)
class CostOption:
    """A construct option and what it would take off one entrypoint's monthly alarm bill."""

    option: str
    """How to choose it, as code."""
    saves: float
    """USD a month less."""
    gives_up: str
    """What the entrypoint no longer gets."""


#: The SLO class of each burn-rate signal, for the option's code.
_SLO_CLASS = {"availability": "AvailabilitySlo", "latency": "LatencySlo"}


def cost_options(alarms: Sequence[Alarm], pricing: AlarmPricing = DEFAULT_PRICING) -> tuple[CostOption, ...]:
    """The options that would make one entrypoint's alarms cheaper, priced from the alarms themselves
    (their SensibleAlarms metadata): ``tickets=False`` on an SLO drops its LOW burn-rate windows, and
    on every SLO also the LOW notifier and its confirmation. Empty when the entrypoint has no LOW
    burn-rate window, or LOW alarms of other signals."""
    by_signal: dict[str, float] = {}
    composites = 0.0
    for alarm in alarms:
        meta = alarm.metadata
        if meta is None or meta.urgency != "LOW":
            continue
        if meta.signal in _SLO_CLASS and meta.window is not None:
            by_signal[meta.signal] = by_signal.get(meta.signal, 0.0) + monthly_cost(alarm, pricing)
        elif meta.signal in ("notification", "confirmation"):
            composites += monthly_cost(alarm, pricing)
        else:
            return ()  # a LOW signal the option does not remove
    if not by_signal:
        return ()
    options = []
    if len(by_signal) > 1:
        options += [CostOption(f"{_SLO_CLASS[signal]}(..., tickets=False)", round(cost, 2),
                               f"LOW tickets for slow {signal} burns")
                    for signal, cost in sorted(by_signal.items())]
    every = " and ".join(f"{_SLO_CLASS[signal]}(..., tickets=False)" for signal in sorted(by_signal))
    options.append(CostOption(every, round(sum(by_signal.values()) + composites, 2),
                              "every LOW ticket: slow burns under the HIGH thresholds are not told"))
    return tuple(options)


def load_pricing(path: Path) -> AlarmPricing:
    """Prices from a JSON object whose keys are fields of ``AlarmPricing`` (others keep their default)."""
    from ..errors import SensibleAlarmsError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SensibleAlarmsError(f"{path}: cannot be read ({error.strerror})") from error
    except json.JSONDecodeError as error:
        raise SensibleAlarmsError(f"{path}: is not valid JSON ({error})") from error
    known = {f.name for f in fields(AlarmPricing)}
    if not isinstance(data, dict) or set(data) - known:
        extra = sorted(set(data) - known) if isinstance(data, dict) else type(data).__name__
        raise SensibleAlarmsError(f"{path}: pricing must be a JSON object with keys among {sorted(known)} "
                                  f"(got {extra})")
    return replace(DEFAULT_PRICING, **data)
