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
  ServiceDashboard.

Usage: python app.py --variant {none,per_resource,hand_tuned,sensible} --services N --outdir DIR
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "examples" / "per_resource_baseline"))

from spec import Service, fleet  # noqa: E402

VARIANTS = ("none", "per_resource", "hand_tuned", "sensible")

HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': '{}'}\n"


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

        if variant == "per_resource":
            self._per_resource(api, handlers + helpers, tables, queues, stream, job)
        elif variant == "hand_tuned":
            self._hand_tuned(api, handlers + helpers, queues, stream, job)
        elif variant == "sensible":
            self._sensible(api, queues, stream, job)
        elif variant != "none":
            raise ValueError(f"unknown variant {variant!r}: expected one of {', '.join(VARIANTS)}")

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


def build(variant: str, services: int, outdir: str) -> cdk.App:
    app = cdk.App(outdir=outdir, context=dict(CLI_CONTEXT))
    for service in fleet(services):
        ServiceStack(app, service, variant)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("--services", type=int, required=True)
    parser.add_argument("--outdir", required=True)
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    started = time.perf_counter()
    app = build(args.variant, args.services, args.outdir)
    built = time.perf_counter()
    app.synth()
    done = time.perf_counter()
    # Where the time went, for synth_timing: constructing the tree (Python calling into jsii) and
    # synthesizing it (Node.js writing the templates); imports and jsii's start are the rest.
    print(json.dumps({"construct_seconds": round(built - started, 3), "synth_seconds": round(done - built, 3)}))


if __name__ == "__main__":
    main()
