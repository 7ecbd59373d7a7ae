"""ServiceDashboard: the one page an on-call engineer opens first."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from ..errors import SensibleAlarmsError
from .entrypoint import EntrypointAlarms

__all__ = ["ServiceDashboard"]


class ServiceDashboard(Construct):
    """A CloudWatch dashboard with, per entrypoint, its notification state and each SLO signal
    drawn against its alarm threshold.

    ``ServiceDashboard(self, "Dashboard")`` after the entrypoint constructs shows every entrypoint
    construct under the same stack.

    :param entrypoints: the entrypoints to show. Default: every entrypoint construct in the stack,
        found when the dashboard is created.
    :param dashboard_name: Default: a name CloudFormation generates.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        entrypoints: Sequence[EntrypointAlarms] | None = None,
        dashboard_name: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        from aws_cdk import Stack

        if entrypoints is None:
            found = [c for c in Stack.of(self).node.find_all() if isinstance(c, EntrypointAlarms)]
        else:
            found = list(entrypoints)
            for entry in found:
                if not isinstance(entry, EntrypointAlarms):
                    raise SensibleAlarmsError(
                        f"'entrypoints' must hold sensible_alarms entrypoint constructs (got {type(entry).__name__})",
                        path=self.node.path, prop="entrypoints", value=type(entry).__name__)
        if not found:
            raise SensibleAlarmsError(
                "there are no entrypoint constructs to show; create the ApiAlarms / QueueConsumerAlarms / ... "
                "first, or pass 'entrypoints'", path=self.node.path, prop="entrypoints", value=[])
        self.dashboard = cw.Dashboard(self, "Resource", dashboard_name=dashboard_name)
        for entry in found:
            notifiers = list(entry.notifiers.values())
            self.dashboard.add_widgets(
                cw.TextWidget(markdown=f"### {entry.entrypoint_name}", width=24, height=1),
            )
            widgets: list[cw.IWidget] = [
                cw.AlarmStatusWidget(alarms=notifiers, title="Notifications", width=6, height=6)
            ]
            for member in entry.members:
                if member.primary:
                    widgets.append(cw.AlarmWidget(alarm=member.alarm, title=member.title, width=6, height=6))
            self.dashboard.add_widgets(*widgets)
