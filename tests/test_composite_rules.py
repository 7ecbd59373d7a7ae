"""The L1 composites (constructs/composites.py) render as aws_cloudwatch.CompositeAlarm and AlarmRule
render the L2 objects they replace, on the cases the examples do not have: OK and INSUFFICIENT_DATA
states, one-operand AND/OR, NOT over OR, a composite in a rule, default and zero suppressor periods,
several actions, the rule length limit; and the notifiers' typed handles are made only when read."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk_support import synth
from sensible_alarms import AlarmRouting, FreshnessSlo, QueueConsumerAlarms, Urgency
from sensible_alarms.constructs.composites import (
    MAX_ALARM_RULE,
    Rule,
    all_of,
    any_of,
    composite_alarm,
    from_alarm,
    not_,
)
from sensible_alarms.errors import SensibleAlarmsError

#: A rule written once for both sides: ("ALARM"|"OK"|"INSUFFICIENT_DATA", alarm), ("all"|"any", [...]), ("not", x).
Spec = tuple[str, Any]


def _both(spec: Spec) -> tuple[Rule, cw.IAlarmRule]:
    """The Python rule and the AlarmRule for `spec` (alarms are CfnAlarm or CfnCompositeAlarm)."""
    kind, body = spec
    if kind in ("all", "any"):
        pairs = [_both(s) for s in body]
        l1 = (all_of if kind == "all" else any_of)(*(p[0] for p in pairs))
        l2 = (cw.AlarmRule.all_of if kind == "all" else cw.AlarmRule.any_of)(*(p[1] for p in pairs))
        return l1, l2
    if kind == "not":
        inner = _both(body)
        return not_(inner[0]), cw.AlarmRule.not_(inner[1])
    state = {"ALARM": cw.AlarmState.ALARM, "OK": cw.AlarmState.OK,
             "INSUFFICIENT_DATA": cw.AlarmState.INSUFFICIENT_DATA}[kind]
    if isinstance(body, cw.CfnCompositeAlarm):  # not an IAlarmRef: the L2 takes its IAlarm handle
        scope = body.node.scope
        assert scope is not None
        handle = cw.CompositeAlarm.from_composite_alarm_arn(scope, f"Handle{len(scope.node.children)}", body.attr_arn)
        return from_alarm(body.attr_arn, kind), cw.AlarmRule.from_alarm(handle, state)  # type: ignore[arg-type]
    return from_alarm(body.attr_arn, kind), cw.AlarmRule.from_alarm(body, state)  # type: ignore[arg-type]


def _member(stack: cdk.Stack, id: str) -> cw.CfnAlarm:
    return cw.CfnAlarm(Construct(stack, id), "Resource", comparison_operator="GreaterThanThreshold",
                       evaluation_periods=1, threshold=1, namespace="AWS/SQS", metric_name=id, period=60,
                       statistic="Sum")


def _properties(stack: cdk.Stack, *ids: str) -> list[dict[str, Any]]:
    resources = synth(stack)["Resources"]
    return [next(r["Properties"] for lid, r in resources.items() if lid.startswith(i) and
                 r["Type"] == "AWS::CloudWatch::CompositeAlarm") for i in ids]


def test_rules_render_as_alarm_rule_renders_them() -> None:
    """Every state, AND/OR of one and many operands, NOT over OR, nesting and a composite operand render alike."""
    stack = cdk.Stack(cdk.App(), "Rules")
    a, b, c = (_member(stack, n) for n in "ABC")
    _, inner = composite_alarm(stack, "Inner", composite_alarm_name="inner", alarm_rule=from_alarm(a.attr_arn))
    specs: list[Spec] = [
        ("OK", a), ("INSUFFICIENT_DATA", b), ("all", [("ALARM", a)]), ("any", [("ALARM", a)]),
        ("all", [("ALARM", a), ("not", ("any", [("OK", b), ("INSUFFICIENT_DATA", c)]))]),
        ("any", [("all", [("ALARM", a), ("ALARM", b)]), ("all", [("ALARM", c), ("not", ("ALARM", a))]),
                 ("ALARM", inner)]),
        ("not", ("not", ("all", [("ALARM", a), ("ALARM", b), ("ALARM", c)]))),
    ]
    for spec in specs:
        l1, l2 = _both(spec)
        assert l1.render() == l2.render_alarm_rule()


def test_an_l1_composite_writes_the_properties_of_the_l2_one() -> None:
    """Rule, actions, suppressor (default, zero and given periods), description and disabled actions match."""
    stack = cdk.Stack(cdk.App(), "Composites")
    a, b = _member(stack, "A"), _member(stack, "B")
    pager, tickets = sns.Topic(stack, "Pager"), sns.Topic(stack, "Tickets")
    _, quiet = composite_alarm(stack, "Quiet", composite_alarm_name="quiet", alarm_rule=from_alarm(b.attr_arn, "OK"),
                               actions_enabled=False)
    quiet_handle = cw.CompositeAlarm.from_composite_alarm_arn(stack, "QuietHandle", quiet.attr_arn)
    rule: Spec = ("any", [("all", [("ALARM", a), ("not", ("ALARM", b))]), ("OK", quiet)])
    cases: list[dict[str, Any]] = [
        {"topics": [pager, tickets], "suppressor": True},  # CDK's 1-minute default periods
        {"topics": [pager], "suppressor": True, "wait": 0, "extension": 7200},
        {"topics": [tickets], "suppressor": True, "wait": 900, "extension": None},
        {"topics": [], "actions_enabled": False, "description": None},
    ]
    ids = []
    for n, case in enumerate(cases):
        l1_rule, l2_rule = _both(rule)
        wait, extension = case.get("wait"), case.get("extension")
        description = case.get("description", f"Customer impact: case {n}")
        l2 = cw.CompositeAlarm(
            stack, f"Case{n}L2", composite_alarm_name=f"case-{n}-l2", alarm_rule=l2_rule, alarm_description=description,
            actions_enabled=case.get("actions_enabled"),
            actions_suppressor=quiet_handle if case.get("suppressor") else None,
            actions_suppressor_wait_period=None if wait is None else cdk.Duration.seconds(wait),
            actions_suppressor_extension_period=None if extension is None else cdk.Duration.seconds(extension))
        for topic in case["topics"]:
            l2.add_alarm_action(cw_actions.SnsAction(topic))
        composite_alarm(
            stack, f"Case{n}L1", composite_alarm_name=f"case-{n}-l1", alarm_rule=l1_rule, alarm_description=description,
            actions_enabled=case.get("actions_enabled"), alarm_actions=[t.topic_arn for t in case["topics"]],
            actions_suppressor=quiet.attr_arn if case.get("suppressor") else None,
            actions_suppressor_wait_period=wait, actions_suppressor_extension_period=extension)
        ids += [f"Case{n}L2", f"Case{n}L1"]
    properties = _properties(stack, *ids)
    assert properties[0]["ActionsSuppressorWaitPeriod"] == properties[0]["ActionsSuppressorExtensionPeriod"] == 60
    assert properties[2]["ActionsSuppressorWaitPeriod"] == 0
    assert len(properties[0]["AlarmActions"]) == 2
    assert "AlarmActions" not in properties[6]
    for n in range(len(cases)):
        l2_props, l1_props = properties[2 * n], properties[2 * n + 1]
        # Names are unique in an account and Region (cfn-lint checks it): each side has its own.
        assert (l2_props.pop("AlarmName"), l1_props.pop("AlarmName")) == (f"case-{n}-l2", f"case-{n}-l1")
        assert l1_props == l2_props, f"case {n}"


def test_a_rule_over_cloudwatch_s_limit_is_refused_where_the_l2_refuses_it() -> None:
    """A rule of 10,240 characters is taken and one of 10,241 refused by both, ours naming path and prop."""
    stack = cdk.Stack(cdk.App(), "Long")
    for length in (MAX_ALARM_RULE, MAX_ALARM_RULE + 1):
        rule = from_alarm("x" * (length - len('ALARM("")')))
        assert len(rule.render()) == length
        refused = length > MAX_ALARM_RULE
        if refused:
            with pytest.raises(RuntimeError, match="cannot be greater than 10240"):
                cw.CompositeAlarm(stack, f"L2{length}", alarm_rule=cw.AlarmRule.from_string(rule.render()))
            with pytest.raises(SensibleAlarmsError, match=r"'alarm_rule' must be at most 10240 .*\(got 10241\)") as err:
                composite_alarm(stack, f"L1{length}", composite_alarm_name="long", alarm_rule=rule)
            assert err.value.path == f"Long/L1{length}"
        else:
            cw.CompositeAlarm(stack, f"L2{length}", alarm_rule=cw.AlarmRule.from_string(rule.render()))
            composite_alarm(stack, f"L1{length}", composite_alarm_name="long", alarm_rule=rule)


def test_an_empty_and_or_and_periods_without_a_suppressor_are_refused() -> None:
    """What the L2 refuses (no operands, suppressor periods without a suppressor) the L1 refuses too."""
    with pytest.raises(ValueError, match="at least one operand"):
        any_of()
    with pytest.raises(ValueError, match="at least one operand"):
        all_of()
    stack = cdk.Stack(cdk.App(), "Refused")
    a = _member(stack, "A")
    with pytest.raises(ValueError, match="need an actions suppressor"):
        composite_alarm(stack, "C", composite_alarm_name="c", alarm_rule=from_alarm(a.attr_arn),
                        actions_suppressor_wait_period=60)
    with pytest.raises(RuntimeError, match="require an ActionsSuppressor"):
        cw.CompositeAlarm(stack, "L2", alarm_rule=cw.AlarmRule.from_alarm(a, cw.AlarmState.ALARM),  # type: ignore[arg-type]
                          actions_suppressor_wait_period=cdk.Duration.minutes(1))


def test_a_notifier_s_typed_handle_is_made_when_first_read_and_names_the_composite(stack: cdk.Stack) -> None:
    """`notifiers` gives an IAlarm on the CfnCompositeAlarm of `notifier_resources`, created on the first read only."""
    dlq = sqs.Queue(stack, "Dlq")
    queue = sqs.Queue(stack, "Queue", dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dlq))
    routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
    alarms = QueueConsumerAlarms(stack, "Orders", queue=queue, routing=routing,
                                 freshness=FreshnessSlo(max_age=cdk.Duration.minutes(10)))
    resource = alarms.notifier_resources[Urgency.HIGH]
    holder = resource.node.scope
    assert holder is not None
    assert holder.node.id == "HighUrgency"
    assert [c.node.id for c in holder.node.children] == ["Resource"]
    handle = alarms.notifiers[Urgency.HIGH]
    assert alarms.notifiers[Urgency.HIGH] is handle
    assert [c.node.id for c in holder.node.children] == ["Resource", "Alarm"]
    assert stack.resolve(handle.alarm_arn) == stack.resolve(resource.attr_arn) == {
        "Fn::GetAtt": [stack.get_logical_id(resource), "Arn"]}
    synth(stack)
