"""Fixtures of the policy tests: the per-resource baseline example, synthesized once per session."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASELINE_DIR = ROOT / "examples" / "per_resource_baseline"


@pytest.fixture(scope="session")
def baseline_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The orders service's resources alarmed per resource with cdk-monitoring-constructs, synthesized once."""
    import aws_cdk as cdk

    # Loaded from its file under its own name: the example's folder is not put on sys.path, where its
    # app.py would shadow the orders example's app.py that tests/conftest.py imports.
    spec = importlib.util.spec_from_file_location("per_resource_baseline_stack", BASELINE_DIR / "baseline_stack.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    outdir = tmp_path_factory.mktemp("baseline") / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    module.PerResourceBaselineStack(app, "OrdersPerResourceBaseline",
                                    synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    app.synth()
    return outdir
