"""What the constructs write into the template for the read side (model, policy, review, replay).

This is a data contract: outside tools and the read side rely on it. Two carriers, on purpose:

* the alarm description, for humans and for any tool (every line is ``Key: value``)::

    Customer impact: <one sentence>
    Urgency: HIGH - customers are affected now; act at once
    SLO: availability: 99.9% of requests succeed over 30 days
    Runbook: https://... | none given

* the CloudFormation ``Metadata`` of each alarm resource, under ``METADATA_KEY``, a JSON object
  with the fields of ``AlarmMetadata`` (camelCase in the template).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CONSTRUCT_OF_KIND",
    "DESCRIPTION_KEYS",
    "METADATA_KEY",
    "METADATA_VERSION",
    "AlarmMetadata",
    "EntrypointKind",
    "Role",
]

METADATA_KEY = "SensibleAlarms"
METADATA_VERSION = 1

#: Line prefixes of an alarm description, in order.
DESCRIPTION_KEYS = ("Customer impact", "Urgency", "SLO", "Runbook")

#: The kinds of customer-facing entrypoint: what the constructs write and what the model detects.
EntrypointKind = Literal["api", "queue_consumer", "stream_consumer", "scheduled_job", "event_consumer", "workflow",
                         "function_url", "load_balancer", "graphql_api", "websocket_api"]

#: The construct of this library that alarms each kind of entrypoint: one table that the policy's
#: fix texts, ``cover_entrypoints`` and the docs share.
CONSTRUCT_OF_KIND: dict[EntrypointKind, str] = {
    "api": "ApiAlarms",
    "queue_consumer": "QueueConsumerAlarms",
    "stream_consumer": "StreamConsumerAlarms",
    "scheduled_job": "ScheduledJobAlarms",
    "event_consumer": "EventConsumerAlarms",
    "workflow": "WorkflowAlarms",
    "function_url": "FunctionUrlAlarms",
    "load_balancer": "LoadBalancerTargetAlarms",
    "graphql_api": "GraphqlApiAlarms",
    "websocket_api": "WebSocketApiAlarms",
}
#: ``member``: a signal alarm with no actions, read through its entrypoint's composite.
#: ``notifier``: the one composite per entrypoint and urgency that carries the notification.
Role = Literal["member", "notifier"]


@dataclass(frozen=True)
class AlarmMetadata:
    entrypoint: str
    """Construct path of the entrypoint construct (e.g. ``Orders/Api/Alarms``)."""
    entrypoint_kind: EntrypointKind
    role: Role
    urgency: str
    """``HIGH`` or ``LOW``."""
    signal: str
    """Short signal id: ``availability``, ``latency``, ``route-outage``, ``message-age``, ``dead-letters``,
    ``iterator-age``, ``failure-destination``, ``no-success``, ``failed-runs``, ``missed-runs``,
    ``dropped-events``, ``failed-invocations``, ``event-age``, or
    ``notification`` for composites."""
    slo: str
    customer_impact: str
    runbook: str | None
    window: str | None = None
    """For burn-rate members: ``long`` or ``short`` and the window, e.g. ``long 1 h``."""

    def to_template(self) -> dict[str, object]:
        out: dict[str, object] = {
            "version": METADATA_VERSION,
            "entrypoint": self.entrypoint,
            "entrypointKind": self.entrypoint_kind,
            "role": self.role,
            "urgency": self.urgency,
            "signal": self.signal,
            "slo": self.slo,
            "customerImpact": self.customer_impact,
        }
        if self.runbook:
            out["runbook"] = self.runbook
        if self.window:
            out["window"] = self.window
        return out
