"""UTC instants as the replay contracts write them: ISO-8601 with ``Z`` or ``+00:00``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["UTC_OFFSETS", "epoch_seconds", "format_utc", "from_epoch", "parse_utc", "utc_problem"]

#: The offsets accepted as UTC. Any other offset is refused rather than converted: a file that
#: mixes local times is more likely wrong than meant.
UTC_OFFSETS = ("Z", "z", "+00:00", "+0000", "+00")


def utc_problem(value: datetime) -> str | None:
    """Why ``value`` is not an aware UTC datetime, or None when it is."""
    if value.tzinfo is None or value.utcoffset() is None:
        return "naive timestamp (no UTC offset): write it in UTC with 'Z', e.g. 2024-05-01T12:00:00Z"
    if value.utcoffset() != timedelta(0):
        return (f"non-UTC offset {value.strftime('%z')}: timestamps must be UTC ('Z' or '+00:00'); "
                "convert it rather than relying on the offset")
    return None


def parse_utc(value: object) -> tuple[datetime | None, str | None]:
    """``(datetime, None)`` for an ISO-8601 UTC string or aware UTC datetime, else ``(None, why)``."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None, f"not an ISO-8601 timestamp: {value!r}"
        if "T" not in text and " " not in text:
            return None, f"not an ISO-8601 date and time (no time of day): {value!r}"
    else:
        return None, f"expected an ISO-8601 timestamp string (got {type(value).__name__} {value!r})"
    problem = utc_problem(parsed)
    if problem:
        return None, f"{problem} (got {value!s})"
    return parsed.astimezone(UTC), None


def epoch_seconds(value: datetime) -> int:
    """Whole seconds since the epoch of an aware datetime (fractions are dropped)."""
    return int(value.timestamp() // 1)


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(seconds), tz=UTC)


def format_utc(value: datetime) -> str:
    """``2024-05-01T12:00:00Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
