"""QueueConsumerAlarms: an SQS queue consumed by Lambda, alarmed on what customers feel."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .._durations import words
from .._jsii_types import is_queue
from ..routing import AlarmRouting
from ..slo import FreshnessSlo
from ..urgency import Urgency
from .entrypoint import EntrypointAlarms
from .metrics import Metric
from .signals import ARRIVAL_QUIET_MINUTES, queue_arrivals

__all__ = ["QueueConsumerAlarms"]

_DEFAULT_SUSTAIN = cdk.Duration.minutes(3)


class QueueConsumerAlarms(EntrypointAlarms):
    """Customer-impact alarms of an SQS queue whose messages a Lambda function processes.

    * Message age (HIGH): the oldest waiting message is older than the FreshnessSlo's max age for
      `sustain` (consecutive minutes): processing is badly delayed.
    * Dead letters (`dead_letter_urgency`): a message arrived on the dead-letter queue, so retries
      are exhausted and a customer's work was not done. Counted as arrivals (see
      ``queue_arrivals``), so each new failure notifies, also while older ones sit there.

    A queue without a dead-letter queue is an error: it loses work silently.

    :param queue: the consumer's queue.
    :param routing: where notifications go.
    :param freshness: how long a customer's message may wait.
    :param dead_letter_queue: the queue's dead-letter queue. Default: the one in the queue's redrive
        policy (``sqs.Queue(dead_letter_queue=...)``).
    :param dead_letter_urgency: urgency of a message reaching the dead-letter queue. Default: HIGH.
    :param exact_dead_letter_arrivals: count arrivals from three metrics ($0.30 a month) instead of
        one ($0.10): pass True when something consumes or redrives the dead-letter queue within a
        minute, or people often look at its messages (see ``queue_arrivals``). Default: False.
    :param sustain: how long the age must stay above the max age, whole minutes from 1 min to 1 h.
        Default: 3 minutes.
    :param runbook_url: link written into every alarm description. Default: none.
    """

    _kind = "queue_consumer"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        queue: sqs.IQueue,
        routing: AlarmRouting,
        freshness: FreshnessSlo,
        dead_letter_queue: sqs.IQueue | None = None,
        dead_letter_urgency: Urgency = Urgency.HIGH,
        exact_dead_letter_arrivals: bool = False,
        sustain: cdk.Duration = _DEFAULT_SUSTAIN,
        runbook_url: str | None = None,
    ) -> None:
        super().__init__(scope, id, routing=routing, runbook_url=runbook_url)
        self._check_environments(queue=queue, dead_letter_queue=dead_letter_queue)
        if not is_queue(queue):
            raise self._fail(f"'queue' must be an aws_sqs queue (got {type(queue).__name__})", "queue",
                             type(queue).__name__)
        if not isinstance(freshness, FreshnessSlo):
            raise self._fail(f"'freshness' must be a FreshnessSlo (got {freshness!r})", "freshness", freshness)
        if not isinstance(dead_letter_urgency, Urgency):
            raise self._fail(f"'dead_letter_urgency' must be an Urgency (got {dead_letter_urgency!r})",
                             "dead_letter_urgency", dead_letter_urgency)
        if not isinstance(exact_dead_letter_arrivals, bool):
            raise self._fail(f"'exact_dead_letter_arrivals' must be True or False (got {exact_dead_letter_arrivals!r})",
                             "exact_dead_letter_arrivals", exact_dead_letter_arrivals)
        sustain_minutes = self._sustain_minutes(sustain)
        if dead_letter_queue is not None and not is_queue(dead_letter_queue):
            raise self._fail(
                f"'dead_letter_queue' must be an aws_sqs queue (got {type(dead_letter_queue).__name__})",
                "dead_letter_queue", type(dead_letter_queue).__name__)
        dlq = dead_letter_queue
        if dlq is None and isinstance(queue, sqs.Queue) and queue.dead_letter_queue is not None:
            dlq = queue.dead_letter_queue.queue
        if dlq is None:
            raise self._fail(
                f"the queue {queue.node.path} has no dead-letter queue, so messages that keep failing are lost "
                "silently; give it one (sqs.Queue(dead_letter_queue=sqs.DeadLetterQueue(...))) or pass "
                "'dead_letter_queue'", "dead_letter_queue", None)

        max_age = freshness.max_age_seconds
        slo = freshness.describe()
        age = self._add_member(
            id="MessageAge", signal="message-age", title="Age of the oldest waiting message",
            urgency=Urgency.HIGH,
            impact=f"Customers' requests queued on {self.entrypoint_name} have waited over {words(max_age)} "
                   f"for {sustain_minutes} min: processing is badly delayed.",
            slo=slo,
            metric=Metric("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": queue.queue_name},
                          statistic="Maximum", period=60),
            threshold=max_age, comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=sustain_minutes, datapoints_to_alarm=sustain_minutes,
        )
        self._add_rule(Urgency.HIGH, self._any_of([age]))
        dead = self._add_member(
            id="DeadLetters", signal="dead-letters", title="Messages arriving on the dead-letter queue",
            urgency=dead_letter_urgency,
            impact=f"A customer's message on {self.entrypoint_name} failed every retry and moved to the "
                   "dead-letter queue: their work was not done.",
            slo=slo,
            metric=queue_arrivals(dlq, exact=exact_dead_letter_arrivals),
            threshold=0, comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=ARRIVAL_QUIET_MINUTES, datapoints_to_alarm=1,
        )
        self._add_rule(dead_letter_urgency, self._any_of([dead]))
        lost = " or was lost" if dead_letter_urgency is Urgency.HIGH else ""
        self._add_notifiers({
            Urgency.HIGH: f"Customers' work queued on {self.entrypoint_name} is badly delayed{lost}.",
            Urgency.LOW: f"Customers' work queued on {self.entrypoint_name} failed and was moved to the "
                         "dead-letter queue.",
        }, slo)
