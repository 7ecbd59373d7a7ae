"""Monthly CloudWatch alarm prices: one table, its source and date, overridable.

Source: the Amazon CloudWatch pricing page, "Alarms" and "Synthetics" sections, US East (N. Virginia)
list prices, as read on 2026-11-29. Prices change and differ by region: pass your own ``AlarmPricing`` to the
review to use others. The free tier (10 alarm metrics a month) is ignored: estimates are list
prices for the alarms a template defines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..metadata import CONSTRUCT_OF_KIND
from ..model import CompositeAlarm, MetricAlarm

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..model import Alarm, Canary, MetricAlarm

__all__ = [
    "DAYS_PER_MONTH", "DEFAULT_PRICING", "AlarmPricing", "CostOption", "alarm_metric_count", "canary_monthly_cost",
    "cost_options", "is_high_resolution", "load_pricing", "monthly_cost",
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
    #: A CloudWatch Synthetics canary run (a synthetic probe), per run; the 100 free runs a month
    #: are ignored, and so are the Lambda and S3 charges of the runs themselves.
    canary_run: float = 0.0012
    source: str = "Amazon CloudWatch pricing page, Alarms and Synthetics, US East (N. Virginia), read 2026-11-29"


DEFAULT_PRICING = AlarmPricing()
#: A month, for the runs a canary's schedule makes (alarm prices are per month of 30 days too).
DAYS_PER_MONTH = 30


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


def canary_monthly_cost(canary: Canary, pricing: AlarmPricing = DEFAULT_PRICING) -> float | None:
    """Estimated USD per month of a canary's runs; None when its schedule is not a rate (cron, one run)."""
    if not canary.every_seconds:
        return None
    return round(DAYS_PER_MONTH * 86400 // canary.every_seconds * pricing.canary_run, 2)


@dataclass(frozen=True)
class CostOption:
    """A construct option and what it would change in one entrypoint's monthly alarm bill."""

    option: str
    """How to choose it, as code."""
    saves: float
    """USD a month less (negative: the option costs more)."""
    gives_up: str
    """What the entrypoint no longer gets (empty when it gives up nothing)."""
    gets: str = ""
    """What the entrypoint gets in exchange (empty when it gets nothing new)."""


#: The SLO class of each burn-rate signal, for the option's code.
_SLO_CLASS = {"availability": "AvailabilitySlo", "latency": "LatencySlo"}
#: The signals whose queue arrivals ``queue_arrivals`` counts, and the option that chooses how.
_ARRIVAL_OPTION = {"dead-letters": "QueueConsumerAlarms(..., exact_dead_letter_arrivals={})",
                   "failure-destination": "StreamConsumerAlarms(..., exact_failure_arrivals={})"}
#: What the arrivals are, in the option's words.
_ARRIVALS = {"dead-letters": ("dead letters", "dead-letter queue"),
             "failure-destination": ("failed records", "failure-destination queue")}
#: Alarm metrics of the two ways of counting arrivals (``constructs.signals.queue_arrivals``).
_ONE_METRIC_ARRIVALS, _EXACT_ARRIVALS = 1, 3


def cost_options(alarms: Sequence[Alarm], pricing: AlarmPricing = DEFAULT_PRICING) -> tuple[CostOption, ...]:
    """The options that would change one entrypoint's alarm bill, priced from the alarms themselves
    (their SensibleAlarms metadata): ``tickets`` on its SLOs (the LOW burn-rate windows, and on
    every SLO also the LOW notifier and its confirmation), how its dead letters are counted, and
    whether outages have their own notifier."""
    return _ticket_options(alarms, pricing) + _arrival_options(alarms, pricing) + _outage_options(alarms, pricing)


def _ticket_options(alarms: Sequence[Alarm], pricing: AlarmPricing) -> tuple[CostOption, ...]:
    """``tickets=False`` on SLOs that have LOW windows; ``tickets=True`` on SLOs that have none
    (priced as one more window like its HIGH ones, each window being a long, a short and a hold
    member reading the same metrics). Empty when the entrypoint has LOW alarms of other signals."""
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    high_windows: dict[str, set[str]] = {}
    composites = 0.0
    low_composites: set[str] = set()
    for alarm in alarms:
        meta = alarm.metadata
        if meta is None:
            continue
        if meta.signal in _SLO_CLASS and meta.window is not None:
            if meta.urgency == "LOW":
                low[meta.signal] = low.get(meta.signal, 0.0) + monthly_cost(alarm, pricing)
            else:
                high[meta.signal] = high.get(meta.signal, 0.0) + monthly_cost(alarm, pricing)
                if meta.window.startswith("long "):
                    high_windows.setdefault(meta.signal, set()).add(meta.window)
        elif meta.urgency == "LOW" and meta.signal in ("notification", "confirmation"):
            composites += monthly_cost(alarm, pricing)
            low_composites.add(meta.signal)
        elif meta.urgency == "LOW":
            return ()  # a LOW signal the option does not remove
    options = []
    if low:
        if len(low) > 1:
            options += [CostOption(f"{_SLO_CLASS[signal]}(..., tickets=False)", round(cost, 2),
                                   f"LOW tickets for slow {signal} burns")
                        for signal, cost in sorted(low.items())]
        every = " and ".join(f"{_SLO_CLASS[signal]}(..., tickets=False)" for signal in sorted(low))
        options.append(CostOption(every, round(sum(low.values()) + composites, 2),
                                  "every LOW ticket: slow burns under the HIGH thresholds are not told"))
    without = {signal: cost / len(high_windows[signal]) for signal, cost in high.items()
               if signal not in low and high_windows.get(signal)}
    if without:
        added = 0.0 if low else pricing.composite * len({"notification", "confirmation"} - low_composites)
        if len(without) > 1:
            options += [CostOption(f"{_SLO_CLASS[signal]}(..., tickets=True)", -round(cost + added, 2), "",
                                   f"LOW tickets for slow {signal} burns")
                        for signal, cost in sorted(without.items())]
        every = " and ".join(f"{_SLO_CLASS[signal]}(..., tickets=True)" for signal in sorted(without))
        options.append(CostOption(every, -round(sum(without.values()) + added, 2), "",
                                  "LOW tickets for burns too slow to page (10% of the budget within 1 day)"))
    return tuple(options)


def _arrival_options(alarms: Sequence[Alarm], pricing: AlarmPricing) -> tuple[CostOption, ...]:
    """The other way of counting queue arrivals, for each dead-letter or failure-destination queue member."""
    options = []
    for alarm in alarms:
        meta = alarm.metadata
        if meta is None or meta.signal not in _ARRIVAL_OPTION or isinstance(alarm, CompositeAlarm):
            continue
        if {query.metric.namespace for query in alarm.queries if query.metric is not None} != {"AWS/SQS"}:
            continue  # a topic destination: its deliveries are one exact metric already
        rate = pricing.high_resolution_per_metric if is_high_resolution(alarm) else pricing.standard_per_metric
        count = alarm_metric_count(alarm, pricing)
        what, where = _ARRIVALS[meta.signal]
        if count == _EXACT_ARRIVALS:
            options.append(CostOption(
                _ARRIVAL_OPTION[meta.signal].format(False), round((count - _ONE_METRIC_ARRIVALS) * rate, 2),
                f"{what} that something receives or deletes within a minute of arriving; a message "
                "looked at and returned reads as an arrival"))
        elif count == _ONE_METRIC_ARRIVALS:
            options.append(CostOption(
                _ARRIVAL_OPTION[meta.signal].format(True), -round((_EXACT_ARRIVALS - count) * rate, 2), "",
                f"{what} counted also when something consumes the {where} within a minute"))
    return tuple(options)


#: Construct ids (under the entrypoint's construct) of the outage notifier and its confirmation
#: (``EntrypointAlarms._add_outage_notifier``), and of each outage memory with the outage member it
#: twins, reading the same metrics (``request_burn_rates``' ``outage``).
_OUTAGE_NOTIFIER_IDS = ("OutageUrgency", "OutageUrgencyUnconfirmed")
_OUTAGE_MEMORY_IDS = {"Outage1mRecent": "Outage1m", "Outage5mRecent": "Outage5m", "Outage30mRecent": "Outage30m"}
#: ``routes``' members: a group's route outage member (``RouteOutage5m``, ``RouteOutage5m2``, ...) and,
#: with the outage notifier and two routes or more, its twin that keeps the notifier quiet while one
#: route is down (``OneRouteDown3m``, ...), reading the same two metrics a route.
_ROUTE_OUTAGE_ID = re.compile(r"RouteOutage5m\d*")
_ONE_ROUTE_DOWN_ID = re.compile(r"OneRouteDown3m\d*")


def _outage_options(alarms: Sequence[Alarm], pricing: AlarmPricing) -> tuple[CostOption, ...]:
    """``outage_notifier=False`` on an entrypoint that has the outage notifier (its two composites,
    the outage memories and the one-route-down members go); ``outage_notifier=True`` on one whose
    outage members feed the HIGH notifier (priced as the two composites, a memory per twinned member
    and a one-route-down member per route group when two routes or more are watched). Read from the alarms'
    construct ids; empty when they are not in the template (no ``aws:cdk:path``)."""
    by_id: dict[str, Alarm] = {}
    kind = None
    for alarm in alarms:
        meta = alarm.metadata
        if meta is None or alarm.construct_path is None:
            continue
        kind = meta.entrypoint_kind
        by_id[alarm.construct_path.removeprefix(f"{meta.entrypoint}/").removesuffix("/Resource")] = alarm
    construct = CONSTRUCT_OF_KIND.get(kind) if kind is not None else None
    if construct is None:
        return ()
    notifier = [by_id[i] for i in _OUTAGE_NOTIFIER_IDS if i in by_id]
    if notifier:
        memories = [by_id[i] for i in _OUTAGE_MEMORY_IDS if i in by_id]
        memories += [a for i, a in by_id.items() if _ONE_ROUTE_DOWN_ID.fullmatch(i)]
        return (CostOption(f"{construct}(..., outage_notifier=False)",
                           round(sum(monthly_cost(a, pricing) for a in notifier + memories), 2),
                           "the outage notifier: an outage that starts while the HIGH notifier is already in ALARM "
                           "for a smaller incident is not told"),)
    twins = [by_id[i] for i in _OUTAGE_MEMORY_IDS.values() if i in by_id]
    routes = [a for i, a in by_id.items() if _ROUTE_OUTAGE_ID.fullmatch(i)]
    if len(routes) > 1 or any(len(a.metrics) > 2 for a in routes if isinstance(a, MetricAlarm)):
        twins += routes
    if not twins:
        return ()
    return (CostOption(f"{construct}(..., outage_notifier=True)",
                       -round(len(_OUTAGE_NOTIFIER_IDS) * pricing.composite
                              + sum(monthly_cost(a, pricing) for a in twins), 2), "",
                       "the outage notifier: an outage told even while the HIGH notifier is already in ALARM "
                       "for a smaller incident"),)


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
