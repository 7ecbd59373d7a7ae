"""Metric definitions shared by several entrypoint kinds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .metrics import MathExpression, Metric

if TYPE_CHECKING:
    from aws_cdk import aws_sqs as sqs

__all__ = ["ARRIVAL_QUIET_MINUTES", "queue_arrivals"]

#: A dead-letter alarm stays in ALARM until this many minutes pass with no new arrival, so a
#: trickle of failures (a poison message every few minutes for an hour) notifies once, and the
#: next failure after a quiet hour notifies again.
ARRIVAL_QUIET_MINUTES = 60


def queue_arrivals(queue: sqs.IQueue) -> MathExpression:
    """Messages that arrived on `queue` in each minute, whatever put them there.

    ``NumberOfMessagesSent`` misses messages that a redrive policy moves into a dead-letter queue,
    and ``ApproximateNumberOfMessagesVisible`` stays above zero while old messages sit there (no
    notification for new ones) or falls to zero when something drains the queue. Arrivals are the
    change in messages held (visible + in flight) plus the messages deleted in the minute.
    """
    one_minute = 60
    dimensions = {"QueueName": queue.queue_name}
    return MathExpression(
        # REPEAT, not 0: a minute with no datapoint while messages sit must not read as all of them
        # arriving again in the next minute.
        expression="DIFF(FILL(visible, REPEAT) + FILL(inflight, REPEAT)) + FILL(deleted, 0)",
        using_metrics={
            "visible": Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", dimensions, "Maximum", one_minute),
            "inflight": Metric("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dimensions, "Maximum",
                               one_minute),
            "deleted": Metric("AWS/SQS", "NumberOfMessagesDeleted", dimensions, "Sum", one_minute),
        },
        period=one_minute,
        label="Messages arrived per minute",
    )
