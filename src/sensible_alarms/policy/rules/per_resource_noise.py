"""per-resource-noise: no notifying alarm on an internal signal of a component behind an entrypoint,
and none that notifies on a single datapoint of an error count."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import AlarmModel, MetricAlarm
from ..catalogue import StackFacts, is_single_datapoint_error_count, stacks, threshold_words
from ..finding import Finding, Rule, finding
from ..words import listing, resource_kind

__all__ = ["RULE"]

ID = "per-resource-noise"


def check(model: AlarmModel) -> Iterator[Finding]:
    for stack, facts in stacks(model):
        reported: set[str] = set()
        for notifier in facts.notifiers:
            for alarm in facts.triggers(notifier):
                if alarm.logical_id in reported:
                    continue
                reasons = _reasons(facts, alarm)
                if not reasons:
                    continue
                reported.add(alarm.logical_id)
                through = "" if notifier is alarm else f" through the composite {notifier.label}"
                yield finding(
                    ID, stack, alarm.logical_id,
                    f"{alarm.label} notifies{through} on " + "; and on ".join(reasons) + ".",
                    related=(notifier.logical_id,) if notifier is not alarm else (),
                    suppressible_at=(notifier.logical_id,),
                )


#: ApiAlarms' per-route member (constructs/routes.py, ``ROUTE_SIGNAL``): the share of one route's
#: requests that failed, read from the route's Lambda handler, is that route's customers' signal.
_ROUTE_SIGNAL = "route-outage"


def _route_signal(alarm: MetricAlarm) -> bool:
    metadata = alarm.metadata
    return (metadata is not None and metadata.entrypoint_kind == "api" and metadata.signal == _ROUTE_SIGNAL
            and all(m.namespace == "AWS/Lambda" and m.metric_name in ("Errors", "Invocations") for m in alarm.metrics))


def _reasons(facts: StackFacts, alarm: MetricAlarm) -> list[str]:
    stack = facts.stack
    internal: dict[str, list[str]] = {}
    for metric in () if _route_signal(alarm) else alarm.metrics:
        for entrypoint, component in facts.internal_to(metric):
            what = f"{metric.metric_name} of the {resource_kind(stack.resource(component))} {stack.label(component)}"
            titles = internal.setdefault(what, [])
            if entrypoint.title not in titles:
                titles.append(entrypoint.title)
    reasons = [f"{what}, an internal signal of a component behind {listing(titles)}; customers feel its "
               "failures through that entrypoint's own signals, once" for what, titles in internal.items()]
    if is_single_datapoint_error_count(alarm):
        reasons.append(f"a single datapoint of an error count ({threshold_words(alarm)}): one transient error, "
                       "which the platform retries on its own, notifies someone")
    return reasons


RULE = Rule(
    id=ID,
    title="No per-resource noise: notify on customer impact, not on the components behind it",
    rationale=(
        "Managed services retry, scale and recover on their own: a function's errors, throttles or "
        "duration, a table's throttled requests or system errors, a queue's receive counts are signals "
        "of a component, not of customers. Alarming every resource makes most notifications need no "
        "action, so people stop reading them, including the one that matters. A single datapoint of an "
        "error count pages for one transient error nobody would have noticed."
    ),
    fix=(
        "Remove the alarm's actions (keep the metric on a dashboard), and alarm the entrypoint in front "
        "of the component on what customers feel (ApiAlarms, QueueConsumerAlarms, ...). For an error "
        "count, alarm on a rate over enough requests and several datapoints instead."
    ),
    check=check,
)
