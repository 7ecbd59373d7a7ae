"""The example also synthesizes through the real AWS CDK CLI and its cdk.json, as users run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from cdk_support import ALARM_TYPES, EXAMPLE_DIR, ROOT

#: The CDK CLI version the test installs from the npm registry (the CLI is versioned apart from aws-cdk-lib).
CDK_CLI_VERSION = "2.1148.1"


def _cdk_cli() -> Path:
    prefix = ROOT / ".cache" / f"aws-cdk-{CDK_CLI_VERSION}"
    cli = prefix / "node_modules" / ".bin" / "cdk"
    if not cli.exists():
        npm = shutil.which("npm")
        assert npm, "npm (Node.js) is required: aws-cdk-lib runs on Node.js"
        subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--silent",
                        f"aws-cdk@{CDK_CLI_VERSION}"], check=True, capture_output=True, timeout=600)
    return cli


def test_cdk_synth_with_the_examples_cdk_json_gives_the_same_template(tmp_path: Path,
                                                                      orders_template: dict[str, Any]):
    """`cdk synth` in examples/orders_service (app from cdk.json) writes the template `python app.py` writes."""
    out = tmp_path / "cdk.out"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([str(_cdk_cli()), "synth", "--quiet", "--output", str(out)], cwd=EXAMPLE_DIR, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    via_cli = json.loads((out / "OrdersService.template.json").read_text())
    # The CLI turns on version reporting (a CDKMetadata resource) and construct-path metadata, which
    # also changes the API deployment's hashed logical id; the alarms are exactly the same.
    def alarms(template: dict[str, Any]) -> dict[str, Any]:
        return {k: r["Properties"] for k, r in template["Resources"].items() if r["Type"] in ALARM_TYPES}

    assert alarms(via_cli) == alarms(orders_template)
    assert alarms(via_cli), "the CLI synthesized no alarm"
