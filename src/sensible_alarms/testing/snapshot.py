"""A syrupy extension that stores alarm summaries as readable text files."""

from __future__ import annotations

from typing import Any

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

__all__ = ["AlarmSummaryExtension"]


class AlarmSummaryExtension(SingleFileSnapshotExtension):
    """One ``.alarms.txt`` file per snapshot, holding the text of ``alarm_summary``."""

    _write_mode = WriteMode.TEXT
    file_extension = "alarms.txt"

    def serialize(self, data: Any, **kwargs: Any) -> str:
        if not isinstance(data, str):
            raise TypeError(
                f"AlarmSummaryExtension snapshots text from alarm_summary(...) (got {type(data).__name__})"
            )
        return data
