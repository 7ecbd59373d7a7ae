"""The constructs of the newer entrypoint kinds (async event consumers, workflows, Function URLs, ALB
targets, GraphQL and WebSocket APIs) and cover_entrypoints: their alarms as reviewed snapshots, their
errors on bad input, and what the one-line helper chooses and leaves alone."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from syrupy.extensions.json import JSONSnapshotExtension

from cdk_support import ALARM_TYPES, ROOT, resources_of, synth
from sensible_alarms import (
    AlarmRouting,
    AvailabilitySlo,
    EntrypointAlarms,
    EntrypointDefaults,
    EventConsumerAlarms,
    FreshnessSlo,
    FunctionUrlAlarms,
    LatencySlo,
    LoadBalancerTargetAlarms,
    QueueConsumerAlarms,
    SensibleAlarmsError,
    WebSocketApiAlarms,
    WorkflowAlarms,
    cover_entrypoints,
)
from sensible_alarms.metadata import CONSTRUCT_OF_KIND, METADATA_KEY

if TYPE_CHECKING:
    from syrupy.assertion import SnapshotAssertion

EXAMPLE = ROOT / "examples" / "payments_service"
#: The constructs of the explicit example stack that this issue added, by construct id.
NEW_CONSTRUCTS = ("ChargebacksAlarms", "DisputesAlarms", "StatementsAlarms", "SettlementAlarms", "WebhookAlarms",
                  "StorefrontAlarms", "PaymentsGraphqlAlarms", "LiveStatusAlarms")
HANDLER = "def handler(event, context):\n    return {'statusCode': 200}\n"


def _payments(alarms: str) -> cdk.Stack:
    sys.path.insert(0, str(EXAMPLE))
    try:
        from payments_stack import PaymentsStack
    finally:
        sys.path.remove(str(EXAMPLE))
    return PaymentsStack(cdk.App(), f"Payments{alarms.title()}", alarms=alarms,  # type: ignore[arg-type]
                         synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))


@pytest.fixture(scope="module")
def explicit_template() -> dict[str, Any]:
    return synth(_payments("explicit"))


@pytest.fixture(scope="module")
def covered_template() -> dict[str, Any]:
    return synth(_payments("cover"))


@pytest.fixture
def json_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def _alarms_of(template: dict[str, Any], construct: str) -> dict[str, dict[str, Any]]:
    """Alarm resources (type, properties, metadata) of one construct of the stack, by logical id."""
    return {lid: {"Type": r["Type"], "Properties": r["Properties"], "Metadata": r["Metadata"][METADATA_KEY]}
            for lid, r in resources_of(template, *ALARM_TYPES).items()
            if f"/{construct}/" in r["Metadata"][METADATA_KEY]["entrypoint"] + "/"}


@pytest.mark.parametrize("construct", NEW_CONSTRUCTS)
def test_each_new_construct_writes_its_reviewed_alarms(explicit_template, construct, json_snapshot):
    """Each construct's alarms and composites, properties and metadata, as a reviewed JSON snapshot."""
    alarms = _alarms_of(explicit_template, construct)
    assert alarms
    assert json_snapshot == alarms


@pytest.mark.parametrize("construct", NEW_CONSTRUCTS)
def test_each_new_construct_notifies_once_per_urgency_through_a_composite(explicit_template, construct):
    """Members have no actions; one composite per urgency notifies, and one more (HIGH) for outages where
    there are outage members; every description says what customers feel, the urgency, the SLO and the runbook."""
    alarms = _alarms_of(explicit_template, construct)
    members = [a for a in alarms.values() if a["Metadata"]["role"] == "member"]
    notifiers = [a for a in alarms.values() if a["Metadata"]["role"] == "notifier"]
    assert all(a["Properties"]["ActionsEnabled"] is False and "AlarmActions" not in a["Properties"] for a in members)
    outage = [a for a in notifiers if a["Properties"]["AlarmName"].endswith("-OutageUrgency")]
    others = [a for a in notifiers if a not in outage]
    assert sorted(a["Metadata"]["urgency"] for a in others) == sorted({a["Metadata"]["urgency"] for a in members})
    has_outage_members = any(a["Properties"]["AlarmName"].endswith("-Outage5m") for a in members)
    assert [a["Metadata"]["urgency"] for a in outage] == (["HIGH"] if has_outage_members else [])
    for alarm in alarms.values():
        lines = alarm["Properties"]["AlarmDescription"].splitlines()
        assert [line.split(":")[0] for line in lines] == ["Customer impact", "Urgency", "SLO", "Runbook"]
        assert lines[3].startswith("Runbook: https://runbooks.example.com/payments/")


