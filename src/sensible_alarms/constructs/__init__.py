"""The write side: one construct per kind of customer-facing entrypoint."""

from .api import ApiAlarms
from .dashboard import ServiceDashboard
from .entrypoint import EntrypointAlarms, SignalAlarm
from .queue_consumer import QueueConsumerAlarms
from .scheduled_job import ScheduledJobAlarms
from .stream_consumer import StreamConsumerAlarms

__all__ = [
    "ApiAlarms",
    "EntrypointAlarms",
    "QueueConsumerAlarms",
    "ScheduledJobAlarms",
    "ServiceDashboard",
    "SignalAlarm",
    "StreamConsumerAlarms",
]
