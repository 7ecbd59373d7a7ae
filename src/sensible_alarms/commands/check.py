"""``sensible-alarms check``: the policy rules over PATHS, as text, JSON or SARIF."""

from __future__ import annotations

from pathlib import Path

from ..errors import SensibleAlarmsError
from ..policy import Report, check_paths, report_json, report_sarif, report_text

__all__ = ["FORMATS", "run_check"]

FORMATS = {"text": report_text, "json": report_json, "sarif": report_sarif}


def run_check(paths: list[Path], *, output_format: str = "text") -> tuple[Report, str]:
    """The report of PATHS and its text in the given format."""
    if output_format not in FORMATS:
        raise SensibleAlarmsError(f"--format must be text, json or sarif (got {output_format!r})")
    report = check_paths(*paths)
    return report, FORMATS[output_format](report)