def test_cover_entrypoints_chooses_the_construct_of_each_kind(covered_template, json_snapshot):
    """What the one line added: per entrypoint, the construct (by its metadata's kind) and the SLO it chose,
    all under CoveredEntrypoints, as a reviewed snapshot."""
    chosen: dict[str, dict[str, str]] = {}
    for resource in resources_of(covered_template, *ALARM_TYPES).values():
        meta = resource["Metadata"][METADATA_KEY]
        if meta["role"] == "notifier":
            entry = chosen.setdefault(meta["entrypoint"], {"construct": CONSTRUCT_OF_KIND[meta["entrypointKind"]],
                                                           "slo": meta["slo"]})
            outage = resource["Properties"]["AlarmName"].endswith("-OutageUrgency")
            entry[f"{meta['urgency']} outage" if outage else meta["urgency"]] = meta["customerImpact"]
    assert all("/CoveredEntrypoints/" in path for path in chosen)
    assert len(chosen) == 14
    assert json_snapshot == chosen


def test_cover_entrypoints_leaves_an_explicitly_alarmed_entrypoint_alone():
    """A queue alarmed by hand before the call is not alarmed again; the other entrypoints are covered,
    and a second call adds nothing."""
    stack = cdk.Stack(cdk.App(), "Partly")
    routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
    dead = sqs.Queue(stack, "Dead")
    queue = sqs.Queue(stack, "Work", dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dead))
    from aws_cdk import aws_lambda_event_sources as sources
    _function(stack, "Worker").add_event_source(sources.SqsEventSource(queue))
    topic = sns.Topic(stack, "Events")
    from aws_cdk import aws_sns_subscriptions as subscriptions
    topic.add_subscription(subscriptions.LambdaSubscription(_function(stack, "Listener")))
    QueueConsumerAlarms(stack, "WorkAlarms", queue=queue, routing=routing,
                        freshness=FreshnessSlo(max_age=cdk.Duration.minutes(5)))

    added = cover_entrypoints(stack, routing=routing, defaults=EntrypointDefaults())
    assert [(type(c).__name__, c.node.path) for c in added] == [
        ("EventConsumerAlarms", "Partly/CoveredEntrypoints/ListenerAlarms")]
    assert cover_entrypoints(stack, routing=routing) == []


def _function(stack: cdk.Stack, name: str) -> lambda_.Function:
    return lambda_.Function(stack, name, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                            code=lambda_.Code.from_inline(HANDLER))


# -- bad input: a clear error naming the construct path, the field and the value -----------------------

@pytest.fixture
def bare() -> tuple[cdk.Stack, AlarmRouting]:
    stack = cdk.Stack(cdk.App(), "Bad")
    return stack, AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])


def _error(build: Any) -> SensibleAlarmsError:
    with pytest.raises(SensibleAlarmsError) as caught:
        build()
    return caught.value


def test_a_rule_with_no_target_is_refused(bare):
    """EventConsumerAlarms on a rule without targets says no event reaches a consumer."""
    stack, routing = bare
    rule = events.Rule(stack, "Orphan", event_pattern=events.EventPattern(source=["x"]))
    error = _error(lambda: EventConsumerAlarms(stack, "A", source=rule, routing=routing,
                                               freshness=FreshnessSlo(max_age=cdk.Duration.minutes(5))))
    assert "Bad/A" in str(error)
    assert "has no target" in str(error)
    assert error.prop == "source"


