"""Every invalid construct prop raises SensibleAlarmsError naming the construct path, the prop and the value
received, when the construct is created: never a jsii error, a TypeError, or a template that fails later."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match

from sensible_alarms import (
    AlarmRouting,
    ApiAlarms,
    AvailabilitySlo,
    FreshnessSlo,
    LatencySlo,
    QueueConsumerAlarms,
    ScheduledJobAlarms,
    SensibleAlarmsError,
    ServiceDashboard,
    SlackChannel,
    StreamConsumerAlarms,
    Urgency,
)

HANDLER = "def handler(event, context):\n    return None\n"
FRESHNESS = FreshnessSlo(max_age=cdk.Duration.minutes(15))
AVAILABILITY = AvailabilitySlo(target=99.9)
STREAM_WARNING = "sensible-alarms:stream-without-failure-destination"


def assert_names(error: SensibleAlarmsError, *, path: str, prop: str, shows: str, named: str | None = None) -> None:
    """The message starts with the construct path, names the prop (quoted, unless `named` says how) and
    shows the offending value; the error carries the path and prop as attributes too."""
    message = str(error)
    assert message.startswith(f"{path}: "), message
    assert (named or f"'{prop}'") in message, message
    assert shows in message, message
    assert (error.path, error.prop) == (path, prop)


# -- minimal real resources ------------------------------------------------------------------------

def _routing(stack: cdk.Stack) -> AlarmRouting:
    return AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])


def _function(stack: cdk.Stack, id: str = "Handler") -> lambda_.Function:
    return lambda_.Function(stack, id, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                            code=lambda_.Code.from_inline(HANDLER))


def _rest_api(stack: cdk.Stack, **props: Any) -> apigw.RestApi:
    api = apigw.RestApi(stack, "RestApi", **props)
    api.root.add_method("GET", apigw.MockIntegration())
    return api


def _queue_with_dlq(stack: cdk.Stack) -> sqs.Queue:
    dlq = sqs.Queue(stack, "OrdersDlq")
    return sqs.Queue(stack, "Orders", dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=3))


def _scheduled(stack: cdk.Stack, schedule: events.Schedule) -> tuple[events.Rule, lambda_.Function]:
    function = _function(stack, "JobHandler")
    rule = events.Rule(stack, "Schedule", schedule=schedule)
    rule.add_target(targets.LambdaFunction(function))
    return rule, function


# -- compliant: the fixtures below are sound, so each failure is for its stated reason --------------

class TestCompliant:
    def test_an_api_with_availability_and_latency_slos_constructs(self, stack):
        """Compliant: a REST API with both SLOs gets member alarms and a HIGH notifier (no tickets by default):
        per SLO two windows of a long, a short and a hold; three outage windows and their memories; the
        30 min slow share and its hold."""
        alarms = ApiAlarms(stack, "Api", api=_rest_api(stack), routing=_routing(stack),
                           availability=AVAILABILITY,
                           latency=LatencySlo(threshold=cdk.Duration.seconds(1), target=99),
                           runbook_url="https://runbooks.example.com/api")
        assert len(alarms.members) == 20
        assert set(alarms.notifiers) == {Urgency.HIGH}

    def test_slos_without_tickets_give_an_api_no_low_alarms(self, stack):
        """Compliant: SLOs without tickets (the default) have no LOW windows, holds or notifier; HIGH stays."""
        with_tickets = ApiAlarms(stack, "Api", api=_rest_api(stack), routing=_routing(stack),
                                 availability=AvailabilitySlo(target=99.9, tickets=True),
                                 latency=LatencySlo(threshold=cdk.Duration.seconds(1), target=99, tickets=True))
        assert set(with_tickets.notifiers) == {Urgency.HIGH, Urgency.LOW}
        lean = cdk.Stack(cdk.App(), "LeanStack")
        without = ApiAlarms(lean, "Api", api=_rest_api(lean), routing=_routing(lean),
                            availability=AvailabilitySlo(target=99.9),
                            latency=LatencySlo(threshold=cdk.Duration.seconds(1), target=99))
        assert set(without.notifiers) == {Urgency.HIGH}
        assert [m for m in without.members if m.urgency is Urgency.LOW] == []
        assert len(with_tickets.members) - len(without.members) == 6

    def test_a_queue_a_stream_and_a_scheduled_job_construct_and_a_dashboard_shows_them(self, stack):
        """Compliant: each asynchronous entrypoint with valid props, and a dashboard over all of them."""
        routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"], low_emails=[])
        queue = QueueConsumerAlarms(stack, "Queue", queue=_queue_with_dlq(stack), routing=routing,
                                    freshness=FRESHNESS)
        stream = StreamConsumerAlarms(stack, "Stream", function=_function(stack), routing=routing,
                                      freshness=FRESHNESS, failure_destination=sqs.Queue(stack, "Failures"))
        rule, function = _scheduled(stack, events.Schedule.rate(cdk.Duration.hours(1)))
        job = ScheduledJobAlarms(stack, "Job", rule=rule, function=function, routing=routing)
        dashboard = ServiceDashboard(stack, "Dashboard")
        assert [len(e.members) for e in (queue, stream, job)] == [2, 2, 4]
        assert dashboard.dashboard is not None

    @pytest.mark.parametrize(
        ("schedule", "interval", "consecutive_failures"),
        [
            pytest.param(events.Schedule.cron(minute="0", hour="3"), None, 2, id="a daily cron needs no interval"),
            pytest.param(events.Schedule.cron(minute="15"), None, 2, id="an hourly cron needs no interval"),
            pytest.param(events.Schedule.cron(minute="0", hour="3", week_day="MON-FRI"), cdk.Duration.days(1), 2,
                         id="a weekday cron works once interval is given"),
            pytest.param(events.Schedule.rate(cdk.Duration.days(1)), None, 6,
                         id="6 daily runs fit CloudWatch's 7-day span"),
            pytest.param(events.Schedule.rate(cdk.Duration.minutes(15)), None, 60,
                         id="60 runs every 15 min fit CloudWatch's 1-day span"),
        ],
    )
    def test_scheduled_jobs_within_cloudwatchs_limits_construct(self, stack, schedule, interval,
                                                                consecutive_failures):
        """Compliant: schedules whose interval is known and whose failing streak CloudWatch can evaluate."""
        rule, function = _scheduled(stack, schedule)
        job = ScheduledJobAlarms(stack, "Job", rule=rule, function=function, routing=_routing(stack),
                                 interval=interval, consecutive_failures=consecutive_failures)
        assert set(job.notifiers) == {Urgency.LOW}


# -- shared by every entrypoint --------------------------------------------------------------------

class TestEntrypointProps:
    @pytest.mark.parametrize(
        ("runbook_url", "shows"),
        [
            pytest.param("runbooks.example.com/orders", "'runbooks.example.com/orders'", id="a url without a scheme"),
            pytest.param("ftp://runbooks.example.com/orders", "'ftp://", id="an ftp url"),
            pytest.param("", "''", id="an empty string"),
            pytest.param("https://", "'https://'", id="a scheme and nothing else"),
            pytest.param("https://example.com/a b", "'https://example.com/a b'", id="a url with a space"),
            pytest.param("https://example.com/run\n", r"'https://example.com/run\n'",
                         id="a url with a trailing newline"),
            pytest.param(42, "(got 42)", id="a number"),
        ],
    )
    def test_a_runbook_url_that_is_not_http_raises(self, stack, runbook_url, shows):
        """Non-compliant: the runbook line of every alarm description must be a link a responder can open."""
        with pytest.raises(SensibleAlarmsError, match="must be an http") as caught:
            QueueConsumerAlarms(stack, "Queue", queue=_queue_with_dlq(stack), routing=_routing(stack),
                                freshness=FRESHNESS, runbook_url=runbook_url)
        assert_names(caught.value, path="TestStack/Queue", prop="runbook_url", shows=shows)

    def test_a_runbook_url_too_long_for_an_alarm_description_raises(self, stack):
        """Non-compliant: CloudWatch caps descriptions at 1024 characters; the URL is named as the fix."""
        url = "https://runbooks.example.com/" + "x" * 1_000
        with pytest.raises(SensibleAlarmsError, match="over CloudWatch's 1024") as caught:
            QueueConsumerAlarms(stack, "Queue", queue=_queue_with_dlq(stack), routing=_routing(stack),
                                freshness=FRESHNESS, runbook_url=url)
        assert_names(caught.value, path="TestStack/Queue", prop="runbook_url", shows="characters",
                     named="runbook URL")

    @pytest.mark.parametrize(
        "routing",
        [
            pytest.param(None, id="no routing"),
            pytest.param("arn:aws:sns:us-east-1:123456789012:alarms", id="a topic ARN string"),
        ],
    )
    def test_routing_that_is_not_an_alarm_routing_raises(self, stack, routing):
        """Non-compliant: notifications go only through AlarmRouting, so urgencies reach the right topic."""
        with pytest.raises(SensibleAlarmsError, match="'routing' must be an AlarmRouting") as caught:
            QueueConsumerAlarms(stack, "Queue", queue=_queue_with_dlq(stack), routing=routing, freshness=FRESHNESS)
        assert_names(caught.value, path="TestStack/Queue", prop="routing", shows=type(routing).__name__)


# -- ApiAlarms -------------------------------------------------------------------------------------

class TestApiAlarms:
    @pytest.mark.parametrize(
        ("make_api", "shows"),
        [
            pytest.param(lambda s: apigwv2.WebSocketApi(s, "Socket"), "WebSocketApi", id="a WebSocket API"),
            pytest.param(lambda s: object(), "(got object)", id="a plain object"),
            pytest.param(lambda s: None, "(got NoneType)", id="no API at all"),
            pytest.param(lambda s: apigwv2.HttpApi.from_http_api_attributes(s, "Imported", http_api_id="abc123"),
                         "imported APIs are not supported", id="an imported HTTP API"),
        ],
    )
    def test_an_unsupported_api_type_raises(self, stack, make_api, shows):
        """Non-compliant: only REST and HTTP APIs publish the 5xx and latency metrics the SLOs are built on."""
        with pytest.raises(SensibleAlarmsError, match=r"'api' must be an aws_apigateway\.RestApi") as caught:
            ApiAlarms(stack, "Api", api=make_api(stack), routing=_routing(stack),
                      availability=AVAILABILITY)
        assert_names(caught.value, path="TestStack/Api", prop="api", shows=shows)

    @pytest.mark.parametrize(
        ("value", "shows"),
        [
            pytest.param(0, "(got 0)", id="zero failed requests"),
            pytest.param(-5, "(got -5)", id="a negative count"),
            pytest.param(2.5, "(got 2.5)", id="a fraction of a request"),
            pytest.param("10", "(got '10')", id="a count given as a string"),
            pytest.param(True, "(got True)", id="a bool"),
            pytest.param(None, "(got None)", id="None"),
        ],
    )
    def test_min_failed_requests_that_is_not_a_positive_whole_number_raises(self, stack, value, shows):
        """Non-compliant: the minimum-traffic guard counts requests, at least one."""
        with pytest.raises(SensibleAlarmsError, match="'min_failed_requests' must be a whole number") as caught:
            ApiAlarms(stack, "Api", api=_rest_api(stack), routing=_routing(stack),
                      availability=AVAILABILITY, min_failed_requests=value)
        assert_names(caught.value, path="TestStack/Api", prop="min_failed_requests", shows=shows)

    def test_min_failed_requests_above_a_million_raises_naming_the_rule(self, stack):
        """Non-compliant: a guard of 10**12 failed requests keeps every burn-rate alarm silent."""
        with pytest.raises(SensibleAlarmsError, match="'min_failed_requests' must be at most 1,000,000") as caught:
            ApiAlarms(stack, "Api", api=_rest_api(stack), routing=_routing(stack),
                      availability=AVAILABILITY, min_failed_requests=10**12)
        assert_names(caught.value, path="TestStack/Api", prop="min_failed_requests",
                     shows="(got 1,000,000,000,000)")

    def test_a_rest_api_without_a_deployment_stage_and_no_stage_name_raises(self, stack):
        """Non-compliant: with deploy=False there is no stage to read the metrics of; 'stage_name' is the fix."""
        with pytest.raises(SensibleAlarmsError, match="no deployment stage") as caught:
            ApiAlarms(stack, "Api", api=_rest_api(stack, deploy=False), routing=_routing(stack),
                      availability=AVAILABILITY)
        assert_names(caught.value, path="TestStack/Api", prop="stage_name", shows="deploy=False")

    def test_a_rest_api_without_a_deployment_stage_works_with_a_stage_name(self, stack):
        """Compliant: the same API, given the stage customers call."""
        alarms = ApiAlarms(stack, "Api", api=_rest_api(stack, deploy=False), routing=_routing(stack),
                           availability=AVAILABILITY, stage_name="live")
        assert len(alarms.members) == 12

    @pytest.mark.parametrize("make", [
        lambda: AvailabilitySlo(target=99.9, tickets="no"),  # type: ignore[arg-type]
        lambda: LatencySlo(threshold=cdk.Duration.seconds(1), target=99, tickets="no"),  # type: ignore[arg-type]
    ], ids=["availability", "latency"])
    def test_tickets_that_is_not_a_bool_raises_naming_the_field_and_value(self, make: Any):
        """Non-compliant: tickets="no" is refused by either SLO, naming 'tickets' and the value."""
        with pytest.raises(SensibleAlarmsError, match=r"'tickets' of \w+Slo must be True or False") as caught:
            make()
        assert caught.value.prop == "tickets"
        assert caught.value.value == "no"

    def test_an_http_api_without_a_default_stage_and_no_stage_name_raises(self, stack):
        """Non-compliant: an HTTP API created without its default stage needs 'stage_name'."""
        api = apigwv2.HttpApi(stack, "Http", create_default_stage=False)
        with pytest.raises(SensibleAlarmsError, match="no default stage") as caught:
            ApiAlarms(stack, "Api", api=api, routing=_routing(stack), availability=AVAILABILITY)
        assert_names(caught.value, path="TestStack/Api", prop="stage_name", shows="HTTP API")

    @pytest.mark.parametrize(
        ("stage_name", "shows"),
        [pytest.param("", "(got '')", id="an empty stage name"), pytest.param(1, "(got 1)", id="a number")],
    )
    def test_a_stage_name_that_is_not_a_non_empty_string_raises(self, stack, stage_name, shows):
        """Non-compliant: the Stage dimension must name a stage."""
        with pytest.raises(SensibleAlarmsError, match="'stage_name' must be a non-empty string") as caught:
            ApiAlarms(stack, "Api", api=_rest_api(stack), routing=_routing(stack),
                      availability=AVAILABILITY, stage_name=stage_name)
        assert_names(caught.value, path="TestStack/Api", prop="stage_name", shows=shows)

    @pytest.mark.parametrize(
        ("props", "prop", "shows"),
        [
            pytest.param({"availability": 99.9}, "availability", "(got 99.9)", id="availability as a bare number"),
            pytest.param({"availability": FRESHNESS}, "availability", "FreshnessSlo",
                         id="availability as a freshness SLO"),
            pytest.param({"availability": AVAILABILITY, "latency": AVAILABILITY}, "latency", "AvailabilitySlo",
                         id="latency as an availability SLO"),
        ],
    )
    def test_an_slo_of_the_wrong_kind_raises(self, stack, props, prop, shows):
        """Non-compliant: each SLO prop takes its own SLO type."""
        with pytest.raises(SensibleAlarmsError, match=f"'{prop}' must be") as caught:
            ApiAlarms(stack, "Api", api=_rest_api(stack), routing=_routing(stack), **props)
        assert_names(caught.value, path="TestStack/Api", prop=prop, shows=shows)


# -- QueueConsumerAlarms ---------------------------------------------------------------------------

class TestQueueConsumerAlarms:
    @pytest.mark.parametrize(
        "make_queue",
        [
            pytest.param(lambda s: sqs.Queue(s, "Orders"), id="a queue without a dead-letter queue"),
            pytest.param(lambda s: sqs.Queue.from_queue_arn(s, "Orders", "arn:aws:sqs:us-east-1:123456789012:orders"),
                         id="an imported queue whose dead-letter queue is unknown"),
        ],
    )
    def test_a_queue_without_a_dead_letter_queue_raises_because_work_is_lost_silently(self, stack, make_queue):
        """Non-compliant: messages that keep failing vanish, so no alarm could ever tell a customer's work was lost."""
        with pytest.raises(SensibleAlarmsError, match="lost silently") as caught:
            QueueConsumerAlarms(stack, "Queue", queue=make_queue(stack), routing=_routing(stack),
                                freshness=FRESHNESS)
        assert_names(caught.value, path="TestStack/Queue", prop="dead_letter_queue", shows="TestStack/Orders")

    def test_a_queue_without_a_redrive_policy_works_when_its_dead_letter_queue_is_passed(self, stack):
        """Compliant: an imported queue with its dead-letter queue given explicitly."""
        queue = sqs.Queue.from_queue_arn(stack, "Orders", "arn:aws:sqs:us-east-1:123456789012:orders")
        alarms = QueueConsumerAlarms(stack, "Queue", queue=queue, routing=_routing(stack),
                                     freshness=FRESHNESS, dead_letter_queue=sqs.Queue(stack, "Dlq"))
        assert len(alarms.members) == 2

    @pytest.mark.parametrize(
        ("value", "shows"),
        [
            pytest.param("arn:aws:sqs:us-east-1:123456789012:dlq", "str", id="a dead-letter queue given as an ARN"),
            pytest.param(object(), "object", id="a plain object"),
        ],
    )
    def test_a_dead_letter_queue_that_is_not_a_queue_raises(self, stack, value, shows):
        """Non-compliant: only a queue has the arrival metrics the dead-letter alarm watches."""
        with pytest.raises(SensibleAlarmsError, match="'dead_letter_queue' must be an aws_sqs queue") as caught:
            QueueConsumerAlarms(stack, "Queue", queue=sqs.Queue(stack, "Orders"),
                                routing=_routing(stack), freshness=FRESHNESS,
                                dead_letter_queue=value)
        assert_names(caught.value, path="TestStack/Queue", prop="dead_letter_queue", shows=shows)

    @pytest.mark.parametrize(
        ("value", "shows"),
        [
            pytest.param(cdk.Duration.seconds(30), "(got 30 s)", id="under a minute"),
            pytest.param(cdk.Duration.minutes(61), "(got 61 min)", id="more than an hour"),
            pytest.param(cdk.Duration.seconds(150), "(got 150 s)", id="a fraction of a minute"),
            pytest.param(3, "(got 3)", id="minutes as a number instead of a Duration"),
        ],
    )
    def test_sustain_outside_1_min_to_1_h_raises(self, stack, value, shows):
        """Non-compliant: the age must stay high for whole minutes, at most an hour of 1-minute datapoints."""
        with pytest.raises(SensibleAlarmsError, match=r"'sustain' (of QueueConsumerAlarms )?must be") as caught:
            QueueConsumerAlarms(stack, "Queue", queue=_queue_with_dlq(stack), routing=_routing(stack),
                                freshness=FRESHNESS, sustain=value)
        assert_names(caught.value, path="TestStack/Queue", prop="sustain", shows=shows)

    @pytest.mark.parametrize(
        "urgency",
        [pytest.param("HIGH", id="an urgency given as a string"), pytest.param(None, id="no urgency")],
    )
    def test_a_dead_letter_urgency_that_is_not_an_urgency_raises(self, stack, urgency):
        """Non-compliant: urgency decides the topic, so it must be Urgency.HIGH or Urgency.LOW."""
        with pytest.raises(SensibleAlarmsError, match="'dead_letter_urgency' must be an Urgency") as caught:
            QueueConsumerAlarms(stack, "Queue", queue=_queue_with_dlq(stack), routing=_routing(stack),
                                freshness=FRESHNESS, dead_letter_urgency=urgency)
        assert_names(caught.value, path="TestStack/Queue", prop="dead_letter_urgency", shows=repr(urgency))

    @pytest.mark.parametrize(
        ("props", "prop", "shows"),
        [
            pytest.param({"queue": "orders"}, "queue", "str", id="a queue given as a name"),
            pytest.param({"freshness": cdk.Duration.minutes(15)}, "freshness", "Duration",
                         id="freshness given as a bare Duration"),
        ],
    )
    def test_a_queue_or_freshness_of_the_wrong_type_raises(self, stack, props, prop, shows):
        """Non-compliant: the queue must be a CDK queue and freshness a FreshnessSlo."""
        given: dict[str, Any] = {"queue": _queue_with_dlq(stack), "freshness": FRESHNESS, **props}
        with pytest.raises(SensibleAlarmsError, match=f"'{prop}' must be") as caught:
            QueueConsumerAlarms(stack, "Queue", routing=_routing(stack), **given)
        assert_names(caught.value, path="TestStack/Queue", prop=prop, shows=shows)


