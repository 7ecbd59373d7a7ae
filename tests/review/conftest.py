"""Fixtures of the review tests: version 2 of the orders example, synthesized once per session."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from orders_stack_v2 import OrdersStackV2


@pytest.fixture(scope="session")
def orders_v2_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The orders example with a DELETE route added and the order queue's DLQ (and its alarms) removed."""
    outdir = tmp_path_factory.mktemp("orders_v2") / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    OrdersStackV2(app, "OrdersService", synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    app.synth()
    return outdir
