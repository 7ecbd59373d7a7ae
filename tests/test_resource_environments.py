"""A watched resource imported from another account or Region is refused with an error naming the
construct path, the prop and both environments: a CloudWatch alarm reads only its own account's and
Region's metrics, so its alarms would never fire. Resources of the stack's own environment, and
env-agnostic stacks, are accepted."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from cdk_support import synth
from sensible_alarms import AlarmRouting, FreshnessSlo, QueueConsumerAlarms, SensibleAlarmsError, StreamConsumerAlarms

HOME = cdk.Environment(account="111111111111", region="eu-west-1")
FRESH = FreshnessSlo(max_age=cdk.Duration.minutes(5))


def _stack(env: cdk.Environment | None = HOME) -> tuple[cdk.Stack, AlarmRouting]:
    stack = cdk.Stack(cdk.App(), "Home", env=env)
    return stack, AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])


def _queue(stack: cdk.Stack, account: str, region: str) -> sqs.IQueue:
    return sqs.Queue.from_queue_arn(stack, "Imported", f"arn:aws:sqs:{region}:{account}:orders")


def _function(stack: cdk.Stack, account: str, region: str) -> lambda_.IFunction:
    return lambda_.Function.from_function_attributes(
        stack, "Imported", function_arn=f"arn:aws:lambda:{region}:{account}:function:consume", same_environment=False)


@pytest.mark.parametrize(("account", "region", "what", "theirs"), [
    pytest.param("222222222222", "eu-west-1", "account", "222222222222", id="other account"),
    pytest.param("111111111111", "us-east-1", "Region", "us-east-1", id="other Region"),
])
def test_a_queue_of_another_environment_is_refused_naming_path_prop_and_both(account, region, what, theirs):
    """QueueConsumerAlarms on a queue imported from another account or Region fails at synth time."""
    stack, routing = _stack()
    with pytest.raises(SensibleAlarmsError) as raised:
        QueueConsumerAlarms(stack, "OrdersAlarms", queue=_queue(stack, account, region), routing=routing,
                            freshness=FRESH)
    message = str(raised.value)
    assert message.startswith("Home/OrdersAlarms: 'queue' must be in the alarms' " + what)
    assert f"got {what} {theirs}, the stack's is {HOME.account if what == 'account' else HOME.region}" in message
    assert raised.value.prop == "queue"


def test_a_function_of_another_account_is_refused_too():
    """StreamConsumerAlarms on a function imported from another account names 'function'."""
    stack, routing = _stack()
    with pytest.raises(SensibleAlarmsError, match=r"Home/StreamAlarms: 'function' must be in the alarms' account"):
        StreamConsumerAlarms(stack, "StreamAlarms", function=_function(stack, "222222222222", "eu-west-1"),
                             routing=routing, freshness=FRESH)


@pytest.mark.parametrize("env", [pytest.param(HOME, id="same environment"), pytest.param(None, id="env-agnostic")])
def test_a_resource_of_the_stack_environment_is_watched(env: Any):
    """The same imported queue in the stack's own account and Region (or an env-agnostic stack) gets
    its alarms, which read the queue by name."""
    stack, routing = _stack(env)
    dead_letters = sqs.Queue.from_queue_arn(stack, "ImportedDlq", "arn:aws:sqs:eu-west-1:111111111111:orders-dlq")
    QueueConsumerAlarms(stack, "OrdersAlarms", queue=_queue(stack, "111111111111", "eu-west-1"),
                        dead_letter_queue=dead_letters, routing=routing, freshness=FRESH)
    template = synth(stack)
    names = [d["Value"] for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"
             for d in r["Properties"].get("Dimensions", [])]
    assert "orders" in names