# -- StreamConsumerAlarms --------------------------------------------------------------------------

class TestStreamConsumerAlarms:
    @pytest.mark.parametrize(
        ("make_destination", "shows"),
        [
            pytest.param(lambda s: _function(s, "Elsewhere"), "Function", id="a Lambda function"),
            pytest.param(lambda s: kinesis.Stream(s, "Records"), "Stream", id="a Kinesis stream"),
            pytest.param(lambda s: "arn:aws:sqs:us-east-1:123456789012:failed", "str", id="a queue ARN string"),
        ],
    )
    def test_a_failure_destination_that_is_not_a_queue_or_topic_raises(self, stack, make_destination, shows):
        """Non-compliant: only SQS and SNS destinations have a metric of records sent to them."""
        with pytest.raises(SensibleAlarmsError, match="'failure_destination' must be an SQS queue or SNS topic") \
                as caught:
            StreamConsumerAlarms(stack, "Stream", function=_function(stack), routing=_routing(stack),
                                 freshness=FRESHNESS, failure_destination=make_destination(stack))
        assert_names(caught.value, path="TestStack/Stream", prop="failure_destination", shows=f"(got {shows})")

    @pytest.mark.parametrize(
        ("props", "prop", "shows"),
        [
            pytest.param({"function": "arn:aws:lambda:us-east-1:123456789012:function:f"}, "function", "str",
                         id="a function given as an ARN"),
            pytest.param({"failure_urgency": "LOW"}, "failure_urgency", "'LOW'", id="an urgency given as a string"),
            pytest.param({"sustain": cdk.Duration.minutes(90)}, "sustain", "(got 90 min)", id="sustain over an hour"),
            pytest.param({"freshness": AVAILABILITY}, "freshness", "AvailabilitySlo",
                         id="freshness as an availability SLO"),
            pytest.param({"exact_failure_arrivals": "yes"}, "exact_failure_arrivals", "'yes'",
                         id="exact arrivals given as a string"),
        ],
    )
    def test_other_invalid_props_raise(self, stack, props, prop, shows):
        """Non-compliant: the function, urgency, sustain time and SLO are checked like the queue consumer's."""
        given: dict[str, Any] = {"function": _function(stack), "freshness": FRESHNESS, **props}
        with pytest.raises(SensibleAlarmsError, match=f"'{prop}' must be") as caught:
            StreamConsumerAlarms(stack, "Stream", routing=_routing(stack), **given)
        assert_names(caught.value, path="TestStack/Stream", prop=prop, shows=shows)

    @pytest.mark.parametrize(("make_destination", "shows"), [
        pytest.param(lambda s: None, "no failure destination", id="no destination"),
        pytest.param(lambda s: sns.Topic(s, "Failures"), "an SNS topic", id="a topic"),
    ])
    def test_exact_failure_arrivals_without_a_queue_destination_raises(self, stack, make_destination, shows):
        """Non-compliant: exact arrivals count a queue's; with a topic or no destination the option means nothing."""
        with pytest.raises(SensibleAlarmsError, match="'exact_failure_arrivals' applies to a queue") as caught:
            StreamConsumerAlarms(stack, "Stream", function=_function(stack), routing=_routing(stack),
                                 freshness=FRESHNESS, failure_destination=make_destination(stack),
                                 exact_failure_arrivals=True)
        assert_names(caught.value, path="TestStack/Stream", prop="exact_failure_arrivals", shows=shows)

    def test_a_stream_consumer_without_a_failure_destination_gets_a_namespaced_warning(self, stack):
        """A consumer without a failure destination is valid but warned about; one with a destination is not."""
        routing = _routing(stack)
        StreamConsumerAlarms(stack, "Unguarded", function=_function(stack, "UnguardedHandler"), routing=routing,
                             freshness=FRESHNESS)
        StreamConsumerAlarms(stack, "Guarded", function=_function(stack, "GuardedHandler"), routing=routing,
                             freshness=FRESHNESS, failure_destination=sns.Topic(stack, "Failures"))
        warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp(STREAM_WARNING))
        assert [w.id for w in warnings] == ["/TestStack/Unguarded"]
        assert "no on-failure destination" in warnings[0].entry.data


