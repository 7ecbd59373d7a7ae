"""Policy rules and what they find."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import AlarmModel, Stack

__all__ = ["Finding", "Rule", "finding"]


@dataclass(frozen=True)
class Finding:
    """One violation of a rule by one resource of one stack."""

    rule_id: str
    stack: str
    logical_id: str
    construct_path: str | None
    resource_type: str
    message: str
    template_path: Path | None
    related: tuple[str, ...] = ()
    """Other logical ids the finding is about (the alarms a duplicate repeats, for instance)."""
    suppressed_reason: str | None = None
    """The written reason of the suppression that switched this finding off, or None."""

    @property
    def location(self) -> str:
        """Where to look: the construct path, else ``<stack>/<logical id>``."""
        return self.construct_path or f"{self.stack}/{self.logical_id}"

    @property
    def suppressed(self) -> bool:
        return self.suppressed_reason is not None

    @property
    def words(self) -> str:
        """The finding in one line: ``[rule] location: message``."""
        return f"[{self.rule_id}] {self.location}: {self.message}"


@dataclass(frozen=True)
class Rule:
    """A policy rule: a pure function of the model, and the words that explain it.

    ``id`` is the module name with dashes (``per_resource_noise.py`` -> ``per-resource-noise``);
    ``rationale`` says why breaking the rule hurts customers or the on-call; ``fix`` what to do.
    """

    id: str
    title: str
    rationale: str
    fix: str
    check: Callable[[AlarmModel], Iterable[Finding]]

    @property
    def docs(self) -> str:
        """The rule's documentation page, relative to the repository root."""
        return f"docs/policy/{self.id}.md"


def finding(rule_id: str, stack: Stack, logical_id: str, message: str, *, related: Iterable[str] = (),
            suppressible_at: Iterable[str] = ()) -> Finding:
    """A finding at ``logical_id`` of ``stack``. It is suppressed when that resource, or one of
    ``suppressible_at`` (the other resources of an entrypoint, say), carries a suppression of the
    rule with a written reason."""
    resource = stack.resource(logical_id)
    reason = None
    for candidate in (logical_id, *suppressible_at):
        suppressor = stack.resource(candidate)
        suppression = suppressor.suppression(rule_id) if suppressor is not None else None
        if suppression is not None:
            reason = suppression.reason.strip()
            break
    return Finding(
        rule_id=rule_id, stack=stack.name, logical_id=logical_id,
        construct_path=resource.construct_path if resource else None,
        resource_type=resource.type if resource else "", message=message, template_path=stack.template_path,
        related=tuple(related), suppressed_reason=reason,
    )
