"""``sensible-alarms suggest``: the construct code that covers each uncovered entrypoint, and the
existing alarms to delete or to strip of their actions.

Input: a cloud assembly or template (checked with the policy), or the JSON an audit wrote
(``sensible-alarms audit --format json``). The code for each kind of entrypoint is the policy's own
fix (``sensible_alarms.policy.words.CONSTRUCTS``), so suggestion and finding never disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import SensibleAlarmsError

__all__ = ["Suggestion", "suggest", "suggest_command", "suggestion_text"]


@dataclass(frozen=True)
class Suggestion:
    """What to add and what to remove."""

    add: tuple[tuple[str, str, str], ...]
    """(entrypoint and why, where (construct path or stack), line of code): each entrypoint no
    sensible_alarms construct covers, uncovered or alarmed by alarms the policy flags."""
    delete: tuple[tuple[str, str], ...]
    """(alarm, why): per-resource noise; keep the metric on a dashboard."""
    strip: tuple[tuple[str, str], ...]
    """(alarm, why): duplicates; remove their actions, or make them members of the entrypoint's composite."""


def _construct(kind: str, source_service: str | None) -> str:
    from ..policy.words import construct_for

    line = construct_for(kind, source_service)
    return line if line else f"(no construct of this library covers a {kind} entrypoint yet)"


def _from_audit(data: dict[str, Any]) -> Suggestion:
    add: dict[str, tuple[str, str, str]] = {
        u["title"]: (f"{u['title']} (uncovered)", u.get("construct_path") or u["stack"],
                         _construct(u["kind"], u.get("source_service")))
        for u in data.get("uncovered_entrypoints", ())}
    delete, strip = [], []
    replaced: dict[str, list[str]] = {}
    for alarm in data.get("alarms", ()):
        if not alarm.get("notifies"):
            continue
        sent = len(alarm.get("notifications", ()))
        why = f"{alarm['class']}, {sent} notification{'s' if sent != 1 else ''}"
        if alarm["class"] == "per-resource noise":
            delete.append((alarm["name"], why))
        elif alarm["class"] == "duplicate":
            strip.append((alarm["name"], why))
        else:
            continue
        if alarm.get("mapped_by") == "assembly" and alarm.get("entrypoint_kind"):
            replaced.setdefault(alarm["entrypoint"], [alarm["entrypoint_kind"], alarm.get("entrypoint_source"),
                                                      alarm["stack"]]).append(alarm["name"])
    for title, (kind, source, stack, *names) in replaced.items():
        add.setdefault(title, (f"{title} (replaces {len(names)} alarm{'s' if len(names) != 1 else ''})", stack,
                               _construct(kind, source)))
    return Suggestion(tuple(add.values()), tuple(delete), tuple(strip))


def _from_assembly(path: Path) -> Suggestion:
    from ..model import load
    from ..policy import check
    from ..policy.catalogue import facts

    model = load(path)
    report = check(model)
    flagged: dict[tuple[str, str], str] = {}
    for found in report.findings:
        if found.rule_id == "per-resource-noise":
            flagged[(found.stack, found.logical_id)] = "per-resource noise"
        elif found.rule_id == "duplicate-notification":
            flagged.setdefault((found.stack, found.logical_id), "duplicate")
    add = []
    for stack in model.stacks:
        stack_facts = facts(stack)
        for entrypoint in stack.entrypoints:
            covering = stack_facts.covering(entrypoint)
            if any(a.metadata is not None for a in covering):
                continue  # a sensible_alarms construct covers it already
            replaced = [a for a in stack_facts.concerning(entrypoint) if (stack.name, a.logical_id) in flagged]
            why = "uncovered" if not covering else f"replaces {len(replaced)} alarm{'s' if len(replaced) != 1 else ''}"
            add.append((f"{entrypoint.title} ({why})", entrypoint.construct_path or entrypoint.stack,
                        _construct(entrypoint.kind, entrypoint.source_service)))
    labels = {(s.name, a.logical_id): a.label for s in model.stacks for a in s.alarms}
    delete = tuple((labels.get(key, key[1]), cls) for key, cls in flagged.items() if cls == "per-resource noise")
    strip = tuple((labels.get(key, key[1]), cls) for key, cls in flagged.items() if cls == "duplicate")
    return Suggestion(tuple(add), delete, strip)


def suggest(path: Path) -> Suggestion:
    """The suggestion for a cloud assembly, a template, or an audit's JSON findings."""
    if path.is_file() and path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SensibleAlarmsError(f"{path}: cannot be read as JSON ({error})") from error
        if isinstance(data, dict) and "alarms" in data and "uncovered_entrypoints" in data:
            return _from_audit(data)
    return _from_assembly(path)


def suggestion_text(suggestion: Suggestion) -> str:
    from ..metadata import CONSTRUCT_OF_KIND

    lines = ["# Cover each customer-facing entrypoint (inside the stack that defines it):", ""]
    if suggestion.add:
        used = sorted({name for _, _, code in suggestion.add for name in CONSTRUCT_OF_KIND.values()
                       if code.startswith(name + "(")})
        slos = sorted({slo for _, _, code in suggestion.add for slo in ("AvailabilitySlo", "FreshnessSlo")
                       if slo in code})
        lines += [f"from sensible_alarms import {', '.join(['AlarmRouting', *used, *slos])}", "",
                  "routing = AlarmRouting(self, 'Routing', high_emails=['oncall@example.com'])"]
        for title, where, code in suggestion.add:
            lines += [f"# {title} ({where})", code]
        lines += ["", "# Or all of them in one line, with default SLOs (at the end of the stack's constructor):",
                  "# from sensible_alarms import cover_entrypoints",
                  "# cover_entrypoints(self, routing=routing)"]
    else:
        lines.append("# every entrypoint is covered by a sensible_alarms construct")
    lines += ["", "# Existing alarms to delete (per-resource noise; keep the metric on a dashboard):"]
    lines += [f"#   {name}  ({why})" for name, why in suggestion.delete] or ["#   none"]
    lines += ["", "# Existing alarms to strip of their actions (duplicates of the entrypoint's notification):"]
    lines += [f"#   {name}  ({why})" for name, why in suggestion.strip] or ["#   none"]
    return "\n".join(lines) + "\n"


def suggest_command(
    path: Annotated[Path, typer.Argument(help="Cloud assembly (cdk.out), template, or an audit's JSON findings.")],
) -> None:
    """Print the construct code that covers each uncovered entrypoint, and the existing alarms to
    delete or strip of their actions. Exit 0, or 2 when PATH cannot be read."""
    try:
        text = suggestion_text(suggest(path))
    except SensibleAlarmsError as error:
        typer.echo(f"sensible-alarms: error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(text, nl=False)
