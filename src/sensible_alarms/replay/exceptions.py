"""The replay engine's errors: all are :class:`~sensible_alarms.errors.SensibleAlarmsError`."""

from __future__ import annotations

from ..errors import SensibleAlarmsError

__all__ = ["AlarmRuleError", "ExpressionError", "MetricsFileError", "ReplayError"]


class ReplayError(SensibleAlarmsError):
    """The replay cannot run as asked: a definition, the metrics or the time range is unusable.

    The message names the alarm, series or file concerned, what was found and what is expected.
    """


class MetricsFileError(ReplayError):
    """A metrics or incidents file is malformed; ``file`` and ``row`` say where (``row`` is the
    label used in the message, such as ``line 12`` or ``row 3``, or ``None`` for the whole file)."""

    def __init__(self, message: str, *, file: str, row: str | None = None) -> None:
        self.file = file
        self.row = row
        where = f"{file}, {row}" if row else file
        super().__init__(message, path=where)


class ExpressionError(ReplayError):
    """A metric math expression cannot be parsed or evaluated (syntax error, unknown id,
    unsupported function, wrong argument types)."""


class AlarmRuleError(ReplayError):
    """A composite alarm's AlarmRule cannot be parsed or names an alarm that is not replayed."""
