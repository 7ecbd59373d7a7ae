"""Shared fixtures: real aws-cdk-lib synthesis, and cfn-lint on every template synthesized."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk

from cdk_support import EXAMPLE_DIR

if str(EXAMPLE_DIR) not in sys.path:
    sys.path.insert(0, str(EXAMPLE_DIR))


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory):
    """A moto_server process (a real CloudWatch API endpoint) on a free loopback port; stopped afterwards."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto_server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to about 30 s for the server to listen
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {process.returncode}; see {log.name}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"moto_server did not listen on port {port}; see {log.name}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


BASELINE_DIR = EXAMPLE_DIR.parent / "per_resource_baseline"


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
