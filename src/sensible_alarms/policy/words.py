"""Words the rules share: the constructs that fix a finding (resource kinds and lists come from
``sensible_alarms.wording``)."""

from __future__ import annotations

from typing import cast

from .. import wording
from ..model import Entrypoint, EntrypointKind, Resource
from ..wording import listing

__all__ = ["CONSTRUCTS", "SCHEDULER_SCHEDULE_CONSTRUCT", "construct_call", "construct_for", "listing", "resource_kind"]

#: The construct of this library that alarms each kind of entrypoint, as a line of code (its class is
#: ``metadata.CONSTRUCT_OF_KIND``), or ``cover_entrypoints(self, ...)``.
CONSTRUCTS: dict[EntrypointKind, str] = {
    "api": "ApiAlarms(self, 'ApiAlarms', api=..., availability=AvailabilitySlo(target=99.9), routing=...)",
    "queue_consumer": "QueueConsumerAlarms(self, 'QueueAlarms', queue=..., freshness=FreshnessSlo(...), routing=...)",
    "stream_consumer": "StreamConsumerAlarms(self, 'StreamAlarms', function=..., freshness=FreshnessSlo(...), "
                       "routing=...)",
    "scheduled_job": "ScheduledJobAlarms(self, 'JobAlarms', rule=..., function=..., routing=...)",
    "event_consumer": "EventConsumerAlarms(self, 'EventAlarms', function=..., source=<the topic, bucket or rule>, "
                      "freshness=FreshnessSlo(...), routing=...)",
    "workflow": "WorkflowAlarms(self, 'WorkflowAlarms', state_machine=..., availability=AvailabilitySlo(target=99.9), "
                "routing=...)",
    "function_url": "FunctionUrlAlarms(self, 'UrlAlarms', url=..., availability=AvailabilitySlo(target=99.9), "
                    "routing=...)",
    "load_balancer": "LoadBalancerTargetAlarms(self, 'TargetAlarms', target_group=..., "
                     "availability=AvailabilitySlo(target=99.9), routing=...)",
    "graphql_api": "GraphqlApiAlarms(self, 'GraphqlAlarms', api=..., availability=AvailabilitySlo(target=99.9), "
                   "routing=...)",
    "websocket_api": "WebSocketApiAlarms(self, 'WebSocketAlarms', stage=..., "
                     "availability=AvailabilitySlo(target=99.9), routing=...)",
}

#: ScheduledJobAlarms takes an EventBridge Scheduler schedule as ``schedule=`` (a rule as ``rule=``).
SCHEDULER_SCHEDULE_CONSTRUCT = "ScheduledJobAlarms(self, 'JobAlarms', schedule=..., function=..., routing=...)"


def construct_call(entrypoint: Entrypoint) -> str | None:
    """The construct of the entrypoint's kind as code (``CONSTRUCTS``; ``SCHEDULER_SCHEDULE_CONSTRUCT``
    for an EventBridge Scheduler schedule)."""
    return construct_for(entrypoint.kind, entrypoint.source_service)


def construct_for(kind: str, source_service: str | None) -> str | None:
    """:func:`construct_call` for an entrypoint known by its kind and source service alone (an
    audit's JSON findings); None for a kind no construct covers."""
    if kind == "scheduled_job" and source_service == "scheduler":
        return SCHEDULER_SCHEDULE_CONSTRUCT
    return CONSTRUCTS.get(cast(EntrypointKind, kind))


def resource_kind(resource: Resource | None) -> str:
    """``Lambda function``, ``SQS queue``, ... or the resource type for other types."""
    return wording.resource_kind(resource.type if resource is not None else None)
