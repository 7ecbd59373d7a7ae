"""WorkflowAlarms: a Step Functions state machine, alarmed on executions that fail customers."""

from __future__ import annotations

from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from ..burn_rate import BURN_RATE_WINDOWS
from ..routing import AlarmRouting
from ..slo import AvailabilitySlo, LatencySlo
from ..urgency import Urgency
from .entrypoint import EntrypointAlarms
from .metrics import MathExpression, Metric
from .request_burn_rates import (
    RequestMetrics,
    add_request_burn_rates,
    check_request_arguments,
    outage_text,
    slow_share_text,
)

__all__ = ["WorkflowAlarms"]

_DEFAULT_MIN_FAILED_EXECUTIONS = 5


class WorkflowAlarms(EntrypointAlarms):
    """Customer-impact alarms of a Step Functions workflow, however it is started (an API route, a
    schedule, an EventBridge rule, another service).

    Each execution is one customer's request. Availability: failed, timed-out and aborted executions
    as a share of those started, alarmed as multi-window burn rates like ``ApiAlarms`` (HIGH for a
    fast burn, LOW for a slow one). Latency, when a LatencySlo is given: executions that take longer
    than its threshold (``ExecutionTime``), as burn rates too. The functions the states invoke get
    no alarms of their own: a failed step that the workflow retries or catches is not a customer's
    failure, an execution that fails is.

    :param state_machine: the workflow: an ``aws_stepfunctions.StateMachine`` defined in this app.
        A state machine imported by ARN is refused: alarm it in the stack that defines it, where
        ``check`` sees it as an entrypoint.
    :param routing: where notifications go.
    :param availability: the share of executions that must succeed.
    :param latency: how long an execution may take (at most 15 min). Default: not alarmed.
    :param min_failed_executions: a long burn-rate window counts only once it holds at least this
        many failed (or slow) executions, so one failure of a rarely started workflow does not
        notify. Default: 5.
    :param outage_notifier: whether an outage (nearly every execution failing) notifies
        through its own composite, ``OutageUrgency``, apart from the HIGH one, so it is told even while
        the HIGH notifier is already in ALARM for a smaller incident (two more composites and three outage
        memories; ``review`` prices them). ``False``: the outage members notify through the HIGH
        notifier, once per incident. Default: True.
    :param runbook_url: link written into every alarm description. Default: none.
    """

    _kind = "workflow"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        state_machine: sfn.StateMachine,
        routing: AlarmRouting,
        availability: AvailabilitySlo,
        latency: LatencySlo | None = None,
        min_failed_executions: int = _DEFAULT_MIN_FAILED_EXECUTIONS,
        outage_notifier: bool = True,
        runbook_url: str | None = None,
    ) -> None:
        super().__init__(scope, id, routing=routing, runbook_url=runbook_url)
        self._choose_outage_notifier(outage_notifier)
        self._check_environments(state_machine=state_machine)
        if not isinstance(state_machine, sfn.StateMachine):
            kind = type(state_machine).__name__
            hint = (" (imported by ARN?): alarm it in the stack that defines it, where check sees it as an entrypoint"
                    if hasattr(state_machine, "state_machine_arn") else "")
            raise self._fail(f"'state_machine' must be an aws_stepfunctions.StateMachine (got {kind}){hint}",
                             "state_machine", kind)
        check_request_arguments(self, availability=availability, latency=latency, min_failed=min_failed_executions,
                                prop="min_failed_executions", unit="executions")
        self._low_window_seconds = max(w.long_window_seconds for w in BURN_RATE_WINDOWS if w.urgency is Urgency.LOW)
        arn = state_machine.state_machine_arn

        def metric(name: str, statistic: str = "Sum") -> Metric:
            return Metric(namespace="AWS/States", metric_name=name, dimensions_map={"StateMachineArn": arn},
                          statistic=statistic, period=300)

        add_request_burn_rates(
            self,
            RequestMetrics(
                failed=lambda: MathExpression(
                    expression="FILL(failed, 0) + FILL(timedout, 0) + FILL(aborted, 0)",
                    using_metrics={"failed": metric("ExecutionsFailed"), "timedout": metric("ExecutionsTimedOut"),
                                   "aborted": metric("ExecutionsAborted")},
                    label="Executions failed, timed out or aborted"),
                requests=lambda: metric("ExecutionsStarted"),
                latency=lambda statistic: metric("ExecutionTime", statistic),
            ),
            availability=availability, latency=latency, min_failed_requests=min_failed_executions,
        )
        slo_text = availability.describe() + (f"; {latency.describe()}" if latency else "")
        what = "failing or slow executions" if latency else "failing executions"
        self._add_notifiers({
            Urgency.HIGH: f"Customers of the workflow {self.entrypoint_name} are affected now: {what} are spending "
                          "the error budget fast enough to exhaust it within days."
                          f"{slow_share_text(latency, 'executions')}",
            Urgency.LOW: f"Customers of the workflow {self.entrypoint_name} see {what} at a rate that, if it "
                         "continues, misses the SLO this period.",
        }, slo_text, outage_text(self, "executions"))
