"""Words the rules share: the constructs that fix a finding (resource kinds and lists come from
``sensible_alarms.wording``)."""

from __future__ import annotations

from .. import wording
from ..model import EntrypointKind, Resource
from ..wording import listing

__all__ = ["CONSTRUCTS", "listing", "resource_kind"]

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
    return wording.resource_kind(resource.type if resource is not None else None)
