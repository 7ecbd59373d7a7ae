"""sensible_alarms: customer-impact alarms only, for serverless services on AWS CDK v2."""

from .burn_rate import BURN_RATE_WINDOWS, BurnRateWindow
from .constructs import (
    ApiAlarms,
    EntrypointAlarms,
    QueueConsumerAlarms,
    ScheduledJobAlarms,
    ServiceDashboard,
    SignalAlarm,
    StreamConsumerAlarms,
)
from .errors import SensibleAlarmsError
from .routing import AlarmRouting, SlackChannel
from .slo import AvailabilitySlo, FreshnessSlo, LatencySlo
from .urgency import Urgency

__all__ = [
    "BURN_RATE_WINDOWS",
    "AlarmRouting",
    "ApiAlarms",
    "AvailabilitySlo",
    "BurnRateWindow",
    "EntrypointAlarms",
    "FreshnessSlo",
    "LatencySlo",
    "QueueConsumerAlarms",
    "ScheduledJobAlarms",
    "SensibleAlarmsError",
    "ServiceDashboard",
    "SignalAlarm",
    "SlackChannel",
    "StreamConsumerAlarms",
    "Urgency",
]
