"""Policy findings for the review, when the policy module exists; never invented otherwise."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .model import PolicySection

if TYPE_CHECKING:
    from ..cfn_text import StackTemplate

__all__ = ["NOT_PRESENT", "policy_section"]

NOT_PRESENT = "not computed (policy module not present)"


def policy_section(stacks: Sequence[StackTemplate]) -> PolicySection:
    """Findings and suppressions from ``sensible_alarms.policy`` when it is importable and offers
    ``check_stacks(stacks)``; otherwise a section that says they were not computed."""
    try:
        spec = importlib.util.find_spec("sensible_alarms.policy")
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return PolicySection(False, NOT_PRESENT, (), ())
    try:
        module = importlib.import_module("sensible_alarms.policy")
    except Exception as error:
        return PolicySection(False, f"not computed (policy module failed to import: {error})", (), ())
    check: Any = getattr(module, "check_stacks", None)
    if not callable(check):
        return PolicySection(False, "not computed (policy module has no check_stacks entry point)", (), ())
    findings: list[str] = []
    suppressions: list[str] = []
    for finding in check(list(stacks)):
        text = str(getattr(finding, "words", None) or finding)
        reason = getattr(finding, "suppressed_reason", None)
        if reason:
            suppressions.append(f"{text} (suppressed: {reason})")
        else:
            findings.append(text)
    return PolicySection(True, "computed", tuple(sorted(findings)), tuple(sorted(suppressions)))
