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


def queue_arrivals(queue: sqs.IQueue, *, exact: bool = False) -> MathExpression:
    """Messages that arrived on `queue` in each minute, whatever put them there.

    ``NumberOfMessagesSent`` misses messages that a redrive policy moves into a dead-letter queue,
    and ``ApproximateNumberOfMessagesVisible > 0`` stays true while old messages sit there (no
    notification for new ones). Arrivals are the rise in messages held.

    By default one metric (one billed alarm metric): the rise in ``ApproximateNumberOfMessagesVisible``.
    It misses arrivals that something receives or deletes within the same minute (a consumer or an
    automatic redrive on the queue), and reads a received message that becomes visible again (a
    look in the console) as an arrival. `exact` reads three metrics (three billed alarm metrics):
    the change in messages held, visible + in flight, plus the messages deleted in the minute, so
    neither happens.
    """
    one_minute = 60
    dimensions = {"QueueName": queue.queue_name}
    visible = Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", dimensions, "Maximum", one_minute)
    if not exact:
        # REPEAT, not 0: a minute with no datapoint while messages sit must not read as all of them
        # arriving again in the next minute.
        return MathExpression(expression="DIFF(FILL(visible, REPEAT))", using_metrics={"visible": visible},
                              period=one_minute, label="Messages arrived per minute")
    return MathExpression(
        expression="DIFF(FILL(visible, REPEAT) + FILL(inflight, REPEAT)) + FILL(deleted, 0)",
        using_metrics={
            "visible": visible,
            "inflight": Metric("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dimensions, "Maximum",
                               one_minute),
            "deleted": Metric("AWS/SQS", "NumberOfMessagesDeleted", dimensions, "Sum", one_minute),
        },
        period=one_minute,
        label="Messages arrived per minute",
    )
