#!/usr/bin/env python3
"""Are the examples' templates byte-identical under two versions of sensible_alarms?

Each example app (orders, payments with both stacks, the per-resource baseline) is run as
``python app.py`` in a fresh process, once with the library from ``--a`` and once from ``--b``
(each a ``src`` folder put first on PYTHONPATH, e.g. a ``git archive`` of the commit to compare),
and every ``*.template.json`` of the two cloud assemblies is compared byte for byte. A change that
is meant only to make synth faster (L1 instead of L2, fewer jsii calls) must leave them equal.

Usage: python example_templates.py --a OLD/src --b src   (exit 0: identical; 1: the differing files)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
APPS = ("orders_service", "payments_service", "per_resource_baseline")


def synthesize(src: Path, outdir: Path) -> list[Path]:
    """Every example's templates, synthesized with the library in `src`."""
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    templates: list[Path] = []
    for app in APPS:
        out = outdir / app
        subprocess.run([sys.executable, "app.py"], cwd=EXAMPLES / app, env={**env, "CDK_OUTDIR": str(out)},
                       check=True, capture_output=True)
        templates += sorted(out.glob("*.template.json"))
    return templates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="src folder of one library version")
    parser.add_argument("--b", type=Path, required=True, help="src folder of the other")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="example-templates-") as tmp:
        a = synthesize(args.a.resolve(), Path(tmp) / "a")
        b = synthesize(args.b.resolve(), Path(tmp) / "b")
        names_a = {p.relative_to(Path(tmp) / "a") for p in a}
        names_b = {p.relative_to(Path(tmp) / "b") for p in b}
        differing = sorted(str(n) for n in names_a ^ names_b)
        differing += sorted(str(n) for n in names_a & names_b
                            if (Path(tmp) / "a" / n).read_bytes() != (Path(tmp) / "b" / n).read_bytes())
        for name in sorted(names_a | names_b):
            print(f"{'differs' if str(name) in differing else 'same   '} {name}")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