def test_a_rule_that_does_not_invoke_the_function_is_refused(bare):
    """A function that is not among the rule's targets is an error naming both."""
    stack, routing = bare
    rule = events.Rule(stack, "Other", event_pattern=events.EventPattern(source=["x"]))
    rule.add_target(targets.SqsQueue(sqs.Queue(stack, "Q")))
    error = _error(lambda: EventConsumerAlarms(stack, "A", source=rule, function=_function(stack, "F"),
                                               routing=routing,
                                               freshness=FreshnessSlo(max_age=cdk.Duration.minutes(5))))
    assert "Bad/F" in str(error)
    assert error.prop == "function"


def test_a_rule_to_another_target_gets_the_rule_signal_only(bare):
    """A rule delivering to a queue is alarmed on FailedInvocations alone, no Lambda metric."""
    stack, routing = bare
    rule = events.Rule(stack, "ToQueue", event_pattern=events.EventPattern(source=["x"]))
    rule.add_target(targets.SqsQueue(sqs.Queue(stack, "Q")))
    alarms = EventConsumerAlarms(stack, "A", source=rule, routing=routing,
                                 freshness=FreshnessSlo(max_age=cdk.Duration.minutes(5)))
    assert [m.signal for m in alarms.members] == ["failed-invocations"]
    [notifier] = alarms.notifier_resources.values()
    description = stack.resolve(notifier.alarm_description)
    # Only lost events are measured: the texts claim no delay and no freshness SLO.
    assert "delayed" not in description
    assert "SLO: delivery: every event the rule matches reaches its targets" in description


def test_a_queue_is_not_an_event_source(bare):
    """A queue passed as an event consumer's source is refused and pointed to QueueConsumerAlarms."""
    stack, routing = bare
    error = _error(lambda: EventConsumerAlarms(stack, "A", source=sqs.Queue(stack, "Q"),  # type: ignore[arg-type]
                                               function=_function(stack, "F"), routing=routing,
                                               freshness=FreshnessSlo(max_age=cdk.Duration.minutes(5))))
    assert "QueueConsumerAlarms" in str(error)
    assert error.prop == "source"
    assert error.value == "Queue"


def test_a_topic_consumer_needs_its_function(bare):
    """An SNS topic with no function given is refused: the events are alarmed at their consumer."""
    stack, routing = bare
    error = _error(lambda: EventConsumerAlarms(stack, "A", source=sns.Topic(stack, "T"), routing=routing,
                                               freshness=FreshnessSlo(max_age=cdk.Duration.minutes(5))))
    assert error.prop == "function"


def test_a_state_machine_imported_by_arn_is_refused(bare):
    """An imported state machine is refused, with where to alarm it instead."""
    stack, routing = bare
    imported = sfn.StateMachine.from_state_machine_arn(
        stack, "Imported", "arn:aws:states:us-east-1:111111111111:stateMachine:other")
    error = _error(lambda: WorkflowAlarms(stack, "A", state_machine=imported,  # type: ignore[arg-type]
                                          routing=routing, availability=AvailabilitySlo(target=99.9)))
    assert "imported by ARN" in str(error)
    assert error.prop == "state_machine"


def test_a_function_url_with_iam_auth_is_alarmed_like_any_other(bare):
    """IAM auth is documented behaviour, not an error: the same burn-rate members as a public URL."""
    stack, routing = bare
    url = _function(stack, "F").add_function_url(auth_type=lambda_.FunctionUrlAuthType.AWS_IAM)
    alarms = FunctionUrlAlarms(stack, "A", url=url, routing=routing, availability=AvailabilitySlo(target=99.9),
                               latency=LatencySlo(threshold=cdk.Duration.millis(300), target=99.0))
    assert sorted({m.signal for m in alarms.members}) == ["availability", "latency"]
    assert len(alarms.members) == 20


