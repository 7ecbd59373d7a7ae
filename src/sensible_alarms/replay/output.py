"""The replay's JSON timeline, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from ._time import format_utc
from .engine import ReplayResult
from .incidents import Scores

__all__ = [
    "TIMELINE_FORMAT_VERSION",
    "atomic_file",
    "timeline_to_dict",
    "write_json_atomic",
    "write_text_atomic",
    "write_timeline",
]

#: Bumped when a field of the JSON timeline changes meaning or disappears.
TIMELINE_FORMAT_VERSION = 1


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _scores(scores: Scores) -> dict[str, Any]:
    return {
        "precision": scores.precision,
        "recall": scores.recall,
        "notifications": scores.notifications,
        "notifications_in_customer_impact": scores.notifications_in_customer_impact,
        "customer_impact_incidents": scores.customer_impact_incidents,
        "detected_customer_impact_incidents": scores.detected_customer_impact_incidents,
        "median_time_to_detect_seconds": _seconds(scores.median_time_to_detect),
        "false_notifications": scores.false_notifications,
        "notifications_per_incident": scores.notifications_per_incident,
        "notifications_by_cause": scores.by_cause(),
        "renotifications": scores.renotifications,
        "renotifications_by_cause": scores.by_cause(renotifications_only=True),
        "notification_causes": [
            {"alarm": c.alarm, "timestamp": format_utc(c.timestamp), "cause": c.cause, "incident": c.incident,
             "renotification": c.renotification, "held_by": list(c.held_by)}
            for c in scores.causes
        ],
        "incidents": [
            {
                "id": s.incident.id,
                "customer_impact": s.incident.customer_impact,
                "detected": s.detected,
                "first_notification": format_utc(s.first_notification) if s.first_notification else None,
                "first_alarm": s.first_alarm,
                "time_to_detect_seconds": _seconds(s.time_to_detect),
                "notifications": s.notifications,
            }
            for s in scores.incidents
        ],
    }


def timeline_to_dict(result: ReplayResult) -> dict[str, Any]:
    """The result as plain JSON data: timestamps as ``YYYY-MM-DDTHH:MM:SSZ``, durations in seconds,
    alarms in name order, notifications in time order."""
    return {
        "format_version": TIMELINE_FORMAT_VERSION,
        "start": format_utc(result.start),
        "end": format_utc(result.end),
        "alarms": [
            {
                "name": t.name,
                "kind": t.kind,
                "has_actions": t.has_actions,
                "initial_state": "INSUFFICIENT_DATA",
                "changes": [{"timestamp": format_utc(c.timestamp), "from": c.previous, "to": c.state}
                            for c in t.changes],
            }
            for t in sorted(result.timelines.values(), key=lambda t: t.name)
        ],
        "notifications": [
            {"alarm": n.alarm, "timestamp": format_utc(n.timestamp), "alarm_at": format_utc(n.alarm_at)}
            for n in result.notifications
        ],
        "suppressed": [
            {"alarm": s.alarm, "alarm_at": format_utc(s.alarm_at), "reason": s.reason} for s in result.suppressed
        ],
        "days": [d.isoformat() for d in result.days],
        "notifications_per_day": {name: list(counts) for name, counts in sorted(result.notifications_per_day.items())},
        "scores": _scores(result.scores) if result.scores is not None else None,
        "warnings": list(result.warnings),
    }


@contextmanager
def atomic_file(path: str | Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` for writing; when the block ends normally it is
    flushed to disk and replaces ``path`` in one step, so readers see the old file or the whole
    new one, never a part. On any error (an interrupt too) the temporary file is removed and
    ``path`` is left as it was. The new file keeps the old one's permissions (default 0644)."""
    target = Path(path)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_text_atomic(text: str, path: str | Path) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_file`)."""
    with atomic_file(path) as handle:
        handle.write(text)


def write_json_atomic(data: Any, path: str | Path) -> None:
    """Write ``data`` as JSON to ``path`` so that readers see the old file or the whole new one,
    never a part: the JSON goes to a temporary file beside ``path``, is flushed to disk, and then
    replaces ``path`` in one step. On any error the temporary file is removed and ``path`` is
    left as it was."""
    with atomic_file(path) as handle:
        json.dump(data, handle, indent=2, allow_nan=False)
        handle.write("\n")


def write_timeline(result: ReplayResult, path: str | Path) -> None:
    """Write the result's JSON timeline to ``path`` atomically."""
    write_json_atomic(timeline_to_dict(result), path)
