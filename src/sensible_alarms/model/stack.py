"""A stack and a whole model: what review, policy, replay and snapshots read."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .alarms import Alarm, CompositeAlarm, MetricAlarm
from .entrypoints import Api, Entrypoint, FailureDestination
from .resources import Canary, Resource, Topic, resource_label

__all__ = ["AlarmModel", "Stack"]

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9:]+)(?:\.([A-Za-z0-9.]+))?\}")


@dataclass(frozen=True)
class Stack:
    """One CloudFormation template: its resources, customer-facing entrypoints, alarms and topics."""

    name: str
    """The stack's display name in the cloud assembly (``Prod/Orders`` inside a stage), or the
    template file's name without ``.template.json`` / ``.json`` / ``.yaml``."""
    template_path: Path | None
    construct_path: str | None
    """The stack's construct path, when the template comes from a cloud assembly."""
    resources: Mapping[str, Resource]
    entrypoints: tuple[Entrypoint, ...]
    metric_alarms: tuple[MetricAlarm, ...]
    composite_alarms: tuple[CompositeAlarm, ...]
    topics: tuple[Topic, ...]
    failure_destinations: tuple[FailureDestination, ...] = ()
    """Dead-letter queues and failure destinations of the stack, with whose failures they receive."""
    apis: tuple[Api, ...] = ()
    """API Gateway APIs of the stack, staged or not, by logical id."""
    canaries: tuple[Canary, ...] = ()
    """CloudWatch Synthetics canaries of the stack (synthetic probes), by logical id."""
    deployment_resources: frozenset[str] = frozenset()
    """Lambda functions and state machines that serve CloudFormation (custom resource providers,
    CDK's bucket notifications handler, log retention, the provider framework's waiter, ...):
    infrastructure no customer reaches, never an entrypoint nor a function left unalarmed (see
    :func:`.resources.deployment_resources`)."""
    _alarms: dict[str, Alarm] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for metric_alarm in self.metric_alarms:
            self._alarms[metric_alarm.logical_id] = metric_alarm
        for composite_alarm in self.composite_alarms:
            self._alarms[composite_alarm.logical_id] = composite_alarm

    @property
    def alarms(self) -> tuple[Alarm, ...]:
        """Metric and composite alarms, ordered by logical id."""
        return tuple(self._alarms[lid] for lid in sorted(self._alarms))

    def alarm(self, logical_id: str) -> Alarm | None:
        """The alarm with this logical id, if the stack has one."""
        return self._alarms.get(logical_id)

    def with_alarm_names(self, text: str, name: Callable[[Alarm], str] = lambda alarm: alarm.name,
                         other: Callable[[str, str | None], str] | None = None) -> str:
        """A rendered value (a rule, a dimension, an action) with the placeholders of this stack's
        alarms (``${Alarm1234}``, ``${Alarm1234.Arn}``) written as ``name(alarm)``; other
        placeholders as ``other(logical_id, attribute or None)``, or left as they are."""
        def replace(match: re.Match[str]) -> str:
            logical_id, attribute = match.group(1), match.group(2)
            alarm = self._alarms.get(logical_id)
            if alarm is not None and attribute in (None, "Arn"):
                return name(alarm)
            return other(logical_id, attribute) if other is not None else match.group(0)

        return _PLACEHOLDER.sub(replace, text)

    def resource(self, logical_id: str) -> Resource | None:
        """The resource with this logical id, if the stack has one."""
        return self.resources.get(logical_id)

    def label(self, logical_id: str) -> str:
        """A short name for a resource in messages (see :func:`resource_label`)."""
        resource = self.resources.get(logical_id)
        return resource_label(resource, self.construct_path) if resource else logical_id

    @cached_property
    def composites_of(self) -> Mapping[str, tuple[str, ...]]:
        """Alarm logical id -> the composites of this stack whose rule names it, or whose actions it
        suppresses."""
        found: dict[str, list[str]] = {}
        for composite in self.composite_alarms:
            names = list(composite.members)
            suppressor = composite.actions_suppressor
            if suppressor is not None and suppressor.logical_id:
                names.append(suppressor.logical_id)
            for member in dict.fromkeys(names):
                found.setdefault(member, []).append(composite.logical_id)
        return {lid: tuple(composites) for lid, composites in found.items()}


@dataclass(frozen=True)
class AlarmModel:
    """Every stack of the cloud assemblies and template files that were loaded, in load order."""

    stacks: tuple[Stack, ...]
    sources: tuple[Path, ...] = ()
    """The paths the model was loaded from."""

    def stack(self, name: str) -> Stack | None:
        """The stack with this name, if any."""
        return next((s for s in self.stacks if s.name == name), None)

    @property
    def entrypoints(self) -> Iterator[Entrypoint]:
        """Every entrypoint of every stack."""
        for stack in self.stacks:
            yield from stack.entrypoints

    @property
    def metric_alarms(self) -> Iterator[MetricAlarm]:
        """Every metric alarm of every stack."""
        for stack in self.stacks:
            yield from stack.metric_alarms

    @property
    def composite_alarms(self) -> Iterator[CompositeAlarm]:
        """Every composite alarm of every stack."""
        for stack in self.stacks:
            yield from stack.composite_alarms
