"""Where each resource starts in a template file, for reports that point at a line (SARIF).

Part of the model because it reads template files, and only the model does. A template the lines
cannot be found in (minified JSON, unusual YAML) gives no line, never an error.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["ResourceLines"]

_RESOURCES = re.compile(r'^\s*"?Resources"?\s*:')
_RESOURCE = re.compile(r'^\s{1,4}"?([A-Za-z0-9]+)"?\s*:\s*(\{|$)')


class ResourceLines:
    """Line numbers (1-based) of resources in template files, each file read once."""

    def __init__(self) -> None:
        self._files: dict[Path, dict[str, int]] = {}

    def line(self, path: Path | None, logical_id: str) -> int | None:
        """The line where ``logical_id`` starts in ``path``, if it can be found."""
        if path is None:
            return None
        if path not in self._files:
            found: dict[str, int] = {}
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            in_resources = False
            for number, line in enumerate(text.splitlines(), start=1):
                if _RESOURCES.match(line):
                    in_resources = True
                    continue
                match = _RESOURCE.match(line) if in_resources else None
                if match and match.group(1) not in found:
                    found[match.group(1)] = number
            self._files[path] = found
        return self._files[path].get(logical_id)
