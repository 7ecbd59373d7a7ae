"""``audit --replay``: what this library's constructs would have sent over the audited period.

The constructs are those of the cloud assembly given with ``--assembly`` (alarms carrying the
SensibleAlarms metadata). Their metrics are fetched from CloudWatch with the replay's own fetch
(:func:`sensible_alarms.replay.cloudwatch.fetch_metrics`, as ``replay --from-cloudwatch`` does),
with each placeholder of the template (``${OrderQueue1234.QueueName}``) replaced by the deployed
name CloudFormation reports, then replayed with CloudWatch's semantics. CloudWatch keeps one-minute
data for 15 days, so the replay covers at most the last 15 days of the period.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..model import AlarmModel, literal_name
from ..policy.catalogue import facts
from .convert import deployed_name
from .fetch import AccountRead, Progress
from .report import ReplayOutcome

__all__ = ["NEEDS_CONSTRUCTS", "replay_constructs"]

NEEDS_CONSTRUCTS = (
    "--replay needs a cloud assembly (--assembly) whose stacks use this library's constructs (ApiAlarms, "
    "QueueConsumerAlarms, ...) on the same entrypoints, deployed or not: synthesize the proposed design "
    "(`sensible-alarms suggest` prints the code) and give it with --assembly and --stack-name")
_ATTRIBUTES = ("QueueName", "Name", "TopicName", "Arn", "StreamName", "TableName", "FunctionName")


def _names(read: AccountRead, stack_names: dict[str, str], model: AlarmModel) -> dict[str, str]:
    """Template placeholders -> deployed names: from the deployed stacks' physical ids, else from the
    literal names the template gives its resources (``queue_name=...``)."""
    names: dict[str, str] = {}
    for stack in model.stacks:
        deployed = read.deployed.get(stack_names.get(stack.name, stack.name.replace("/", "-")), {})
        for lid, resource in stack.resources.items():
            fixed = literal_name(resource)
            if fixed is not None and lid not in deployed:
                if resource.type != "AWS::SQS::Queue":  # a queue's Ref is its URL
                    names[f"${{{lid}}}"] = fixed
                for attribute in _ATTRIBUTES[:-1] if resource.type != "AWS::Lambda::Function" else _ATTRIBUTES:
                    if attribute != "Arn":
                        names[f"${{{lid}.{attribute}}}"] = fixed
        for lid, (kind, physical) in deployed.items():
            names[f"${{{lid}}}"] = physical
            for attribute in _ATTRIBUTES:
                names[f"${{{lid}.{attribute}}}"] = physical if attribute == "Arn" else deployed_name(kind, physical)
    return names


def replay_constructs(cloudwatch: Any, read: AccountRead, assembly: Path, model: AlarmModel,
                      stack_names: dict[str, str], *, now: datetime | None = None,
                      progress: Progress | None = None) -> tuple[ReplayOutcome | None, str | None]:
    """(what the constructs would have sent per entrypoint title, or None; why not, or None)."""
    from ..replay import replay
    from ..replay.cloudwatch import ONE_MINUTE_RETENTION, fetch_metrics, history_needed
    from ..replay.from_templates import alarm_set_from_templates

    if not any(alarm.metadata is not None for stack in model.stacks for alarm in stack.alarms):
        return None, f"{NEEDS_CONSTRUCTS}; {assembly} has none."
    alarm_set = alarm_set_from_templates(assembly, names=_names(read, stack_names, model))
    end = read.end.replace(second=0, microsecond=0)
    current = now or end
    earliest = (current - ONE_MINUTE_RETENTION + timedelta(minutes=1)).replace(second=0, microsecond=0)
    start = max(read.start.replace(second=0, microsecond=0), earliest + history_needed(alarm_set.alarms))
    note = "" if start <= read.start else (
        f"CloudWatch keeps one-minute data for 15 days: replayed from {start:%Y-%m-%d %H:%M}, not the whole period.")
    store = fetch_metrics(cloudwatch, alarm_set.alarms, start - history_needed(alarm_set.alarms), end, now=current,
                          progress=progress)
    result = replay(alarm_set.alarms, alarm_set.composites, store, start, end)
    titles: dict[str, str] = {}
    for stack in model.stacks:
        stack_facts = facts(stack)
        for alarm in stack.alarms:
            covered = [e for e in stack.entrypoints if stack_facts.covers(alarm, e)]
            titles[alarm.name] = covered[0].title if covered else (
                alarm.metadata.entrypoint if alarm.metadata is not None else alarm.name)
    sent: dict[str, list[datetime]] = defaultdict(list)
    for notification in result.notifications:
        sent[titles.get(notification.alarm, notification.alarm)].append(notification.timestamp)
    return ReplayOutcome(start=start, end=end, notifications={k: tuple(v) for k, v in sent.items()}, note=note), None
