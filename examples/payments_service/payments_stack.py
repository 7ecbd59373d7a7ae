"""The payments service: every kind of customer-facing entrypoint the library knows, in one stack.

``alarms`` says how its entrypoints get their alarms:

* ``"explicit"``: one construct per entrypoint, each with its own SLO (what a team writes by hand);
* ``"cover"``: one line, ``cover_entrypoints(self, routing=..., defaults=...)``, after the
  entrypoints are defined;
* ``"none"``: no alarms at all, the stack as a team has it before adopting the library (the tests
  show that ``check`` reports each entrypoint).

``emulated=True`` leaves out the load balancer, the GraphQL API and the WebSocket API: the community
LocalStack the deployment tests use cannot create them (see tests/deploy/test_payments_on_localstack.py).
"""

from __future__ import annotations

import json
import os
from typing import Literal

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_elasticloadbalancingv2_targets as elb_targets
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from sensible_alarms import (
    AlarmRouting,
    ApiAlarms,
    AvailabilitySlo,
    EntrypointDefaults,
    EventConsumerAlarms,
    FreshnessSlo,
    FunctionUrlAlarms,
    GraphqlApiAlarms,
    LatencySlo,
    LoadBalancerTargetAlarms,
    QueueConsumerAlarms,
    ScheduledJobAlarms,
    StreamConsumerAlarms,
    WebSocketApiAlarms,
    WorkflowAlarms,
    cover_entrypoints,
)

RUNBOOK = "https://runbooks.example.com/payments"
HERE = os.path.dirname(os.path.abspath(__file__))

