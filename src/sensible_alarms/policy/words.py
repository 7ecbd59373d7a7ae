"""Words the rules share: the constructs that fix a finding (resource kinds and lists come from
``sensible_alarms.wording``)."""

from __future__ import annotations

from typing import cast

from .. import wording
from ..model import Entrypoint, EntrypointKind, Resource
from ..wording import listing

__all__ = ["CONSTRUCTS", "SCHEDULER_SCHEDULE", "construct_call", "construct_for", "listing", "resource_kind"]

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

#: ScheduledJobAlarms takes an ``events.Rule``; EventBridge Scheduler publishes its metrics per schedule
#: group, not per schedule, so a schedule's own failures show at its target.
SCHEDULER_SCHEDULE = ("an alarm whose actions notify on the target function's failed or missed runs "
                       "(AWS/Lambda Errors and Invocations; no construct of this library takes an EventBridge "
                       "Scheduler schedule yet, and AWS/Scheduler counts drops per schedule group only), or an "
                       "events.Rule schedule with ScheduledJobAlarms(self, 'JobAlarms', rule=..., function=..., "
                       "routing=...)")


def construct_call(entrypoint: Entrypoint) -> str | None:
    """The construct of the entrypoint's kind as code (``CONSTRUCTS``); None for an EventBridge
    Scheduler schedule, which no construct takes (say ``SCHEDULER_SCHEDULE`` instead)."""
    return construct_for(entrypoint.kind, entrypoint.source_service)


def construct_for(kind: str, source_service: str | None) -> str | None:
    """:func:`construct_call` for an entrypoint known by its kind and source service alone (an
    audit's JSON findings); None also for a kind no construct covers."""
    if kind == "scheduled_job" and source_service == "scheduler":
        return None
    return CONSTRUCTS.get(cast(EntrypointKind, kind))


def resource_kind(resource: Resource | None) -> str:
    """``Lambda function``, ``SQS queue``, ... or the resource type for other types."""
    return wording.resource_kind(resource.type if resource is not None else None)
