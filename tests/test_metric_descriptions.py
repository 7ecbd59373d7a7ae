"""The pure-Python metric descriptions (constructs/metrics.py) render into CfnAlarm exactly as
aws_cloudwatch.Alarm renders the cw.Metric / cw.MathExpression they replace, on the cases the
examples do not have: an alias and a version of a function, extended statistics, nested math with
periods to override, an expression without metrics."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from cdk_support import synth
from sensible_alarms.constructs.function_name import metric_dimensions
from sensible_alarms.constructs.metrics import MathExpression, Metric, alarm_properties


def _function(stack: cdk.Stack) -> lambda_.Function:
    return lambda_.Function(stack, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                            code=lambda_.Code.from_inline("def handler(event, context): pass"))


def _both(stack: cdk.Stack, name: str, l2: cw.IMetric, l1: Metric | MathExpression) -> tuple[Any, Any]:
    """The properties of an L2 alarm on `l2` and of a CfnAlarm on `l1` with the same settings."""
    cw.Alarm(stack, f"{name}L2", metric=l2, threshold=1, evaluation_periods=1)
    cw.CfnAlarm(Construct(stack, f"{name}L1"), "Resource", threshold=1, evaluation_periods=1,
                comparison_operator="GreaterThanOrEqualToThreshold", **alarm_properties(l1))
    resources = synth(stack)["Resources"]
    [l2_props] = [r["Properties"] for lid, r in resources.items() if lid.startswith(f"{name}L2")]
    [l1_props] = [r["Properties"] for lid, r in resources.items() if lid.startswith(f"{name}L1")]
    return l2_props, l1_props


@pytest.mark.parametrize("kind", ["function", "alias", "version"])
def test_a_function_alias_or_version_gets_the_dimensions_its_own_metric_method_gives(kind: str) -> None:
    """metric_dimensions() gives what function.metric() gives: FunctionName, and Resource for an alias or version."""
    stack = cdk.Stack(cdk.App(), "Dims")
    function = _function(stack)
    target: lambda_.IFunction = function
    if kind == "alias":
        target = lambda_.Alias(stack, "Live", alias_name="live", version=function.current_version)
    elif kind == "version":
        target = function.current_version
    l2, l1 = _both(stack, "Errors", target.metric_errors(statistic="Sum", period=cdk.Duration.minutes(1)),
                   Metric("AWS/Lambda", "Errors", metric_dimensions(target), "Sum", 60))
    assert l1 == l2
    assert len(l1["Dimensions"]) == (2 if kind == "alias" else 1)


@pytest.mark.parametrize("statistic", ["p99", "P99.9", "PR(:300)", "pr(:0.3)", "tm(10%:90%)", "avg", "n", "IQM"])
def test_extended_and_abbreviated_statistics_are_spelled_as_cdk_spells_them(statistic: str) -> None:
    """A statistic CDK normalizes (p99, PR(:300), avg, n) lands in (Extended)Statistic as the L2 writes it."""
    stack = cdk.Stack(cdk.App(), "Stats")
    dims = {"ApiName": "orders", "Stage": "prod"}
    l2, l1 = _both(stack, "Latency", cw.Metric(namespace="AWS/ApiGateway", metric_name="Latency", dimensions_map=dims,
                                               statistic=statistic),
                   Metric("AWS/ApiGateway", "Latency", dims, statistic))
    assert l1 == l2


def test_nested_math_takes_the_outer_period_everywhere_and_lists_depth_first() -> None:
    """Math over an expression and a metric renders the L2's query list: order, ids, labels, periods."""
    stack = cdk.Stack(cdk.App(), "Math")
    dims = {"StateMachineArn": "arn:aws:states:us-east-1:111111111111:stateMachine:flow"}

    def l2_metric(name: str, statistic: str = "Sum") -> cw.Metric:
        return cw.Metric(namespace="AWS/States", metric_name=name, dimensions_map=dims, statistic=statistic)

    def l1_metric(name: str, statistic: str = "Sum") -> Metric:
        return Metric("AWS/States", name, dims, statistic)

    l2 = cw.MathExpression(
        expression="IF(errors >= 3, errors / requests, 0)", period=cdk.Duration.hours(1), label="Failed ratio",
        using_metrics={"errors": cw.MathExpression(expression="FILL(failed, 0) + FILL(timedout, 0)",
                                                   using_metrics={"failed": l2_metric("ExecutionsFailed"),
                                                                  "timedout": l2_metric("ExecutionsTimedOut")},
                                                   label="Failed executions"),
                       "requests": l2_metric("ExecutionsStarted")})
    l1 = MathExpression(
        expression="IF(errors >= 3, errors / requests, 0)", period=3600, label="Failed ratio",
        using_metrics={"errors": MathExpression(expression="FILL(failed, 0) + FILL(timedout, 0)",
                                                using_metrics={"failed": l1_metric("ExecutionsFailed"),
                                                               "timedout": l1_metric("ExecutionsTimedOut")},
                                                label="Failed executions"),
                       "requests": l1_metric("ExecutionsStarted")})
    l2_props, l1_props = _both(stack, "Failed", l2, l1)
    assert l1_props == l2_props
    assert [q["Id"] for q in l1_props["Metrics"]] == ["expr_1", "errors", "failed", "timedout", "requests"]


def test_an_id_used_twice_for_two_different_metrics_is_refused() -> None:
    """Two different metrics under one id in one alarm are an error, as in CDK, not a silently wrong query."""
    first = Metric("AWS/SQS", "NumberOfMessagesDeleted", {"QueueName": "a"}, "Sum")
    second = Metric("AWS/SQS", "NumberOfMessagesDeleted", {"QueueName": "b"}, "Sum")
    expression = MathExpression("x + y", {"x": MathExpression("m", {"m": first}),
                                          "y": MathExpression("m", {"m": second})})
    with pytest.raises(ValueError, match="'m' names two different metrics"):
        alarm_properties(expression)
