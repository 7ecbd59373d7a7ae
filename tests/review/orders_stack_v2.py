"""Version 2 of the orders example, for the diff: the API gets a DELETE /orders/{orderId} route, and
the order queue loses its dead-letter queue, so its queue consumer alarms (which refuse a queue
without one) go too: exactly the coverage drop the diff must report."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from sensible_alarms import (
    AlarmRouting,
    ApiAlarms,
    AvailabilitySlo,
    FreshnessSlo,
    LatencySlo,
    ScheduledJobAlarms,
    ServiceDashboard,
    StreamConsumerAlarms,
)

RUNBOOK = "https://runbooks.example.com/orders"

# Stand-in handlers: the alarms are the point of this example, not the business logic.
HANDLER = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
"""


class OrdersStackV2(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]

        routing = AlarmRouting(self, "Routing", high_emails=["oncall@example.com"],
                               low_emails=["orders-team@example.com"])

        # -- REST API with three routes, one Lambda each -------------------------------------
        api = apigw.RestApi(self, "OrdersApi", rest_api_name="orders-api",
                            deploy_options=apigw.StageOptions(stage_name="prod"))
        orders = api.root.add_resource("orders")
        order = orders.add_resource("{orderId}")
        for method, resource, name in (("POST", orders, "CreateOrder"), ("GET", orders, "ListOrders"),
                                       ("GET", order, "GetOrder"), ("DELETE", order, "CancelOrder")):
            resource.add_method(method, apigw.LambdaIntegration(self._function(name)))
        ApiAlarms(
            self, "OrdersApiAlarms", api=api, routing=routing,
            availability=AvailabilitySlo(target=99.9),
            latency=LatencySlo(threshold=cdk.Duration.seconds(1), target=99.0),
            runbook_url=f"{RUNBOOK}/api",
        )

        # -- SQS order queue, now without a dead-letter queue (and so without its alarms) -------
        queue = sqs.Queue(self, "OrderQueue", enforce_ssl=True, visibility_timeout=cdk.Duration.seconds(180))
        fulfil = self._function("FulfilOrder")
        fulfil.add_event_source(sources.SqsEventSource(queue, batch_size=10))

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
        stream_failures = sqs.Queue(self, "StreamFailures", enforce_ssl=True,
                                    retention_period=cdk.Duration.days(14))
        projector = self._function("ProjectOrderEvents")
        projector.add_event_source(sources.DynamoEventSource(
            table, starting_position=lambda_.StartingPosition.TRIM_HORIZON, retry_attempts=3,
            bisect_batch_on_error=True, on_failure=sources.SqsDlq(stream_failures),
        ))
        StreamConsumerAlarms(
            self, "OrderEventsAlarms", function=projector, routing=routing,
            freshness=FreshnessSlo(max_age=cdk.Duration.minutes(5)),
            failure_destination=stream_failures,
            runbook_url=f"{RUNBOOK}/order-events",
        )

        # -- Nightly scheduled job ------------------------------------------------------------
        report = self._function("NightlyReport")
        nightly = events.Rule(self, "NightlySchedule",
                              schedule=events.Schedule.cron(minute="0", hour="2"))
        nightly.add_target(targets.LambdaFunction(report))
        ScheduledJobAlarms(
            self, "NightlyReportAlarms", rule=nightly, function=report, routing=routing,
            runbook_url=f"{RUNBOOK}/nightly-report",
        )

        ServiceDashboard(self, "Dashboard")

    def _function(self, name: str) -> lambda_.Function:
        return lambda_.Function(
            self, name,
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline(HANDLER),
            timeout=cdk.Duration.seconds(30),
        )
