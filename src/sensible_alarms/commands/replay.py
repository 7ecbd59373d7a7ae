"""``sensible-alarms replay``: how often would these alarms have notified?"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ..replay import ReplayResult, load_incidents, load_metrics, replay, write_timeline
from ..replay.from_templates import AlarmSet, alarm_set_from_templates, load_names

if TYPE_CHECKING:
    from ..replay.store import MetricStore

__all__ = ["default_range", "run_replay", "summary_text"]


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def default_range(alarm_set: AlarmSet, metrics: MetricStore) -> tuple[datetime, datetime]:
    """From the first minute at which every alarm's evaluation range is full of data, to the end of
    the data: earlier minutes would judge alarms on windows the file does not cover."""
    first = datetime.fromtimestamp(metrics.origin, UTC)
    last = first + timedelta(minutes=metrics.buckets)
    warm_up = max((a.period * a.evaluation_periods for a in alarm_set.alarms), default=0)
    start = _minute(first + timedelta(seconds=warm_up))
    if start >= last:
        start = first
    return start, last


def run_replay(paths: list[Path], *, metrics_file: Path, incidents_file: Path | None = None,
               names_file: Path | None = None, start: datetime | None = None, end: datetime | None = None,
               timeline_out: Path | None = None) -> tuple[AlarmSet, ReplayResult]:
    names = load_names(names_file) if names_file else None
    alarm_set = alarm_set_from_templates(*paths, names=names)
    metrics = load_metrics(metrics_file)
    incidents = load_incidents(incidents_file) if incidents_file else None
    lo, hi = default_range(alarm_set, metrics)
    result = replay(alarm_set.alarms, alarm_set.composites, metrics, start or lo, end or hi, incidents)
    if timeline_out is not None:
        write_timeline(result, timeline_out)
    return alarm_set, result


def _td(value: timedelta | None) -> str:
    if value is None:
        return "-"
    minutes = int(value.total_seconds() // 60)
    if minutes >= 120:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes} min"


def summary_text(alarm_set: AlarmSet, result: ReplayResult) -> str:
    """Notifications per alarm and day, and the scores when incidents were given, as plain text."""
    days = max((result.end - result.start).total_seconds() / 86_400, 1 / 1440)
    lines = [f"Replayed {len(alarm_set.alarms)} metric alarms and {len(alarm_set.composites)} composites "
             f"from {result.start:%Y-%m-%d %H:%M} to {result.end:%Y-%m-%d %H:%M} UTC ({days:.1f} days)."]
    notifying = sorted(result.notifications_per_day)
    total = sum(sum(v) for v in result.notifications_per_day.values())
    lines.append(f"{total} notifications, {total / days:.2f} a day, from {len(notifying)} alarms that can notify:")
    width = max((len(n) for n in notifying), default=10)
    for name in notifying:
        count = sum(result.notifications_per_day[name])
        urgency = alarm_set.metadata.get(name, {}).get("urgency", "?")
        lines.append(f"  {name:<{width}}  {urgency:<4}  {count:>3} notifications  {count / days:.2f}/day")
    for note in result.suppressed:
        lines.append(f"  suppressed: {note.alarm} at {note.alarm_at:%Y-%m-%d %H:%M} ({note.reason})")
    scores = result.scores
    if scores is not None:
        precision = f"{scores.precision:.0%}" if scores.precision is not None else "-"
        recall = f"{scores.recall:.0%}" if scores.recall is not None else "-"
        lines.append("")
        lines.append(f"Precision {precision} ({scores.notifications_in_customer_impact} of {scores.notifications} "
                     f"notifications during customer impact), recall {recall} "
                     f"({scores.detected_customer_impact_incidents} of {scores.customer_impact_incidents} "
                     f"customer-impact incidents detected), median time to detect "
                     f"{_td(scores.median_time_to_detect)}.")
        for item in scores.incidents:
            incident = item.incident
            kind = "impact" if incident.customer_impact else "no impact"
            if item.first_notification is not None:
                outcome = f"notified after {_td(item.time_to_detect)} by {item.first_alarm}"
            else:
                outcome = "not notified" + (" (correct: no customer impact)" if not incident.customer_impact
                                            else " (MISSED)")
            lines.append(f"  {incident.id:<20} {kind:<9} {outcome}")
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)
