#!/usr/bin/env python3
"""Synthesize the payments service twice: `python app.py` (to ./cdk.out) or `cdk synth`.

``PaymentsExplicit`` alarms each entrypoint with its own construct and SLO; ``PaymentsCovered`` has
the same entrypoints and one line, ``cover_entrypoints(...)``. Both pass the policy at synth time.
"""

from __future__ import annotations

import os
import sys

import aws_cdk as cdk

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from payments_stack import PaymentsStack  # noqa: E402

from sensible_alarms.policy import SensibleAlarmsPolicy  # noqa: E402


def build(outdir: str | None = None, *, emulated: bool = False) -> cdk.App:
    """The app; `outdir` defaults to $CDK_OUTDIR (set by the cdk CLI) or cdk.out beside this file.
    `emulated` leaves out what LocalStack cannot create (see payments_stack)."""
    app = cdk.App(outdir=outdir or os.environ.get("CDK_OUTDIR") or os.path.join(HERE, "cdk.out"))
    cdk.Validations.of(app).add_plugins(SensibleAlarmsPolicy())
    synthesizer = cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False)
    PaymentsStack(app, "PaymentsExplicit", alarms="explicit", emulated=emulated, synthesizer=synthesizer)
    PaymentsStack(app, "PaymentsCovered", alarms="cover", emulated=emulated,
                  synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    return app


if __name__ == "__main__":
    build().synth()
