"""The metrics a service's alarms query, as a replay MetricStore built from the simulation.

Dimension values in a synthesized template are placeholders of logical ids
(``${Queue0C0D9E4A.QueueName}``); the template's ``aws:cdk:path`` metadata names the construct
each logical id belongs to, which is the resource the simulation knows by that name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from events import START
from spec import SEED, Service
from traffic import MINUTES, ServiceMinutes, series

from sensible_alarms.replay import MetricAlarmDef, MetricStore, SeriesKey
from sensible_alarms.replay.statistics import is_derivable


def construct_ids(resources: dict[str, Any]) -> dict[str, str]:
    """logical id -> the construct id right under the stack (``Svc000/Queue0/Resource`` -> ``Queue0``)."""
    ids = {}
    for logical_id, resource in resources.items():
        path = (resource.get("Metadata") or {}).get("aws:cdk:path", "")
        parts = path.split("/")
        if len(parts) >= 2:
            ids[logical_id] = parts[1]
    return ids


#: The dimension that names the resource, by namespace.
_NAMED_BY = {"AWS/Lambda": "FunctionName", "AWS/SQS": "QueueName", "AWS/DynamoDB": "TableName",
             "AWS/Events": "RuleName", "AWS/SNS": "TopicName", "AWS/States": "StateMachineArn",
             "AWS/ApplicationELB": "TargetGroup", "AWS/AppSync": "GraphQLAPIId"}


def resource_of(namespace: str, dims: dict[str, str], ids: dict[str, str], where: str) -> str:
    """The construct id (right under the stack) of the resource a series of ``namespace`` with ``dims`` is about."""
    if namespace == "AWS/ApiGateway" and "ApiId" not in dims:
        return "Api"  # the REST API, by ApiName; a WebSocket API is named by its ApiId
    name = "ApiId" if namespace == "AWS/ApiGateway" else _NAMED_BY.get(namespace)
    value = dims.get(name or "", "")
    logical = value.removeprefix("${").removesuffix("}").split(".")[0]
    if not value.startswith("${") or logical not in ids:
        raise ValueError(f"{where}: cannot tell which resource {namespace} {dims} is")
    return ids[logical]


def wanted_series(alarms: Iterable[MetricAlarmDef]) -> list[SeriesKey]:
    """Every row series the alarms need: derivable statistics at 60 s (Average as Sum and
    SampleCount), the others at the alarm's own period."""
    keys: set[SeriesKey] = set()
    for alarm in alarms:
        for q in alarm.metric_queries:
            if q.stat == "Average":
                keys.update(SeriesKey(q.namespace, q.metric, q.dimensions, s, 60) for s in ("Sum", "SampleCount"))
            elif is_derivable(q.stat):
                keys.add(SeriesKey(q.namespace, q.metric, q.dimensions, q.stat, 60))
            else:
                keys.add(SeriesKey(q.namespace, q.metric, q.dimensions, q.stat, q.period))
    return sorted(keys)


def build_store(service: Service, minutes: ServiceMinutes, alarms: Iterable[MetricAlarmDef],
                ids: dict[str, str]) -> MetricStore:
    keys = wanted_series(alarms)
    jitter = np.random.default_rng([SEED, service.index, 5]).uniform(0.9, 1.1, MINUTES)
    values = np.empty((len(keys), MINUTES))
    for row, key in enumerate(keys):
        dims = dict(key.dimensions)
        resource = resource_of(key.namespace, dims, ids, f"{service.name} {key.describe()}")
        values[row] = series(minutes, key.namespace, key.metric, resource, dims, key.stat, key.period, jitter)
    return MetricStore(keys, int(START.timestamp()), values, source=f"simulated metrics of {service.name}")
