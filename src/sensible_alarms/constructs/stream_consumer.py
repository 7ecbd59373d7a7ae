"""StreamConsumerAlarms: a Kinesis or DynamoDB stream consumed by Lambda."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .._durations import words
from .._jsii_types import is_function, is_queue, is_topic
from ..routing import AlarmRouting
from ..slo import FreshnessSlo
from ..urgency import Urgency
from .entrypoint import EntrypointAlarms
from .function_name import metric_dimensions
from .metrics import MathExpression, Metric
from .signals import ARRIVAL_QUIET_MINUTES, queue_arrivals

__all__ = ["StreamConsumerAlarms"]

_DEFAULT_SUSTAIN = cdk.Duration.minutes(3)


class StreamConsumerAlarms(EntrypointAlarms):
    """Customer-impact alarms of a Lambda function consuming a Kinesis or DynamoDB stream.

    * Iterator age (HIGH): the newest record the function has read is older than the
      FreshnessSlo's max age for `sustain`: customers' changes wait unprocessed
      (a stuck shard, a consumer that cannot keep up).
    * Failure destination (`failure_urgency`), where the event source mapping has one: records
      that exhausted their retries were sent to an SQS queue or SNS topic, so a customer's change
      was skipped.

    The function's own Errors or Duration are not alarmed: a failing batch is retried, and if it
    keeps failing the iterator age or the failure destination says so.

    :param function: the consumer function (its ``IteratorAge`` metric is the signal).
    :param routing: where notifications go.
    :param freshness: how stale the stream's newest processed record may be.
    :param failure_destination: the on-failure destination of the event source mapping.
        Default: none (a warning advises one).
    :param failure_urgency: urgency of records reaching the failure destination. Default: HIGH.
    :param exact_failure_arrivals: when the failure destination is a queue, count its arrivals from
        three metrics ($0.30 a month) instead of one ($0.10), as ``QueueConsumerAlarms``'
        ``exact_dead_letter_arrivals`` does: pass True when something consumes that queue within a
        minute (see ``queue_arrivals``). Default: False. A topic's deliveries are counted exactly
        from one metric, so True with a topic is refused.
    :param sustain: how long the iterator age must stay above the max age, whole minutes from 1 min
        to 1 h. Default: 3 minutes.
    :param runbook_url: link written into every alarm description. Default: none.
    """

    _kind = "stream_consumer"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        function: lambda_.IFunction,
        routing: AlarmRouting,
        freshness: FreshnessSlo,
        failure_destination: sqs.IQueue | sns.ITopic | None = None,
        failure_urgency: Urgency = Urgency.HIGH,
        exact_failure_arrivals: bool = False,
        sustain: cdk.Duration = _DEFAULT_SUSTAIN,
        runbook_url: str | None = None,
    ) -> None:
        super().__init__(scope, id, routing=routing, runbook_url=runbook_url)
        self._check_environments(function=function, failure_destination=failure_destination)
        if not is_function(function):
            raise self._fail(f"'function' must be an aws_lambda function (got {type(function).__name__})",
                             "function", type(function).__name__)
        if not isinstance(freshness, FreshnessSlo):
            raise self._fail(f"'freshness' must be a FreshnessSlo (got {freshness!r})", "freshness", freshness)
        if not isinstance(failure_urgency, Urgency):
            raise self._fail(f"'failure_urgency' must be an Urgency (got {failure_urgency!r})",
                             "failure_urgency", failure_urgency)
        if not isinstance(exact_failure_arrivals, bool):
            raise self._fail(f"'exact_failure_arrivals' must be True or False (got {exact_failure_arrivals!r})",
                             "exact_failure_arrivals", exact_failure_arrivals)
        sustain_minutes = self._sustain_minutes(sustain)
        if failure_destination is not None and not (is_queue(failure_destination) or is_topic(failure_destination)):
            raise self._fail(
                f"'failure_destination' must be an SQS queue or SNS topic (got {type(failure_destination).__name__})",
                "failure_destination", type(failure_destination).__name__)
        if exact_failure_arrivals and not is_queue(failure_destination):
            what = "no failure destination" if failure_destination is None else "an SNS topic, counted exactly already"
            raise self._fail(f"'exact_failure_arrivals' applies to a queue failure destination only (got True with "
                             f"{what})", "exact_failure_arrivals", exact_failure_arrivals)

        max_age = freshness.max_age_seconds
        slo = freshness.describe()
        age = self._add_member(
            id="IteratorAge", signal="iterator-age", title="Age of the newest record read from the stream",
            urgency=Urgency.HIGH,
            impact=f"Customers' changes on the stream of {self.entrypoint_name} wait over {words(max_age)} "
                   f"to be processed, for {sustain_minutes} min: processing is badly delayed.",
            slo=slo,
            metric=Metric("AWS/Lambda", "IteratorAge", metric_dimensions(function), statistic="Maximum", period=60),
            threshold=max_age * 1000, comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=sustain_minutes, datapoints_to_alarm=sustain_minutes,
        )
        self._add_rule(Urgency.HIGH, self._any_of([age]))

        if failure_destination is None:
            cdk.Annotations.of(self).add_warning_v2(
                "sensible-alarms:stream-without-failure-destination",
                f"{self.entrypoint_name}: the stream's event source mapping has no on-failure destination "
                "here; records that keep failing block the shard until they expire. Pass "
                "'failure_destination' once the mapping has one.",
            )
        else:
            metric: Metric | MathExpression
            if is_queue(failure_destination):
                metric = queue_arrivals(failure_destination, exact=exact_failure_arrivals)  # type: ignore[arg-type]
            else:
                metric = Metric("AWS/SNS", "NumberOfMessagesPublished",
                                {"TopicName": failure_destination.topic_name},  # type: ignore[union-attr]
                                statistic="Sum", period=60)
            failed = self._add_member(
                id="FailedRecords", signal="failure-destination",
                title="Records sent to the on-failure destination", urgency=failure_urgency,
                impact=f"Records on the stream of {self.entrypoint_name} failed every retry and were skipped: "
                       "a customer's change was not processed.",
                slo=slo, metric=metric,
                threshold=0, comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=ARRIVAL_QUIET_MINUTES, datapoints_to_alarm=1,
            )
            self._add_rule(failure_urgency, self._any_of([failed]))

        skipped = " or skipped" if failure_destination is not None and failure_urgency is Urgency.HIGH else ""
        self._add_notifiers({
            Urgency.HIGH: f"Customers' changes on the stream of {self.entrypoint_name} are badly delayed{skipped}.",
            Urgency.LOW: f"Customers' changes on the stream of {self.entrypoint_name} failed and were skipped.",
        }, slo)
