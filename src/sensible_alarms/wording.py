"""The words every read-side tool uses for the same things: comparison operators, missing-data
treatments, durations, percentages, counts, money and resource kinds. One table each, so the
review, the snapshot summary, explain and the policy say the same thing the same way."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

__all__ = [
    "COMPARISON",
    "MISSING_DATA",
    "RESOURCE_KINDS",
    "duration",
    "listing",
    "money",
    "number",
    "percent",
    "plural",
    "resource_kind",
]

#: ``ComparisonOperator`` as a symbol or words.
COMPARISON: Mapping[str, str] = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
    "LessThanLowerOrGreaterThanUpperThreshold": "outside the band",
    "LessThanLowerThreshold": "below the band",
    "GreaterThanUpperThreshold": "above the band",
}

#: ``TreatMissingData`` in words.
MISSING_DATA: Mapping[str, str] = {
    "missing": "missing",
    "ignore": "ignored (state kept)",
    "breaching": "breaching",
    "notBreaching": "not breaching",
}

#: Resource types in words (singular).
RESOURCE_KINDS: Mapping[str, str] = {
    "AWS::Lambda::Function": "Lambda function",
    "AWS::DynamoDB::Table": "DynamoDB table",
    "AWS::DynamoDB::GlobalTable": "DynamoDB table",
    "AWS::SQS::Queue": "SQS queue",
    "AWS::SNS::Topic": "SNS topic",
    "AWS::Kinesis::Stream": "Kinesis stream",
    "AWS::S3::Bucket": "S3 bucket",
    "AWS::StepFunctions::StateMachine": "state machine",
    "AWS::Events::EventBus": "event bus",
    "AWS::RDS::DBCluster": "database cluster",
    "AWS::RDS::DBInstance": "database",
}


def resource_kind(resource_type: str | None) -> str:
    """``Lambda function``, ``SQS queue``, ... or the resource type for other types."""
    if not resource_type:
        return "resource"
    return RESOURCE_KINDS.get(resource_type, resource_type)


def duration(seconds: float) -> str:
    """``3600`` -> ``1 h``; ``300`` -> ``5 min``; ``172800`` -> ``2 days``; ``45`` -> ``45 s``."""
    s = int(seconds)
    for unit, size in (("day", 86400), ("h", 3600), ("min", 60)):
        if s and s % size == 0:
            n = s // size
            return f"{n} {unit}" + ("s" if unit == "day" and n != 1 else "")
    return f"{s} s"


def percent(ratio: float) -> str:
    """``0.0144`` -> ``1.44%``; ``0.02`` -> ``2%``."""
    return f"{ratio * 100:.3g}%"


def number(value: object) -> str:
    """A number as a template would write it: ``1`` (not ``1.0``), ``0.0144``; anything else as text."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return json.dumps(value)
    return str(value)


def plural(n: int, word: str) -> str:
    """``1 stack``, ``2 stacks``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def money(value: float) -> str:
    """USD per month, to the cent: ``$0.50``."""
    return f"${value:,.2f}"


def listing(names: Sequence[str], limit: int = 4) -> str:
    """``a, b and c``; past ``limit`` names, ``a, b, c, d and 3 more``."""
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    if len(names) > 1:
        return ", ".join(names[:-1]) + f" and {names[-1]}"
    return names[0] if names else ""