# -- ScheduledJobAlarms ----------------------------------------------------------------------------

class TestScheduledJobAlarms:
    def test_a_rule_without_a_lambda_target_raises(self, stack):
        """Non-compliant: a schedule that invokes nothing has no runs to alarm on."""
        rule = events.Rule(stack, "Schedule", schedule=events.Schedule.rate(cdk.Duration.hours(1)))
        with pytest.raises(SensibleAlarmsError, match="has no target that invokes TestStack/Job") as caught:
            ScheduledJobAlarms(stack, "Alarms", rule=rule, function=_function(stack, "Job"),
                               routing=_routing(stack))
        assert_names(caught.value, path="TestStack/Alarms", prop="rule", shows="TestStack/Schedule",
                     named="the rule")

    def test_a_rule_that_targets_another_function_raises(self, stack):
        """Non-compliant: the alarms would watch a function the schedule never runs."""
        rule, _ = _scheduled(stack, events.Schedule.rate(cdk.Duration.hours(1)))
        with pytest.raises(SensibleAlarmsError, match="has no target that invokes TestStack/Other") as caught:
            ScheduledJobAlarms(stack, "Alarms", rule=rule, function=_function(stack, "Other"),
                               routing=_routing(stack))
        assert_names(caught.value, path="TestStack/Alarms", prop="rule", shows="TestStack/Schedule",
                     named="the rule")

    def test_a_rule_without_a_schedule_raises(self, stack):
        """Non-compliant: an event-pattern rule runs when events come, not on a schedule."""
        function = _function(stack, "Job")
        rule = events.Rule(stack, "OnUpload", event_pattern=events.EventPattern(source=["aws.s3"]))
        rule.add_target(targets.LambdaFunction(function))
        with pytest.raises(SensibleAlarmsError, match="has no schedule") as caught:
            ScheduledJobAlarms(stack, "Alarms", rule=rule, function=function, routing=_routing(stack))
        assert_names(caught.value, path="TestStack/Alarms", prop="rule", shows="TestStack/OnUpload",
                     named="the rule")

    @pytest.mark.parametrize(
        ("props", "prop", "shows"),
        [
            pytest.param({"rule": "nightly"}, "rule", "str", id="a rule given as a name"),
            pytest.param({"function": "job"}, "function", "str", id="a function given as a name"),
            pytest.param({"consecutive_failures": 0}, "consecutive_failures", "(got 0)", id="zero failures"),
            pytest.param({"consecutive_failures": 1.5}, "consecutive_failures", "(got 1.5)",
                         id="a fraction of a failure"),
        ],
    )
    def test_props_of_the_wrong_type_raise(self, stack, props, prop, shows):
        """Non-compliant: the rule, function and failure count are checked before anything is read from them."""
        rule, function = _scheduled(stack, events.Schedule.rate(cdk.Duration.hours(1)))
        given: dict[str, Any] = {"rule": rule, "function": function, **props}
        with pytest.raises(SensibleAlarmsError, match=f"'{prop}' must be") as caught:
            ScheduledJobAlarms(stack, "Alarms", routing=_routing(stack), **given)
        assert_names(caught.value, path="TestStack/Alarms", prop=prop, shows=shows)

    @pytest.mark.parametrize(
        "schedule",
        [
            pytest.param(events.Schedule.cron(minute="0/15"), id="a cron every 15 minutes"),
            pytest.param(events.Schedule.cron(minute="0", hour="3", week_day="MON-FRI"), id="a weekday cron"),
            pytest.param(events.Schedule.cron(minute="0", hour="3", day="1"), id="a monthly cron"),
        ],
    )
    def test_a_cron_whose_interval_cannot_be_derived_raises_asking_for_interval(self, stack, schedule):
        """Non-compliant: without 'interval' the time between runs is a guess, and so would the alarms be."""
        rule, function = _scheduled(stack, schedule)
        expression = stack.resolve(schedule.expression_string)
        with pytest.raises(SensibleAlarmsError, match="pass 'interval'") as caught:
            ScheduledJobAlarms(stack, "Alarms", rule=rule, function=function, routing=_routing(stack))
        assert_names(caught.value, path="TestStack/Alarms", prop="interval", shows=repr(expression))

    @pytest.mark.parametrize(
        ("schedule", "interval", "shows"),
        [
            pytest.param(events.Schedule.rate(cdk.Duration.days(2)), None, "got 2 days from 'rate(2 days)'",
                         id="a rule that runs every 2 days"),
            pytest.param(events.Schedule.rate(cdk.Duration.days(1)), cdk.Duration.days(7), "got 7 days)",
                         id="an explicit weekly interval"),
            pytest.param(events.Schedule.rate(cdk.Duration.hours(1)), cdk.Duration.seconds(90), "got 90 s)",
                         id="an interval of a minute and a half"),
        ],
    )
    def test_an_interval_that_is_no_cloudwatch_period_raises(self, stack, schedule, interval, shows):
        """Non-compliant: a run is judged over one CloudWatch period, whole minutes up to a day."""
        rule, function = _scheduled(stack, schedule)
        with pytest.raises(SensibleAlarmsError, match="'interval' must be a whole number of minutes up to 1 day") \
                as caught:
            ScheduledJobAlarms(stack, "Alarms", rule=rule, function=function, routing=_routing(stack),
                               interval=interval)
        assert_names(caught.value, path="TestStack/Alarms", prop="interval", shows=shows)

    @pytest.mark.parametrize(
        ("interval", "interval_words"),
        [
            pytest.param(cdk.Duration.seconds(0), "0 seconds", id="zero"),
            pytest.param(cdk.Duration.millis(1_500), "1500 ms", id="a part of a second"),
        ],
    )
    def test_an_interval_that_is_not_positive_whole_seconds_raises(self, stack, interval, interval_words):
        """Non-compliant: zero and fractional durations are refused with the construct path."""
        rule, function = _scheduled(stack, events.Schedule.rate(cdk.Duration.hours(1)))
        with pytest.raises(SensibleAlarmsError, match="'interval' of ScheduledJobAlarms must be") as caught:
            ScheduledJobAlarms(stack, "Alarms", rule=rule, function=function, routing=_routing(stack),
                               interval=interval)
        assert_names(caught.value, path="TestStack/Alarms", prop="interval", shows=interval_words)

    @pytest.mark.parametrize(
        ("schedule", "consecutive_failures", "shows"),
        [
            pytest.param(events.Schedule.rate(cdk.Duration.days(1)), 8, "8 consecutive runs every 1 day",
                         id="8 daily runs span more than 7 days"),
            pytest.param(events.Schedule.rate(cdk.Duration.hours(1)), 24, "24 consecutive runs every 1 h",
                         id="24 hourly runs span more than 1 day of minute datapoints"),
            pytest.param(events.Schedule.rate(cdk.Duration.minutes(15)), 100, "100 consecutive runs every 15 min",
                         id="100 runs every 15 min span more than 1 day"),
        ],
    )
    def test_more_consecutive_failures_than_cloudwatch_can_evaluate_raises(self, stack, schedule,
                                                                           consecutive_failures, shows):
        """Non-compliant: Period x EvaluationPeriods is capped (1 day under hourly periods, 7 days otherwise)."""
        rule, function = _scheduled(stack, schedule)
        with pytest.raises(SensibleAlarmsError, match="more than CloudWatch evaluates") as caught:
            ScheduledJobAlarms(stack, "Alarms", rule=rule, function=function, routing=_routing(stack),
                               consecutive_failures=consecutive_failures)
        assert_names(caught.value, path="TestStack/Alarms", prop="consecutive_failures", shows=shows)