def test_a_function_url_of_another_function_is_refused(bare):
    """Passing a function that the URL does not front is an error naming both."""
    stack, routing = bare
    url = _function(stack, "F").add_function_url()
    error = _error(lambda: FunctionUrlAlarms(stack, "A", url=url, function=_function(stack, "G"), routing=routing,
                                             availability=AvailabilitySlo(target=99.9)))
    assert "is not the URL of Bad/G" in str(error)
    assert error.prop == "function"


def test_wrong_kinds_of_resource_are_refused(bare):
    """Each request construct refuses a resource of another kind, naming the type it got."""
    stack, routing = bare
    queue = sqs.Queue(stack, "Q")
    slo = AvailabilitySlo(target=99.9)
    for build, prop in (
        (lambda: FunctionUrlAlarms(stack, "U", url=queue, routing=routing, availability=slo), "url"),
        (lambda: LoadBalancerTargetAlarms(stack, "L", target_group=queue, routing=routing, availability=slo),
         "target_group"),
        (lambda: WebSocketApiAlarms(stack, "W", stage=queue, routing=routing, availability=slo), "stage"),
        (lambda: WorkflowAlarms(stack, "S", state_machine=queue, routing=routing, availability=slo),
         "state_machine"),
    ):
        error = _error(build)
        assert (error.prop, error.value) == (prop, "Queue"), str(error)


def test_a_target_group_of_instances_is_refused(bare):
    """An ALB target group whose targets are not Lambda functions is refused with its target type."""
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_elasticloadbalancingv2 as elbv2
    stack, routing = bare
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0)
    group = elbv2.ApplicationTargetGroup(stack, "Instances", vpc=vpc, port=80, target_type=elbv2.TargetType.IP)
    error = _error(lambda: LoadBalancerTargetAlarms(stack, "L", target_group=group, routing=routing,
                                                    availability=AvailabilitySlo(target=99.9)))
    assert "'ip'" in str(error)
    assert error.prop == "target_group"


def test_cover_entrypoints_refuses_what_is_not_routing(bare):
    """cover_entrypoints checks its arguments like the constructs do."""
    stack, _ = bare
    error = _error(lambda: cover_entrypoints(stack, routing="oncall"))  # type: ignore[arg-type]
    assert error.prop == "routing"



# -- metric dimensions as AWS publishes them (a wrong dimension is an alarm that never fires) ------------

def _metric_dimensions(template: dict[str, Any], alarms: EntrypointAlarms, metric_name: str) -> list[dict[str, Any]]:
    """The dimensions of every use of `metric_name` in the member alarms of `alarms` in the template."""
    found: list[dict[str, Any]] = []
    for resource in resources_of(template, "AWS::CloudWatch::Alarm").values():
        if resource["Metadata"][METADATA_KEY]["entrypoint"] != alarms.node.path:
            continue
        props = resource["Properties"]
        stats = [props] if "MetricName" in props else [
            m["MetricStat"]["Metric"] for m in props.get("Metrics", []) if "MetricStat" in m]
        found += [{d["Name"]: d["Value"] for d in s.get("Dimensions", [])}
                  for s in stats if s["MetricName"] == metric_name]
    return found


def test_a_rule_on_a_custom_bus_is_alarmed_with_its_event_bus_name(bare):
    """EventBridge publishes a custom bus's rule metrics with EventBusName and RuleName (eb-monitoring):
    FailedInvocations with RuleName alone would never have data."""
    stack, routing = bare
    bus = events.EventBus(stack, "Payments")
    rule = events.Rule(stack, "OnBus", event_bus=bus, event_pattern=events.EventPattern(source=["x"]))
    function = _function(stack, "F")
    rule.add_target(targets.LambdaFunction(function))
    alarms = EventConsumerAlarms(stack, "A", source=rule, function=function, routing=routing,
                                 freshness=FreshnessSlo(max_age=cdk.Duration.minutes(5)))
    bus_name = stack.resolve(bus.event_bus_name)
    template = synth(stack)
    assert _metric_dimensions(template, alarms, "FailedInvocations") == [
        {"EventBusName": bus_name, "RuleName": stack.resolve(rule.rule_name)}]


