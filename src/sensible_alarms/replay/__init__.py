"""Replay: how often would these alarms have notified? CloudWatch alarm semantics, offline.

See docs/replay.md for the contract and the semantics.
"""

from .composite import parse_alarm_rule
from .definitions import CompositeAlarmDef, ExpressionQuery, MetricAlarmDef, MetricStatQuery
from .engine import AlarmTimeline, Notification, ReplayResult, StateChange, SuppressedAction, replay
from .exceptions import AlarmRuleError, ExpressionError, MetricsFileError, ReplayError
from .expressions import parse_expression
from .incidents import Incident, IncidentScore, Scores, load_incidents, score
from .metrics_io import load_metrics
from .output import timeline_to_dict, write_json_atomic, write_timeline
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
    "ReplayError",
    "ReplayResult",
    "Scores",
    "SeriesKey",
    "StateChange",
    "SuppressedAction",
    "load_incidents",
    "load_metrics",
    "parse_alarm_rule",
    "parse_expression",
    "replay",
    "score",
    "timeline_to_dict",
    "write_json_atomic",
    "write_timeline",
]
