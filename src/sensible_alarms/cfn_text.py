"""Reading synthesized CloudFormation as text: cloud assemblies, templates and intrinsic functions.

Pure Python (no jsii). Values that only CloudFormation knows at deploy time (a queue's name, a
function's name) are written as stable placeholders made of logical ids: ``${OrderQueue1234}``
for ``Ref`` and ``${OrderQueue1234.QueueName}`` for ``Fn::GetAtt``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SensibleAlarmsError

__all__ = ["ALARM_TYPES", "Renderer", "StackTemplate", "TemplateError", "read_stacks"]

ALARM_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")


class TemplateError(SensibleAlarmsError):
    """A cloud assembly or template cannot be read; the message names the file."""


@dataclass(frozen=True)
class StackTemplate:
    name: str
    path: Path
    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, Any]:
        resources = self.template.get("Resources") or {}
        return resources if isinstance(resources, dict) else {}


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TemplateError(f"{path}: cannot be read ({error.strerror})") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise TemplateError(f"{path}: is not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: is not a JSON object")
    return data


def _template(path: Path, name: str) -> StackTemplate:
    data = _load_json(path)
    if not isinstance(data.get("Resources"), dict):
        raise TemplateError(f"{path}: is not a CloudFormation template (no 'Resources' object)")
    return StackTemplate(name, path, data)


def _assembly(root: Path) -> Iterator[StackTemplate]:
    manifest = _load_json(root / "manifest.json")
    artifacts = manifest.get("artifacts")
    if not isinstance(artifacts, dict):
        raise TemplateError(f"{root / 'manifest.json'}: is not a cloud assembly manifest (no 'artifacts')")
    for artifact_id, artifact in sorted(artifacts.items()):
        kind = artifact.get("type") if isinstance(artifact, dict) else None
        props = artifact.get("properties") or {} if isinstance(artifact, dict) else {}
        if kind == "aws:cloudformation:stack":
            template_file = props.get("templateFile")
            if not isinstance(template_file, str):
                raise TemplateError(f"{root / 'manifest.json'}: stack {artifact_id} names no templateFile")
            yield _template(root / template_file, str(artifact.get("displayName") or artifact_id))
        elif kind == "cdk:cloud-assembly":
            directory = props.get("directoryName")
            if isinstance(directory, str):
                yield from _assembly(root / directory)


def read_stacks(*paths: str | Path) -> list[StackTemplate]:
    """Every stack of the given cloud assembly directories and template files."""
    stacks: list[StackTemplate] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            if not (path / "manifest.json").is_file():
                raise TemplateError(f"{path}: is not a cloud assembly (no manifest.json)")
            stacks.extend(_assembly(path))
        elif path.is_file():
            stacks.append(_template(path, path.name.split(".")[0]))
        else:
            raise TemplateError(f"{path}: no such file or directory")
    return stacks


class Renderer:
    """Renders intrinsic functions as text. Alarms referenced by ``Ref`` or ``GetAtt .Arn`` are
    written by their name (as ``name_of`` gives it); other references as placeholders built by
    ``placeholder(logical_id, attribute_or_None)``."""

    def __init__(self, resources: dict[str, Any], *,
                 placeholder: Callable[[str, str | None], str] = lambda lid, att: f"${{{lid}.{att}}}" if att
                 else f"${{{lid}}}",
                 name_of: Callable[[str], str] | None = None) -> None:
        self._resources = resources
        self._placeholder = placeholder
        self._name_of = name_of or self.alarm_name

    def alarm_name(self, logical_id: str) -> str:
        props = self._resources.get(logical_id, {}).get("Properties", {})
        name = props.get("AlarmName") if isinstance(props, dict) else None
        return name if isinstance(name, str) else logical_id

    def _is_alarm(self, logical_id: str) -> bool:
        resource = self._resources.get(logical_id)
        return isinstance(resource, dict) and resource.get("Type") in ALARM_TYPES

    def __call__(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return json.dumps(value)
        if isinstance(value, list):
            return "[" + ", ".join(self(v) for v in value) + "]"
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
                return self(arg[0]).join(self(part) for part in arg[1])
            if key == "Fn::GetAtt":
                parts = [str(p) for p in arg] if isinstance(arg, list) else str(arg).split(".", 1)
                if self._is_alarm(parts[0]) and parts[-1] == "Arn":
                    return self._name_of(parts[0])
                return self._placeholder(parts[0], parts[-1] if len(parts) > 1 else None)
            if key == "Ref":
                if self._is_alarm(str(arg)):
                    return self._name_of(str(arg))
                return self._placeholder(str(arg), None)
            if key == "Fn::Sub":
                template, variables = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
                text = self(template)
                for var, val in (variables or {}).items():
                    text = text.replace(f"${{{var}}}", self(val))
                return text
            return f"{{{key} {self(arg)}}}"
        if isinstance(value, dict):
            return json.dumps(value, sort_keys=True)
        return str(value)
