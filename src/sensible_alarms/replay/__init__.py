"""Replay: how often would these alarms have notified? CloudWatch alarm semantics, offline.

See docs/replay.md for the contract and the semantics.
"""

from .cloudwatch import fetch_metrics, fetch_series, history_needed, series_for
from .composite import parse_alarm_rule
from .definitions import CompositeAlarmDef, ExpressionQuery, MetricAlarmDef, MetricStatQuery
from .engine import AlarmTimeline, Notification, ReplayResult, StateChange, SuppressedAction, replay
from .exceptions import AlarmRuleError, ExpressionError, MetricsFileError, ReplayError
from .expressions import parse_expression
from .incidents import Incident, IncidentScore, Scores, load_incidents, score
from .metrics_io import load_metrics, write_metrics
from .output import timeline_to_dict, write_json_atomic, write_timeline
from .progress import ProgressBar
from .report import (
    ReplaySummary,
    render_html,
    render_summary_text,
    summarize,
    summary_markdown,
    write_html_report,
    write_markdown_summary,
)
from .store import MetricStore, SeriesKey

__all__ = [
    "AlarmRuleError",
    "AlarmTimeline",
    "CompositeAlarmDef",
    "ExpressionError",
    "ExpressionQuery",
    "Incident",
    "IncidentScore",
    "MetricAlarmDef",
    "MetricStatQuery",
    "MetricStore",
    "MetricsFileError",
    "Notification",
    "ProgressBar",
    "ReplayError",
    "ReplayResult",
    "ReplaySummary",
    "Scores",
    "SeriesKey",
    "StateChange",
    "SuppressedAction",
    "fetch_metrics",
    "fetch_series",
    "history_needed",
    "load_incidents",
    "load_metrics",
    "parse_alarm_rule",
    "parse_expression",
    "render_html",
    "render_summary_text",
    "replay",
    "score",
    "series_for",
    "summarize",
    "summary_markdown",
    "timeline_to_dict",
    "write_html_report",
    "write_json_atomic",
    "write_markdown_summary",
    "write_metrics",
    "write_timeline",
]
