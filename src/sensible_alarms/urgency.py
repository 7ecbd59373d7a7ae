"""How soon a human must act on an alarm. There is no "ignore" level: what is not customer
impact is not alarmed at all."""

from __future__ import annotations

import enum

__all__ = ["Urgency"]


class Urgency(enum.Enum):
    """Urgency of a notification."""

    #: Customers are affected now (the service may be down, processing is badly delayed).
    #: Notifies at once.
    HIGH = "HIGH"
    #: A problem if it continues (a job keeps failing, a slow burn of the error budget).
    #: Notifies a ticket or digest channel.
    LOW = "LOW"

    @property
    def meaning(self) -> str:
        """One sentence a reader of an alarm description understands."""
        if self is Urgency.HIGH:
            return "customers are affected now; act at once"
        return "a problem if it continues; act within working hours"
