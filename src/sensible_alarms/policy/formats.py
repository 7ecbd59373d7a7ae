"""A report as text (for people), JSON (for tools) and SARIF 2.1.0 (for code-scanning annotations)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model.lines import ResourceLines
from .engine import Report
from .finding import Finding, Rule

__all__ = ["SARIF_SCHEMA", "report_json", "report_sarif", "report_text", "report_to_dict", "tool_version"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "sensible-alarms"


def tool_version() -> str:
    """The installed version of sensible-alarms, or ``0.0.0`` when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sensible-alarms")
    except PackageNotFoundError:
        return "0.0.0"


# -- text ------------------------------------------------------------------------------------------


def report_text(report: Report) -> str:
    """Findings grouped by rule, each rule with its fix; suppressed findings with their reasons."""
    lines = [f"sensible-alarms check: {report.stacks} stack{'s' if report.stacks != 1 else ''}, "
             f"{report.entrypoints} customer-facing entrypoints, {report.alarms} alarms", ""]
    for rule in report.rules:
        findings = [f for f in report.findings if f.rule_id == rule.id]
        if not findings:
            continue
        lines.append(f"{rule.id}: {rule.title} ({len(findings)})")
        lines.append(f"  fix: {rule.fix}")
        lines.append(f"  docs: {rule.docs}")
        for found in findings:
            lines.append(f"  - {found.location}")
            lines.append(f"    {found.message}")
        lines.append("")
    if report.suppressed:
        lines.append(f"Suppressed ({len(report.suppressed)}):")
        for found in report.suppressed:
            lines.append(f"  - [{found.rule_id}] {found.location}")
            lines.append(f"    {found.message}")
            lines.append(f"    reason: {found.suppressed_reason}")
        lines.append("")
    if report.ok:
        lines.append("No findings." if not report.suppressed else
                     f"No findings ({len(report.suppressed)} suppressed).")
    else:
        per_rule = ", ".join(f"{rule_id} {count}" for rule_id, count in report.counts().items() if count)
        lines.append(f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''} ({per_rule})"
                     + (f", {len(report.suppressed)} suppressed." if report.suppressed else "."))
    return "\n".join(lines) + "\n"


# -- JSON ------------------------------------------------------------------------------------------


def _rule_dict(rule: Rule) -> dict[str, Any]:
    return {"id": rule.id, "title": rule.title, "rationale": rule.rationale, "fix": rule.fix, "docs": rule.docs}


def _finding_dict(found: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule_id": found.rule_id,
        "stack": found.stack,
        "logical_id": found.logical_id,
        "construct_path": found.construct_path,
        "resource_type": found.resource_type,
        "template_path": str(found.template_path) if found.template_path else None,
        "message": found.message,
        "related": list(found.related),
    }
    if found.suppressed_reason is not None:
        out["suppressed_reason"] = found.suppressed_reason
    return out


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as plain data (``report_json`` writes it)."""
    return {
        "version": 1,
        "tool": {"name": TOOL_NAME, "version": tool_version()},
        "summary": {
            "ok": report.ok,
            "stacks": report.stacks,
            "entrypoints": report.entrypoints,
            "alarms": report.alarms,
            "findings": len(report.findings),
            "suppressed": len(report.suppressed),
            "by_rule": report.counts(),
        },
        "rules": [_rule_dict(rule) for rule in report.rules],
        "findings": [_finding_dict(f) for f in report.findings],
        "suppressed": [_finding_dict(f) for f in report.suppressed],
    }


def report_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), indent=2) + "\n"


# -- SARIF -----------------------------------------------------------------------------------------


def _uri(path: Path | None) -> str:
    if path is None:
        return "template.json"
    try:
        relative = Path(os.path.relpath(path))
    except ValueError:
        relative = path
    text = relative.as_posix()
    return path.resolve().as_uri() if text.startswith("../") else text


def _results(report: Report, index: dict[str, int]) -> Iterator[dict[str, Any]]:
    lines = ResourceLines()
    for found in (*report.findings, *report.suppressed):
        region = lines.line(found.template_path, found.logical_id)
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(found.template_path)}}
        if region is not None:
            physical["region"] = {"startLine": region}
        result: dict[str, Any] = {
            "ruleId": found.rule_id,
            "ruleIndex": index[found.rule_id],
            "level": "error",
            "message": {"text": found.message},
            "locations": [{
                "physicalLocation": physical,
                "logicalLocations": [{
                    "name": found.logical_id,
                    "fullyQualifiedName": found.location,
                    "kind": "resource",
                }],
            }],
            "properties": {"stack": found.stack, "resourceType": found.resource_type},
        }
        if found.suppressed_reason is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": found.suppressed_reason}]
        yield result


def report_sarif(report: Report) -> str:
    """The report as a SARIF 2.1.0 log: one run, the rules in ``tool.driver.rules``, one result per
    finding (suppressed ones carry ``suppressions`` with the written reason)."""
    index = {rule.id: position for position, rule in enumerate(report.rules)}
    rules = [{
        "id": rule.id,
        "name": "".join(part.title() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.fix} See {rule.docs}.", "markdown": f"{rule.fix}\n\nSee [{rule.docs}]({rule.docs})."},
        "defaultConfiguration": {"level": "error"},
    } for rule in report.rules]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": tool_version(), "rules": rules}},
            "results": list(_results(report, index)),
        }],
    }
    return json.dumps(log, indent=2) + "\n"
