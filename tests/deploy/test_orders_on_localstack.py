"""The orders example, deployed through CloudFormation on LocalStack: every alarm and composite exists
as synthesized, a queue reporting old messages drives its alarm into ALARM, and a HIGH notification
reaches a queue subscribed to the HIGH topic and the on-call inbox with its customer-impact text.

What LocalStack (4.13.1, community, host mode) does not do, and these tests therefore do not assert:

* It evaluates only single-metric alarms (Statistic, Period, MetricName): metric-math alarms (the
  API's burn rates, dead letters, failed records, consecutive failures) are created and described
  as synthesized but stay INSUFFICIENT_DATA. The replay engine's tests cover their semantics.
* It evaluates a metric alarm every EvaluationPeriods x Period seconds from its creation, not every
  minute as CloudWatch does: the message-age alarm (3 x 1 min) changes state up to 3 min after the
  data that breaches it.
* It evaluates a composite rule only when it is a flat ``ALARM("arn") OR ALARM("arn")``; the
  composites CDK writes are parenthesised, so LocalStack logs "unsupported expression" and never
  changes their state, and it ignores actions suppressors. The delivery test therefore sets the
  composite's state with SetAlarmState (the state change CloudWatch makes when the rule becomes
  true), once its member is in ALARM; from there on (the composite's alarm action, the SNS topic,
  its subscriptions, the message) everything is LocalStack's own delivery path.
* It does not enforce IAM or resource policies, nor encrypt with KMS: the topic policy and key
  policy are checked on the template (tests/test_orders_example.py, tests/test_hardening.py).
* It has no provider for AWS::CloudWatch::Dashboard: CloudFormation reports the dashboard created
  without creating it (``CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES``).
* Lambda functions exist but never run (the suite's "noop" runtime executor) and DynamoDB is
  moto's: see docs/deployment.md.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cdk_support import ALARM_TYPES, resources_of

from .conftest import ENDPOINT, Client, Deployment

#: How long to wait for LocalStack to evaluate the message-age alarm: two of its evaluation
#: intervals (3 x 1 min each) and a minute to spare. A bound on waiting, not an assertion on time.
ALARM_WAIT_SECONDS = 2 * 3 * 60 + 60
DELIVERY_WAIT_SECONDS = 60
#: How often the test reports the queue's message age, as SQS does every minute.
REPORT_EVERY_SECONDS = 20
ON_CALL = "oncall@example.com"


def _differences(expected: Any, deployed: Any, path: str) -> list[str]:
    """Where `deployed` differs from `expected`; keys that only `deployed` has (defaults) are fine."""
    if isinstance(expected, dict):
        if not isinstance(deployed, dict):
            return [f"{path}: synthesized {expected!r}, deployed {deployed!r}"]
        found = []
        for key, value in expected.items():
            if key not in deployed:
                found.append(f"{path}.{key}: synthesized {value!r}, missing when deployed")
            else:
                found.extend(_differences(value, deployed[key], f"{path}.{key}"))
        return found
    if isinstance(expected, list):
        if not isinstance(deployed, list) or len(expected) != len(deployed):
            return [f"{path}: synthesized {expected!r}, deployed {deployed!r}"]
        return [d for i, (e, g) in enumerate(zip(expected, deployed, strict=True))
                for d in _differences(e, g, f"{path}[{i}]")]
    return [] if expected == deployed else [f"{path}: synthesized {expected!r}, deployed {deployed!r}"]


def _describe(aws: Client, names: list[str]) -> dict[str, dict[str, Any]]:
    described: dict[str, dict[str, Any]] = {}
    paginator = aws("cloudwatch").get_paginator("describe_alarms")
    for page in paginator.paginate(AlarmNames=names, AlarmTypes=["MetricAlarm", "CompositeAlarm"]):
        for alarm in page["MetricAlarms"] + page["CompositeAlarms"]:
            described[alarm["AlarmName"]] = alarm
    return described


def _alarm_named(deployment: Deployment, suffix: str) -> dict[str, Any]:
    """The resolved properties of the one alarm of the template whose name ends with `suffix`."""
    found = [deployment.resolve(r["Properties"]) for r in resources_of(deployment.template, *ALARM_TYPES).values()
             if r["Properties"]["AlarmName"].endswith(suffix)]
    assert len(found) == 1, f"expected one alarm named *{suffix}, found {len(found)}"
    return found[0]


class TestTheOrdersStackDeploys:
    def test_cloudformation_creates_every_resource_of_the_synthesized_template(self, orders_deployment):
        """The stack is CREATE_COMPLETE and each resource of the template was created, none left out."""
        template_ids = set(orders_deployment.template["Resources"])
        assert set(orders_deployment.statuses) == template_ids
        not_created = {k: v for k, v in orders_deployment.statuses.items() if v != "CREATE_COMPLETE"}
        assert not not_created

    def test_the_functions_exist_and_are_active_but_are_never_run(self, aws, orders_deployment):
        """Every function of the template is Active; invoking one fails with the noop executor's
        refusal (the suite's LocalStack plugin runs no code), never with a made-up result."""
        functions = resources_of(orders_deployment.template, "AWS::Lambda::Function")
        lambda_ = aws("lambda")
        assert functions
        for logical_id in functions:
            name = orders_deployment.physical_ids[logical_id]
            assert lambda_.get_function(FunctionName=name)["Configuration"]["State"] == "Active", logical_id
        some_function = orders_deployment.physical_ids[sorted(functions)[0]]
        with pytest.raises(ClientError, match="'noop' Lambda runtime executor"):
            lambda_.invoke(FunctionName=some_function)

    def test_every_alarm_and_composite_exists_with_its_synthesized_configuration(self, aws, orders_deployment):
        """Each alarm of the template exists under its name with the template's properties: metric or
        metric math, threshold, periods, missing-data treatment, actions, rule and suppressor."""
        alarms = resources_of(orders_deployment.template, *ALARM_TYPES)
        expected = {}
        for resource in alarms.values():
            props = orders_deployment.resolve(resource["Properties"])
            # What CloudFormation defaults when the template says nothing: it must hold when deployed too.
            props.setdefault("ActionsEnabled", True)
            for actions in ("AlarmActions", "OKActions", "InsufficientDataActions"):
                props.setdefault(actions, [])
            expected[props["AlarmName"]] = props
        deployed = _describe(aws, sorted(expected))

        assert sorted(deployed) == sorted(expected)
        differences = [d for name, props in sorted(expected.items())
                       for d in _differences(props, deployed[name], name)]
        assert not differences, "\n".join(differences)
        composites = [p for p in expected.values() if "AlarmRule" in p]
        assert composites, "the orders example has composites"
        assert all(deployed[p["AlarmName"]]["AlarmRule"] == p["AlarmRule"] for p in composites)

    def test_no_alarm_of_the_stack_exists_that_the_template_does_not_define(self, aws, orders_deployment):
        """Every alarm named after the stack is one of the template's: nothing extra was created."""
        synthesized = {r["Properties"]["AlarmName"]
                       for r in resources_of(orders_deployment.template, *ALARM_TYPES).values()}
        pages = aws("cloudwatch").get_paginator("describe_alarms").paginate(
            AlarmNamePrefix=f"{orders_deployment.stack_name}-", AlarmTypes=["MetricAlarm", "CompositeAlarm"])
        deployed = {a["AlarmName"] for page in pages for a in page["MetricAlarms"] + page["CompositeAlarms"]}
        assert deployed == synthesized


@pytest.fixture(scope="module")
def message_age_in_alarm(aws: Client, orders_deployment: Deployment,
                         deploy_timings: dict[str, Any]) -> dict[str, Any]:
    """The order queue's message-age alarm, after the queue reported its oldest message at twice the
    FreshnessSlo's max age: first the last few minutes of datapoints, then one every 20 s, as SQS
    reports ApproximateAgeOfOldestMessage, until LocalStack evaluates the alarm into ALARM."""
    alarm = _alarm_named(orders_deployment, "-OrderQueueAlarms-MessageAge")
    cloudwatch = aws("cloudwatch")
    age = 2 * float(alarm["Threshold"])

    def report(at: datetime) -> None:
        cloudwatch.put_metric_data(Namespace=alarm["Namespace"], MetricData=[{
            "MetricName": alarm["MetricName"], "Dimensions": alarm["Dimensions"], "Timestamp": at,
            "Value": age, "Unit": "Seconds"}])

    begin = time.perf_counter()
    now = datetime.now(UTC)
    for minutes_ago in range(alarm["EvaluationPeriods"] + 2):
        report(now - timedelta(seconds=30 + 60 * minutes_ago))
    last_report = time.perf_counter()
    deadline = begin + ALARM_WAIT_SECONDS
    while True:
        described = _describe(aws, [alarm["AlarmName"]])[alarm["AlarmName"]]
        if described["StateValue"] == "ALARM" or time.perf_counter() > deadline:
            break
        if time.perf_counter() - last_report >= REPORT_EVERY_SECONDS:
            report(datetime.now(UTC))
            last_report = time.perf_counter()
        time.sleep(1)
    deploy_timings["message_age_alarm_seconds"] = round(time.perf_counter() - begin, 2)
    return described


@pytest.fixture(scope="module")
def high_notification(aws: Client, orders_deployment: Deployment, message_age_in_alarm: dict[str, Any],
                      deploy_timings: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """What an SQS queue subscribed to the HIGH topic receives when the order queue's HIGH composite
    goes into ALARM (set with SetAlarmState once its member is in ALARM: LocalStack does not evaluate
    parenthesised composite rules). The SNS envelope, with the alarm message parsed under "Alarm"."""
    composite = _alarm_named(orders_deployment, "-OrderQueueAlarms-HighUrgency")
    assert message_age_in_alarm["AlarmArn"] in composite["AlarmRule"]
    if message_age_in_alarm["StateValue"] != "ALARM":
        pytest.fail(f"{message_age_in_alarm['AlarmName']} never reached ALARM, so its composite is not driven: "
                    f"{message_age_in_alarm['StateReason']}", pytrace=False)
    (topic_arn,) = composite["AlarmActions"]
    sqs, sns = aws("sqs"), aws("sns")
    queue_url = sqs.create_queue(QueueName="orders-high-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    subscription = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
    # LocalStack loads a service on first use, and SES's inbox endpoint (/_aws/ses) with it.
    aws("ses").list_identities()
    _clear_emails()

    begin = time.perf_counter()
    aws("cloudwatch").set_alarm_state(
        AlarmName=composite["AlarmName"], StateValue="ALARM",
        StateReason=f"{message_age_in_alarm['AlarmName']} is in ALARM (set by the deployment test: "
                    "LocalStack does not evaluate parenthesised composite rules)")
    messages: list[dict[str, Any]] = []
    while not messages and time.perf_counter() - begin < DELIVERY_WAIT_SECONDS:
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=5,
                                       MaxNumberOfMessages=10).get("Messages", [])
    deploy_timings["notification_delivery_seconds"] = round(time.perf_counter() - begin, 3)
    assert len(messages) == 1, f"expected one notification on the HIGH topic, got {len(messages)}"
    envelope: dict[str, Any] = json.loads(messages[0]["Body"])
    envelope["Alarm"] = json.loads(envelope["Message"])
    yield envelope

    sns.unsubscribe(SubscriptionArn=subscription)
    sqs.delete_queue(QueueUrl=queue_url)


def _emails() -> list[dict[str, Any]]:
    """The emails LocalStack's SES delivered (LocalStack keeps them at /_aws/ses)."""
    with urllib.request.urlopen(f"{ENDPOINT}/_aws/ses", timeout=5) as response:
        messages: list[dict[str, Any]] = json.load(response)["messages"]
    return messages


def _clear_emails() -> None:
    urllib.request.urlopen(urllib.request.Request(f"{ENDPOINT}/_aws/ses", method="DELETE"), timeout=5).close()


class TestANotificationReachesItsInbox:
    def test_a_queue_reporting_old_messages_drives_the_message_age_alarm_into_alarm(self, message_age_in_alarm):
        """Metric data over the max age puts the plain message-age alarm into ALARM by LocalStack's own
        evaluation, and it notifies no one itself: its entrypoint's composite does."""
        assert message_age_in_alarm["StateValue"] == "ALARM", message_age_in_alarm["StateReason"]
        reason = json.loads(message_age_in_alarm["StateReasonData"])
        assert reason["recentDatapoints"]
        assert all(v > message_age_in_alarm["Threshold"] for v in reason["recentDatapoints"])
        assert message_age_in_alarm["ActionsEnabled"] is False
        assert message_age_in_alarm["AlarmActions"] == []

    def test_the_high_composite_delivers_its_customer_impact_to_a_queue_on_the_high_topic(
            self, high_notification, orders_deployment):
        """The message on the HIGH topic names the composite, says ALARM, and carries its description:
        customer impact, urgency, SLO and runbook, exactly as synthesized."""
        composite = _alarm_named(orders_deployment, "-OrderQueueAlarms-HighUrgency")
        alarm = high_notification["Alarm"]
        assert high_notification["Type"] == "Notification"
        assert high_notification["Subject"].startswith(f'ALARM: "{composite["AlarmName"]}"')
        assert alarm["AlarmName"] == composite["AlarmName"]
        assert alarm["NewStateValue"] == "ALARM"
        assert alarm["AlarmDescription"] == composite["AlarmDescription"]
        assert alarm["AlarmDescription"].startswith(
            "Customer impact: Customers' work queued on OrderQueue is badly delayed or was lost.\n"
            "Urgency: HIGH")

    def test_the_on_call_address_subscribed_in_the_template_receives_it_by_email(
            self, high_notification, orders_deployment):
        """The email subscription the template makes on the HIGH topic delivers the same notification,
        customer impact included, to the on-call address (through LocalStack's SES)."""
        composite = _alarm_named(orders_deployment, "-OrderQueueAlarms-HighUrgency")
        deadline = time.monotonic() + DELIVERY_WAIT_SECONDS
        mine: list[dict[str, Any]] = []
        while not mine and time.monotonic() < deadline:
            mine = [m for m in _emails() if ON_CALL in m["Destination"]["ToAddresses"]]
            time.sleep(0.2)
        assert len(mine) == 1, f"expected one email to {ON_CALL}, got {len(mine)}"
        body = json.loads(mine[0]["Body"]["text_part"])
        assert body["AlarmName"] == composite["AlarmName"]
        assert body["AlarmDescription"] == composite["AlarmDescription"]
