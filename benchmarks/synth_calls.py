#!/usr/bin/env python3
"""Python→jsii calls of the benchmark apps (synth_apps.py), with and without alarms, in one process.

For each example: its app without alarms is built, then with them, each while
:class:`jsii_calls.JsiiCalls` counts (the construct tree only: ``app.synth()`` is one call, and the
policy plugin's callbacks are Python answering Node.js). Then, uncounted, the construct paths of
the sensible_alarms constructs, so that synth_overhead.py can tell the library's resources from
the app's.

Usage: python synth_calls.py --examples orders payments   (prints JSON)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jsii_calls import JsiiCalls
from synth_apps import EXAMPLES, build, library_paths

TOP = 25


def count(example: str, outdir: str) -> dict[str, Any]:
    EXAMPLES[example].stack_module()  # imported before counting: module-level code runs once
    with JsiiCalls() as without:
        build(example, False, outdir)
    with JsiiCalls() as with_alarms:
        app = build(example, True, outdir)
    return {
        # The app's one-line policy plugin (Validations.of(app).add_plugins(...), 3 calls) is app code,
        # so "app" with alarms is the app without them plus 3.
        "without_alarms": {"total": without.total(), "by_kind": without.by("kind")},
        "with_alarms": {
            "total": with_alarms.total(),
            "app": with_alarms.total() - with_alarms.total(library_only=True),
            "library": with_alarms.total(library_only=True),
            "by_kind": with_alarms.by("kind"),
            "library_by_kind": with_alarms.by("kind", library_only=True),
            "by_owner_and_kind": with_alarms.by_owner_and_kind(),
            "library_by_site": dict(list(with_alarms.by("site", library_only=True).items())[:TOP]),
            "library_by_name": dict(list(with_alarms.by("name", library_only=True).items())[:TOP]),
        },
        "library_paths": library_paths(app),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", nargs="+", choices=sorted(EXAMPLES), required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="synth-calls-") as outdir:
        print(json.dumps({example: count(example, outdir) for example in args.examples}))


if __name__ == "__main__":
    main()
