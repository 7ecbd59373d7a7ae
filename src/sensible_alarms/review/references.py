"""What a value of a template points at: logical ids (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``) and
literal names. Coverage is decided from these: an alarm watches the resources its metric
dimensions reference."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["literal_names", "metric_references", "referenced_ids", "short_id", "target_id"]

_SUB_VAR = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")
_CDK_HASH = re.compile(r"(?<=.)[0-9A-F]{8}$")


def short_id(logical_id: str) -> str:
    """A logical id without the 8-character hash CDK appends (``OrderQueue39B99167`` -> ``OrderQueue``)."""
    return _CDK_HASH.sub("", logical_id)


def referenced_ids(value: Any) -> set[str]:
    """Every logical id referenced anywhere inside ``value`` (pseudo parameters excluded)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if len(item) == 1:
                ((key, arg),) = item.items()
                if key == "Ref" and isinstance(arg, str):
                    found.add(arg)
                    continue
                if key == "Fn::GetAtt":
                    parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
                    if parts:
                        found.add(str(parts[0]))
                    continue
                if key == "Fn::Sub":
                    text = arg[0] if isinstance(arg, list) and arg else arg
                    if isinstance(text, str):
                        found.update(_SUB_VAR.findall(text))
                    if isinstance(arg, list) and len(arg) > 1:
                        stack.append(arg[1])
                    continue
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return {lid for lid in found if not lid.startswith("AWS::")}


def target_id(value: Any) -> str | None:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` points at, or None for anything else."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref" and isinstance(arg, str):
            return arg
        if key == "Fn::GetAtt":
            parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
            return str(parts[0]) if parts else None
    return None


def literal_names(value: Any) -> set[str]:
    """A literal string value as a one-element set (names written into the template), else empty."""
    return {value} if isinstance(value, str) and value else set()


def metric_references(properties: dict[str, Any]) -> set[str]:
    """Logical ids and literal values the dimensions of a metric alarm's metrics refer to."""
    dimension_lists: list[Any] = [properties.get("Dimensions") or []]
    for query in properties.get("Metrics") or []:
        if isinstance(query, dict):
            stat = query.get("MetricStat")
            if isinstance(stat, dict) and isinstance(stat.get("Metric"), dict):
                dimension_lists.append(stat["Metric"].get("Dimensions") or [])
    refs: set[str] = set()
    for dimensions in dimension_lists:
        if not isinstance(dimensions, list):
            continue
        for dimension in dimensions:
            if isinstance(dimension, dict):
                value = dimension.get("Value")
                refs |= referenced_ids(value) | literal_names(value)
    return refs
