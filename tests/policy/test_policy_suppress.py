"""suppress(): a rule switched off for one construct, with a written reason, in the template metadata."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_sqs as sqs

from sensible_alarms.errors import SensibleAlarmsError
from sensible_alarms.policy import SUPPRESSIONS_KEY, suppress


def _alarm(stack: cdk.Stack, id: str = "Alarm") -> cw.Alarm:
    return cw.Alarm(stack, id, metric=cw.Metric(namespace="AWS/SQS", metric_name="NumberOfMessagesSent"),
                    threshold=1, evaluation_periods=1)


def _written(construct) -> object:
    child = construct.node.default_child
    return cdk.Stack.of(construct).resolve(child.get_metadata(SUPPRESSIONS_KEY))


class TestSuppress:
    def test_writes_the_rule_and_reason_to_the_default_child(self, stack: cdk.Stack):
        """The suppression lands in the CloudFormation Metadata of the construct's resource."""
        alarm = _alarm(stack)
        suppress(alarm, "unexplained-alarm", "  owned by the platform team  ")
        assert _written(alarm) == [{"id": "unexplained-alarm", "reason": "owned by the platform team"}]

    def test_a_second_rule_is_added_and_the_same_rule_is_replaced(self, stack: cdk.Stack):
        """Suppressions of several rules accumulate; suppressing a rule again keeps the newest reason."""
        alarm = _alarm(stack)
        suppress(alarm, "unexplained-alarm", "first")
        suppress(alarm, "per-resource-noise", "kept for the capacity review")
        suppress(alarm, "unexplained-alarm", "second")
        assert _written(alarm) == [{"id": "per-resource-noise", "reason": "kept for the capacity review"},
                                   {"id": "unexplained-alarm", "reason": "second"}]

    def test_apply_to_children_writes_to_every_resource_below(self):
        """Suppressing on a scope with apply_to_children reaches each CloudFormation resource under it."""
        scope = cdk.Stack(cdk.App(), "Other")
        first, second = _alarm(scope, "A"), _alarm(scope, "B")
        suppress(scope, "unexplained-alarm", "legacy stack, replaced next quarter", apply_to_children=True)
        assert _written(first) == _written(second) == [
            {"id": "unexplained-alarm", "reason": "legacy stack, replaced next quarter"}]

    def test_a_cfn_resource_can_be_given_directly(self, stack: cdk.Stack):
        """An L1 resource carries the suppression itself."""
        queue = sqs.CfnQueue(stack, "Queue")
        suppress(queue, "dead-letter-queue", "a buffer whose messages are all replayable")
        assert stack.resolve(queue.get_metadata(SUPPRESSIONS_KEY)) == [
            {"id": "dead-letter-queue", "reason": "a buffer whose messages are all replayable"}]

    @pytest.mark.parametrize("reason", ["", "   ", None])
    def test_a_reason_must_be_written(self, stack: cdk.Stack, reason):
        """An empty or missing reason is refused, naming the construct."""
        with pytest.raises(SensibleAlarmsError, match=r"TestStack/Alarm: 'reason' must say why unexplained-alarm"):
            suppress(_alarm(stack), "unexplained-alarm", reason)  # type: ignore[arg-type]

    def test_an_unknown_rule_is_refused(self, stack: cdk.Stack):
        """A typo in the rule id fails at once, listing the rule ids."""
        with pytest.raises(SensibleAlarmsError, match=r"'rule_id' must be one of uncovered-entrypoint, .* "
                                                      r"\(got 'per-resource-nosie'\)"):
            suppress(_alarm(stack), "per-resource-nosie", "typo")

    def test_a_construct_without_a_resource_is_refused(self, stack: cdk.Stack):
        """A plain construct has no resource to carry the suppression; the error says what to do."""
        with pytest.raises(SensibleAlarmsError, match="no CloudFormation resource to carry the suppression"):
            suppress(stack, "unexplained-alarm", "whole stack")
