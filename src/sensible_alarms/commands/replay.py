"""``sensible-alarms replay``: how often would these alarms have notified?"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SensibleAlarmsError
from ..replay import ReplayError, ReplayResult, load_incidents, load_metrics, replay, timeline_to_dict, write_timeline
from ..replay.from_templates import AlarmSet, alarm_set_from_templates, load_names
from ..replay.report import render_summary_text, summarize, write_html_report
from .outputs import check_outputs

if TYPE_CHECKING:
    from ..replay.store import MetricStore

__all__ = ["FORMATS", "check_outputs", "default_range", "fetch_from_cloudwatch", "replay_command", "run_replay",
           "summary_text"]

FORMATS = ("text", "json")


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
               progress: Any = None, alarm_set: AlarmSet | None = None) -> tuple[AlarmSet, ReplayResult]:
    """Replay the alarms of ``paths`` (or an already built ``alarm_set``) over a metrics file (or an
    already loaded store). Outputs are checked before anything is read."""
    check_outputs(timeline_out, html_out)
    if alarm_set is None:
        alarm_set = alarm_set_from_templates(*paths, names=load_names(names_file) if names_file else None)
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
                    keep_values=html_out is not None, progress=progress, entrypoints=alarm_set.entrypoints)
    if timeline_out is not None:
        write_timeline(result, timeline_out)
    if html_out is not None:
        write_html_report(result, html_out, alarm_set.alarms, alarm_set.composites,
                          urgencies=alarm_set.urgencies)
    return alarm_set, result


def summary_text(alarm_set: AlarmSet, result: ReplayResult) -> str:
    """Notifications per alarm and day, and the scores when incidents were given, as terminal text."""
    return render_summary_text(summarize(result, urgencies=alarm_set.urgencies), width=150)


def replay_command(paths: list[Path], *, metrics_file: Path | None = None, from_cloudwatch: bool = False,
                   region: str | None = None, save_metrics: Path | None = None, html_out: Path | None = None,
                   quiet: bool = False, incidents_file: Path | None = None, names_file: Path | None = None,
                   start: datetime | None = None, end: datetime | None = None, timeline_out: Path | None = None,
                   output_format: str = "text") -> str:
    """``sensible-alarms replay``: checks the options and outputs before any work, reads the
    templates once, fetches from CloudWatch or reads the metrics file, replays, writes the files
    asked for and returns the text for stdout (a table, or the JSON timeline)."""
    from ..replay.progress import ProgressBar

    if output_format not in FORMATS:
        raise SensibleAlarmsError(f"--format must be text or json (got {output_format!r})")
    if (metrics_file is None) == (not from_cloudwatch):
        raise SensibleAlarmsError("give exactly one of --metrics FILE and --from-cloudwatch")
    if from_cloudwatch and (start is None or end is None):
        raise SensibleAlarmsError("--from-cloudwatch needs --start and --end")
    check_outputs(timeline_out, html_out, save_metrics)
    try:
        with ProgressBar(transient=True, disable=quiet or not sys.stderr.isatty()) as bar:
            alarm_set = alarm_set_from_templates(*paths, names=load_names(names_file) if names_file else None)
            store = None
            if from_cloudwatch and start is not None and end is not None:  # both given: checked above
                store = fetch_from_cloudwatch(alarm_set, start, end, region=region, progress=bar)
                if save_metrics is not None:
                    from ..replay.metrics_io import write_metrics

                    write_metrics(store, save_metrics)
            alarm_set, result = run_replay(paths, metrics_file=metrics_file, metrics=store,
                                           incidents_file=incidents_file, start=start, end=end,
                                           timeline_out=timeline_out, html_out=html_out, progress=bar,
                                           alarm_set=alarm_set)
    except ImportError as error:
        raise SensibleAlarmsError(f"--from-cloudwatch needs boto3: pip install 'sensible-alarms[cloudwatch]' "
                                  f"({error})") from error
    except OSError as error:
        if isinstance(error, SensibleAlarmsError):
            raise
        raise SensibleAlarmsError(f"cannot write {error.filename}: {error.strerror}") from error
    if output_format == "json":
        return json.dumps(timeline_to_dict(result), indent=2, sort_keys=True)
    return summary_text(alarm_set, result)
