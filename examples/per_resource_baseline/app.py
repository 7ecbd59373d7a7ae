#!/usr/bin/env python3
"""Synthesize the per-resource baseline: `python app.py` (to ./cdk.out) or `cdk synth`.

The orders service's resources, alarmed the common way: every resource gets the alarms of the
last one, all sent to one SNS topic. `sensible-alarms check cdk.out` says what is wrong with that.
"""

from __future__ import annotations

import os
import sys

import aws_cdk as cdk

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from baseline_stack import PerResourceBaselineStack  # noqa: E402


def build(outdir: str | None = None) -> cdk.App:
    """The app; `outdir` defaults to $CDK_OUTDIR (set by the cdk CLI) or cdk.out beside this file."""
    app = cdk.App(outdir=outdir or os.environ.get("CDK_OUTDIR") or os.path.join(HERE, "cdk.out"))
    PerResourceBaselineStack(app, "OrdersPerResourceBaseline",
                             synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    return app


if __name__ == "__main__":
    build().synth()