# Stand-in handlers: the alarms are the point of this example, not the business logic.
HANDLER = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
"""

Alarms = Literal["explicit", "cover", "none"]


class PaymentsStack(cdk.Stack):
    """The payments service's entrypoints and, per `alarms`, their customer-impact alarms."""

    def __init__(self, scope: Construct, id: str, *, alarms: Alarms, emulated: bool = False,
                 **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        self._functions: dict[str, lambda_.Function] = {}
        self.routing = AlarmRouting(self, "Routing", high_emails=["payments-oncall@example.com"],
                                    low_emails=["payments-team@example.com"])
        self._apis()
        self._consumers()
        self._async_consumers()
        self._workflow_and_jobs()
        self._webhook()
        if not emulated:
            self._cloud_only()

        if alarms == "explicit":
            self._explicit_alarms(emulated)
        elif alarms == "cover":
            cover_entrypoints(self, routing=self.routing, defaults=EntrypointDefaults(runbook_url=RUNBOOK))

    # -- entrypoints ---------------------------------------------------------------------------

    def _apis(self) -> None:
        """An HTTP API for the checkout page and a REST API whose POST /settlements starts the
        settlement workflow."""
        self.http_api = apigwv2.HttpApi(self, "CheckoutApi")
        self.http_api.add_routes(path="/checkout", methods=[apigwv2.HttpMethod.POST],
                                 integration=integrations.HttpLambdaIntegration("Checkout", self._function("Checkout")))
        self.rest_api = apigw.RestApi(self, "PaymentsApi", rest_api_name="payments-api",
                                      deploy_options=apigw.StageOptions(stage_name="prod"))
        payments = self.rest_api.root.add_resource("payments")
        payments.add_method("GET", apigw.LambdaIntegration(self._function("ListPayments")))

        self.settlement = sfn.StateMachine(
            self, "SettlementWorkflow",
            definition_body=sfn.DefinitionBody.from_chainable(
                tasks.LambdaInvoke(self, "SettleStep", lambda_function=self._function("Settle"),
                                   payload_response_only=True)
                .next(tasks.LambdaInvoke(self, "NotifyMerchantStep", lambda_function=self._function("NotifyMerchant"),
                                         payload_response_only=True))),
            timeout=cdk.Duration.minutes(10),
        )
        starter = iam.Role(self, "SettlementStarter", assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"))
        self.settlement.grant_start_execution(starter)
        template = json.dumps({"stateMachineArn": self.settlement.state_machine_arn,
                               "input": "$util.escapeJavaScript($input.body)"})
        self.rest_api.root.add_resource("settlements").add_method("POST", apigw.AwsIntegration(
            service="states", action="StartExecution",
            options=apigw.IntegrationOptions(
                credentials_role=starter,
                request_templates={"application/json": template},
                integration_responses=[apigw.IntegrationResponse(status_code="200")]),
        ), method_responses=[apigw.MethodResponse(status_code="200")])

    def _consumers(self) -> None:
        """A queue of refunds with a dead-letter queue, a Kinesis stream of card events and the
        stream of the ledger table, each consumed by a Lambda function."""
        dead_letters = sqs.Queue(self, "RefundDeadLetters", enforce_ssl=True, retention_period=cdk.Duration.days(14))
        self.refunds = sqs.Queue(self, "RefundQueue", enforce_ssl=True, visibility_timeout=cdk.Duration.seconds(180),
                                 dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dead_letters))
        self._function("IssueRefund").add_event_source(sources.SqsEventSource(self.refunds))

        card_events = kinesis.Stream(self, "CardEvents", shard_count=1)
        self.card_failures = sqs.Queue(self, "CardEventFailures", enforce_ssl=True)
        self.card_consumer = self._function("ScoreCardEvents")
        self.card_consumer.add_event_source(sources.KinesisEventSource(
            card_events, starting_position=lambda_.StartingPosition.TRIM_HORIZON, retry_attempts=3,
            on_failure=sources.SqsDlq(self.card_failures)))

        ledger = dynamodb.Table(
            self, "Ledger", partition_key=dynamodb.Attribute(name="entryId", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST, stream=dynamodb.StreamViewType.NEW_IMAGE,
            removal_policy=cdk.RemovalPolicy.DESTROY)
        self.ledger_failures = sqs.Queue(self, "LedgerFailures", enforce_ssl=True)
        self.ledger_consumer = self._function("ProjectLedger")
        self.ledger_consumer.add_event_source(sources.DynamoEventSource(
            ledger, starting_position=lambda_.StartingPosition.TRIM_HORIZON, retry_attempts=3,
            on_failure=sources.SqsDlq(self.ledger_failures)))

    def _async_consumers(self) -> None:
        """Lambda functions invoked asynchronously: by an SNS topic, by an S3 bucket and by a rule
        on the payments event bus."""
        self.disputes = sns.Topic(self, "Disputes")
        self.dispute_handler = self._function("OpenDispute")
        self.disputes.add_subscription(subscriptions.LambdaSubscription(self.dispute_handler))

        self.statements = s3.Bucket(self, "Statements", enforce_ssl=True, removal_policy=cdk.RemovalPolicy.DESTROY)
        self.statement_importer = self._function("ImportStatement")
        self.statements.add_event_notification(s3.EventType.OBJECT_CREATED,
                                               s3n.LambdaDestination(self.statement_importer))

        bus = events.EventBus(self, "PaymentsBus")
        self.chargeback_rule = events.Rule(
            self, "ChargebackReceived", event_bus=bus,
            event_pattern=events.EventPattern(source=["payments.card-network"], detail_type=["Chargeback"]))
        self.chargeback_handler = self._function("HandleChargeback")
        self.chargeback_rule.add_target(targets.LambdaFunction(self.chargeback_handler))

    def _workflow_and_jobs(self) -> None:
        """A nightly reconciliation job."""
        self.reconcile = self._function("Reconcile")
        self.nightly = events.Rule(self, "NightlyReconciliation", schedule=events.Schedule.cron(minute="0", hour="3"))
        self.nightly.add_target(targets.LambdaFunction(self.reconcile))

    def _webhook(self) -> None:
        """A Function URL the card network calls back."""
        self.webhook = self._function("CardNetworkWebhook").add_function_url(
            auth_type=lambda_.FunctionUrlAuthType.NONE)

    def _cloud_only(self) -> None:
        """The entrypoints LocalStack cannot create: an ALB in front of a Lambda, an AppSync API and a
        WebSocket API."""
        vpc = ec2.Vpc(self, "Vpc", max_azs=2, nat_gateways=0,
                      subnet_configuration=[ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC)])
        balancer = elbv2.ApplicationLoadBalancer(self, "Storefront", vpc=vpc, internet_facing=True)
        listener = balancer.add_listener("Http", port=80, open=True)
        self.storefront = listener.add_targets("Pay",
                                               targets=[elb_targets.LambdaTarget(self._function("PayPage"))])

        self.graphql = appsync.GraphqlApi(
            self, "PaymentsGraphql", name="payments-graphql",
            definition=appsync.Definition.from_schema(
                appsync.SchemaFile.from_asset(os.path.join(HERE, "schema.graphql"))))
        self.graphql.add_lambda_data_source("Payments", self._function("ResolvePayment")).create_resolver(
            "PaymentQuery", type_name="Query", field_name="payment")

        live = apigwv2.WebSocketApi(self, "LiveStatus", connect_route_options=apigwv2.WebSocketRouteOptions(
            integration=integrations.WebSocketLambdaIntegration("Connect", self._function("ConnectLive"))))
        self.live_stage = apigwv2.WebSocketStage(self, "LiveStatusProd", web_socket_api=live, stage_name="prod",
                                                 auto_deploy=True)

    # -- alarms, one construct per entrypoint ---------------------------------------------------

    def _explicit_alarms(self, emulated: bool) -> None:
        routing = self.routing
        available, fast = AvailabilitySlo(target=99.9), LatencySlo(threshold=cdk.Duration.seconds(1), target=99.0)
        fresh = FreshnessSlo(max_age=cdk.Duration.minutes(15))
        ApiAlarms(self, "CheckoutApiAlarms", api=self.http_api, routing=routing, availability=available,
                  latency=fast, runbook_url=f"{RUNBOOK}/checkout")
        ApiAlarms(self, "PaymentsApiAlarms", api=self.rest_api, routing=routing, availability=available,
                  latency=fast, runbook_url=f"{RUNBOOK}/api")
        WorkflowAlarms(self, "SettlementAlarms", state_machine=self.settlement, routing=routing,
                       availability=AvailabilitySlo(target=99.5),
                       latency=LatencySlo(threshold=cdk.Duration.minutes(5), target=99.0),
                       runbook_url=f"{RUNBOOK}/settlement")
        QueueConsumerAlarms(self, "RefundQueueAlarms", queue=self.refunds, routing=routing, freshness=fresh,
                            runbook_url=f"{RUNBOOK}/refunds")
        StreamConsumerAlarms(self, "CardEventsAlarms", function=self.card_consumer, routing=routing,
                             freshness=FreshnessSlo(max_age=cdk.Duration.minutes(5)),
                             failure_destination=self.card_failures, runbook_url=f"{RUNBOOK}/card-events")
        StreamConsumerAlarms(self, "LedgerAlarms", function=self.ledger_consumer, routing=routing, freshness=fresh,
                             failure_destination=self.ledger_failures, runbook_url=f"{RUNBOOK}/ledger")
        EventConsumerAlarms(self, "DisputesAlarms", source=self.disputes, function=self.dispute_handler,
                            routing=routing, freshness=fresh, runbook_url=f"{RUNBOOK}/disputes")
        EventConsumerAlarms(self, "StatementsAlarms", source=self.statements, function=self.statement_importer,
                            routing=routing, freshness=FreshnessSlo(max_age=cdk.Duration.hours(1)),
                            runbook_url=f"{RUNBOOK}/statements")
        EventConsumerAlarms(self, "ChargebacksAlarms", source=self.chargeback_rule, function=self.chargeback_handler,
                            routing=routing, freshness=fresh, runbook_url=f"{RUNBOOK}/chargebacks")
        ScheduledJobAlarms(self, "ReconciliationAlarms", rule=self.nightly, function=self.reconcile,
                           routing=routing, runbook_url=f"{RUNBOOK}/reconciliation")
        FunctionUrlAlarms(self, "WebhookAlarms", url=self.webhook, routing=routing, availability=available,
                          latency=fast, runbook_url=f"{RUNBOOK}/webhook")
        if emulated:
            return
        LoadBalancerTargetAlarms(self, "StorefrontAlarms", target_group=self.storefront, routing=routing,
                                 availability=available, latency=fast, runbook_url=f"{RUNBOOK}/storefront")
        GraphqlApiAlarms(self, "PaymentsGraphqlAlarms", api=self.graphql, routing=routing, availability=available,
                         latency=fast, runbook_url=f"{RUNBOOK}/graphql")
        WebSocketApiAlarms(self, "LiveStatusAlarms", stage=self.live_stage, routing=routing, availability=available,
                           latency=fast, runbook_url=f"{RUNBOOK}/live-status")

    def _function(self, name: str) -> lambda_.Function:
        function = lambda_.Function(self, name, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                    code=lambda_.Code.from_inline(HANDLER), timeout=cdk.Duration.seconds(30))
        self._functions[name] = function
        return function
