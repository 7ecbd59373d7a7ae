"""ServiceDashboard: the one page an on-call engineer opens first."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from ..errors import SensibleAlarmsError
from .entrypoint import EntrypointAlarms, alarm_arn

__all__ = ["ServiceDashboard"]

#: CloudWatch dashboards are 24 columns wide; a row of widgets wraps at that width (cw.Row's layout).
_GRID_WIDTH = 24
_GRAPH = 6
#: What cw.Dashboard accepts as a name: letters, digits, "-" and "_" (ASCII, as JavaScript's \w).
_NAME = re.compile(r"[\w-]+", re.ASCII)
#: ``cdk.Aws.REGION``: a token string that stays the same for the process, read once.
_region: list[str] = []


class ServiceDashboard(Construct):
    """A CloudWatch dashboard with, per entrypoint, its notification state and each SLO signal
    drawn against its alarm threshold.

    ``ServiceDashboard(self, "Dashboard")`` after the entrypoint constructs shows every entrypoint
    construct under the same stack.

    The dashboard is a ``CfnDashboard`` whose body is rendered here, as ``cw.Dashboard`` renders the
    same widgets (a ``TextWidget`` header, an ``AlarmStatusWidget`` of the notifiers and an
    ``AlarmWidget`` per primary member, each entrypoint a row that wraps at 24 columns): the same
    template for about 40 % of the jsii calls (docs/synth-speed.md). `dashboard`, the L2, is
    built instead the first time it is read.

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
        if entrypoints is None:
            found = [c for c in cdk.Stack.of(self).node.find_all() if isinstance(c, EntrypointAlarms)]
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
        if dashboard_name is not None and not _NAME.fullmatch(dashboard_name) \
                and not cdk.Token.is_unresolved(dashboard_name):
            raise SensibleAlarmsError(
                "'dashboard_name' can only contain letters, digits, '-' and '_' (got "
                f"{dashboard_name!r})", path=self.node.path, prop="dashboard_name", value=dashboard_name)
        self._entrypoints = found
        self._dashboard_name = dashboard_name
        self._l2: cw.Dashboard | None = None
        # The holder has the id of the cw.Dashboard it replaces, its CfnDashboard that of the L2's own:
        # the same construct path and logical id.
        cw.CfnDashboard(Construct(self, "Resource"), "Resource", dashboard_name=dashboard_name,
                        dashboard_body=render_body(found))

    @property
    def dashboard(self) -> cw.Dashboard:
        """The dashboard as an ``aws_cloudwatch.Dashboard`` (to add widgets of your own). Built the
        first time it is read, with the same widgets, in place of the ``CfnDashboard``: the template
        is the same."""
        if self._l2 is None:
            self.node.try_remove_child("Resource")
            self._l2 = cw.Dashboard(self, "Resource", dashboard_name=self._dashboard_name)
            for entry in self._entrypoints:
                self._l2.add_widgets(cw.TextWidget(markdown=f"### {entry.entrypoint_name}", width=24, height=1))
                widgets: list[cw.IWidget] = [cw.AlarmStatusWidget(
                    alarms=list(entry.notifiers.values()), title="Notifications", width=_GRAPH, height=_GRAPH)]
                for member in entry.members:
                    if member.primary:
                        widgets.append(cw.AlarmWidget(alarm=member.alarm, title=member.title, width=_GRAPH,
                                                      height=_GRAPH))
                self._l2.add_widgets(*widgets)
        return self._l2


def render_body(entrypoints: Sequence[EntrypointAlarms]) -> str:
    """The dashboard body (JSON text with token strings in it) that ``cw.Dashboard`` renders for the
    entrypoints' widgets in aws-cdk-lib 2.275: widget keys in its order, undefined values left out,
    compact separators, non-ASCII text as it is (``JSON.stringify``). CloudFormation gets it as the
    L2's ``Fn::Join`` of the text around each token (an alarm ARN, the Region)."""
    if not _region:
        _region.append(cdk.Aws.REGION)
    region = _region[0]
    widgets: list[dict[str, Any]] = []
    top = 0
    for entry in entrypoints:
        widgets.append({"type": "text", "width": _GRID_WIDTH, "height": 1, "x": 0, "y": top,
                        "properties": {"markdown": f"### {entry.entrypoint_name}"}})
        top += 1
        row: list[tuple[str, dict[str, Any]]] = [
            ("alarm", {"title": "Notifications", "alarms": [alarm_arn(n) for n in entry.notifier_resources.values()]})]
        for member in entry.members:
            if member.primary:
                row.append(("metric", {"view": "timeSeries", "title": member.title, "region": region,
                                       "annotations": {"alarms": [alarm_arn(member.resource)]}, "yAxis": {}}))
        # cw.Row: left to right, a widget that would pass the grid's edge starts a new line.
        x = y = height = 0
        for kind, properties in row:
            if x + _GRAPH > _GRID_WIDTH:
                x, y = 0, height
            widgets.append({"type": kind, "width": _GRAPH, "height": _GRAPH, "x": x, "y": top + y,
                            "properties": properties})
            height = max(height, y + _GRAPH)
            x += _GRAPH
        top += height
    return json.dumps({"widgets": widgets}, separators=(",", ":"), ensure_ascii=False)
