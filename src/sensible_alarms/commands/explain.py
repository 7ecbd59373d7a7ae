"""``sensible-alarms explain``: what alarms each entrypoint got, and why, in words."""

from __future__ import annotations

from pathlib import Path

from ..explain import Explanation, explain_model
from ..model import load

__all__ = ["run_explain"]


def run_explain(paths: list[Path]) -> Explanation:
    """The explanation of PATHS (cloud assemblies, templates, directories of templates)."""
    return explain_model(load(*paths))
