#!/usr/bin/env python3
"""The fleet as a CDK app, in one of three variants of the same resources (one stack a service).

* ``none``: the resources only.
* ``per_resource``: every resource alarmed with cdk-monitoring-constructs the way
  examples/per_resource_baseline does it (the same functions: any error, error rate over 1 %, any
  throttle and p99 over 3 s on every function; any 5xx, 4xx over 5 % and p99 over 1 s on every
  API; age, depth and any dead letter on every queue; any system error or throttle on every
  table), all to one SNS topic a service, with the facade's default dashboard.
* ``hand_tuned``: every resource alarmed the way a team that tuned its per-resource alarms does
  (the ``tuned_*`` functions of examples/per_resource_baseline): rate alarms (5xx rate and p99
  latency on the API, error rate on every function), each 3 of 3 five-minute periods, oldest
  message and dead letters on queues, iterator age on stream consumers; no DynamoDB, throttle, 4xx,
  queue-depth or function-duration alarm.
* ``sensible``: sensible_alarms with its defaults on the entrypoints: ApiAlarms (99.9 %
  availability, 99 % of requests under 1 s), QueueConsumerAlarms (15 min freshness),
  StreamConsumerAlarms (5 min freshness, on-failure queue), ScheduledJobAlarms, AlarmRouting and a
  ServiceDashboard, and the policy plugin the README adds (``--policy off`` leaves it out).

The entrypoint kinds added later (asynchronous event consumers, a workflow, a Function URL, a load
balancer, a GraphQL and a WebSocket API; spec.py) are alarmed the same three ways: per resource
with what cdk-monitoring-constructs' facade offers for each resource (every Lambda function as
above; any failed notification on an SNS topic; any failed, timed-out or aborted execution and p99
duration of a state machine; any 5xx, 4xx over 5 % and p99 latency of an AppSync API; the facade
has nothing for an S3 bucket's notifications, an EventBridge rule, a Function URL, a Lambda target
group or a WebSocket API, whose functions are alarmed); hand-tuned with the ``tuned_*`` functions
(error rate of every function, failed-execution rate of a state machine, 5xx rate and p99 latency of
an AppSync API, each 3 of 3); and with sensible_alarms' EventConsumerAlarms (15 min freshness),
WorkflowAlarms, FunctionUrlAlarms, LoadBalancerTargetAlarms, GraphqlApiAlarms and WebSocketApiAlarms
(99.9 % availability; 99 % of requests under 1 s where there are requests).

Usage: python app.py --variant {none,per_resource,hand_tuned,sensible} --services N --outdir DIR [--policy on|off]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "examples" / "per_resource_baseline"))

from phases import Phases, TimedPolicy  # noqa: E402
from spec import Service, fleet  # noqa: E402

VARIANTS = ("none", "per_resource", "hand_tuned", "sensible")

HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': '{}'}\n"


@dataclass
class OtherEntrypoints:
    """The entrypoint kinds added later, as built (spec.Service names which a service has)."""

    #: (source, its consumer function), source an SNS topic, an S3 bucket or an EventBridge rule
    event_consumers: list[tuple[sns.Topic | s3.Bucket | events.Rule, lambda_.Function]] = field(default_factory=list)
    workflow: tuple[sfn.StateMachine, lambda_.Function] | None = None
    function_url: tuple[lambda_.FunctionUrl, lambda_.Function] | None = None
    load_balancer: tuple[elbv2.ApplicationTargetGroup, lambda_.Function] | None = None
    graphql: tuple[appsync.GraphqlApi, lambda_.Function] | None = None
    websocket: tuple[apigwv2.WebSocketStage, lambda_.Function] | None = None


class ServiceStack(cdk.Stack):
    """One service's resources and, by variant, its alarms. Logical ids do not depend on the
    variant, so the metrics of a resource have the same dimensions in every variant."""

    def __init__(self, scope: Construct, service: Service, variant: str) -> None:
        super().__init__(scope, service.name,
                         synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
        self.service = service

        api = apigw.RestApi(self, "Api", rest_api_name=service.api_name,
                            deploy_options=apigw.StageOptions(stage_name="prod"))
        paths: dict[str, apigw.Resource] = {}
        handlers = []
        for method, path in service.routes:
            if path not in paths:
                paths[path] = api.root.add_resource(path)
            handler = self._function(f"{method.title()}{path.title()}")
            paths[path].add_method(method, apigw.LambdaIntegration(handler))
            handlers.append(handler)
        helpers = [self._function(f"Helper{n}") for n in range(service.helpers)]

        tables = [dynamodb.Table(
            self, f"Table{n}",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if n == 0 and service.stream_consumer else None,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        ) for n in range(service.tables)]

        queues = []
        for n in range(service.queues):
            dead_letters = sqs.Queue(self, f"Queue{n}DeadLetters", enforce_ssl=True,
                                     retention_period=cdk.Duration.days(14))
            queue = sqs.Queue(self, f"Queue{n}", enforce_ssl=True, visibility_timeout=cdk.Duration.seconds(180),
                              dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dead_letters))
            consumer = self._function(f"Queue{n}Consumer")
            consumer.add_event_source(sources.SqsEventSource(queue, batch_size=10))
            queues.append((queue, dead_letters, consumer))

        stream = None
        if service.stream_consumer:
            failures = sqs.Queue(self, "StreamFailures", enforce_ssl=True, retention_period=cdk.Duration.days(14))
            projector = self._function("StreamConsumer")
            projector.add_event_source(sources.DynamoEventSource(
                tables[0], starting_position=lambda_.StartingPosition.TRIM_HORIZON, retry_attempts=3,
                bisect_batch_on_error=True, on_failure=sources.SqsDlq(failures)))
            stream = (projector, failures)

        job = None
        if service.job_hour is not None:
            job_function = self._function("DailyJob")
            rule = events.Rule(self, "DailySchedule",
                               schedule=events.Schedule.cron(minute="0", hour=str(service.job_hour)))
            rule.add_target(targets.LambdaFunction(job_function))
            job = (rule, job_function)

        others = self._other_entrypoints(service)

        if variant == "per_resource":
            self._per_resource(api, handlers + helpers, tables, queues, stream, job)
            self._per_resource_others(others)
        elif variant == "hand_tuned":
            self._hand_tuned(api, handlers + helpers, queues, stream, job)
            self._hand_tuned_others(others)
        elif variant == "sensible":
            self._sensible(api, queues, stream, job)
            self._sensible_others(others)
        elif variant != "none":
            raise ValueError(f"unknown variant {variant!r}: expected one of {', '.join(VARIANTS)}")

    def _other_entrypoints(self, service: Service) -> OtherEntrypoints:
        built = OtherEntrypoints()
        for n, source in enumerate(service.event_consumers):
            consumer = self._function(f"Events{n}Consumer")
            origin: sns.Topic | s3.Bucket | events.Rule
            if source == "topic":
                origin = sns.Topic(self, f"Events{n}Topic", enforce_ssl=True)
                origin.add_subscription(subscriptions.LambdaSubscription(consumer))
            elif source == "bucket":
                origin = s3.Bucket(self, f"Events{n}Bucket", enforce_ssl=True, removal_policy=cdk.RemovalPolicy.DESTROY)
                origin.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(consumer))
            else:
                origin = events.Rule(self, f"Events{n}Rule", event_pattern=events.EventPattern(
                    source=[f"{service.api_name}.orders"], detail_type=[f"Event{n}"]))
                origin.add_target(targets.LambdaFunction(consumer))
            built.event_consumers.append((origin, consumer))
        if service.workflow:
            step = self._function("WorkflowStep")
            machine = sfn.StateMachine(self, "Workflow", timeout=cdk.Duration.minutes(15),
                                       definition_body=sfn.DefinitionBody.from_chainable(tasks.LambdaInvoke(
                                           self, "WorkflowStepTask", lambda_function=step, payload_response_only=True,
                                           retry_on_service_exceptions=True)))
            built.workflow = (machine, step)
        if service.function_url:
            webhook = self._function("Webhook")
            built.function_url = (webhook.add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE), webhook)
        if service.load_balancer:
            # An existing VPC, imported: the fleet's stacks do not each build a network.
            vpc = ec2.Vpc.from_vpc_attributes(
                self, "Vpc", vpc_id="vpc-0f1ee7000000000a0", availability_zones=["us-east-1a", "us-east-1b"],
                public_subnet_ids=["subnet-0f1ee7000000000a1", "subnet-0f1ee7000000000b1"])
            balancer = elbv2.ApplicationLoadBalancer(self, "Storefront", vpc=vpc, internet_facing=True)
            handler = self._function("StorefrontHandler")
            group = balancer.add_listener("Http", port=80, open=True).add_targets(
                "Handler", targets=[elb_targets.LambdaTarget(handler)])
            built.load_balancer = (group, handler)
        if service.graphql:
            graphql = appsync.GraphqlApi(self, "Graphql", name=f"{service.api_name}-graphql",
                                         definition=appsync.Definition.from_schema(
                                             appsync.SchemaFile.from_asset(str(HERE / "schema.graphql"))))
            resolver = self._function("GraphqlResolver")
            graphql.add_lambda_data_source("Items", resolver).create_resolver(
                "ItemQuery", type_name="Query", field_name="item")
            built.graphql = (graphql, resolver)
        if service.websocket:
            live = self._function("LiveHandler")
            socket = apigwv2.WebSocketApi(self, "Live", connect_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("Connect", live)))
            built.websocket = (apigwv2.WebSocketStage(self, "LiveProd", web_socket_api=socket, stage_name="prod",
                                                      auto_deploy=True), live)
        return built

    def _function(self, id: str) -> lambda_.Function:
        return lambda_.Function(self, id, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                code=lambda_.Code.from_inline(HANDLER), timeout=cdk.Duration.seconds(30))

    def _per_resource(self, api: apigw.RestApi, functions: list[lambda_.Function], tables: list[dynamodb.Table],
                      queues: list[tuple[sqs.Queue, sqs.Queue, lambda_.Function]],
                      stream: tuple[lambda_.Function, sqs.Queue] | None,
                      job: tuple[events.Rule, lambda_.Function] | None) -> None:
        import cdk_monitoring_constructs as mc
        from aws_cdk import aws_sns as sns
        from aws_cdk import aws_sns_subscriptions as subscriptions
        from baseline_stack import monitor_api, monitor_failure_queue, monitor_function, monitor_queue, monitor_table

        topic = sns.Topic(self, "AlarmTopic", enforce_ssl=True)
        topic.add_subscription(subscriptions.EmailSubscription("team@example.com"))
        monitoring = mc.MonitoringFacade(self, "Monitoring", alarm_factory_defaults=mc.AlarmFactoryDefaults(
            actions_enabled=True, alarm_name_prefix=self.service.name,
            action=mc.SnsAlarmActionStrategy(on_alarm_topic=topic)))
        monitor_api(monitoring, api, "prod")
        for function in functions:
            monitor_function(monitoring, function)
        for queue, dead_letters, consumer in queues:
            monitor_function(monitoring, consumer)
            monitor_queue(monitoring, queue, dead_letters)
        if stream:
            monitor_function(monitoring, stream[0], iterator=True)
            monitor_failure_queue(monitoring, stream[1])
        if job:
            monitor_function(monitoring, job[1])
        for table in tables:
            monitor_table(monitoring, table)

    def _topic_and_facade(self) -> object:
        import cdk_monitoring_constructs as mc
        from aws_cdk import aws_sns as sns
        from aws_cdk import aws_sns_subscriptions as subscriptions

        topic = sns.Topic(self, "AlarmTopic", enforce_ssl=True)
        topic.add_subscription(subscriptions.EmailSubscription("team@example.com"))
        return mc.MonitoringFacade(self, "Monitoring", alarm_factory_defaults=mc.AlarmFactoryDefaults(
            actions_enabled=True, alarm_name_prefix=self.service.name,
            action=mc.SnsAlarmActionStrategy(on_alarm_topic=topic)))

    def _hand_tuned(self, api: apigw.RestApi, functions: list[lambda_.Function],
                    queues: list[tuple[sqs.Queue, sqs.Queue, lambda_.Function]],
                    stream: tuple[lambda_.Function, sqs.Queue] | None,
                    job: tuple[events.Rule, lambda_.Function] | None) -> None:
        from baseline_stack import tuned_api, tuned_failure_queue, tuned_function, tuned_queue

        monitoring: Any = self._topic_and_facade()
        tuned_api(monitoring, api, "prod")
        for function in functions:
            tuned_function(monitoring, function)
        for queue, dead_letters, consumer in queues:
            tuned_function(monitoring, consumer)
            tuned_queue(monitoring, queue, dead_letters)
        if stream:
            tuned_function(monitoring, stream[0], iterator=True)
            tuned_failure_queue(monitoring, stream[1])
        if job:
            tuned_function(monitoring, job[1])

    def _other_functions(self, others: OtherEntrypoints) -> list[lambda_.Function]:
        found = [consumer for _, consumer in others.event_consumers]
        for pair in (others.workflow, others.function_url, others.load_balancer, others.graphql, others.websocket):
            if pair is not None:
                found.append(pair[1])
        return found

    def _per_resource_others(self, others: OtherEntrypoints) -> None:
        from baseline_stack import monitor_function, monitor_graphql_api, monitor_topic, monitor_workflow

        monitoring = self.node.find_child("Monitoring")
        for function in self._other_functions(others):
            monitor_function(monitoring, function)  # type: ignore[arg-type]
        for source, _ in others.event_consumers:
            if isinstance(source, sns.Topic):
                monitor_topic(monitoring, source)  # type: ignore[arg-type]
        if others.workflow:
            monitor_workflow(monitoring, others.workflow[0])  # type: ignore[arg-type]
        if others.graphql:
            monitor_graphql_api(monitoring, others.graphql[0])  # type: ignore[arg-type]

    def _hand_tuned_others(self, others: OtherEntrypoints) -> None:
        from baseline_stack import tuned_function, tuned_graphql_api, tuned_workflow

        monitoring = self.node.find_child("Monitoring")
        for function in self._other_functions(others):
            tuned_function(monitoring, function)  # type: ignore[arg-type]
        if others.workflow:
            tuned_workflow(monitoring, others.workflow[0])  # type: ignore[arg-type]
        if others.graphql:
            tuned_graphql_api(monitoring, others.graphql[0])  # type: ignore[arg-type]

    def _sensible_others(self, others: OtherEntrypoints) -> None:
        import sensible_alarms as sa

        routing = self.node.find_child("Routing")
        assert isinstance(routing, sa.AlarmRouting)
        available = sa.AvailabilitySlo(target=99.9)
        fast = sa.LatencySlo(threshold=cdk.Duration.seconds(1), target=99.0)
        for source, consumer in others.event_consumers:
            sa.EventConsumerAlarms(self, f"{consumer.node.id.removesuffix('Consumer')}Alarms", source=source,
                                   function=consumer, routing=routing,
                                   freshness=sa.FreshnessSlo(max_age=cdk.Duration.minutes(15)))
        if others.workflow:
            sa.WorkflowAlarms(self, "WorkflowAlarms", state_machine=others.workflow[0], routing=routing,
                              availability=available)
        if others.function_url:
            sa.FunctionUrlAlarms(self, "WebhookAlarms", url=others.function_url[0], routing=routing,
                                 availability=available, latency=fast)
        if others.load_balancer:
            sa.LoadBalancerTargetAlarms(self, "StorefrontAlarms", target_group=others.load_balancer[0],
                                        routing=routing, availability=available, latency=fast)
        if others.graphql:
            sa.GraphqlApiAlarms(self, "GraphqlAlarms", api=others.graphql[0], routing=routing,
                                availability=available, latency=fast)
        if others.websocket:
            sa.WebSocketApiAlarms(self, "LiveAlarms", stage=others.websocket[0], routing=routing,
                                  availability=available, latency=fast)

    def _sensible(self, api: apigw.RestApi, queues: list[tuple[sqs.Queue, sqs.Queue, lambda_.Function]],
                  stream: tuple[lambda_.Function, sqs.Queue] | None,
                  job: tuple[events.Rule, lambda_.Function] | None) -> None:
        import sensible_alarms as sa

        routing = sa.AlarmRouting(self, "Routing", high_emails=["oncall@example.com"], low_emails=["team@example.com"])
        sa.ApiAlarms(self, "ApiAlarms", api=api, routing=routing, availability=sa.AvailabilitySlo(target=99.9),
                     latency=sa.LatencySlo(threshold=cdk.Duration.seconds(1), target=99.0))
        for n, (queue, _dead_letters, _consumer) in enumerate(queues):
            sa.QueueConsumerAlarms(self, f"Queue{n}Alarms", queue=queue, routing=routing,
                                   freshness=sa.FreshnessSlo(max_age=cdk.Duration.minutes(15)))
        if stream:
            sa.StreamConsumerAlarms(self, "StreamConsumerAlarms", function=stream[0], routing=routing,
                                    freshness=sa.FreshnessSlo(max_age=cdk.Duration.minutes(5)),
                                    failure_destination=stream[1])
        if job:
            sa.ScheduledJobAlarms(self, "DailyJobAlarms", rule=job[0], function=job[1], routing=routing)
        sa.ServiceDashboard(self, "Dashboard")


#: What the cdk CLI passes by default (no --debug): path metadata on, creation stack traces off.
CLI_CONTEXT = {"aws:cdk:enable-path-metadata": True, "aws:cdk:disable-stack-trace": True}


def build(variant: str, services: int, outdir: str, *, policy: bool = False) -> cdk.App:
    app = cdk.App(outdir=outdir, context=dict(CLI_CONTEXT))
    if policy:
        # The README's one line: sensible_alarms' policy plugin checks every template at synth.
        cdk.Validations.of(app).add_plugins(TimedPolicy())
    for service in fleet(services):
        ServiceStack(app, service, variant)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("--services", type=int, required=True)
    parser.add_argument("--outdir", required=True)
    parser.add_argument("--policy", choices=("on", "off"), default=None,
                        help="sensible_alarms' policy plugin (default: on for sensible, as the README adds it)")
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    policy = args.policy == "on" if args.policy else args.variant == "sensible"
    phases = Phases()
    app = build(args.variant, args.services, args.outdir, policy=policy)
    phases.mark("construct")
    app.synth()
    phases.mark("synth")
    # Where the time went, for synth_timing (phases.py): constructing the tree (Python calling into
    # jsii) and synthesizing it (Node.js resolving, writing and validating the templates, and the
    # policy plugin's share); imports and jsii's start are the rest.
    print(json.dumps(phases.summary()))


if __name__ == "__main__":
    main()
