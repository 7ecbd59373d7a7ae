"""What the request/response entrypoint constructs of the newer kinds share: their SLO arguments
checked the same way, burn-rate members from ``request_burn_rates``, and one composite per urgency."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..burn_rate import BURN_RATE_WINDOWS
from ..urgency import Urgency
from .entrypoint import EntrypointAlarms
from .probe import quiet_entrypoint_text
from .request_burn_rates import (
    RequestMetrics,
    add_request_burn_rates,
    check_request_arguments,
    outage_text,
    slow_share_text,
)

if TYPE_CHECKING:
    from constructs import Construct

    from ..routing import AlarmRouting

__all__ = ["DEFAULT_MIN_FAILED_REQUESTS", "RequestEntrypointAlarms"]

DEFAULT_MIN_FAILED_REQUESTS = 10


class RequestEntrypointAlarms(EntrypointAlarms):
    """Base of FunctionUrlAlarms, LoadBalancerTargetAlarms, GraphqlApiAlarms and WebSocketApiAlarms.
    Not used directly."""

    def __init__(self, scope: Construct, id: str, *, routing: AlarmRouting, runbook_url: str | None) -> None:
        super().__init__(scope, id, routing=routing, runbook_url=runbook_url)
        self._low_window_seconds = max(w.long_window_seconds for w in BURN_RATE_WINDOWS if w.urgency is Urgency.LOW)

    def _alarm_requests(self, metrics: RequestMetrics, *, availability: object, latency: object,
                        min_failed_requests: object, what: str, probe: object = None,
                        probe_offered: bool = True) -> None:
        """Check the SLO arguments, add the burn-rate members, the probe when given, and the
        composites. `what` names the requests in the composites' texts (``requests``, ``messages``);
        `probe_offered`: whether the texts suggest a probe (not for a WebSocket API, which a
        one-request probe cannot call)."""
        slo, latency_slo, min_failed = check_request_arguments(
            self, availability=availability, latency=latency, min_failed=min_failed_requests)
        add_request_burn_rates(self, metrics, availability=slo, latency=latency_slo, min_failed_requests=min_failed)
        quiet = quiet_entrypoint_text(self, what, probe, slo, offered=probe_offered)
        slo_text = slo.describe() + (f"; {latency_slo.describe()}" if latency_slo else "")
        failing = f"failing or slow {what}" if latency_slo else f"failing {what}"
        self._add_notifiers({
            Urgency.HIGH: f"Customers of {self.entrypoint_name} are affected now: {failing} are spending the "
                          f"error budget fast enough to exhaust it within days.{slow_share_text(latency_slo)}",
            Urgency.LOW: f"Customers of {self.entrypoint_name} see {failing} at a rate that, if it continues, "
                         "misses the SLO this period.",
        }, slo_text, outage_text(self, what) + quiet)