def test_a_rule_on_the_default_bus_is_alarmed_by_rule_name_alone(bare):
    """Metrics of a default-bus rule carry RuleName only."""
    stack, routing = bare
    rule = events.Rule(stack, "OnDefault", event_pattern=events.EventPattern(source=["x"]))
    rule.add_target(targets.SqsQueue(sqs.Queue(stack, "Q")))
    alarms = EventConsumerAlarms(stack, "A", source=rule, routing=routing,
                                 freshness=FreshnessSlo(max_age=cdk.Duration.minutes(5)))
    template = synth(stack)
    assert _metric_dimensions(template, alarms, "FailedInvocations") == [{"RuleName": stack.resolve(rule.rule_name)}]


def test_a_function_url_on_an_alias_is_alarmed_by_its_function_name(bare):
    """A URL added to an alias is accepted without `function`; its metrics use the function's name, the
    FunctionName dimension Lambda aggregates over $LATEST and every alias (urls-monitoring), never the
    alias's 'name:alias'."""
    stack, routing = bare
    function = _function(stack, "Hook")
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=function.current_version)
    url = alias.add_function_url()
    slo = AvailabilitySlo(target=99.9)
    built = (FunctionUrlAlarms(stack, "A", url=url, routing=routing, availability=slo),
             FunctionUrlAlarms(stack, "B", url=url, function=alias, routing=routing, availability=slo),
             FunctionUrlAlarms(stack, "C", url=url, function=function, routing=routing, availability=slo))
    template = synth(stack)
    for alarms in built:
        dimensions = _metric_dimensions(template, alarms, "Url5xxCount")
        assert dimensions
        assert all(d == {"FunctionName": stack.resolve(function.function_name)} for d in dimensions)


def test_an_event_consumer_alias_is_alarmed_by_its_function_name(bare):
    """A topic subscribed with an alias: the async metrics use the function's name (FunctionName), which
    Lambda publishes for every invocation of any version or alias."""
    stack, routing = bare
    function = _function(stack, "OnEvent")
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=function.current_version)
    topic = sns.Topic(stack, "T")
    from aws_cdk import aws_sns_subscriptions as subscriptions
    topic.add_subscription(subscriptions.LambdaSubscription(alias))
    alarms = EventConsumerAlarms(stack, "A", source=topic, function=alias, routing=routing,
                                 freshness=FreshnessSlo(max_age=cdk.Duration.minutes(5)))
    template = synth(stack)
    for metric in ("AsyncEventsDropped", "AsyncEventAge"):
        dimensions = _metric_dimensions(template, alarms, metric)
        assert dimensions
        assert all(d == {"FunctionName": stack.resolve(function.function_name)} for d in dimensions)


# -- the policy's fix texts name a construct call that works ---------------------------------------------

def test_each_fix_text_calls_its_construct_with_parameters_it_has():
    """The code the policy suggests per kind uses only keyword arguments the construct accepts (a
    suggestion that raises TypeError when pasted is worse than none)."""
    import inspect
    import re

    import sensible_alarms
    from sensible_alarms.policy.words import CONSTRUCTS
    for kind, code in CONSTRUCTS.items():
        name = CONSTRUCT_OF_KIND[kind]
        assert code.startswith(f"{name}(self, "), code
        accepted = set(inspect.signature(getattr(sensible_alarms, name).__init__).parameters)
        arguments = re.sub(r"\([^()]*\)", "", code[len(name) + 1:-1])  # the call's own, not AvailabilitySlo's
        used = set(re.findall(r"(\w+)=", arguments))
        assert used <= accepted, f"{name} has no parameter {sorted(used - accepted)}"


def _policy(stack: cdk.Stack, rule_id: str) -> list[str]:
    """The messages of one policy rule over the synthesized stack."""
    from sensible_alarms.model import from_templates
    from sensible_alarms.policy import check
    from sensible_alarms.policy.rules import ALL_RULES
    report = check(from_templates([(stack.stack_name, synth(stack), None)]),
                   [r for r in ALL_RULES if r.id == rule_id])
    return [f.message for f in report.findings]


