"""The orders service's resources (the same as examples/orders_service), alarmed per resource with
cdk-monitoring-constructs, the way a team that alarms every resource would: every function gets
error count and rate, throttle and p99 duration alarms; the API its 5xx, 4xx and latency alarms;
the queue its age and dead-letter alarms; the table its throttle and system-error alarms. Every
alarm notifies the same SNS topic.

This is the baseline the library is compared with; ``sensible-alarms check`` flags it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import aws_cdk as cdk
import cdk_monitoring_constructs as mc
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

T = TypeVar("T")

HANDLER = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
"""

# The thresholds a team copies from one service to the next.
ANY_ERROR = {"Critical": mc.ErrorCountThreshold(max_error_count=0, datapoints_to_alarm=1, evaluation_periods=1)}
ERROR_RATE = {"Warning": mc.ErrorRateThreshold(max_error_rate=0.01)}
ANY_THROTTLE = {"Warning": mc.ErrorCountThreshold(max_error_count=0)}
SLOW_P99 = {"Warning": mc.LatencyThreshold(max_latency=cdk.Duration.seconds(3))}


class PerResourceBaselineStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]

        topic = sns.Topic(self, "AlarmTopic", enforce_ssl=True)
        topic.add_subscription(subscriptions.EmailSubscription("team@example.com"))
        monitoring = mc.MonitoringFacade(
            self, "Monitoring",
            alarm_factory_defaults=mc.AlarmFactoryDefaults(
                actions_enabled=True, alarm_name_prefix="Orders",
                action=mc.SnsAlarmActionStrategy(on_alarm_topic=topic),
            ),
        )

        # -- REST API with three routes, one Lambda each -------------------------------------
        api = apigw.RestApi(self, "OrdersApi", rest_api_name="orders-api",
                            deploy_options=apigw.StageOptions(stage_name="prod"))
        orders = api.root.add_resource("orders")
        order = orders.add_resource("{orderId}")
        for method, resource, name in (("POST", orders, "CreateOrder"), ("GET", orders, "ListOrders"),
                                       ("GET", order, "GetOrder")):
            function = self._function(name)
            resource.add_method(method, apigw.LambdaIntegration(function))
            monitor_function(monitoring, function)
        monitor_api(monitoring, api, "prod")

        # -- SQS order queue with a dead-letter queue, consumed by Lambda ---------------------
        dead_letters = sqs.Queue(self, "OrderDeadLetters", enforce_ssl=True,
                                 retention_period=cdk.Duration.days(14))
        queue = sqs.Queue(
            self, "OrderQueue", enforce_ssl=True, visibility_timeout=cdk.Duration.seconds(180),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dead_letters),
        )
        fulfil = self._function("FulfilOrder")
        fulfil.add_event_source(sources.SqsEventSource(queue, batch_size=10))
        monitor_function(monitoring, fulfil)
        monitor_queue(monitoring, queue, dead_letters)

        # -- DynamoDB table whose stream a Lambda consumes ------------------------------------
        table = dynamodb.Table(
            self, "OrdersTable",
            partition_key=dynamodb.Attribute(name="orderId", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        monitor_table(monitoring, table)
        stream_failures = sqs.Queue(self, "StreamFailures", enforce_ssl=True,
                                    retention_period=cdk.Duration.days(14))
        projector = self._function("ProjectOrderEvents")
        projector.add_event_source(sources.DynamoEventSource(
            table, starting_position=lambda_.StartingPosition.TRIM_HORIZON, retry_attempts=3,
            bisect_batch_on_error=True, on_failure=sources.SqsDlq(stream_failures),
        ))
        monitor_function(monitoring, projector, iterator=True)
        monitor_failure_queue(monitoring, stream_failures)

        # -- Nightly scheduled job ------------------------------------------------------------
        report = self._function("NightlyReport")
        nightly = events.Rule(self, "NightlySchedule", schedule=events.Schedule.cron(minute="0", hour="2"))
        nightly.add_target(targets.LambdaFunction(report))
        monitor_function(monitoring, report)

    def _function(self, name: str) -> lambda_.Function:
        return lambda_.Function(
            self, name,
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline(HANDLER),
            timeout=cdk.Duration.seconds(30),
        )


# The same alarms on every resource of a kind: what a team copies from one service to the next.
# benchmarks/fleet builds its per-resource variant with these functions too.

def monitor_function(monitoring: mc.MonitoringFacade, function: lambda_.IFunction, *,
                     iterator: bool = False) -> None:
    """The same four alarms on every function (and iterator age on stream consumers)."""
    monitoring.monitor_lambda_function(
        lambda_function=function,
        add_fault_count_alarm=ANY_ERROR,
        add_fault_rate_alarm=ERROR_RATE,
        add_throttles_count_alarm=ANY_THROTTLE,
        add_latency_p99_alarm=SLOW_P99,
        add_max_iterator_age_alarm=(
            {"Warning": mc.MaxAgeThreshold(max_age_in_millis=300_000)} if iterator else None),
    )


def monitor_api(monitoring: mc.MonitoringFacade, api: apigw.IRestApi, stage: str) -> None:
    """Any 5xx, 4xx above 5 %, p99 latency above 1 s."""
    monitoring.monitor_api_gateway(
        api=api, api_stage=stage,
        add5_xx_fault_count_alarm=ANY_ERROR,
        add4_xx_error_rate_alarm={"Warning": mc.ErrorRateThreshold(max_error_rate=0.05)},
        add_latency_p99_alarm={"Warning": mc.LatencyThreshold(max_latency=cdk.Duration.seconds(1))},
    )


def monitor_queue(monitoring: mc.MonitoringFacade, queue: sqs.IQueue, dead_letters: sqs.IQueue) -> None:
    """Oldest message over 15 minutes, more than 1,000 waiting, anything on the dead-letter queue."""
    monitoring.monitor_sqs_queue_with_dlq(
        queue=queue, dead_letter_queue=dead_letters,
        add_queue_max_message_age_alarm={"Warning": mc.MaxMessageAgeThreshold(max_age_in_seconds=900)},
        add_queue_max_size_alarm={"Warning": mc.MaxMessageCountThreshold(max_message_count=1000)},
        add_dead_letter_queue_max_size_alarm={"Critical": mc.MaxMessageCountThreshold(max_message_count=0)},
    )


def monitor_failure_queue(monitoring: mc.MonitoringFacade, queue: sqs.IQueue) -> None:
    """Anything on a stream consumer's on-failure queue."""
    monitoring.monitor_sqs_queue(
        queue=queue,
        add_queue_max_size_alarm={"Critical": mc.MaxMessageCountThreshold(max_message_count=0)},
    )


def monitor_table(monitoring: mc.MonitoringFacade, table: dynamodb.ITable) -> None:
    """Any system error, any read or write throttle."""
    monitoring.monitor_dynamo_table(
        table=table,
        add_system_error_count_alarm=ANY_ERROR,
        add_read_throttled_events_count_alarm={
            "Warning": mc.ThrottledEventsThreshold(max_throttled_events_threshold=0)},
        add_write_throttled_events_count_alarm={
            "Warning": mc.ThrottledEventsThreshold(max_throttled_events_threshold=0)},
    )


def monitor_topic(monitoring: mc.MonitoringFacade, topic: sns.ITopic) -> None:
    """Any notification the topic failed to deliver (an SNS topic with a Lambda subscriber)."""
    monitoring.monitor_sns_topic(
        topic=topic, alarm_friendly_name=topic.node.id,
        add_message_notifications_failed_alarm={"Critical": mc.NotificationsFailedThreshold(
            max_notifications_failed_count=0, datapoints_to_alarm=1, evaluation_periods=1)},
    )


def monitor_workflow(monitoring: mc.MonitoringFacade, state_machine: sfn.IStateMachine) -> None:
    """Any failed, timed-out or aborted execution; p99 duration over a minute."""
    monitoring.monitor_step_function(
        state_machine=state_machine, alarm_friendly_name=state_machine.node.id,
        add_failed_execution_count_alarm=ANY_ERROR,
        add_timed_out_execution_count_alarm=ANY_ERROR,
        add_aborted_execution_count_alarm=ANY_ERROR,
        add_duration_p99_alarm={"Warning": mc.DurationThreshold(max_duration=cdk.Duration.minutes(1))},
    )


def monitor_graphql_api(monitoring: mc.MonitoringFacade, api: appsync.IGraphqlApi) -> None:
    """Any 5xx, 4xx above 5 %, p99 latency above 1 s (as on a REST API)."""
    monitoring.monitor_app_sync_api(
        api=api, alarm_friendly_name=api.node.id,
        add5_xx_fault_count_alarm=ANY_ERROR,
        add4_xx_error_rate_alarm={"Warning": mc.ErrorRateThreshold(max_error_rate=0.05)},
        add_latency_p99_alarm={"Warning": mc.LatencyThreshold(max_latency=cdk.Duration.seconds(1))},
    )


# -- Hand-tuned per resource ------------------------------------------------------------------------
# What a team that has tuned its per-resource alarms ends up with (issue 12's honest competitor:
# about 1,550 alarms, $155 a month, at 100 services): rate alarms instead of "any error", each over
# 3 of 3 five-minute periods, and no alarm on DynamoDB, throttles, 4xx, queue depth or function
# duration. Dead letters stay alarmed: a dead letter is work lost. benchmarks/fleet's hand_tuned
# variant is built with these functions.

def _three_of_three(threshold: Callable[..., T], **kwargs: Any) -> dict[str, T]:
    return {"Critical": threshold(datapoints_to_alarm=3, evaluation_periods=3, **kwargs)}


def tuned_function(monitoring: mc.MonitoringFacade, function: lambda_.IFunction, *, iterator: bool = False) -> None:
    """Error rate over 1 %, 3 of 3 periods (iterator age over 5 min on stream consumers). No
    duration alarm: the API's latency alarm is where slowness reaches customers."""
    monitoring.monitor_lambda_function(
        lambda_function=function,
        add_fault_rate_alarm=_three_of_three(mc.ErrorRateThreshold, max_error_rate=0.01),
        add_max_iterator_age_alarm=(
            _three_of_three(mc.MaxAgeThreshold, max_age_in_millis=300_000) if iterator else None),
    )


def tuned_api(monitoring: mc.MonitoringFacade, api: apigw.IRestApi, stage: str) -> None:
    """5xx rate over 1 % and p99 latency over 1 s, each 3 of 3 periods."""
    monitoring.monitor_api_gateway(
        api=api, api_stage=stage,
        add5_xx_fault_rate_alarm=_three_of_three(mc.ErrorRateThreshold, max_error_rate=0.01),
        add_latency_p99_alarm=_three_of_three(mc.LatencyThreshold, max_latency=cdk.Duration.seconds(1)),
    )


def tuned_queue(monitoring: mc.MonitoringFacade, queue: sqs.IQueue, dead_letters: sqs.IQueue) -> None:
    """Oldest message over 15 minutes and anything on the dead-letter queue, each 3 of 3 periods."""
    monitoring.monitor_sqs_queue_with_dlq(
        queue=queue, dead_letter_queue=dead_letters,
        add_queue_max_message_age_alarm=_three_of_three(mc.MaxMessageAgeThreshold, max_age_in_seconds=900),
        add_dead_letter_queue_max_size_alarm=_three_of_three(mc.MaxMessageCountThreshold, max_message_count=0),
    )


def tuned_failure_queue(monitoring: mc.MonitoringFacade, queue: sqs.IQueue) -> None:
    """Anything on a stream consumer's on-failure queue, 3 of 3 periods."""
    monitoring.monitor_sqs_queue(
        queue=queue,
        add_queue_max_size_alarm=_three_of_three(mc.MaxMessageCountThreshold, max_message_count=0),
    )


def tuned_workflow(monitoring: mc.MonitoringFacade, state_machine: sfn.IStateMachine) -> None:
    """Failed executions over 1 % of those started, 3 of 3 periods (the step's function has its error rate)."""
    monitoring.monitor_step_function(
        state_machine=state_machine, alarm_friendly_name=state_machine.node.id,
        add_failed_execution_rate_alarm=_three_of_three(mc.ErrorRateThreshold, max_error_rate=0.01),
    )


def tuned_graphql_api(monitoring: mc.MonitoringFacade, api: appsync.IGraphqlApi) -> None:
    """5xx rate over 1 % and p99 latency over 1 s, each 3 of 3 periods (as on a REST API)."""
    monitoring.monitor_app_sync_api(
        api=api, alarm_friendly_name=api.node.id,
        add5_xx_fault_rate_alarm=_three_of_three(mc.ErrorRateThreshold, max_error_rate=0.01),
        add_latency_p99_alarm=_three_of_three(mc.LatencyThreshold, max_latency=cdk.Duration.seconds(1)),
    )
