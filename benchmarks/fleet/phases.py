"""Where one synthesis's time goes, measured inside the app: wall time and CPU time of the
construct phase (Python building the tree through jsii) and of the synth phase (``app.synth()``:
Node.js preparing, resolving, writing and validating the cloud assembly), Python and Node.js apart,
and the share of the synth phase that sensible_alarms' policy plugin took.

CPU time is read from the processes themselves (psutil): the Python process, and jsii's Node.js
processes (its runtime and the kernel it starts). On a machine with more runnable processes than
CPUs, wall time stretches with the load and CPU time far less, so both are reported.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import aws_cdk as cdk
import psutil

from sensible_alarms.policy import SensibleAlarmsPolicy


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) so far of this Python process and of its children (jsii's Node.js)."""
    me = psutil.Process()
    own = me.cpu_times()
    node = 0.0
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            times = child.cpu_times()
            node += times.user + times.system
    return own.user + own.system, node


class TimedPolicy(SensibleAlarmsPolicy):
    """The policy plugin, keeping the wall time of its ``validate`` calls (CDK calls it during synth)."""

    seconds = 0.0
    calls = 0

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        started = time.perf_counter()
        try:
            return super().validate(context)
        finally:
            TimedPolicy.seconds += time.perf_counter() - started
            TimedPolicy.calls += 1


class Phases:
    """Marks the end of each phase; :meth:`summary` is the app's last line for synth_timing."""

    def __init__(self) -> None:
        self._last = (time.perf_counter(), *_cpu())
        self._phases: dict[str, tuple[float, float, float]] = {}

    def mark(self, phase: str) -> None:
        now = (time.perf_counter(), *_cpu())
        self._phases[phase] = (now[0] - self._last[0], now[1] - self._last[1], now[2] - self._last[2])
        self._last = now

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for phase, (wall, python, node) in self._phases.items():
            out[f"{phase}_seconds"] = round(wall, 3)
            out[f"{phase}_python_cpu"] = round(python, 3)
            out[f"{phase}_node_cpu"] = round(node, 3)
        out["policy_seconds"] = round(TimedPolicy.seconds, 3)
        out["policy_calls"] = TimedPolicy.calls
        return out
