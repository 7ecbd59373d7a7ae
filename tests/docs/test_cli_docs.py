"""The command line as documented: `--version` reads the package metadata, and every command has its
section in docs/cli.md."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import typer
from typer.testing import CliRunner

from cdk_support import ROOT
from sensible_alarms.cli import app


def test_version_prints_the_version_of_the_installed_distribution():
    """`sensible-alarms --version` prints the name and the version from the package metadata, exit 0."""
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"sensible-alarms {metadata.version('sensible-alarms')}\n"


def test_the_installed_version_is_the_one_in_pyproject():
    """The metadata `--version` reads is that of this checkout's pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert metadata.version("sensible-alarms") == project["version"]


def test_every_command_has_its_section_in_the_cli_page():
    """Each command of `sensible-alarms` has a `## \\`sensible-alarms <command>\\`` section in docs/cli.md."""
    commands = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^## `sensible-alarms ([a-z-]+)`", page, flags=re.MULTILINE))
    assert commands, "the CLI has no commands"
    undocumented = sorted(commands - documented)
    assert undocumented == [], f"add a '## `sensible-alarms <command>`' section to docs/cli.md for {undocumented}"
