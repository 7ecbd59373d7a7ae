"""Shared fixtures: real aws-cdk-lib synthesis, and cfn-lint on every template synthesized."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk
from cfnlint.api import ManualArgs, lint

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = ROOT / "examples" / "orders_service"
if str(EXAMPLE_DIR) not in sys.path:
    sys.path.insert(0, str(EXAMPLE_DIR))


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


@pytest.fixture
def stack() -> cdk.Stack:
    """A fresh env-agnostic stack in a fresh app."""
    app = cdk.App()
    return cdk.Stack(app, "TestStack")


@pytest.fixture(scope="session")
def orders_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The orders example, synthesized once per session into a temporary cloud assembly."""
    from app import build

    outdir = tmp_path_factory.mktemp("orders") / "cdk.out"
    build(str(outdir)).synth()
    return outdir


@pytest.fixture(scope="session")
def orders_template(orders_assembly: Path) -> dict[str, Any]:
    template: dict[str, Any] = json.loads((orders_assembly / "OrdersService.template.json").read_text())
    return template
