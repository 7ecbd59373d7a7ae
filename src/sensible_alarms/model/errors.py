"""The model's error: an input that cannot be read."""

from __future__ import annotations

from pathlib import Path

from ..errors import SensibleAlarmsError

__all__ = ["ModelLoadError"]


class ModelLoadError(SensibleAlarmsError):
    """A cloud assembly or template cannot be read: missing, not JSON/YAML, not a cloud assembly
    manifest, not a CloudFormation template. The message starts with the file's path."""

    def __init__(self, file: str | Path, problem: str) -> None:
        self.file = Path(file)
        super().__init__(f"{file}: {problem}")
