"""ScheduledJobAlarms: an EventBridge rule schedule or an EventBridge Scheduler schedule that runs a
Lambda function."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from .._durations import every, seconds_of, words
from .._jsii_types import is_function
from ..burn_rate import MAX_PERIOD_SECONDS
from ..routing import AlarmRouting
from ..urgency import Urgency
from .composites import all_of, any_of, from_alarm
from .entrypoint import EntrypointAlarms, alarm_arn
from .function_name import metric_dimensions
from .metrics import MathExpression, Metric

__all__ = ["ScheduledJobAlarms"]

_DEFAULT_CONSECUTIVE_FAILURES = 2
#: CloudWatch: Period x EvaluationPeriods is at most 1 day for periods under 1 h, 7 days otherwise.
_MAX_SPAN_SHORT_PERIODS = 86_400
_MAX_SPAN_LONG_PERIODS = 7 * 86_400
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
#: Lambda retries a failed asynchronous invocation after about 1 and then 2 more minutes; the
#: failing streak's span gets this much slack so a run's last attempt is always inside it.
_RETRY_SLACK_SECONDS = 20 * 60


class ScheduledJobAlarms(EntrypointAlarms):
    """LOW-urgency alarms of a scheduled job: an EventBridge rule with a schedule, or an EventBridge
    Scheduler schedule, whose target is a Lambda function.

    * Consecutive failures: no invocation succeeded for `consecutive_failures` intervals (plus
      20 minutes of slack for Lambda's asynchronous retries) and invocations failed in that time.
      A run that fails once and succeeds on retry is not a failure, wherever its attempts fall.
    * Missed runs: the function was not invoked at all for one interval plus a grace period, once
      it has run at least once (a freshly deployed job is silent until its first run).

    Both are LOW: one failed nightly run is not an emergency, but a job that keeps failing is.

    :param rule: the schedule as an ``aws_events.Rule`` with a ``schedule`` that targets `function`.
        Give `rule` or `schedule`, not both.
    :param schedule: the schedule as an EventBridge Scheduler schedule (``aws_scheduler.Schedule`` or
        ``aws_scheduler.CfnSchedule``) whose target is `function`. Its flexible time window, when it
        has one, is added to the time a run may be late before it counts as missed. Scheduler
        publishes its own metrics per schedule group, not per schedule, so the signals are the
        target function's, as for a rule.
    :param function: the job's Lambda function.
    :param routing: where notifications go.
    :param interval: time between runs. Default: read from the rule's ``rate(...)`` expression, or
        from a daily/hourly ``cron(...)``; required for other cron expressions.
    :param consecutive_failures: failed runs in a row that notify. Default: 2.
    :param runbook_url: link written into every alarm description. Default: none.
    """

    _kind = "scheduled_job"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        rule: events.Rule | None = None,
        schedule: scheduler.Schedule | scheduler.CfnSchedule | None = None,
        function: lambda_.IFunction,
        routing: AlarmRouting,
        interval: cdk.Duration | None = None,
        consecutive_failures: int = _DEFAULT_CONSECUTIVE_FAILURES,
        runbook_url: str | None = None,
    ) -> None:
        super().__init__(scope, id, routing=routing, runbook_url=runbook_url)
        self._check_environments(rule=rule, schedule=schedule, function=function)
        if (rule is None) == (schedule is None):
            raise self._fail("give the job's schedule as 'rule' (an aws_events.Rule) or as 'schedule' (an "
                             "aws_scheduler.Schedule or CfnSchedule), exactly one of them "
                             f"(got rule={_kind_of(rule)}, schedule={_kind_of(schedule)})",
                             "schedule" if rule is not None else "rule", None)
        if not is_function(function):
            raise self._fail(f"'function' must be an aws_lambda function (got {type(function).__name__})",
                             "function", type(function).__name__)
        if isinstance(consecutive_failures, bool) or not isinstance(consecutive_failures, int) \
                or consecutive_failures < 1:
            raise self._fail(
                f"'consecutive_failures' must be a whole number, at least 1 (got {consecutive_failures!r})",
                "consecutive_failures", consecutive_failures)
        if rule is not None:
            expression, late_seconds = self._from_rule(rule, function), 0
        else:
            expression, late_seconds = self._from_schedule(schedule, function)

        seconds = (seconds_of(interval, owner="ScheduledJobAlarms", prop="interval", path=self._path)
                   if interval is not None else self._interval_from(expression))
        if seconds % 60 or seconds > MAX_PERIOD_SECONDS:
            source = "" if interval is not None else f" from {expression!r}"
            raise self._fail(
                f"'interval' must be a whole number of minutes up to 1 day, CloudWatch's longest period "
                f"(got {words(seconds)}{source})", "interval", seconds)
        # Hourly datapoints for jobs that run every 2 h or less often, minutely ones otherwise.
        period = 3600 if seconds >= 2 * 3600 else 60
        span_limit = _MAX_SPAN_SHORT_PERIODS if period < 3600 else _MAX_SPAN_LONG_PERIODS
        failing_span = seconds * consecutive_failures + _RETRY_SLACK_SECONDS
        failing_windows = math.ceil(failing_span / period)
        if failing_windows * period > span_limit:
            raise self._fail(
                f"{consecutive_failures} consecutive runs every {words(seconds)} span "
                f"{words(failing_windows * period)}, more than CloudWatch evaluates "
                f"({words(span_limit)} for this period); lower 'consecutive_failures'",
                "consecutive_failures", consecutive_failures)

        slo = f"the job runs every {every(seconds)} and succeeds"
        dimensions = metric_dimensions(function)
        invocations = Metric("AWS/Lambda", "Invocations", dimensions, statistic="Sum")
        errors = Metric("AWS/Lambda", "Errors", dimensions, statistic="Sum")
        every_period = period
        # A failing streak is judged over whole spans of time, not per run: a run's attempts (Lambda
        # retries an asynchronous invocation twice, minutes apart) may straddle any window edge, so
        # "no attempt succeeded for N intervals, and attempts failed" is the signal that holds.
        no_success = self._add_member(
            id="NoSuccess", signal="no-success", title="Successful runs",
            urgency=Urgency.LOW,
            impact=f"The scheduled job {self.entrypoint_name} has not completed successfully for "
                   f"{consecutive_failures} runs: the work it does for customers is not being done.",
            slo=slo,
            metric=MathExpression(
                expression="FILL(invocations, 0) - FILL(errors, 0)",
                using_metrics={"invocations": invocations, "errors": errors},
                period=every_period,
                label="Successful invocations",
            ),
            threshold=1, comparison=cw.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=failing_windows, datapoints_to_alarm=failing_windows,
            missing=cw.TreatMissingData.BREACHING,
        )
        failed = self._add_member(
            id="FailedRuns", signal="failed-runs", title="Failed invocations",
            urgency=Urgency.LOW,
            impact=f"The scheduled job {self.entrypoint_name} failed within the last "
                   f"{words(failing_windows * period)}.",
            slo=slo,
            metric=replace(errors, period=every_period),
            threshold=1, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=failing_windows, datapoints_to_alarm=1,
        )
        # A run may start up to the schedule's flexible time window late, and a little more.
        grace = max(period, math.ceil((seconds * 0.1 + late_seconds) / period) * period)
        windows = math.ceil((seconds + grace) / period)
        missed = self._add_member(
            id="MissedRuns", signal="missed-runs", title="Runs started",
            urgency=Urgency.LOW,
            impact=f"The scheduled job {self.entrypoint_name} has not run for {words(windows * period)}: "
                   "the work it does for customers is not being done.",
            slo=slo,
            metric=replace(invocations, period=every_period),
            threshold=1, comparison=cw.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=windows, datapoints_to_alarm=windows,
            # Lambda publishes no Invocations datapoint for a minute without invocations.
            missing=cw.TreatMissingData.BREACHING,
        )
        # A fresh deploy has no invocation yet: "not run" says nothing until the job has run once.
        # While no run is found within twice the missed-run span, the missed-run signal is not
        # counted (twice: a job that stops is told before this alarm forgets its last run).
        lookback = min(2 * windows, span_limit // period)
        never = self._add_member(
            id="NotRunYet", signal="missed-runs", title="Runs since the deploy",
            urgency=Urgency.LOW,
            impact=f"The scheduled job {self.entrypoint_name} has not run within {words(lookback * period)}, "
                   "or not since it was deployed: missed runs are told only once it has run.",
            slo=slo,
            metric=replace(invocations, period=every_period),
            threshold=1, comparison=cw.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=lookback, datapoints_to_alarm=lookback,
            missing=cw.TreatMissingData.BREACHING, primary=False,
        )
        has_run = from_alarm(alarm_arn(never), "OK")
        self._add_rule(Urgency.LOW, any_of(self._all_of([no_success, failed]), all_of(self._any_of([missed]), has_run)))
        self._add_notifiers({
            Urgency.LOW: f"The scheduled job {self.entrypoint_name} keeps failing or does not run: the work it "
                         "does for customers is not being done.",
        }, slo)

    def _from_rule(self, rule: object, function: lambda_.IFunction) -> str:
        """The rule's schedule expression, once it is known to invoke `function`."""
        if not isinstance(rule, events.Rule):
            raise self._fail(f"'rule' must be an aws_events.Rule (got {type(rule).__name__})", "rule",
                             type(rule).__name__)
        stack = cdk.Stack.of(self)
        cfn_rule = rule.node.default_child
        assert isinstance(cfn_rule, events.CfnRule)
        targets = stack.resolve(cfn_rule.targets) or []
        if not any(_same(target.get("arn", target.get("Arn")), function, stack) for target in targets):
            raise self._fail(
                f"the rule {rule.node.path} has no target that invokes {function.node.path}; add "
                "rule.add_target(aws_events_targets.LambdaFunction(function)) before creating the alarms",
                "rule", rule.node.path)
        expression = stack.resolve(cfn_rule.schedule_expression)
        if not isinstance(expression, str):
            raise self._fail(f"the rule {rule.node.path} has no schedule; a scheduled job runs on one",
                             "rule", expression)
        return expression

    def _from_schedule(self, schedule: object, function: lambda_.IFunction) -> tuple[str, int]:
        """The Scheduler schedule's expression and its flexible time window in seconds, once it is
        known to invoke `function` and to recur."""
        cfn = schedule.node.default_child if isinstance(schedule, scheduler.Schedule) else schedule
        if not isinstance(cfn, scheduler.CfnSchedule):
            raise self._fail(f"'schedule' must be an aws_scheduler.Schedule or CfnSchedule (got "
                             f"{type(schedule).__name__})", "schedule", type(schedule).__name__)
        stack = cdk.Stack.of(self)
        path = cfn.node.path
        target = stack.resolve(cfn.target)
        arn = target.get("arn", target.get("Arn")) if isinstance(target, dict) else None
        if not _same(arn, function, stack):
            raise self._fail(
                f"the schedule {path} does not invoke {function.node.path} (its target is {arn!r}); give the "
                "function the schedule's target invokes", "schedule", path)
        expression = stack.resolve(cfn.schedule_expression)
        if not isinstance(expression, str) or expression.startswith("at("):
            raise self._fail(
                f"the schedule {path} runs once ({expression!r}), not on a recurring schedule; a one-time "
                "schedule is not a scheduled job (alarm its target function's errors instead)", "schedule",
                expression)
        window = stack.resolve(cfn.flexible_time_window)
        late = 0
        if isinstance(window, dict) and window.get("mode", window.get("Mode")) == "FLEXIBLE":
            minutes = window.get("maximumWindowInMinutes", window.get("MaximumWindowInMinutes"))
            if not isinstance(minutes, int | float):
                raise self._fail(f"the schedule {path} has a flexible time window of unknown length ({minutes!r}); "
                                 "give it a number of minutes", "schedule", minutes)
            late = int(minutes) * 60
        return expression, late

    def _interval_from(self, expression: str) -> int:
        match = _RATE.match(expression)
        if match:
            unit = match.group(2).rstrip("s")
            return int(match.group(1)) * _UNIT_SECONDS[unit]
        cron = re.match(r"^cron\((.+)\)$", expression)
        if cron:
            fields = cron.group(1).split()
            if len(fields) == 6:
                minute, hour, day, month, weekday, year = fields
                every_day = day in ("*", "?") and month == "*" and weekday in ("*", "?") and year in ("*", "?")
                if every_day and minute.isdigit() and hour.isdigit():
                    return 86400
                if every_day and minute.isdigit() and hour == "*":
                    return 3600
        raise self._fail(
            f"cannot tell how often {expression!r} runs; pass 'interval', the time between two runs",
            "interval", expression)


def _kind_of(value: object) -> str:
    return "None" if value is None else type(value).__name__


def _same(arn: object, function: lambda_.IFunction, stack: cdk.Stack) -> bool:
    """Whether a target ARN, as resolved, is `function`'s."""
    return arn is not None and arn == stack.resolve(function.function_arn)