# -- AlarmRouting and SlackChannel -----------------------------------------------------------------

class TestAlarmRouting:
    @pytest.mark.parametrize("prop", ["high_emails", "low_emails"], ids=["for HIGH", "for LOW"])
    @pytest.mark.parametrize(
        "email",
        [
            pytest.param("oncall", id="an address without a domain"),
            pytest.param("oncall@example", id="a domain without a dot"),
            pytest.param("on call@example.com", id="an address with a space"),
            pytest.param("", id="an empty address"),
            pytest.param("oncall@example.com\n", id="an address with a trailing newline"),
            pytest.param(42, id="a number"),
        ],
    )
    def test_an_invalid_email_raises(self, stack, prop, email):
        """Non-compliant: an address SNS cannot deliver to would silently tell no one."""
        with pytest.raises(SensibleAlarmsError, match="invalid email address") as caught:
            AlarmRouting(stack, "Routing", **{prop: ["ok@example.com", email]})
        assert_names(caught.value, path="TestStack/Routing", prop=prop, shows=f"(got {email!r})")

    @pytest.mark.parametrize("prop", ["high_emails", "low_emails"], ids=["for HIGH", "for LOW"])
    def test_one_address_string_instead_of_a_list_raises(self, stack, prop):
        """Non-compliant: a string would be read as a list of one-character addresses."""
        with pytest.raises(SensibleAlarmsError, match="must be a list of addresses, not one string") as caught:
            AlarmRouting(stack, "Routing", **{prop: "oncall@example.com"})
        assert_names(caught.value, path="TestStack/Routing", prop=prop, shows="'oncall@example.com'")

    @pytest.mark.parametrize("emails", [None, 42], ids=["None", "a number"])
    def test_emails_that_are_not_a_list_raise_the_library_error_not_a_type_error(self, stack, emails):
        """Non-compliant: None or a number is refused with the prop named, not a TypeError from iterating it."""
        with pytest.raises(SensibleAlarmsError, match="must be a list of addresses") as caught:
            AlarmRouting(stack, "Routing", high_emails=emails)
        assert_names(caught.value, path="TestStack/Routing", prop="high_emails", shows=f"(got {emails!r})")

    def test_routing_with_no_recipient_at_all_raises_naming_its_path(self, stack):
        """Non-compliant: no email, no Slack channel and no topic of the user's own: notifications reach no one."""
        with pytest.raises(SensibleAlarmsError, match="notifies no one") as caught:
            AlarmRouting(stack, "Routing")
        message = str(caught.value)
        assert message.startswith("TestStack/Routing: "), message
        for prop in ("high_emails", "low_emails", "slack", "high_topic", "low_topic"):
            assert f"'{prop}'" in message, message
        assert caught.value.path == "TestStack/Routing"

    @pytest.mark.parametrize(
        "props",
        [
            pytest.param({"high_emails": ["oncall@example.com"]}, id="an email for HIGH only"),
            pytest.param({"low_emails": ["team@example.com"]}, id="an email for LOW only"),
            pytest.param({"slack": SlackChannel(workspace_id="T0123ABCD", channel_id="C0123ABCD",
                                                configuration_name="alarms")}, id="a Slack channel"),
            pytest.param({"high_topic": "given"}, id="a topic of the user's own, used as it is"),
        ],
    )
    def test_routing_with_any_recipient_is_accepted(self, stack, props):
        """Compliant: one way to reach someone is enough; a topic passed in may have its own subscribers."""
        if props.get("high_topic") == "given":
            props = {"high_topic": sns.Topic(stack, "Pager")}
        AlarmRouting(stack, "Routing", **props)

    def test_slack_that_is_not_a_slack_channel_raises(self, stack):
        """Non-compliant: chat delivery is configured through SlackChannel."""
        with pytest.raises(SensibleAlarmsError, match="'slack' must be a SlackChannel") as caught:
            AlarmRouting(stack, "Routing", slack="#alarms")
        assert_names(caught.value, path="TestStack/Routing", prop="slack", shows="'#alarms'")

    @pytest.mark.parametrize(
        ("props", "prop"),
        [
            pytest.param({"workspace_id": ""}, "workspace_id", id="an empty workspace id"),
            pytest.param({"channel_id": "   "}, "channel_id", id="a blank channel id"),
            pytest.param({"configuration_name": None}, "configuration_name", id="no configuration name"),
            pytest.param({"urgencies": ()}, "urgencies", id="no urgencies"),
            pytest.param({"urgencies": ("HIGH",)}, "urgencies", id="an urgency given as a string"),
        ],
    )
    def test_an_invalid_slack_channel_raises(self, props, prop):
        """Non-compliant: every id is needed to reach the channel, and it must hear at least one urgency."""
        given: dict[str, Any] = {"workspace_id": "T0123ABCD", "channel_id": "C0123ABCD",
                                 "configuration_name": "alarms", **props}
        with pytest.raises(SensibleAlarmsError, match=f"'{prop}' of SlackChannel") as caught:
            SlackChannel(**given)
        assert caught.value.prop == prop
        assert repr(given[prop]) in str(caught.value)


