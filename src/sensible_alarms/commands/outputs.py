"""Output paths checked before a command does its work: a run that cannot write its result fails at
once, naming the path, instead of after minutes of work."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import SensibleAlarmsError

__all__ = ["check_outputs"]


def check_outputs(*paths: Path | None) -> None:
    """Refuse, before any work, an output that could not be written: a path that is a directory, or
    whose folder does not exist or is not writable. Creates nothing (the writes themselves are atomic)."""
    for path in paths:
        if path is None:
            continue
        folder = path.parent if str(path.parent) else Path(".")
        if path.is_dir():
            problem = "it is a directory; give a file name"
        elif not folder.is_dir():
            problem = f"the folder {folder} does not exist" if not folder.exists() else f"{folder} is not a folder"
        elif not os.access(folder, os.W_OK | os.X_OK):
            problem = f"no permission to write in the folder {folder}"
        else:
            continue
        raise SensibleAlarmsError(f"cannot write {path}: {problem}", prop="output", value=str(path))
