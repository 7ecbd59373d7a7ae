"""`explain` in words: members with their thresholds as the template has them, and the composites
that keep a notifier quiet during an open incident said as such, not as causes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sensible_alarms.explain import explain_model
from sensible_alarms.model import MetricAlarm, load

if TYPE_CHECKING:
    from pathlib import Path


def _api_section(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  OrdersService/OrdersApiAlarms"))
    ends = (i for i in range(start + 1, len(lines)) if lines[i].startswith("  ") and not lines[i].startswith("   "))
    end = next(ends, len(lines))
    return lines[start:end]


def test_confirmation_composites_are_said_once_per_incident_not_as_causes(orders_assembly: Path):
    """The API's Unconfirmed composites, and the member that keeps the outage notifier quiet while one
    route is down (OneRouteDown3m), are not 'because' lines; each is one line naming the notifier it holds."""
    section = _api_section(explain_model(load(orders_assembly)).text)
    because = section[section.index("    because:"):section.index("    once per incident:")]
    assert not any("composite" in line for line in because)
    once = [line for line in section[section.index("    once per incident:") + 1:] if line.startswith("      ")]
    assert sorted(line.split()[0] for line in once) == ["HIGH", "HIGH", "HIGH", "LOW"]
    said = "\n".join(once)
    assert "HighUrgency does not notify while HighUrgencyUnconfirmed is in ALARM (no HIGH condition" in said
    assert "OutageUrgency does not notify while OutageUrgencyUnconfirmed is in ALARM (no request" in said
    assert "LowUrgency does not notify while LowUrgencyUnconfirmed is in ALARM" in said
    assert "OutageUrgency does not notify while OneRouteDown3m is in ALARM (one route of OrdersApi is down" in said


def test_every_ratio_threshold_is_the_templates_as_a_percentage(orders_assembly: Path):
    """Each 'share >= X%' line is its member's threshold times 100, and there is one per ratio member."""
    model = load(orders_assembly)
    (stack,) = model.stacks
    wanted = sorted(round(a.threshold * 100, 6) for a in stack.metric_alarms
                    if isinstance(a, MetricAlarm) and a.metadata is not None
                    and a.metadata.entrypoint == "OrdersService/OrdersApiAlarms"
                    and a.metadata.signal in ("availability", "latency", "route-outage")
                    and isinstance(a.threshold, float))
    found = (re.search(r"share >= ([0-9.]+)%", line) for line in _api_section(explain_model(model).text))
    said = sorted(float(match.group(1)) for match in found if match)
    assert wanted
    assert said == wanted


def test_members_without_a_window_that_share_a_signal_are_named(orders_assembly: Path):
    """The API's outage members (availability, no window) are told apart by their names."""
    section = _api_section(explain_model(load(orders_assembly)).text)
    assert any(line.strip().startswith("HIGH availability (Outage5m): share >= 50%") for line in section)
    assert any(line.strip().startswith("HIGH availability (Outage30m): share >= 50%") for line in section)