def test_duplicate_notifications_of_an_event_consumer_suggest_its_construct(bare):
    """Two hand-written notifying alarms on an SNS consumer's dropped events: the duplicate-notification
    finding offers EventConsumerAlarms, as it does the construct of every other kind."""
    from aws_cdk import aws_cloudwatch as cw
    from aws_cdk import aws_cloudwatch_actions as actions
    from aws_cdk import aws_sns_subscriptions as subscriptions
    stack, _ = bare
    function = _function(stack, "OnEvent")
    sns.Topic(stack, "T").add_subscription(subscriptions.LambdaSubscription(function))
    page = actions.SnsAction(sns.Topic(stack, "Page"))
    for name, metric in (("Dropped", "AsyncEventsDropped"), ("Late", "AsyncEventAge")):
        cw.Alarm(stack, name, metric=function.metric(metric), threshold=1, evaluation_periods=1,
                 alarm_description="Customer impact: events lost").add_alarm_action(page)
    messages = _policy(stack, "duplicate-notification")
    assert messages
    assert all("EventConsumerAlarms(self, " in message for message in messages), messages


def _nightly(stack: cdk.Stack, job: lambda_.IFunction, name: str = "Nightly", **props: Any) -> Any:
    """An EventBridge Scheduler schedule (L1) that invokes `job` at 03:00 every day."""
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_scheduler as scheduler
    role = iam.Role(stack, f"{name}Role", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"))
    props.setdefault("schedule_expression", "cron(0 3 * * ? *)")
    props.setdefault("flexible_time_window", scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"))
    return scheduler.CfnSchedule(stack, name, target=scheduler.CfnSchedule.TargetProperty(
        arn=job.function_arn, role_arn=role.role_arn), **props)


def test_an_eventbridge_scheduler_schedule_is_told_to_use_scheduled_job_alarms_with_schedule(bare):
    """For an AWS::Scheduler::Schedule the uncovered-entrypoint finding names ScheduledJobAlarms with
    ``schedule=``, the argument that takes it (``rule=`` takes an events.Rule)."""
    stack, _ = bare
    _nightly(stack, _function(stack, "Job"))
    [message] = _policy(stack, "uncovered-entrypoint")
    assert "schedule Nightly" in message
    assert "Add ScheduledJobAlarms(self, 'JobAlarms', schedule=..., function=..." in message


def _metric_parts(template: dict[str, Any]) -> list[str]:
    """What each metric alarm watches and how, without its name and description."""
    return sorted(json.dumps([props.get("Metrics"), props.get("MetricName"), props.get("Dimensions"),
                              props.get("Period"), props["Threshold"], props["ComparisonOperator"],
                              props["EvaluationPeriods"], props.get("DatapointsToAlarm"),
                              props.get("TreatMissingData")], sort_keys=True)
                  for props in (r["Properties"] for r in template["Resources"].values()
                                if r["Type"] == "AWS::CloudWatch::Alarm"))


def test_a_scheduler_schedule_gets_the_same_alarms_as_a_rule_with_the_same_expression():
    """ScheduledJobAlarms(schedule=...) watches the target function as ScheduledJobAlarms(rule=...) does
    for a rule with the same schedule expression: same metrics, periods, thresholds and windows; the
    model finds the schedule covered (no uncovered-entrypoint finding)."""
    from aws_cdk import aws_scheduler as scheduler

    from sensible_alarms import ScheduledJobAlarms

    def stack_with(kind: str) -> cdk.Stack:
        stack = cdk.Stack(cdk.App(), "Job")
        routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
        job = _function(stack, "Job")
        if kind == "rule":
            rule = events.Rule(stack, "Nightly", schedule=events.Schedule.expression("cron(0 3 * * ? *)"))
            rule.add_target(targets.LambdaFunction(job))
            ScheduledJobAlarms(stack, "JobAlarms", rule=rule, function=job, routing=routing)
        else:
            schedule = _nightly(stack, job)
            assert isinstance(schedule, scheduler.CfnSchedule)
            ScheduledJobAlarms(stack, "JobAlarms", schedule=schedule, function=job, routing=routing)
        return stack

    by_rule, by_schedule = stack_with("rule"), stack_with("schedule")
    assert _metric_parts(synth(by_schedule)) == _metric_parts(synth(by_rule))
    assert _policy(by_schedule, "uncovered-entrypoint") == []


def test_the_scheduler_l2_and_its_flexible_window_lengthen_the_missed_run_grace():
    """An aws_scheduler.Schedule (L2) is taken too; its flexible time window of 45 minutes is added to the
    time a run may be late, so the missed-run alarm spans 1 h more than with the window off (daily job,
    hourly datapoints, 10 % grace rounded up to whole hours: 28 h against 27 h)."""
    from aws_cdk import aws_scheduler as scheduler
    from aws_cdk import aws_scheduler_targets as scheduler_targets

    from sensible_alarms import ScheduledJobAlarms

    def missed_run_periods(window: Any) -> int:
        stack = cdk.Stack(cdk.App(), "Job")
        routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
        job = _function(stack, "Job")
        schedule = scheduler.Schedule(stack, "Nightly",
                                      schedule=scheduler.ScheduleExpression.cron(minute="0", hour="3"),
                                      target=scheduler_targets.LambdaInvoke(job), time_window=window)
        alarms = ScheduledJobAlarms(stack, "JobAlarms", schedule=schedule, function=job, routing=routing)
        [missed] = [m for m in alarms.members if m.title == "Runs started"]
        periods = synth(stack)["Resources"][stack.get_logical_id(missed.resource)]["Properties"]
        return int(periods["EvaluationPeriods"])

    off = missed_run_periods(scheduler.TimeWindow.off())
    flexible = missed_run_periods(scheduler.TimeWindow.flexible(cdk.Duration.minutes(45)))
    assert (off, flexible) == (27, 28)


@pytest.mark.parametrize(("build", "prop", "words"), [
    pytest.param(lambda s, job, other: dict(function=job), "rule", "exactly one of them", id="neither"),
    pytest.param(lambda s, job, other: dict(function=job, rule=_ruled(s, job), schedule=_nightly(s, job)), "schedule",
                 "exactly one of them", id="both"),
    pytest.param(lambda s, job, other: dict(function=other, schedule=_nightly(s, job)), "schedule",
                 "does not invoke Bad/Other", id="another function"),
    pytest.param(lambda s, job, other: dict(function=job, schedule=_nightly(
        s, job, schedule_expression="at(2026-12-24T18:00:00)")), "schedule", "runs once", id="one-time"),
    pytest.param(lambda s, job, other: dict(function=job, schedule=sqs.Queue(s, "NotASchedule")), "schedule",
                 "must be an aws_scheduler.Schedule or CfnSchedule (got Queue)", id="wrong type"),
])
def test_scheduled_job_alarms_refuses_a_bad_schedule_in_words(bare, build, prop, words):
    """A missing, doubled, foreign, one-time or wrongly typed schedule is an error naming the construct
    path, the field and what is wrong."""
    from sensible_alarms import ScheduledJobAlarms
    stack, routing = bare
    job, other = _function(stack, "Job"), _function(stack, "Other")
    error = _error(lambda: ScheduledJobAlarms(stack, "JobAlarms", routing=routing, **build(stack, job, other)))
    assert error.path == "Bad/JobAlarms"
    assert error.prop == prop
    assert words in str(error)


def _ruled(stack: cdk.Stack, job: lambda_.IFunction) -> events.Rule:
    rule = events.Rule(stack, "Ruled", schedule=events.Schedule.expression("rate(1 day)"))
    rule.add_target(targets.LambdaFunction(job))
    return rule


def test_cover_entrypoints_covers_a_scheduler_schedule():
    """An EventBridge Scheduler schedule invoking a Lambda is covered with ScheduledJobAlarms(schedule=...),
    named after the L2 schedule when it is one; no warning is left, and a second call adds nothing."""
    from aws_cdk import aws_scheduler as scheduler
    from aws_cdk import aws_scheduler_targets as scheduler_targets
    from aws_cdk.assertions import Annotations, Match
    stack = cdk.Stack(cdk.App(), "Scheduled")
    routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
    _nightly(stack, _function(stack, "Job"))
    scheduler.Schedule(stack, "Hourly", schedule=scheduler.ScheduleExpression.rate(cdk.Duration.hours(1)),
                       target=scheduler_targets.LambdaInvoke(_function(stack, "Sweep")))

    added = cover_entrypoints(stack, routing=routing)
    assert sorted(c.node.id for c in added) == ["HourlyAlarms", "NightlyAlarms"]
    assert all(type(c).__name__ == "ScheduledJobAlarms" for c in added)
    assert cover_entrypoints(stack, routing=routing) == []
    assert Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("cannot cover")) == []
    assert _policy(stack, "uncovered-entrypoint") == []


def test_cover_entrypoints_covers_consumers_invoked_through_an_alias():
    """An SNS subscription and a rule that invoke a Lambda alias are covered with the function's signals
    (dropped and late events), not skipped or reduced to the rule's deliveries; a second call adds nothing."""
    from aws_cdk import aws_sns_subscriptions as subscriptions
    stack = cdk.Stack(cdk.App(), "Aliased")
    routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
    on_topic, on_rule = _function(stack, "OnTopic"), _function(stack, "OnRule")
    topic_alias = lambda_.Alias(stack, "TopicLive", alias_name="live", version=on_topic.current_version)
    rule_alias = lambda_.Alias(stack, "RuleLive", alias_name="live", version=on_rule.current_version)
    sns.Topic(stack, "T").add_subscription(subscriptions.LambdaSubscription(topic_alias))
    rule = events.Rule(stack, "R", event_pattern=events.EventPattern(source=["x"]))
    rule.add_target(targets.LambdaFunction(rule_alias))

    added = cover_entrypoints(stack, routing=routing)
    assert sorted((c.node.id, sorted({m.signal for m in c.members})) for c in added) == [
        ("OnTopicAlarms", ["dropped-events", "event-age"]),
        ("RAlarms", ["dropped-events", "event-age", "failed-invocations"])]
    assert cover_entrypoints(stack, routing=routing) == []


def test_an_imported_graphql_api_is_refused_in_words(bare):
    """An API imported by attributes is named as such in the error, not by jsii's proxy class."""
    from aws_cdk import aws_appsync as appsync

    from sensible_alarms import GraphqlApiAlarms
    stack, routing = bare
    imported = appsync.GraphqlApi.from_graphql_api_attributes(stack, "Imported", graphql_api_id="abc123")
    error = _error(lambda: GraphqlApiAlarms(stack, "G", api=imported, routing=routing,  # type: ignore[arg-type]
                                            availability=AvailabilitySlo(target=99.9)))
    assert error.prop == "api"
    assert "Proxy" not in str(error)
    assert "imported GraphQL API" in str(error)


def test_a_burn_rate_guard_above_a_million_is_refused_by_every_request_kind(bare):
    """Like ApiAlarms, the Function URL and workflow constructs refuse a guard that keeps every burn-rate
    alarm silent, naming their own argument and the value."""
    stack, routing = bare
    slo = AvailabilitySlo(target=99.9)
    url = _function(stack, "F").add_function_url()
    machine = sfn.StateMachine(stack, "M", definition_body=sfn.DefinitionBody.from_chainable(sfn.Pass(stack, "P")))
    for build, prop in (
        (lambda: FunctionUrlAlarms(stack, "U", url=url, routing=routing, availability=slo,
                                   min_failed_requests=10**12), "min_failed_requests"),
        (lambda: WorkflowAlarms(stack, "S", state_machine=machine, routing=routing, availability=slo,
                                min_failed_executions=10**12), "min_failed_executions"),
    ):
        error = _error(build)
        assert (error.prop, error.value) == (prop, 10**12)
        assert f"'{prop}' must be at most 1,000,000" in str(error)
