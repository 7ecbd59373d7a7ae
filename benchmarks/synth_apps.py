#!/usr/bin/env python3
"""The orders and payments examples as benchmark apps: with their alarms, without, and the floor.

* ``on``: the example's app as it is, with the policy plugin it adds.
* ``off``: the same app with every sensible_alarms name that the example's stack module imported
  (AlarmRouting, the entrypoint constructs, the SLO types, ServiceDashboard, cover_entrypoints)
  replaced by a stand-in that makes nothing, and without the policy plugin: the app's own resources
  are built by the same code. ``synth_overhead.py`` checks that they come out the same: the template
  without alarms equals the template with alarms less the resources under sensible_alarms constructs.
* ``floor``: ``off`` plus the library's resources of an ``on`` template (``--reference``), each
  written as one ``cdk.CfnResource`` with the same logical id, type, properties and metadata, and the
  policy plugin: what the alarms cost when jsii is asked for nothing but the resources themselves,
  the limit an L1 rewrite approaches.

The app is built the way ``cdk synth`` builds it (the CLI's default context) with the stacks the
example's ``app.py`` adds: orders' ``OrdersService``; payments' ``PaymentsExplicit`` (one construct
per entrypoint; the example's second stack, ``PaymentsCovered``, repeats the same service).

Usage: python synth_apps.py --example {orders,payments} --alarms {on,off}  --outdir DIR
       python synth_apps.py --example ... --alarms floor --reference ON_DIR --library-paths PATHS.json --outdir DIR
Prints, as its last line, where the time went: {"construct_seconds", "synth_seconds", "policy_seconds"}.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import aws_cdk as cdk

from sensible_alarms.model import Resource, load_assembly

# The timed policy plugin is the fleet's (appended, so the fleet's app.py never shadows an example's).
sys.path.append(str(Path(__file__).resolve().parent / "fleet"))
from phases import TimedPolicy

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"

#: What the cdk CLI passes by default (no --debug), as benchmarks/fleet/app.py does.
CLI_CONTEXT = {"aws:cdk:enable-path-metadata": True, "aws:cdk:disable-stack-trace": True}


@dataclass(frozen=True)
class Example:
    directory: str
    module: str
    add_stacks: Callable[[ModuleType, cdk.App], cdk.Stack]

    def stack_module(self) -> ModuleType:
        path = str(EXAMPLES_DIR / self.directory)
        if path not in sys.path:
            sys.path.insert(0, path)
        return importlib.import_module(self.module)


def _synthesizer() -> cdk.DefaultStackSynthesizer:
    return cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False)


EXAMPLES = {
    "orders": Example("orders_service", "orders_stack",
                      lambda module, app: module.OrdersStack(app, "OrdersService", synthesizer=_synthesizer())),
    "payments": Example("payments_service", "payments_stack",
                        lambda module, app: module.PaymentsStack(app, "PaymentsExplicit", alarms="explicit",
                                                                 synthesizer=_synthesizer())),
}


def _nothing(*args: Any, **kwargs: Any) -> None:
    """Stands in for a sensible_alarms construct, SLO or function: makes nothing."""


@contextlib.contextmanager
def without_alarms(module: ModuleType) -> Iterator[list[str]]:
    """While active, every sensible_alarms name in `module` is :func:`_nothing`; yields the names."""
    replaced = {name: value for name, value in vars(module).items()
                if getattr(value, "__module__", "").startswith("sensible_alarms")}
    for name in replaced:
        setattr(module, name, _nothing)
    try:
        yield sorted(replaced)
    finally:
        for name, value in replaced.items():
            setattr(module, name, value)


def build(example: str, alarms: bool, outdir: str, *, floor: tuple[Path, list[str]] | None = None) -> cdk.App:
    """The example's app; with `alarms`, as the example has it, including the policy plugin. With
    `floor` (an ``on`` cloud assembly and the library's construct paths in it), the app without
    alarms plus the library's resources of that assembly, as plain CfnResources."""
    spec = EXAMPLES[example]
    module = spec.stack_module()
    app = cdk.App(outdir=outdir, context=dict(CLI_CONTEXT))
    if alarms or floor:
        cdk.Validations.of(app).add_plugins(TimedPolicy())
    if alarms:
        spec.add_stacks(module, app)
    else:
        with without_alarms(module):
            stack = spec.add_stacks(module, app)
        if floor:
            add_resources(stack, library_resources(*floor))
    return app


def library_resources(reference: Path, paths: list[str]) -> list[Resource]:
    """The resources of the `reference` assembly's stack under the construct `paths`."""
    (stack,) = load_assembly(reference).stacks
    return [r for r in stack.resources.values()
            if any(r.construct_path == p or (r.construct_path or "").startswith(p + "/") for p in paths)]


def add_resources(stack: cdk.Stack, resources: list[Resource]) -> None:
    """Each resource as one CfnResource: a child of the stack keeps its id as its logical id."""
    for resource in resources:
        cfn = cdk.CfnResource(stack, resource.logical_id, type=resource.type, properties=dict(resource.properties))
        for key, value in resource.metadata.items():
            if key != "aws:cdk:path":  # CDK writes the path itself
                cfn.add_metadata(key, value)


def library_paths(app: cdk.App) -> list[str]:
    """Construct paths of the sensible_alarms constructs in `app` (without the leading '/')."""
    return sorted(c.node.path for c in app.node.find_all() if type(c).__module__.startswith("sensible_alarms."))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", choices=sorted(EXAMPLES), required=True)
    parser.add_argument("--alarms", choices=("on", "off", "floor"), required=True)
    parser.add_argument("--outdir", required=True)
    parser.add_argument("--reference", type=Path, help="floor: the cloud assembly of an 'on' run")
    parser.add_argument("--library-paths", type=Path, help="floor: JSON list of the library's construct paths in it")
    args = parser.parse_args()
    if args.alarms == "floor" and not (args.reference and args.library_paths):
        parser.error("--alarms floor needs --reference and --library-paths")
    os.makedirs(args.outdir, exist_ok=True)
    started = time.perf_counter()
    floor = (args.reference, json.loads(args.library_paths.read_text())) if args.alarms == "floor" else None
    app = build(args.example, args.alarms == "on", args.outdir, floor=floor)
    built = time.perf_counter()
    app.synth()
    done = time.perf_counter()
    # Where the time went: constructing the tree (Python calling into jsii), synthesizing it (Node.js
    # writing the templates, including the policy plugin's checks); imports and jsii's start are the rest.
    print(json.dumps({"construct_seconds": round(built - started, 3), "synth_seconds": round(done - built, 3),
                      "policy_seconds": round(TimedPolicy.seconds, 4)}))


if __name__ == "__main__":
    main()
