#!/usr/bin/env python3
"""Where the fleet's synth phase (``app.synth()``, after the tree is built) goes, against its floor.

At one size, ``--rounds`` times in a rotating order (the load recorded before each run), four
variants of benchmarks/fleet/app.py, each in a fresh process:

* ``none``: the fleet without alarms;
* ``floor``: ``none`` plus the library's resources of a ``sensible`` assembly, each written as one
  plain ``cdk.CfnResource`` with the same logical id, type, properties and metadata: the same
  template bytes with nothing of sensible_alarms' making left (no typed L1, no token, no L2);
* ``sensible`` without the policy plugin, and ``sensible+policy`` (as the README sets it up).

Each run reports wall and CPU time of its construct and synth phases, Python and Node.js apart
(phases.py), and the CPU time of aws-cdk-lib's synth stages (synth_stages.js, preloaded into jsii's
Node.js): the cross-reference search, stack templates, tree.json, CDK's built-in CloudFormation
validation (its engine's start and the templates), and each element's resolution by owner. Before
the runs, deterministic counts: resources and bytes of templates and tree.json per variant; the
floor's templates are checked to hold the same resources as sensible's (the run stops if not).

Usage: python synth_phase.py --services 100 --rounds 1 [--output benchmarks/results/fleet_synth_phase.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
STAGES_JS = HERE / "synth_stages.js"
RESULTS = ROOT / "benchmarks" / "results" / "fleet_synth_phase.json"
VARIANTS = ("none", "floor", "sensible", "sensible+policy")


# -- one run (a child process) -----------------------------------------------------------------


def child(variant: str, services: int, outdir: str, reference: Path | None) -> None:
    """Build and synthesize one variant in this process; print the phases as the last line."""
    sys.path.insert(0, str(HERE))
    import aws_cdk as cdk
    from app import build
    from phases import Phases

    phases = Phases()
    app = build("none" if variant == "floor" else "sensible" if variant.startswith("sensible") else variant,
                services, outdir, policy=variant == "sensible+policy")
    if variant == "floor":
        assert reference is not None
        library = json.loads((reference / "library.json").read_text())
        for stack in app.node.children:
            if isinstance(stack, cdk.Stack):
                for logical_id, resource in library[stack.stack_name].items():
                    cfn = cdk.CfnResource(stack, logical_id, type=resource["Type"],
                                          properties=resource.get("Properties", {}))
                    for key, value in resource.get("Metadata", {}).items():
                        if key != "aws:cdk:path":  # CDK writes the path itself
                            cfn.add_metadata(key, value)
    phases.mark("construct")
    app.synth()
    phases.mark("synth")
    print(json.dumps(phases.summary()))


# -- the parent --------------------------------------------------------------------------------


def _templates(directory: Path) -> dict[str, dict[str, Any]]:
    return {p.name.removesuffix(".template.json"): json.loads(p.read_text())
            for p in sorted(directory.glob("*.template.json"))}


def _sizes(directory: Path) -> dict[str, int]:
    templates = list(directory.glob("*.template.json"))
    return {"resources": sum(len(json.loads(p.read_text())["Resources"]) for p in templates),
            "template_bytes": sum(p.stat().st_size for p in templates),
            "tree_json_bytes": (directory / "tree.json").stat().st_size,
            "assembly_bytes": sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())}


def _run(variant: str, services: int, outdir: Path, reference: Path, stages: Path) -> dict[str, Any]:
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    env = dict(os.environ, SA_STAGES_OUT=str(stages))
    env["NODE_OPTIONS"] = f"{env.get('NODE_OPTIONS', '')} --require {STAGES_JS}".strip()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", variant, "--services", str(services),
                           "--outdir", str(outdir), "--reference", str(reference)],
                          capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{variant} at S={services} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    phases = json.loads(done.stdout.strip().splitlines()[-1])
    measured: dict[str, float] = defaultdict(float)
    for file in stages.parent.glob(stages.name + ".*.json"):
        for key, value in json.loads(file.read_text()).items():
            measured[key] += value["us"] / 1e6
        file.unlink()
    # Stages as they are; elements summed by pass and owner (the detail by resource type kept apart).
    stages_cpu: dict[str, float] = defaultdict(float)
    for key, value in measured.items():
        parts = key.split("\t")
        stages_cpu[parts[1] if parts[0] == "stage" else f"resolve, {parts[1]} pass: {parts[2]}"] += value
    return {"seconds": round(seconds, 2), **phases,
            "node_stages_cpu": {key: round(value, 3) for key, value in sorted(stages_cpu.items())},
            "node_elements_cpu": {key.removeprefix("element\t"): round(value, 3)
                                  for key, value in sorted(measured.items()) if key.startswith("element\t")}}


def reference_assembly(services: int, workdir: Path) -> Path:
    """A sensible and a none assembly; the library's resources (sensible's less none's) per stack."""
    reference = workdir / "reference"
    for variant in ("sensible", "none"):
        subprocess.run([sys.executable, str(HERE / "app.py"), "--variant", variant, "--services", str(services),
                        "--outdir", str(reference / variant), "--policy", "off"], check=True, capture_output=True)
    with_alarms, without = _templates(reference / "sensible"), _templates(reference / "none")
    library: dict[str, dict[str, Any]] = {}
    for stack, template in with_alarms.items():
        base = without[stack]["Resources"]
        changed = [lid for lid in base if base[lid] != template["Resources"].get(lid)]
        if changed:
            raise SystemExit(f"{stack}: the app's own resources differ with alarms: {changed[:5]}")
        library[stack] = {lid: r for lid, r in template["Resources"].items() if lid not in base}
    (reference / "library.json").write_text(json.dumps(library))
    return reference


