"""``sensible-alarms replay``: how often would these alarms have notified?"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..replay import ReplayError, ReplayResult, load_incidents, load_metrics, replay, write_timeline
from ..replay.from_templates import AlarmSet, alarm_set_from_templates, load_names
from ..replay.report import render_summary_text, summarize, write_html_report
from .outputs import check_outputs

if TYPE_CHECKING:
    from ..replay.store import MetricStore

__all__ = ["check_outputs", "default_range", "fetch_from_cloudwatch", "run_replay", "summary_text"]


def default_range(alarm_set: AlarmSet, metrics: MetricStore) -> tuple[datetime, datetime]:
    """From the first minute at which every alarm's evaluation range is full of data, to the end of
    the data: earlier minutes would judge alarms on windows the file does not cover."""
    first = datetime.fromtimestamp(metrics.origin, UTC)
    last = first + timedelta(minutes=metrics.buckets)
    warm_up = max((a.period * a.evaluation_periods for a in alarm_set.alarms), default=0)
    start = (first + timedelta(seconds=warm_up)).replace(second=0, microsecond=0)
    if start >= last:
        start = first
    return start, last


def fetch_from_cloudwatch(alarm_set: AlarmSet, start: datetime, end: datetime, *, region: str | None,
                          progress: Any = None) -> MetricStore:
    """The metrics the alarms query, from CloudWatch GetMetricData (credentials and region as boto3
    finds them), with the history the first evaluations need."""
    import boto3  # type: ignore[import-untyped]

    from ..replay.cloudwatch import fetch_metrics, history_needed

    client = boto3.client("cloudwatch", region_name=region)
    return fetch_metrics(client, alarm_set.alarms, start - history_needed(alarm_set.alarms), end, progress=progress)


def run_replay(paths: list[Path], *, metrics_file: Path | None = None, metrics: MetricStore | None = None,
               incidents_file: Path | None = None, names_file: Path | None = None, start: datetime | None = None,
               end: datetime | None = None, timeline_out: Path | None = None, html_out: Path | None = None,
               progress: Any = None) -> tuple[AlarmSet, ReplayResult]:
    """Replay the alarms of ``paths`` over a metrics file (or an already loaded store). Outputs are
    checked before anything is read."""
    check_outputs(timeline_out, html_out)
    names = load_names(names_file) if names_file else None
    alarm_set = alarm_set_from_templates(*paths, names=names)
    if metrics is None:
        if metrics_file is None:
            raise ValueError("run_replay needs metrics_file or metrics")
        metrics = load_metrics(metrics_file)
        if not metrics.keys:
            raise ReplayError("the metrics file has no datapoints (no row after the header): nothing to replay",
                              path=str(metrics_file))
    incidents = load_incidents(incidents_file) if incidents_file else None
    lo, hi = default_range(alarm_set, metrics)
    result = replay(alarm_set.alarms, alarm_set.composites, metrics, start or lo, end or hi, incidents,
                    keep_values=html_out is not None, progress=progress)
    if timeline_out is not None:
        write_timeline(result, timeline_out)
    if html_out is not None:
        write_html_report(result, html_out, alarm_set.alarms, alarm_set.composites,
                          urgencies=alarm_set.urgencies)
    return alarm_set, result


def summary_text(alarm_set: AlarmSet, result: ReplayResult) -> str:
    """Notifications per alarm and day, and the scores when incidents were given, as terminal text."""
    return render_summary_text(summarize(result, urgencies=alarm_set.urgencies), width=150)
