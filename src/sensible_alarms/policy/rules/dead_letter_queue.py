"""dead-letter-queue: a queue consumer has a dead-letter queue, and someone is told when work lands there."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import AlarmModel
from ..catalogue import stacks
from ..finding import Finding, Rule, finding
from ..words import listing, resource_kind

__all__ = ["RULE"]

ID = "dead-letter-queue"
_WHOSE = {
    "redrive": "messages of the queue {owner} that failed every receive",
    "event_source_mapping": "records the event source mapping {owner} could not process",
    "lambda_async": "asynchronous invocations of {owner} that failed every retry",
    "rule_target": "events the rule {owner} could not deliver",
    "schedule_target": "invocations the schedule {owner} could not deliver",
}


def check(model: AlarmModel) -> Iterator[Finding]:
    for stack, facts in stacks(model):
        for entrypoint in stack.entrypoints:
            queue = entrypoint.source.logical_id if entrypoint.source else None
            if entrypoint.kind == "queue_consumer" and queue and entrypoint.dead_letter_queue is None:
                yield finding(
                    ID, stack, queue,
                    f"{entrypoint.title}: the queue has no dead-letter queue, so a message that keeps failing "
                    "is retried until its retention period ends and is then deleted; a customer's work is "
                    "lost and nobody knows.",
                    suppressible_at=entrypoint.resources,
                )
        destinations: dict[str, list[str]] = {}
        for destination in stack.failure_destinations:
            whose = _WHOSE[destination.kind].format(owner=stack.label(destination.owner))
            destinations.setdefault(destination.logical_id, []).append(whose)
        for logical_id, owners in destinations.items():
            if facts.notifiers_watching({logical_id}):
                continue
            kind = resource_kind(stack.resource(logical_id))
            yield finding(
                ID, stack, logical_id,
                f"The {kind} {stack.label(logical_id)} receives {listing(owners)}, and no alarm that notifies "
                "watches it: a customer's work is given up on and nobody is told.",
            )


RULE = Rule(
    id=ID,
    title="Queue consumers have a dead-letter queue, and someone is told when work lands in it",
    rationale=(
        "A message, record or event that fails every retry is a customer's order, upload or request "
        "that was not done. Without a dead-letter queue it is retried until it expires and then lost; "
        "with one that nobody watches, it is kept but forgotten until the customer asks."
    ),
    fix=(
        "Give the queue a dead-letter queue (sqs.Queue(dead_letter_queue=sqs.DeadLetterQueue(...))) and "
        "alarm on messages arriving there, routed to a topic (QueueConsumerAlarms and "
        "StreamConsumerAlarms do both for their entrypoints)."
    ),
    check=check,
)
