"""Each entrypoint construct, synthesized once in a small stack: its alarm count, and its alarm
resources (properties and Metadata) as a reviewed JSON snapshot, so a pull request shows every
change to what the constructs write."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from syrupy.extensions.json import JSONSnapshotExtension

from cdk_support import ALARM_TYPES, resources_of, synth
from sensible_alarms import (
    AlarmRouting,
    ApiAlarms,
    AvailabilitySlo,
    FreshnessSlo,
    LatencySlo,
    QueueConsumerAlarms,
    ScheduledJobAlarms,
    StreamConsumerAlarms,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from syrupy.assertion import SnapshotAssertion

RUNBOOK = "https://runbooks.example.com/snapshots"
HANDLER = "def handler(event, context):\n    return {'statusCode': 200}\n"


@pytest.fixture
def json_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """syrupy's snapshot, one JSON file per assertion under tests/__snapshots__/."""
    return snapshot.use_extension(JSONSnapshotExtension)


def _function(stack: cdk.Stack, name: str) -> lambda_.Function:
    return lambda_.Function(stack, name, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                            code=lambda_.Code.from_inline(HANDLER), timeout=cdk.Duration.seconds(30))


def _synthesized(name: str, add: Callable[[cdk.Stack, AlarmRouting], object]) -> dict[str, Any]:
    """A fresh app with one env-agnostic stack holding routing and what `add` builds, synthesized and
    linted (conftest.synth)."""
    app = cdk.App()
    stack = cdk.Stack(app, name)
    add(stack, AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"]))
    return synth(stack)


def _alarm_resources(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The alarm and composite alarm resources: type, properties and Metadata, by logical id."""
    return {
        logical_id: {"Type": r["Type"], "Properties": r.get("Properties", {}), "Metadata": r.get("Metadata", {})}
        for logical_id, r in resources_of(template, *ALARM_TYPES).items()
    }


def _count(template: dict[str, Any]) -> dict[str, int]:
    return dict(Counter(r["Type"] for r in resources_of(template, *ALARM_TYPES).values()))


# -- the stacks, each synthesized once per module ---------------------------------------------------

@pytest.fixture(scope="module")
def rest_api_template() -> dict[str, Any]:
    def add(stack: cdk.Stack, routing: AlarmRouting) -> None:
        api = apigw.RestApi(stack, "ShopApi", rest_api_name="shop-api",
                            deploy_options=apigw.StageOptions(stage_name="prod"))
        api.root.add_resource("items").add_method("GET", apigw.LambdaIntegration(_function(stack, "ListItems")))
        ApiAlarms(stack, "ShopApiAlarms", api=api, routing=routing,
                  availability=AvailabilitySlo(target=99.9),
                  latency=LatencySlo(threshold=cdk.Duration.millis(500), target=99.0),
                  runbook_url=f"{RUNBOOK}/rest-api")

    return _synthesized("RestApiStack", add)


@pytest.fixture(scope="module")
def http_api_template() -> dict[str, Any]:
    def add(stack: cdk.Stack, routing: AlarmRouting) -> None:
        api = apigwv2.HttpApi(stack, "ShopHttpApi")
        api.add_routes(path="/items", methods=[apigwv2.HttpMethod.GET],
                       integration=integrations.HttpLambdaIntegration("ListItems", _function(stack, "ListItems")))
        ApiAlarms(stack, "ShopHttpApiAlarms", api=api, routing=routing,
                  availability=AvailabilitySlo(target=99.5), runbook_url=f"{RUNBOOK}/http-api")

    return _synthesized("HttpApiStack", add)


@pytest.fixture(scope="module")
def queue_consumer_template() -> dict[str, Any]:
    def add(stack: cdk.Stack, routing: AlarmRouting) -> None:
        dead_letters = sqs.Queue(stack, "PaymentDeadLetters", enforce_ssl=True,
                                 retention_period=cdk.Duration.days(14))
        queue = sqs.Queue(stack, "PaymentQueue", enforce_ssl=True, visibility_timeout=cdk.Duration.seconds(180),
                          dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dead_letters))
        _function(stack, "ChargePayment").add_event_source(sources.SqsEventSource(queue))
        QueueConsumerAlarms(stack, "PaymentQueueAlarms", queue=queue, routing=routing,
                            freshness=FreshnessSlo(max_age=cdk.Duration.minutes(10)),
                            runbook_url=f"{RUNBOOK}/queue")

    return _synthesized("QueueConsumerStack", add)


@pytest.fixture(scope="module")
def stream_consumer_template() -> dict[str, Any]:
    def add(stack: cdk.Stack, routing: AlarmRouting) -> None:
        stream = kinesis.Stream(stack, "Clicks", shard_count=1, encryption=kinesis.StreamEncryption.MANAGED)
        failures = sns.Topic(stack, "ClickFailures", enforce_ssl=True)
        consumer = _function(stack, "CountClicks")
        consumer.add_event_source(sources.KinesisEventSource(
            stream, starting_position=lambda_.StartingPosition.TRIM_HORIZON, retry_attempts=3,
            bisect_batch_on_error=True, on_failure=sources.SnsDlq(failures)))
        StreamConsumerAlarms(stack, "ClicksAlarms", function=consumer, routing=routing,
                             freshness=FreshnessSlo(max_age=cdk.Duration.minutes(5)),
                             failure_destination=failures, runbook_url=f"{RUNBOOK}/stream")

    return _synthesized("StreamConsumerStack", add)


@pytest.fixture(scope="module")
def scheduled_job_template() -> dict[str, Any]:
    def add(stack: cdk.Stack, routing: AlarmRouting) -> None:
        job = _function(stack, "SyncCatalogue")
        hourly = events.Rule(stack, "HourlySchedule", schedule=events.Schedule.rate(cdk.Duration.hours(1)))
        hourly.add_target(targets.LambdaFunction(job))
        ScheduledJobAlarms(stack, "SyncCatalogueAlarms", rule=hourly, function=job, routing=routing,
                           runbook_url=f"{RUNBOOK}/job")

    return _synthesized("ScheduledJobStack", add)


# -- the tests ------------------------------------------------------------------------------------

class TestApiAlarmsOnARestApi:
    def test_availability_and_latency_give_twenty_one_members_and_four_composites(
            self, rest_api_template: dict[str, Any], json_snapshot: SnapshotAssertion):
        """A REST API with both SLOs (no tickets, the default) gets per SLO two HIGH window pairs with
        their holds, three nearly-every-request-fails windows and their memories, a 30-minute slow
        share and its hold, one member for its Lambda-backed routes, a HIGH notifier and an outage
        notifier, each with its confirmation."""
        assert _count(rest_api_template) == {"AWS::CloudWatch::Alarm": 21, "AWS::CloudWatch::CompositeAlarm": 4}
        assert _alarm_resources(rest_api_template) == json_snapshot


class TestApiAlarmsOnAnHttpApi:
    def test_availability_alone_gives_thirteen_members_and_four_composites(
            self, http_api_template: dict[str, Any], json_snapshot: SnapshotAssertion):
        """An HTTP API with an availability SLO (no tickets, the default) gets two HIGH window pairs with
        their holds, three nearly-every-request-fails windows and their memories, one for its
        Lambda-backed routes, a HIGH notifier and an outage notifier, each with its confirmation."""
        assert _count(http_api_template) == {"AWS::CloudWatch::Alarm": 13, "AWS::CloudWatch::CompositeAlarm": 4}
        assert _alarm_resources(http_api_template) == json_snapshot


class TestQueueConsumerAlarms:
    def test_message_age_and_dead_letters_give_two_members_and_one_high_composite(
            self, queue_consumer_template: dict[str, Any], json_snapshot: SnapshotAssertion):
        """A queue consumer gets a message-age and a dead-letter member behind one HIGH composite."""
        assert _count(queue_consumer_template) == {"AWS::CloudWatch::Alarm": 2,
                                                   "AWS::CloudWatch::CompositeAlarm": 1}
        assert _alarm_resources(queue_consumer_template) == json_snapshot


class TestStreamConsumerAlarms:
    def test_iterator_age_and_a_topic_failure_destination_give_two_members_and_one_composite(
            self, stream_consumer_template: dict[str, Any], json_snapshot: SnapshotAssertion):
        """A Kinesis consumer with an SNS on-failure topic gets iterator-age and failed-records members."""
        assert _count(stream_consumer_template) == {"AWS::CloudWatch::Alarm": 2,
                                                    "AWS::CloudWatch::CompositeAlarm": 1}
        assert _alarm_resources(stream_consumer_template) == json_snapshot


class TestScheduledJobAlarms:
    def test_an_hourly_job_gets_four_members_and_one_low_composite(
            self, scheduled_job_template: dict[str, Any], json_snapshot: SnapshotAssertion):
        """A job on rate(1 hour) gets no-success, failed-runs, missed-run and not-run-yet members behind one
        LOW composite."""
        assert _count(scheduled_job_template) == {"AWS::CloudWatch::Alarm": 4,
                                                  "AWS::CloudWatch::CompositeAlarm": 1}
        assert _alarm_resources(scheduled_job_template) == json_snapshot


@pytest.mark.parametrize("template_fixture", [
    pytest.param("rest_api_template", id="an API on a REST API"),
    pytest.param("http_api_template", id="an API on an HTTP API"),
    pytest.param("queue_consumer_template", id="a queue consumer"),
    pytest.param("stream_consumer_template", id="a stream consumer"),
    pytest.param("scheduled_job_template", id="a scheduled job"),
])
def test_each_construct_reads_as_its_alarm_summary(template_fixture: str, request: pytest.FixtureRequest,
                                                   alarm_snapshot: SnapshotAssertion):
    """The library's own snapshot helper: each construct's alarms in words, as a reviewed .alarms.txt file."""
    from sensible_alarms.testing import alarm_summary

    assert alarm_snapshot == alarm_summary(request.getfixturevalue(template_fixture))
