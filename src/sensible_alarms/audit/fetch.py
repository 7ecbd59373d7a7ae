"""Reading an account's alarms and their history through boto3, read-only.

Calls (all ``Describe``/``List``/``Get``; nothing is written): ``DescribeAlarms`` (metric and
composite alarms), ``DescribeAlarmHistory`` (state updates in the period), ``ListStackResources``
(the physical names of an assembly's deployed stacks) and ``ListMetrics`` (does the metric of an
alarm without data still exist). Every list is read with botocore's paginators; throttling is
retried by botocore itself (``adaptive`` retry mode, see :func:`client_config`).

A call that fails is recorded as a :class:`ReadProblem` and the rest is read anyway, so the report
can say what it could not read; only when ``DescribeAlarms`` fails is there nothing to report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "RETRIES_MODE",
    "AccountRead",
    "ReadProblem",
    "client_config",
    "read_account",
]

#: botocore's retry settings for the audit: ``adaptive`` retries throttling errors with backoff and
#: slows the client down (client-side rate limiting) when the service keeps throttling.
RETRIES_MODE = "adaptive"
RETRIES = {"mode": RETRIES_MODE, "max_attempts": 10}
#: ListMetrics calls the audit makes at most to check alarms without data (one call per alarm).
MAX_METRIC_CHECKS = 200

Progress = Callable[[int, int], None]


def client_config() -> Any:
    """The botocore ``Config`` of every client of the audit (retries, user agent)."""
    from botocore.config import Config  # type: ignore[import-untyped]

    return Config(retries=RETRIES, user_agent_extra="sensible-alarms-audit")


@dataclass(frozen=True)
class ReadProblem:
    """A call that failed: which API, for what, and why (the service's error code and message)."""

    call: str
    target: str
    message: str
    code: str = ""

    @property
    def words(self) -> str:
        return f"{self.call} ({self.target}): {self.message}"


@dataclass
class AccountRead:
    """What was read from one account and region."""

    region: str
    start: datetime
    end: datetime
    metric_alarms: list[dict[str, Any]] = field(default_factory=list)
    composite_alarms: list[dict[str, Any]] = field(default_factory=list)
    #: ``StateUpdate`` history items of the alarms read, oldest first.
    history: list[dict[str, Any]] = field(default_factory=list)
    #: deployed stack name -> logical id -> (resource type, physical id)
    deployed: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    #: alarm names whose metric ListMetrics does not know (the resource is gone)
    missing_metrics: list[str] = field(default_factory=list)
    #: alarm name -> its tags (only when a tag key was asked for)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[ReadProblem] = field(default_factory=list)
    alarms_read: bool = False
    history_read: bool = False

    @property
    def alarms(self) -> list[dict[str, Any]]:
        return self.metric_alarms + self.composite_alarms


def _error(call: str, target: str, error: Exception) -> ReadProblem:
    """A ReadProblem from a botocore error (ClientError, NoCredentialsError, EndpointConnectionError...)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        details = response.get("Error", {})
        code = str(details.get("Code", ""))
        message = str(details.get("Message", "")) or str(error)
        # Some endpoints answer a JSON/CBOR request with a query-protocol XML error; read it.
        inner = re.search(r"<Code>([^<]+)</Code>\s*<Message>([^<]*)</Message>", message)
        if inner:
            code, message = inner.group(1), inner.group(2)
        elif message.lstrip().startswith("<"):
            message = f"the endpoint answered with an HTML error page (HTTP {code or 'error'})"
        return ReadProblem(call, target, f"{code}: {message}" if code else message, code)
    name = type(error).__name__
    if name in ("NoCredentialsError", "PartialCredentialsError", "NoRegionError", "ProfileNotFound"):
        return ReadProblem(call, target, f"{error} (boto3 looks in the environment, ~/.aws and the instance role; "
                           "give --profile or set AWS_PROFILE / AWS_ACCESS_KEY_ID)", name)
    return ReadProblem(call, target, str(error), name)


def _botocore_error(error: Exception) -> bool:
    return type(error).__module__.startswith("botocore") or type(error).__module__.startswith("boto3")


def read_account(cloudwatch: Any, cloudformation: Any | None, *, region: str, start: datetime, end: datetime,
                 prefix: str | None = None, stacks: Iterable[str] = (), check_metrics: bool = True,
                 tags: bool = False, progress: Progress | None = None) -> AccountRead:
    """Read alarms (those whose names start with ``prefix``, or all), their ``StateUpdate`` history
    in ``[start, end]``, the resources of the deployed ``stacks``, and whether the metrics of alarms
    without data exist. ``progress(done, total)`` follows the history read, in minutes of the period."""
    read = AccountRead(region=region, start=start, end=end)
    _read_alarms(cloudwatch, read, prefix)
    if not read.alarms_read:
        return read
    names = {a["AlarmName"] for a in read.alarms}
    _read_history(cloudwatch, read, names, prefix, progress)
    for stack in stacks if cloudformation is not None else ():
        _read_stack(cloudformation, read, stack)
    if check_metrics:
        _check_metrics(cloudwatch, read)
    if tags:
        _read_tags(cloudwatch, read)
    return read


def _read_tags(cloudwatch: Any, read: AccountRead) -> None:
    """Each alarm's tags (``ListTagsForResource``, one call per alarm: the Resource Groups Tagging
    API would page them, but not every endpoint has it)."""
    for alarm in read.alarms:
        try:
            answer = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])
        except Exception as error:
            if not _botocore_error(error):
                raise
            read.problems.append(_error("ListTagsForResource", f"alarm {alarm['AlarmName']}", error))
            return
        read.tags[alarm["AlarmName"]] = {t["Key"]: t["Value"] for t in answer.get("Tags", ())}


def _read_alarms(cloudwatch: Any, read: AccountRead, prefix: str | None) -> None:
    arguments: dict[str, Any] = {"AlarmTypes": ["MetricAlarm", "CompositeAlarm"]}
    if prefix:
        arguments["AlarmNamePrefix"] = prefix
    try:
        for page in cloudwatch.get_paginator("describe_alarms").paginate(**arguments):
            read.metric_alarms.extend(page.get("MetricAlarms", ()))
            read.composite_alarms.extend(page.get("CompositeAlarms", ()))
    except Exception as error:
        if not _botocore_error(error):
            raise
        read.problems.append(_error("DescribeAlarms", f"alarms{' ' + prefix + '*' if prefix else ''}", error))
        return
    read.alarms_read = True


def _minutes(value: datetime, start: datetime) -> int:
    return max(0, int((value - start).total_seconds() // 60))


def _read_history(cloudwatch: Any, read: AccountRead, names: set[str], prefix: str | None,
                  progress: Progress | None) -> None:
    """The period's state updates, account-wide (one paged stream, not one call per alarm), kept for
    the alarms read. Items are sorted by time here: not every endpoint honours ``ScanBy``.

    The period is applied here, not with ``StartDate``/``EndDate``: CloudWatch keeps 30 days of
    alarm history, the audit's default period, so the filter would save little, and LocalStack
    (4.13.1 and 2026.3) fails on it once an alarm has changed state twice: it stores that change's
    time without a time zone and compares it with the aware dates."""
    total = _minutes(read.end, read.start)
    found: list[dict[str, Any]] = []
    try:
        pages = cloudwatch.get_paginator("describe_alarm_history").paginate(
            AlarmTypes=["MetricAlarm", "CompositeAlarm"], HistoryItemType="StateUpdate",
            ScanBy="TimestampAscending")
        for page in pages:
            items = page.get("AlarmHistoryItems", ())
            found.extend(i for i in items
                         if i.get("AlarmName") in names and i.get("HistoryItemType", "StateUpdate") == "StateUpdate"
                         and read.start <= i["Timestamp"] <= read.end)
            if progress is not None and items:
                progress(min(total, _minutes(max(i["Timestamp"] for i in items), read.start)), total)
    except Exception as error:
        if not _botocore_error(error):
            raise
        read.problems.append(_error("DescribeAlarmHistory", f"alarms{' ' + prefix + '*' if prefix else ''}", error))
        return
    if progress is not None:
        progress(total, total)
    found.sort(key=lambda i: (i["Timestamp"], i.get("AlarmName", "")))
    read.history = found
    read.history_read = True


def _read_stack(cloudformation: Any, read: AccountRead, stack: str) -> None:
    resources: dict[str, tuple[str, str]] = {}
    try:
        for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack):
            for summary in page.get("StackResourceSummaries", ()):
                if summary.get("PhysicalResourceId"):
                    resources[summary["LogicalResourceId"]] = (summary.get("ResourceType", ""),
                                                               summary["PhysicalResourceId"])
    except Exception as error:
        if not _botocore_error(error):
            raise
        read.problems.append(_error("ListStackResources", f"stack {stack}", error))
        return
    read.deployed[stack] = resources


def _check_metrics(cloudwatch: Any, read: AccountRead) -> None:
    """Alarms without data (INSUFFICIENT_DATA) whose metric ListMetrics does not list: CloudWatch
    lists a metric for two weeks after its last datapoint, so the resource is likely gone."""
    suspects = [a for a in read.metric_alarms if a.get("StateValue") == "INSUFFICIENT_DATA"]
    for alarm in suspects[:MAX_METRIC_CHECKS]:
        metrics = _metrics_of(alarm)
        if not metrics:
            continue
        try:
            missing = [m for m in metrics if not _listed(cloudwatch, m)]
        except Exception as error:
            if not _botocore_error(error):
                raise
            read.problems.append(_error("ListMetrics", f"metric of {alarm['AlarmName']}", error))
            return
        if missing:
            read.missing_metrics.append(alarm["AlarmName"])
    if len(suspects) > MAX_METRIC_CHECKS:
        read.problems.append(ReadProblem(
            "ListMetrics", f"{len(suspects) - MAX_METRIC_CHECKS} more alarms without data",
            f"not checked (the audit checks at most {MAX_METRIC_CHECKS} alarms' metrics)", "Limit"))


def _metrics_of(alarm: Mapping[str, Any]) -> list[dict[str, Any]]:
    if alarm.get("MetricName"):
        return [{"Namespace": alarm.get("Namespace"), "MetricName": alarm["MetricName"],
                 "Dimensions": alarm.get("Dimensions", [])}]
    return [q["MetricStat"]["Metric"] for q in alarm.get("Metrics", ()) if "MetricStat" in q]


def _listed(cloudwatch: Any, metric: Mapping[str, Any]) -> bool:
    dimensions = [{"Name": d["Name"], "Value": d["Value"]} for d in metric.get("Dimensions", ())]
    response = cloudwatch.list_metrics(Namespace=metric["Namespace"], MetricName=metric["MetricName"],
                                       Dimensions=dimensions)
    wanted = sorted((d["Name"], d["Value"]) for d in dimensions)
    return any(sorted((d["Name"], d["Value"]) for d in m.get("Dimensions", ())) == wanted
               for m in response.get("Metrics", ()))


def transition(item: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(old state, new state) of a ``StateUpdate`` history item, from its ``HistoryData`` JSON,
    else from its summary (``Alarm updated from OK to ALARM``)."""
    data = item.get("HistoryData")
    if isinstance(data, str):
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            old, new = parsed.get("oldState"), parsed.get("newState")
            if isinstance(old, dict) and isinstance(new, dict):
                return old.get("stateValue"), new.get("stateValue")
    summary = str(item.get("HistorySummary", ""))
    if " from " in summary and " to " in summary:
        old_state, _, new_state = summary.split(" from ", 1)[1].partition(" to ")
        return old_state.strip() or None, new_state.strip().split()[0] if new_state.strip() else None
    return None, None
