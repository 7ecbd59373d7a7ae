"""The orders service: a REST API, a queue consumer, a stream consumer and a nightly job,
each wrapped in the customer-impact alarms of sensible_alarms."""

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
    QueueConsumerAlarms,
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

# cdk-nag (AwsSolutions pack) findings on the example's stand-in API, functions and queues, with why
# the example accepts each. They are the example's, not the library's; a real service decides them.
_API_FINDINGS = {
    "AwsSolutions-APIG1": "Access logging is the API owner's choice and cost; the alarms read the metrics "
                          "API Gateway publishes without it.",
    "AwsSolutions-APIG6": "Execution logging likewise: the alarms need only API Gateway's own metrics.",
    "AwsSolutions-APIG2": "The stand-in handlers read no request body; a real API validates against its models.",
    "AwsSolutions-APIG3": "WAF protects a real API's edge; the example API has no traffic to protect.",
    "AwsSolutions-APIG4": "The example API has no callers; a real service adds its own authorizer.",
    "AwsSolutions-COG4": "The example API has no callers; a real service adds its own authorizer.",
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
    "AmazonAPIGatewayPushToCloudWatchLogs]": "The account-level API Gateway logging role aws-cdk-lib's RestApi "
                                             "creates, with AWS's managed push-to-logs policy.",
}
_FUNCTION_FINDINGS = {
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]":
        "The stand-in functions only write their own logs, through AWS's basic execution policy, as "
        "aws-cdk-lib's lambda.Function sets it up.",
    "AwsSolutions-L1": "The example pins python3.12 so that its template does not change with each aws-cdk-lib "
                       "release; a real service follows its own runtime policy.",
}
_STREAM_FAILURES_FINDINGS = {
    "AwsSolutions-SQS3": "StreamFailures is the on-failure destination of the stream consumer, a dead-letter "
                         "queue itself; cdk-nag recognises only SQS redrive policies as one.",
}
_STREAM_CONSUMER_FINDINGS = {
    "AwsSolutions-IAM5[Resource::*]": "aws-cdk-lib's DynamoEventSource grants dynamodb:ListStreams, an "
                                      "action that cannot be scoped to a table, on *.",
}


class OrdersStack(cdk.Stack):
    #: The API's routes: (method, resource, function); resource "orders" is /orders, "order" /orders/{orderId}.
    ROUTES: tuple[tuple[str, str, str], ...] = (
        ("POST", "orders", "CreateOrder"), ("GET", "orders", "ListOrders"), ("GET", "order", "GetOrder"))

    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        self._functions: list[lambda_.Function] = []

        routing = AlarmRouting(self, "Routing", high_emails=["oncall@example.com"],
                               low_emails=["orders-team@example.com"])

        # -- REST API, one Lambda a route ------------------------------------------------------
        api = apigw.RestApi(self, "OrdersApi", rest_api_name="orders-api",
                            deploy_options=apigw.StageOptions(stage_name="prod"))
        orders = api.root.add_resource("orders")
        resources = {"orders": orders, "order": orders.add_resource("{orderId}")}
        for method, resource, name in self.ROUTES:
            resources[resource].add_method(method, apigw.LambdaIntegration(self._function(name)))
        ApiAlarms(
            self, "OrdersApiAlarms", api=api, routing=routing,
            # LOW tickets for slow burns are opt-in ($2.20 a month here): this team wants them.
            availability=AvailabilitySlo(target=99.9, tickets=True),
            latency=LatencySlo(threshold=cdk.Duration.seconds(1), target=99.0, tickets=True),
            runbook_url=f"{RUNBOOK}/api",
        )

        self._order_queue(routing)

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

        self._acknowledge_example_findings(api=api, stream_failures=stream_failures, stream_consumer=projector)

    def _order_queue(self, routing: AlarmRouting) -> None:
        """SQS order queue with a dead-letter queue, consumed by Lambda."""
        dead_letters = sqs.Queue(self, "OrderDeadLetters", enforce_ssl=True,
                                 retention_period=cdk.Duration.days(14))
        queue = sqs.Queue(
            self, "OrderQueue", enforce_ssl=True, visibility_timeout=cdk.Duration.seconds(180),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dead_letters),
        )
        self._function("FulfilOrder").add_event_source(sources.SqsEventSource(queue, batch_size=10))
        QueueConsumerAlarms(
            self, "OrderQueueAlarms", queue=queue, routing=routing,
            freshness=FreshnessSlo(max_age=cdk.Duration.minutes(15)),
            runbook_url=f"{RUNBOOK}/fulfilment",
        )

    def _function(self, name: str) -> lambda_.Function:
        function = lambda_.Function(
            self, name,
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline(HANDLER),
            timeout=cdk.Duration.seconds(30),
        )
        self._functions.append(function)
        return function

    def _acknowledge_example_findings(self, *, api: apigw.RestApi, stream_failures: sqs.Queue,
                                      stream_consumer: lambda_.Function) -> None:
        """cdk-nag's AwsSolutions findings on this example's own stand-in resources, each acknowledged
        with its reason on the resource itself. Nothing here touches a sensible_alarms construct: the
        routing, the alarms and the dashboard have no finding to acknowledge (tests/test_hardening.py)."""
        for construct, reasons in (
            (api, _API_FINDINGS),
            (stream_failures, _STREAM_FAILURES_FINDINGS),
            (stream_consumer, _STREAM_CONSUMER_FINDINGS),
            *((function, _FUNCTION_FINDINGS) for function in self._functions),
        ):
            cdk.Validations.of(construct).acknowledge(
                *(cdk.Acknowledgment(id=f"AwsSolutions::{rule}", reason=reason) for rule, reason in reasons.items()))