def check_floor(reference: Path, floor: Path) -> None:
    def content(templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {stack: {lid: (r["Type"], r.get("Properties")) for lid, r in t["Resources"].items()}
                for stack, t in templates.items()}

    if content(_templates(floor)) != content(_templates(reference / "sensible")):
        raise SystemExit("the floor's resources are not those of the sensible assembly")


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3), "max": round(max(values), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--outdir", help=argparse.SUPPRESS)
    parser.add_argument("--reference", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.services, args.outdir, args.reference)
        return
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    results: dict[str, Any] = {"sensible_alarms_commit": commit.stdout.strip() or None, "cpus": os.cpu_count(),
                               "services": args.services, "load_at_start": [round(x, 2) for x in os.getloadavg()]}
    with tempfile.TemporaryDirectory(prefix="fleet-synth-phase-") as tmp:
        workdir = Path(tmp)
        reference = reference_assembly(args.services, workdir)
        runs: list[dict[str, Any]] = []
        for n in range(args.rounds):
            order = VARIANTS[n % len(VARIANTS):] + VARIANTS[:n % len(VARIANTS)]
            for variant in order:
                load = round(os.getloadavg()[0], 2)
                outdir = workdir / variant
                run = _run(variant, args.services, outdir, reference, workdir / "stages")
                if n == 0:
                    if variant == "floor":
                        check_floor(reference, outdir)
                    results.setdefault("sizes", {})[variant] = _sizes(outdir)
                runs.append({"round": n, "variant": variant, "load_1min": load, **run})
                print(f"S={args.services} round {n + 1} {variant:<16} wall {run['seconds']:6.1f} s  synth "
                      f"{run['synth_seconds']:6.1f} s, Node.js CPU {run['synth_node_cpu']:6.1f} s, policy "
                      f"{run['policy_seconds']:5.2f} s  load {load}", flush=True)
            results["runs"] = runs
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(json.dumps(results, indent=2) + "\n")

    def by_variant(field: str) -> dict[str, dict[str, float]]:
        return {v: _summary([r[field] for r in runs if r["variant"] == v]) for v in VARIANTS}

    results["synth_node_cpu"] = by_variant("synth_node_cpu")
    results["synth_seconds"] = by_variant("synth_seconds")
    results["policy_seconds"] = by_variant("policy_seconds")
    stages: dict[str, dict[str, float]] = {}
    for variant in VARIANTS:
        mine = [r["node_stages_cpu"] for r in runs if r["variant"] == variant]
        stages[variant] = {key: round(statistics.median(m.get(key, 0.0) for m in mine), 3)
                           for key in sorted({k for m in mine for k in m})}
    results["node_stages_cpu_median"] = stages
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    for variant in VARIANTS:
        print(f"{variant:<16} synth Node.js CPU {results['synth_node_cpu'][variant]['median']:6.1f} s  "
              f"{results['sizes'][variant]}")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
