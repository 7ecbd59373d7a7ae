"""Words the rules share: resource kinds, alarm lists and the constructs that fix a finding."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import EntrypointKind, Resource

__all__ = ["CONSTRUCTS", "listing", "resource_kind"]

_KINDS = {
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

#: The construct of this library that alarms each kind of entrypoint, as a line of code.
CONSTRUCTS: dict[EntrypointKind, str] = {
    "api": "ApiAlarms(self, 'ApiAlarms', api=..., availability=AvailabilitySlo(target=99.9), routing=...)",
    "queue_consumer": "QueueConsumerAlarms(self, 'QueueAlarms', queue=..., freshness=FreshnessSlo(...), routing=...)",
    "stream_consumer": "StreamConsumerAlarms(self, 'StreamAlarms', function=..., freshness=FreshnessSlo(...), "
                       "routing=...)",
    "scheduled_job": "ScheduledJobAlarms(self, 'JobAlarms', rule=..., function=..., routing=...)",
    "event_consumer": "an alarm on the rule's FailedInvocations or on the target's dead-letter queue, "
                      "with an action that notifies",
}


def resource_kind(resource: Resource | None) -> str:
    """``Lambda function``, ``SQS queue``, ... or the resource type for other types."""
    if resource is None:
        return "resource"
    return _KINDS.get(resource.type, resource.type or "resource")


def listing(names: Sequence[str], limit: int = 4) -> str:
    """``a, b and c``; past ``limit`` names, ``a, b, c, d and 3 more``."""
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    if len(names) > 1:
        return ", ".join(names[:-1]) + f" and {names[-1]}"
    return names[0] if names else ""
