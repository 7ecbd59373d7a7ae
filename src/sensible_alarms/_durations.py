"""Helpers to read aws_cdk.Duration values safely and write them in words."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk

from .errors import SensibleAlarmsError

#: How a Duration made from a token is shown: its text is a huge number that means nothing to a user
#: (``Duration.days(-1.888e+289)``), so it is not shown.
UNRESOLVED = "an unresolved token: a value CloudFormation only knows at deploy time"


def seconds_of(value: Any, *, owner: str, prop: str, path: str | None = None) -> int:
    """The whole number of seconds in a concrete, positive Duration, or an error naming `prop`."""
    if not isinstance(value, cdk.Duration):
        raise SensibleAlarmsError(
            f"'{prop}' of {owner} must be an aws_cdk.Duration, e.g. Duration.minutes(5) (got {value!r})",
            path=path, prop=prop, value=value,
        )
    # Token.is_unresolved() does not see a token inside a Duration; Duration.is_unresolved() does.
    if value.is_unresolved():
        raise SensibleAlarmsError(
            f"'{prop}' of {owner} must be a concrete Duration, not a token (got {UNRESOLVED})",
            path=path, prop=prop, value=value,
        )
    # integral=False: a fraction of a millisecond is our error to report, not a jsii RuntimeError.
    millis = value.to_milliseconds(integral=False)
    if (millis < 1000 or millis % 1000) and millis > 0:
        raise SensibleAlarmsError(
            f"'{prop}' of {owner} must be a whole number of seconds (got {millis:g} ms)",
            path=path, prop=prop, value=value,
        )
    if millis <= 0:
        raise SensibleAlarmsError(
            f"'{prop}' of {owner} must be longer than zero (got {value.to_human_string()})",
            path=path, prop=prop, value=value,
        )
    return round(millis / 1000)


def words(seconds: int) -> str:
    """'30 days', '1 h', '5 min', '90 s': the way the docs and alarm texts write durations."""
    for unit, size in (("day", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            n = seconds // size
            if unit == "day":
                return f"{n} day" if n == 1 else f"{n} days"
            return f"{n} {unit}"
    return f"{seconds} s"


def adjective(seconds: int) -> str:
    """'30-day', '1-hour', '5-minute': a duration before a noun ("the 30-day error budget")."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            return f"{seconds // size}-{unit}"
    return f"{seconds}-second"


def every(seconds: int) -> str:
    """'day', 'hour', '15 min': what follows 'runs every'."""
    if seconds == 86400:
        return "day"
    if seconds == 3600:
        return "hour"
    return words(seconds)
