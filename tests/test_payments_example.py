"""The payments example: a stack with every entrypoint kind. Bare, `check` reports each entrypoint
once and review and explain agree; covered by explicit constructs or by `cover_entrypoints`, it passes
`check` with no hand-written alarm and lints clean."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from cdk_support import ALARM_TYPES, ROOT, cfn_lint_errors, resources_of
from sensible_alarms import explain
from sensible_alarms.metadata import CONSTRUCT_OF_KIND, METADATA_KEY
from sensible_alarms.model import load
from sensible_alarms.policy import check
from sensible_alarms.review import review_stacks

EXAMPLE = ROOT / "examples" / "payments_service"
#: The entrypoints of the example, by kind: what the model must detect (the example's docstring).
KINDS = {"api": 2, "queue_consumer": 1, "stream_consumer": 2, "scheduled_job": 1, "event_consumer": 3,
         "workflow": 1, "function_url": 1, "load_balancer": 1, "graphql_api": 1, "websocket_api": 1}


def _synth(tmp: Path, alarms: str) -> Path:
    sys.path.insert(0, str(EXAMPLE))
    try:
        from payments_stack import PaymentsStack
    finally:
        sys.path.remove(str(EXAMPLE))
    app = cdk.App(outdir=str(tmp))
    PaymentsStack(app, f"Payments{alarms.title()}", alarms=alarms,  # type: ignore[arg-type]
                  synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    app.synth()
    return tmp


@pytest.fixture(scope="module", params=["none", "explicit", "cover"])
def assembly(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    return request.param, _synth(tmp_path_factory.mktemp(f"payments-{request.param}"), request.param)


def _template(path: Path) -> dict[str, Any]:
    import json
    (template,) = [json.loads(p.read_text()) for p in path.glob("*.template.json")]
    return template  # type: ignore[no-any-return]


def test_the_model_detects_every_entrypoint_of_the_example_by_kind(assembly):
    """Each variant has the same entrypoints: two APIs, the consumers, the job, the workflow, the
    Function URL, the load balancer target, the GraphQL and the WebSocket API; nothing else."""
    _, path = assembly
    (stack,) = load(path).stacks
    assert dict(Counter(e.kind for e in stack.entrypoints)) == KINDS


def test_bare_stack_gets_one_uncovered_finding_per_entrypoint(assembly):
    """Without alarms, check reports every entrypoint as uncovered, once, naming the construct of its
    kind; with alarms (explicit or one line) it reports nothing at all."""
    variant, path = assembly
    model = load(path)
    report = check(model)
    if variant != "none":
        assert [f"{f.rule_id} {f.construct_path}" for f in report.findings] == []
        return
    (stack,) = model.stacks
    uncovered = [f for f in report.findings if f.rule_id == "uncovered-entrypoint"]
    assert sorted(f.logical_id for f in uncovered) == sorted(e.logical_id for e in stack.entrypoints)
    by_id = {e.logical_id: e for e in stack.entrypoints}
    for found in uncovered:
        assert CONSTRUCT_OF_KIND[by_id[found.logical_id].kind] in found.message


def test_review_lists_the_same_entrypoints_and_coverage_as_check(assembly):
    """review shows each entrypoint check knows, and as many uncovered as check reports."""
    variant, path = assembly
    review = review_stacks(path)
    (stack,) = review.stacks
    assert len(stack.entrypoints) == sum(KINDS.values())
    uncovered = [e for e in stack.entrypoints if not e.covered]
    assert len(uncovered) == (sum(KINDS.values()) if variant == "none" else 0)


def test_explain_agrees_with_check_on_every_entrypoint(assembly):
    """explain lists every entrypoint the model detects, marks as NOT COVERED exactly those check reports
    uncovered, and, covered, names for each the construct of its kind (by its metadata)."""
    variant, path = assembly
    model = load(path)
    explanation = explain.explain_model(model)
    assert len(model.stacks) == 1
    uncovered = {f.logical_id for f in check(model).findings if f.rule_id == "uncovered-entrypoint"}
    assert explanation.uncovered == len(uncovered)
    assert explanation.text.count("NOT COVERED") == len(uncovered)
    assert len(uncovered) == (sum(KINDS.values()) if variant == "none" else 0)
    if variant != "none":
        kinds = {r["Metadata"][METADATA_KEY]["entrypoint"]: r["Metadata"][METADATA_KEY]["entrypointKind"]
                 for r in resources_of(_template(path), *ALARM_TYPES).values()}
        assert dict(Counter(kinds.values())) == KINDS


def test_every_variant_lints_without_errors(assembly):
    """cfn-lint finds no error in any variant's template."""
    _, path = assembly
    assert cfn_lint_errors(_template(path)) == []


def test_the_example_app_passes_the_policy_at_synth_time(tmp_path):
    """The example's own app (both stacks, the policy plugin on) synthesizes: no finding blocks it."""
    # Loaded by path under its own name: the orders example's `app` module may already be imported.
    spec = importlib.util.spec_from_file_location("payments_service_app", EXAMPLE / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    sys.path.insert(0, str(EXAMPLE))
    try:
        spec.loader.exec_module(module)
    finally:
        # app.py puts its folder on sys.path itself: restore sys.path whole, so a later
        # `from app import build` (conftest's orders example) cannot find this example's app.py.
        sys.path[:] = saved
    assembly = module.build(str(tmp_path)).synth()
    assert sorted(s.stack_name for s in assembly.stacks) == ["PaymentsCovered", "PaymentsExplicit"]


def test_each_variant_synthesizes_byte_identical_templates_twice(assembly, tmp_path):
    """Two synths of the same variant in separate apps write the same template bytes (cover_entrypoints
    walks and names in a stable order)."""
    variant, path = assembly
    again = _synth(tmp_path, variant)
    (first,) = path.glob("*.template.json")
    assert (again / first.name).read_bytes() == first.read_bytes()
