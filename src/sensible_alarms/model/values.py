"""Template values: JSON as CloudFormation writes it, values only known at deploy time, and the
references between resources.

Intrinsic functions are never evaluated. They are rendered as text with stable placeholders made of
logical ids (``${OrderQueue1234}`` for ``Ref``, ``${OrderQueue1234.QueueName}`` for ``Fn::GetAtt``,
the same convention as ``Fn::Sub``), and the logical ids they reference are collected, so that a
finding can say which resource a value points at.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = [
    "JsonValue",
    "Unresolved",
    "as_bool",
    "as_int",
    "as_number",
    "as_text",
    "referenced_ids",
    "render",
    "target_id",
]

#: A value of a template as JSON (or YAML) gives it.
JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"

_SUB_VARIABLE = re.compile(r"\$\{([A-Za-z0-9:]+)(?:\.([A-Za-z0-9.]+))?\}")


@dataclass(frozen=True)
class Unresolved:
    """A value CloudFormation only knows at deploy time (an intrinsic function, a parameter), or a
    value of the wrong JSON type, carried as written.

    ``text`` is the value rendered with placeholders (see :func:`render`); ``value`` is the raw JSON.
    """

    value: JsonValue
    text: str

    def __str__(self) -> str:
        return self.text


def render(value: Any) -> str:
    """A template value as text: strings as they are, intrinsic functions with placeholders
    (``${Logical}``, ``${Logical.Attribute}``), ``Fn::Join`` and ``Fn::Sub`` joined, any other
    function as ``{Fn::Name <argument>}``. Never raises."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return "[" + ", ".join(render(item) for item in value) + "]"
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return f"${{{render(argument)}}}"
            if key == "Fn::GetAtt":
                parts = _getatt_parts(argument)
                if parts is not None:
                    return f"${{{parts[0]}.{parts[1]}}}" if parts[1] else f"${{{parts[0]}}}"
            if key == "Fn::Join" and isinstance(argument, list) and len(argument) == 2 \
                    and isinstance(argument[1], list):
                return render(argument[0]).join(render(part) for part in argument[1])
            if key == "Fn::Sub":
                return _render_sub(argument)
            return f"{{{key} {render(argument)}}}"
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _getatt_parts(argument: Any) -> tuple[str, str] | None:
    if isinstance(argument, list) and len(argument) >= 1 and isinstance(argument[0], str):
        attribute = ".".join(render(part) for part in argument[1:])
        return argument[0], attribute
    if isinstance(argument, str) and argument:
        logical_id, _, attribute = argument.partition(".")
        return logical_id, attribute
    return None


def _render_sub(argument: Any) -> str:
    if isinstance(argument, str):
        return argument
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str):
        text = argument[0]
        variables = argument[1] if isinstance(argument[1], dict) else {}
        for name, replacement in variables.items():
            text = text.replace(f"${{{name}}}", render(replacement))
        return text
    return f"{{Fn::Sub {render(argument)}}}"


def referenced_ids(value: Any) -> set[str]:
    """Every logical id a value references through ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub``
    placeholders, anywhere inside it. Pseudo parameters (``AWS::Region``) are left out."""
    found: set[str] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if len(item) == 1:
                ((key, argument),) = item.items()
                if key == "Ref" and isinstance(argument, str):
                    found.add(argument)
                    continue
                if key == "Fn::GetAtt":
                    parts = _getatt_parts(argument)
                    if parts is not None:
                        found.add(parts[0])
                    continue
                if key == "Fn::Sub":
                    text = argument[0] if isinstance(argument, list) and argument else argument
                    variables = argument[1] if isinstance(argument, list) and len(argument) > 1 else {}
                    if isinstance(text, str):
                        found.update(match.group(1) for match in _SUB_VARIABLE.finditer(text)
                                     if not isinstance(variables, dict) or match.group(1) not in variables)
                    pending.append(variables)
                    continue
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return {logical_id for logical_id in found if not logical_id.startswith("AWS::")}


def target_id(value: Any) -> str | None:
    """The logical id a value is exactly a reference to (``Ref`` or ``Fn::GetAtt``, or an
    ``Fn::Sub`` that is one placeholder), or None."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Ref" and isinstance(argument, str) and not argument.startswith("AWS::"):
            return argument
        if key == "Fn::GetAtt":
            parts = _getatt_parts(argument)
            return parts[0] if parts is not None else None
        if key == "Fn::Sub":
            text = argument[0] if isinstance(argument, list) and argument else argument
            if isinstance(text, str):
                match = _SUB_VARIABLE.fullmatch(text)
                if match and not match.group(1).startswith("AWS::"):
                    return match.group(1)
    return None


def as_text(value: Any) -> str | None:
    """A literal string, or None for anything else (an intrinsic, a number, nothing)."""
    return value if isinstance(value, str) else None


def as_number(value: Any) -> float | Unresolved | None:
    """A number as CloudFormation accepts it (a JSON number or a numeric string); None when absent;
    :class:`Unresolved` otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        return Unresolved(value, render(value))
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return Unresolved(value, value)
    return Unresolved(value, render(value))


def as_int(value: Any) -> int | Unresolved | None:
    """A whole number (a JSON number or numeric string); None when absent; :class:`Unresolved`
    otherwise (an intrinsic, or a number with a fraction)."""
    number = as_number(value)
    if number is None or isinstance(number, Unresolved):
        return number
    if number != int(number):
        return Unresolved(value, render(value))
    return int(number)


def as_bool(value: Any, default: bool) -> bool | Unresolved:
    """A boolean as CloudFormation accepts it (``true``, ``"false"``, ...); ``default`` when absent."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return Unresolved(value, render(value))
