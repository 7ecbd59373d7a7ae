#!/usr/bin/env python3
"""Synthesize the orders service: `python app.py` (to ./cdk.out) or `cdk synth`."""

from __future__ import annotations

import os
import sys

import aws_cdk as cdk

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from orders_stack import OrdersStack  # noqa: E402

from sensible_alarms.policy import SensibleAlarmsPolicy  # noqa: E402


def build(outdir: str | None = None) -> cdk.App:
    """The app; `outdir` defaults to $CDK_OUTDIR (set by the cdk CLI) or cdk.out beside this file."""
    app = cdk.App(outdir=outdir or os.environ.get("CDK_OUTDIR") or os.path.join(HERE, "cdk.out"))
    # The policy at synth time: synthesis fails on per-resource, duplicate or unexplained alarms.
    cdk.Validations.of(app).add_plugins(SensibleAlarmsPolicy())
    # No bootstrap version rule: the stack deploys to any account or emulator as plain CloudFormation.
    OrdersStack(app, "OrdersService",
                synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    return app


if __name__ == "__main__":
    build().synth()
