"""`check` and `review` with an output they cannot write: one line naming the path, exit 2, before any work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sensible_alarms.cli import app


def _template(tmp_path: Path) -> Path:
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))
    return path


@pytest.mark.parametrize("command", ["check", "review"])
class TestOutputErrors:
    def test_an_output_in_a_missing_folder_is_one_line_naming_it(self, tmp_path: Path, command: str):
        """--output in a folder that does not exist: one error line naming the path, no "[Errno N]", nothing made."""
        target = tmp_path / "missing" / "report.txt"
        result = CliRunner().invoke(app, [command, str(_template(tmp_path)), "--output", str(target)])
        assert result.exit_code == 2, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert str(target) in result.output
        assert "Errno" not in result.output
        assert not target.parent.exists()

    def test_an_output_that_is_a_directory_is_refused_before_the_inputs_are_read(self, tmp_path: Path,
                                                                                 command: str):
        """--output naming a directory is refused first: the unreadable input is not what is reported."""
        result = CliRunner().invoke(app, [command, str(tmp_path / "absent.json"), "--output", str(tmp_path)])
        assert result.exit_code == 2, result.output
        assert "is a directory" in result.output, result.output
