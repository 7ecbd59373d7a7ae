"""Reading cloud assemblies (``cdk.out``) and CloudFormation templates (JSON, or YAML with the
short-form intrinsic tags) into an :class:`AlarmModel`.

Everything that cannot be read raises :class:`ModelLoadError` naming the file; what can be read but
is unexpected (unknown resource types, intrinsic functions, odd property values) is carried.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .build import build_stack
from .errors import ModelLoadError
from .stack import AlarmModel, Stack

__all__ = ["from_templates", "load", "load_assembly", "load_templates"]

_STACK_ARTIFACT = "aws:cloudformation:stack"
_NESTED_ASSEMBLY = "cdk:cloud-assembly"
_LOGICAL_ID = "aws:cdk:logicalId"
_TEMPLATE_FILE = "aws:cdk:templateFile"
_YAML_SUFFIXES = (".yaml", ".yml")
_NAME_SUFFIXES = (".template.json", ".template.yaml", ".template.yml", ".template", ".json", ".yaml", ".yml")


def load(*paths: str | Path) -> AlarmModel:
    """Every stack of the given cloud assembly directories (or their ``manifest.json``), template
    files (JSON, or YAML with CloudFormation's short tags) and directories of template files, in the
    order given. Raises :class:`ModelLoadError` when a path cannot be read or the whole gives no
    stack (an empty assembly is a mistake, not a clean bill of health)."""
    stacks: list[Stack] = []
    for given in paths:
        path = Path(given)
        if path.is_dir() and (path / "manifest.json").is_file():
            stacks.extend(_assembly(path, set()))
        elif path.is_dir():
            stacks.extend(_template_directory(path))
        elif path.is_file() and path.name == "manifest.json":
            stacks.extend(_assembly(path.parent, set()))
        elif path.is_file():
            stacks.append(_template_file(path))
        else:
            raise ModelLoadError(path, "no such file or directory")
    if not paths:
        raise ModelLoadError(".", "no cloud assembly or template given")
    _require_stacks(stacks, paths)
    return AlarmModel(tuple(stacks), tuple(Path(p) for p in paths))


def _require_stacks(stacks: list[Stack], paths: tuple[str | Path, ...]) -> None:
    if not stacks:
        where = ", ".join(str(p) for p in paths)
        raise ModelLoadError(where, "holds no CloudFormation stack (an empty cloud assembly: did the app add "
                                    "its stacks, or did `cdk synth` select none?)")


def _template_directory(path: Path) -> list[Stack]:
    """The templates of a directory that is not a cloud assembly, by file name."""
    files = sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(_NAME_SUFFIXES))
    if not files:
        raise ModelLoadError(path, "is not a cloud assembly (no manifest.json) and holds no template "
                                   "(no .json, .yaml or .template file)")
    return [_template_file(file) for file in files]


def load_assembly(directory: str | Path) -> AlarmModel:
    """Every stack of a cloud assembly, nested assemblies (stages) included."""
    path = Path(directory)
    if not path.is_dir():
        raise ModelLoadError(path, "is not a cloud assembly directory")
    stacks = _assembly(path, set())
    _require_stacks(stacks, (path,))
    return AlarmModel(tuple(stacks), (path,))


def load_templates(*files: str | Path) -> AlarmModel:
    """The stacks of template files. A template inside a cloud assembly gets its stack name and
    construct paths from the assembly's ``manifest.json`` beside it."""
    manifests: dict[Path, dict[str, Any] | None] = {}
    return AlarmModel(tuple(_template_file(Path(file), manifests) for file in files), tuple(Path(f) for f in files))


def from_templates(templates: Iterable[tuple[str, Mapping[str, Any], Path | None]]) -> AlarmModel:
    """A model of templates already parsed: ``(stack name, template, path or None)`` each. A path
    inside a cloud assembly gives the construct paths, as in :func:`load_templates`."""
    stacks = []
    manifests: dict[Path, dict[str, Any] | None] = {}
    for name, template, path in templates:
        if not isinstance(template.get("Resources"), dict):
            raise ModelLoadError(path or name, "is not a CloudFormation template (no 'Resources' object)")
        found = _assembly_metadata(Path(path), manifests) if path is not None else None
        stack_path, paths = (found[1], found[2]) if found is not None else (None, None)
        stacks.append(build_stack(name, template, template_path=path, construct_path=stack_path,
                                  construct_paths=paths))
    return AlarmModel(tuple(stacks))


# -- files -------------------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise ModelLoadError(path, "no such file") from error
    except OSError as error:
        raise ModelLoadError(path, f"cannot be read ({error.strerror})") from error
    try:
        return json.loads(data)
    except json.JSONDecodeError as error:
        raise ModelLoadError(path, f"is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})") \
            from error
    except UnicodeDecodeError as error:
        raise ModelLoadError(path, "is not valid JSON (not UTF-8 text)") from error


def _read_yaml(path: Path) -> Any:
    try:
        import yaml
    except ImportError as error:  # pragma: no cover - PyYAML is installed with the dev and replay extras
        raise ModelLoadError(path, "is YAML; reading YAML templates needs PyYAML (pip install PyYAML)") from error
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ModelLoadError(path, f"cannot be read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise ModelLoadError(path, "is not valid YAML (not UTF-8 text)") from error
    try:
        return yaml.load(text, Loader=_cfn_yaml_loader())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ModelLoadError(path, f"is not valid YAML ({problem}{where})") from error


_LOADER: type | None = None


def _cfn_yaml_loader() -> type:
    """A safe YAML loader that reads CloudFormation's short forms (``!Ref X``, ``!GetAtt A.B``,
    ``!Sub ...``) as the long forms, and leaves dates as strings (``2010-09-09``)."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class CloudFormationLoader(base):  # type: ignore[valid-type,misc]
        pass

    CloudFormationLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }

    def intrinsic(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if suffix in ("Ref", "Condition"):
            return {suffix: value}
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {f"Fn::{suffix}": value}

    CloudFormationLoader.add_multi_constructor("!", intrinsic)
    _LOADER = CloudFormationLoader
    return CloudFormationLoader


def _read_template(path: Path) -> dict[str, Any]:
    if path.suffix.lower() in _YAML_SUFFIXES:
        data = _read_yaml(path)
    elif path.suffix.lower() == ".json":
        data = _read_json(path)
    else:
        try:
            with path.open("rb") as handle:
                head = handle.read(512).lstrip()
        except OSError as error:
            raise ModelLoadError(path, f"cannot be read ({error.strerror})") from error
        data = _read_json(path) if head.startswith(b"{") else _read_yaml(path)
    if not isinstance(data, dict):
        raise ModelLoadError(path, "is not a CloudFormation template (its top level is not an object)")
    if not isinstance(data.get("Resources"), dict):
        raise ModelLoadError(path, "is not a CloudFormation template (no 'Resources' object)")
    return data


def _stack_name(path: Path) -> str:
    name = path.name
    for suffix in _NAME_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _assembly_metadata(path: Path, manifests: dict[Path, dict[str, Any] | None] | None = None,
                       ) -> tuple[str, str | None, dict[str, str]] | None:
    """Stack name, stack construct path and construct paths of a template inside a cloud assembly,
    from the ``manifest.json`` beside it; None when there is none, or it cannot be read (the
    template itself was read, and construct paths are a convenience). ``manifests`` keeps each
    directory's manifest for the next template of the same call: the policy plugin passes every
    template of an app at once, and re-reading the manifest for each made loading quadratic."""
    root = path.parent
    manifests = {} if manifests is None else manifests
    if root not in manifests:
        manifests[root] = None
        if (root / "manifest.json").is_file():
            with contextlib.suppress(ModelLoadError):
                manifests[root] = _manifest(root)
    manifest = manifests[root]
    if manifest is None:
        return None
    try:
        return _artifact_for(root, path.name, manifest)
    except ModelLoadError:
        return None


def _template_file(path: Path, manifests: dict[Path, dict[str, Any] | None] | None = None) -> Stack:
    template = _read_template(path)
    found = _assembly_metadata(path, manifests)
    name, stack_path, paths = found if found is not None else (_stack_name(path), None, None)
    return build_stack(name, template, template_path=path, construct_path=stack_path, construct_paths=paths)


# -- cloud assemblies --------------------------------------------------------------------------


def _manifest(root: Path) -> dict[str, Any]:
    path = root / "manifest.json"
    if not path.is_file():
        raise ModelLoadError(root, "is not a cloud assembly (no manifest.json)")
    manifest = _read_json(path)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("version"), str):
        raise ModelLoadError(path, "is not a cloud assembly manifest (no 'version')")
    if not isinstance(manifest.get("artifacts", {}), dict):
        raise ModelLoadError(path, "is not a cloud assembly manifest ('artifacts' is not an object)")
    return manifest


def _construct_paths(root: Path, artifact: dict[str, Any]) -> tuple[dict[str, str], str | None]:
    """Logical id -> construct path, and the stack's construct path, from the artifact's metadata
    (inline in the manifest, or in its ``additionalMetadataFile``)."""
    entries: dict[str, Any] = {}
    inline = artifact.get("metadata")
    if isinstance(inline, dict):
        entries.update(inline)
    extra = artifact.get("additionalMetadataFile")
    if isinstance(extra, str):
        data = _read_json(root / extra)
        if isinstance(data, dict):
            entries.update(data)
    paths: dict[str, str] = {}
    stack_path: str | None = None
    for construct_path, items in entries.items():
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            if item.get("type") == _LOGICAL_ID and isinstance(item.get("data"), str):
                paths[item["data"]] = construct_path.lstrip("/")
            elif item.get("type") == _TEMPLATE_FILE:
                stack_path = construct_path.lstrip("/")
    return paths, stack_path


def _artifact_for(root: Path, template_file: str, manifest: dict[str, Any],
                  ) -> tuple[str, str | None, dict[str, str]] | None:
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        if isinstance(artifact, dict) and artifact.get("type") == _STACK_ARTIFACT:
            props = artifact.get("properties")
            if isinstance(props, dict) and props.get("templateFile") == template_file:
                paths, stack_path = _construct_paths(root, artifact)
                display = artifact.get("displayName")
                return (display if isinstance(display, str) else str(artifact_id)), stack_path, paths
    return None


def _assembly(root: Path, seen: set[Path]) -> list[Stack]:
    resolved = root.resolve()
    if resolved in seen:
        return []
    seen.add(resolved)
    manifest = _manifest(root)
    manifest_path = root / "manifest.json"
    stacks: list[Stack] = []
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        if not isinstance(artifact, dict):
            raise ModelLoadError(manifest_path, f"artifact {artifact_id!r} is not an object")
        kind = artifact.get("type")
        props = artifact.get("properties")
        props = props if isinstance(props, dict) else {}
        if kind == _STACK_ARTIFACT:
            template_file = props.get("templateFile")
            if not isinstance(template_file, str):
                raise ModelLoadError(manifest_path, f"stack artifact {artifact_id!r} names no templateFile")
            template_path = root / template_file
            if not template_path.is_file():
                raise ModelLoadError(template_path, f"no such file (the template of stack {artifact_id!r} "
                                                    f"in {manifest_path})")
            template = _read_template(template_path)
            paths, stack_path = _construct_paths(root, artifact)
            display = artifact.get("displayName")
            stacks.append(build_stack(display if isinstance(display, str) else str(artifact_id), template,
                                      template_path=template_path, construct_path=stack_path,
                                      construct_paths=paths))
        elif kind == _NESTED_ASSEMBLY:
            directory = props.get("directoryName")
            if not isinstance(directory, str):
                raise ModelLoadError(manifest_path, f"nested assembly {artifact_id!r} names no directoryName")
            stacks.extend(_assembly(root / directory, seen))
    return stacks
