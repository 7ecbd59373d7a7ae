"""The write side: one construct per kind of customer-facing entrypoint."""

from .api import ApiAlarms
from .dashboard import ServiceDashboard
from .entrypoint import EntrypointAlarms, SignalAlarm
from .event_consumer import EventConsumerAlarms
from .function_url import FunctionUrlAlarms
from .graphql_api import GraphqlApiAlarms
from .load_balancer import LoadBalancerTargetAlarms
from .probe import Probe
from .queue_consumer import QueueConsumerAlarms
from .scheduled_job import ScheduledJobAlarms
from .stream_consumer import StreamConsumerAlarms
from .websocket_api import WebSocketApiAlarms
from .workflow import WorkflowAlarms

__all__ = [
    "ApiAlarms",
    "EntrypointAlarms",
    "EventConsumerAlarms",
    "FunctionUrlAlarms",
    "GraphqlApiAlarms",
    "LoadBalancerTargetAlarms",
    "Probe",
    "QueueConsumerAlarms",
    "ScheduledJobAlarms",
    "ServiceDashboard",
    "SignalAlarm",
    "StreamConsumerAlarms",
    "WebSocketApiAlarms",
    "WorkflowAlarms",
]