# -- alarm names -----------------------------------------------------------------------------------

def _consumer(scope: Any, id: str, routing: AlarmRouting) -> QueueConsumerAlarms:
    stack = cdk.Stack.of(scope)
    n = len(stack.node.find_all())
    dlq = sqs.Queue(stack, f"Dlq{n}")
    queue = sqs.Queue(stack, f"Queue{n}", dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=3))
    return QueueConsumerAlarms(scope, id, queue=queue, routing=routing, freshness=FRESHNESS)


class TestAlarmNames:
    @pytest.mark.parametrize(
        ("first", "second"),
        [
            pytest.param("Pay ments", "Pay-ments", id="a space and a hyphen"),
            pytest.param("Ä", "Ö", id="two letters outside A-Z"),
            pytest.param("Pay ments", "Pay  ments", id="one space and two"),
        ],
    )
    def test_two_ids_that_map_to_one_alarm_name_raise_naming_both_paths(self, stack, first, second):
        """Non-compliant: CloudWatch alarm names are unique per account and Region; the second deploy would fail."""
        routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
        _consumer(stack, first, routing)
        with pytest.raises(SensibleAlarmsError, match="alarm name") as caught:
            _consumer(stack, second, routing)
        message = str(caught.value)
        assert f"TestStack/{first}/" in message, message
        assert f"TestStack/{second}/" in message, message

    def test_a_nested_path_and_a_hyphenated_id_that_map_to_one_name_raise(self, stack):
        """Non-compliant: A/BAlarms and A-BAlarms both give TestStack-A-BAlarms-... names."""
        from constructs import Construct

        routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
        _consumer(Construct(stack, "A"), "BAlarms", routing)
        with pytest.raises(SensibleAlarmsError, match="alarm name") as caught:
            _consumer(stack, "A-BAlarms", routing)
        message = str(caught.value)
        assert "TestStack/A/BAlarms/" in message, message
        assert "TestStack/A-BAlarms/" in message, message

    def test_stacks_of_one_app_in_one_environment_share_the_names(self):
        """Non-compliant: stack Shop-A with Orders, and stack Shop with A/Orders, give the same names in one account."""
        from constructs import Construct

        app = cdk.App()
        env = cdk.Environment(account="123456789012", region="eu-west-1")
        first, second = cdk.Stack(app, "First", stack_name="Shop-A", env=env), cdk.Stack(app, "Second",
                                                                                          stack_name="Shop", env=env)
        _consumer(first, "Orders", AlarmRouting(first, "Routing", high_emails=["oncall@example.com"]))
        with pytest.raises(SensibleAlarmsError, match="alarm name") as caught:
            _consumer(Construct(second, "A"), "Orders", AlarmRouting(second, "Routing",
                                                                    high_emails=["oncall@example.com"]))
        assert "First/Orders/" in str(caught.value)
        assert "Second/A/Orders/" in str(caught.value)

    def test_the_same_names_in_two_regions_are_accepted(self):
        """Compliant: alarm names only need to be unique within one account and Region."""
        app = cdk.App()
        for region in ("eu-west-1", "us-east-1"):
            stack = cdk.Stack(app, f"Shop-{region}", stack_name="Shop",
                              env=cdk.Environment(account="123456789012", region=region))
            _consumer(stack, "Orders", AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"]))

    def test_ids_that_differ_in_allowed_characters_are_accepted(self, stack):
        """Compliant: Payments and Pay-ments give different names."""
        routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
        _consumer(stack, "Payments", routing)
        _consumer(stack, "Pay-ments", routing)


# -- ServiceDashboard ------------------------------------------------------------------------------

class TestServiceDashboard:
    def test_a_dashboard_in_a_stack_without_entrypoints_raises(self, stack):
        """Non-compliant: a dashboard with nothing on it would look like a healthy service."""
        with pytest.raises(SensibleAlarmsError, match="no entrypoint constructs to show") as caught:
            ServiceDashboard(stack, "Dashboard")
        assert_names(caught.value, path="TestStack/Dashboard", prop="entrypoints", shows="ApiAlarms")
        assert caught.value.value == []

    def test_an_empty_list_of_entrypoints_raises(self, stack):
        """Non-compliant: passing no entrypoints explicitly is refused the same way."""
        with pytest.raises(SensibleAlarmsError, match="no entrypoint constructs to show") as caught:
            ServiceDashboard(stack, "Dashboard", entrypoints=[])
        assert_names(caught.value, path="TestStack/Dashboard", prop="entrypoints", shows="ApiAlarms")

    @pytest.mark.parametrize(
        ("make_entry", "shows"),
        [
            pytest.param(lambda s: sqs.Queue(s, "Orders"), "(got Queue)", id="a queue instead of its alarms"),
            pytest.param(lambda s: "Orders", "(got str)", id="a construct id string"),
        ],
    )
    def test_entrypoints_that_are_not_entrypoint_constructs_raise(self, stack, make_entry, shows):
        """Non-compliant: only entrypoint constructs know their alarms and urgencies."""
        with pytest.raises(SensibleAlarmsError, match="'entrypoints' must hold") as caught:
            ServiceDashboard(stack, "Dashboard", entrypoints=[make_entry(stack)])
        assert_names(caught.value, path="TestStack/Dashboard", prop="entrypoints", shows=shows)
