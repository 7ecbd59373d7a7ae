"""The one error type of the library."""

from __future__ import annotations

from typing import Any

__all__ = ["SensibleAlarmsError"]


class SensibleAlarmsError(ValueError):
    """Invalid input to a sensible_alarms construct or value object.

    The message names where the problem is (the construct path, when there is one), the
    offending prop and the value received, and says what is expected instead.
    """

    def __init__(self, message: str, *, path: str | None = None, prop: str | None = None,
                 value: Any = None) -> None:
        self.path = path
        self.prop = prop
        self.value = value
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{message}")

    def at(self, path: str) -> SensibleAlarmsError:
        """The same error, located at a construct path (used when a value object is checked
        again inside a construct)."""
        if self.path is not None:
            return self
        return SensibleAlarmsError(str(self), path=path, prop=self.prop, value=self.value)
