"""Helpers shared by the tests: real aws-cdk-lib synthesis, and cfn-lint on every template synthesized.

A module with its own name (not conftest) so test files in any folder import it unambiguously.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from cfnlint.api import ManualArgs, lint

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = ROOT / "examples" / "orders_service"


def cfn_lint(template: dict[str, Any]) -> list[str]:
    """cfn-lint findings of a template, as 'RULE path: message' strings (E... errors, W... warnings)."""
    matches = lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))
    return [f"{m.rule.id} {'/'.join(str(p) for p in m.path)}: {m.message}" for m in matches]


def cfn_lint_errors(template: dict[str, Any]) -> list[str]:
    """Only cfn-lint's errors (rule ids starting with E)."""
    return [f for f in cfn_lint(template) if f.startswith("E")]


def synth(stack: cdk.Stack) -> dict[str, Any]:
    """The stack's template, after cfn-lint found no error in it: every test that synthesizes lints."""
    template: dict[str, Any] = cdk.App.of(stack).synth().get_stack_by_name(stack.stack_name).template  # type: ignore[union-attr]
    errors = cfn_lint_errors(template)
    assert not errors, "cfn-lint errors:\n" + "\n".join(errors)
    return template


def resources_of(template: dict[str, Any], *types: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template.get("Resources", {}).items() if v["Type"] in types}


ALARM_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
