"""What a review is made of: stacks, entrypoints, alarms, notification routes and their cost.

Plain frozen dataclasses, built once by :func:`sensible_alarms.review.build.review_model` from
the alarm model and rendered by the markdown, JSON and HTML writers and compared by the diff.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pricing import CostOption

__all__ = [
    "AlarmReview",
    "ChartWindow",
    "EntrypointReview",
    "PolicySection",
    "ProbeReview",
    "Recipient",
    "Review",
    "Route",
    "StackReview",
    "probe_words",
]


@dataclass(frozen=True)
class Recipient:
    """Who a topic reaches: ``kind`` is ``email``, ``slack``, ``sms``, ``https``, ``lambda``, ..."""

    kind: str
    target: str

    @property
    def words(self) -> str:
        return f"{self.kind} {self.target}"


@dataclass(frozen=True)
class Route:
    """Where one alarm action goes: an SNS topic of the template and its recipients, or any other
    action target (written as it appears in the template)."""

    target: str
    """The topic's display name, or the rendered action."""
    recipients: tuple[Recipient, ...]

    @property
    def words(self) -> str:
        if not self.recipients:
            return f"{self.target} (no subscriber in this template)"
        return f"{self.target}: " + ", ".join(r.words for r in self.recipients)


@dataclass(frozen=True)
class ChartWindow:
    """One alarm's window, for the entrypoint's picture."""

    label: str
    urgency: str
    window_seconds: int
    """How much time one evaluation looks at (period x evaluation periods)."""
    period_seconds: int
    burn_rate: float | None
    """For burn-rate alarms: the threshold as a multiple of the SLO's sustainable error rate."""
    pair: str | None
    """Burn-rate alarms confirmed together share a pair id."""


@dataclass(frozen=True)
class AlarmReview:
    logical_id: str
    name: str
    kind: str
    """``metric`` or ``composite``."""
    role: str
    """``notifier`` / ``member`` (from the SensibleAlarms metadata) or ``unmanaged`` (no metadata)."""
    urgency: str | None
    signal: str | None
    customer_impact: str | None
    slo: str | None
    runbook: str | None
    conditions: tuple[str, ...]
    """When it goes into ALARM, in words: one line per alternative (composite OR-terms)."""
    notifying: bool
    routes: tuple[Route, ...]
    metrics: int
    """Alarm metrics billed (0 for a composite)."""
    high_resolution: bool
    anomaly_detection: bool
    monthly_cost: float
    settings: tuple[tuple[str, str], ...]
    """Comparable settings for the diff (threshold, period, datapoints, rule, actions, ...)."""


@dataclass(frozen=True)
class ProbeReview:
    """A synthetic probe (a CloudWatch Synthetics canary) one of the entrypoint's alarms reads."""

    name: str
    schedule: str
    """The schedule expression as written (``rate(5 minutes)``)."""
    runs_per_month: int | None
    monthly_cost: float | None
    """Its runs at list price; None when the schedule is not a rate (and so not priced)."""


def probe_words(probe: ProbeReview) -> str:
    """A probe and its price in one line, as the review prints it."""
    if probe.monthly_cost is None or probe.runs_per_month is None:
        return f"{probe.name}, {probe.schedule}: not priced (its schedule is not a rate)"
    return (f"{probe.name}, {probe.schedule}: {probe.runs_per_month:,} runs, ${probe.monthly_cost:,.2f} a month "
            f"(in the monthly cost)")


@dataclass(frozen=True)
class EntrypointReview:
    id: str
    """The construct path from the metadata, or the primary resource's logical id when detected."""
    key: str
    """Identity across versions: the primary resource's logical id when known, else ``id``."""
    kind: str
    title: str
    source: str
    """``construct`` (alarms made by sensible_alarms) or ``detected`` (found from resources only)."""
    resources: tuple[str, ...]
    """Resources the entrypoint is made of, as ``LogicalId (Type)``."""
    features: tuple[str, ...]
    """What a reviewer should see change: routes of an API, a queue's dead-letter queue, a schedule."""
    covered: bool
    coverage: str
    slo: str | None
    alarms: tuple[AlarmReview, ...]
    monthly_cost: float
    """Its alarms' and its probes' monthly list price."""
    chart: tuple[ChartWindow, ...]
    identity: tuple[str, str, str] = ("", "", "")
    """What the entrypoint is whatever its logical ids and stack are called (kind, kind of source,
    the source's literal name): the diff matches renamed entrypoints by it."""
    cost_options: tuple[CostOption, ...] = ()
    """Construct options that would make its alarms cheaper, and by how much a month."""
    probes: tuple[ProbeReview, ...] = ()
    """Synthetic probes its alarms read, with their runs' price (part of ``monthly_cost``)."""


@dataclass(frozen=True)
class StackReview:
    name: str
    entrypoints: tuple[EntrypointReview, ...]
    other_alarms: tuple[AlarmReview, ...]
    """Alarms that belong to no entrypoint."""
    topics: tuple[Route, ...]
    """Every SNS topic of the stack with its recipients."""
    monthly_cost: float
    alarm_count: int


@dataclass(frozen=True)
class PolicySection:
    computed: bool
    note: str
    findings: tuple[str, ...]
    suppressions: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    stacks: tuple[StackReview, ...]
    monthly_cost: float
    pricing_source: str
    policy: PolicySection

    @property
    def uncovered(self) -> list[tuple[str, EntrypointReview]]:
        return [(s.name, e) for s in self.stacks for e in s.entrypoints if not e.covered]
