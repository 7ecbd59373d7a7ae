"""sensible_alarms: customer-impact alarms only, for serverless services on AWS CDK v2.

The write side (constructs, SLOs, routing) needs aws-cdk-lib and starts jsii; the read side
(model, policy, review, replay, testing) is pure Python. Names are therefore imported on first
use, so ``import sensible_alarms.replay`` never starts jsii.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .burn_rate import BURN_RATE_WINDOWS, BurnRateWindow
    from .constructs import (
        ApiAlarms,
        EntrypointAlarms,
        EventConsumerAlarms,
        FunctionUrlAlarms,
        GraphqlApiAlarms,
        LoadBalancerTargetAlarms,
        Probe,
        QueueConsumerAlarms,
        ScheduledJobAlarms,
        ServiceDashboard,
        SignalAlarm,
        StreamConsumerAlarms,
        WebSocketApiAlarms,
        WorkflowAlarms,
    )
    from .cover import EntrypointDefaults, cover_entrypoints
    from .errors import SensibleAlarmsError
    from .routing import AlarmRouting, SlackChannel
    from .slo import AvailabilitySlo, FreshnessSlo, LatencySlo
    from .urgency import Urgency

_WHERE = {
    "BURN_RATE_WINDOWS": ".burn_rate",
    "BurnRateWindow": ".burn_rate",
    "ApiAlarms": ".constructs",
    "EntrypointAlarms": ".constructs",
    "QueueConsumerAlarms": ".constructs",
    "ScheduledJobAlarms": ".constructs",
    "ServiceDashboard": ".constructs",
    "SignalAlarm": ".constructs",
    "StreamConsumerAlarms": ".constructs",
    "EventConsumerAlarms": ".constructs",
    "FunctionUrlAlarms": ".constructs",
    "GraphqlApiAlarms": ".constructs",
    "LoadBalancerTargetAlarms": ".constructs",
    "Probe": ".constructs",
    "WebSocketApiAlarms": ".constructs",
    "WorkflowAlarms": ".constructs",
    "cover_entrypoints": ".cover",
    "EntrypointDefaults": ".cover",
    "SensibleAlarmsError": ".errors",
    "AlarmRouting": ".routing",
    "SlackChannel": ".routing",
    "AvailabilitySlo": ".slo",
    "FreshnessSlo": ".slo",
    "LatencySlo": ".slo",
    "Urgency": ".urgency",
}

__all__ = [
    "BURN_RATE_WINDOWS",
    "AlarmRouting",
    "ApiAlarms",
    "AvailabilitySlo",
    "BurnRateWindow",
    "EntrypointAlarms",
    "EntrypointDefaults",
    "EventConsumerAlarms",
    "FreshnessSlo",
    "FunctionUrlAlarms",
    "GraphqlApiAlarms",
    "LatencySlo",
    "LoadBalancerTargetAlarms",
    "Probe",
    "QueueConsumerAlarms",
    "ScheduledJobAlarms",
    "SensibleAlarmsError",
    "ServiceDashboard",
    "SignalAlarm",
    "SlackChannel",
    "StreamConsumerAlarms",
    "Urgency",
    "WebSocketApiAlarms",
    "WorkflowAlarms",
    "cover_entrypoints",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'sensible_alarms' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
