"""Fixtures of the benchmark tests."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from cdk_support import ROOT

FLEET = ROOT / "benchmarks" / "fleet"


#: The benchmark's modules have plain names (it runs as a script); they must not outlive these tests,
#: or a later `import app` would find the fleet's app instead of the example's.
_FLEET_MODULES = ("spec", "events", "traffic", "metrics", "synth_timing", "replay_fleet", "report", "run", "app",
                  "summary")


@pytest.fixture(scope="module")
def fleet_modules() -> Iterator[dict[str, ModuleType]]:
    saved_path, saved_modules = list(sys.path), {n: sys.modules.get(n) for n in _FLEET_MODULES}
    for name in _FLEET_MODULES:  # an example's `app` imported earlier must not stand in for the fleet's
        sys.modules.pop(name, None)
    sys.path.insert(0, str(FLEET))
    try:
        yield {name: importlib.import_module(name)
               for name in ("spec", "events", "traffic", "replay_fleet", "run", "summary")}
    finally:
        sys.path[:] = saved_path
        for name, module in saved_modules.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
