"""isinstance() does not work on jsii interfaces (they are non-runtime Protocols); these checks
look for the attribute that each interface guarantees instead."""

from __future__ import annotations

from typing import Any


def _has(value: Any, attribute: str) -> bool:
    try:
        return getattr(value, attribute, None) is not None
    except Exception:  # a jsii proxy of another type raises on unknown members
        return False


def is_queue(value: Any) -> bool:
    return _has(value, "queue_arn") and _has(value, "metric_approximate_age_of_oldest_message")


def is_topic(value: Any) -> bool:
    return _has(value, "topic_arn") and _has(value, "metric_number_of_messages_published")


def is_function(value: Any) -> bool:
    return _has(value, "function_arn") and _has(value, "metric_invocations")
