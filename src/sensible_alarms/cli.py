"""The ``sensible-alarms`` command line: parses arguments and calls the library (see commands/)."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import SensibleAlarmsError

app = typer.Typer(
    name="sensible-alarms",
    help="Customer-impact alarms for serverless services: check, review and replay synthesized alarms.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _commands() -> None:
    """Customer-impact alarms for serverless services: check, review and replay synthesized alarms."""


Paths = Annotated[list[Path], typer.Argument(help="Cloud assembly directories (cdk.out) or template files.")]


def _fail(error: Exception) -> None:
    typer.echo(f"sensible-alarms: error: {error}", err=True)
    raise typer.Exit(2)


def _when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        _fail(SensibleAlarmsError(f"{option} must be an ISO-8601 UTC time such as 2026-11-02T00:00Z (got {value!r})"))
        raise
    if parsed.tzinfo is None or parsed.utcoffset() != timedelta(0):
        _fail(SensibleAlarmsError(f"{option} must be in UTC, e.g. 2026-11-02T00:00Z (got {value!r})"))
    return parsed


@app.command()
def replay(
    paths: Paths,
    metrics: Annotated[Path, typer.Option("--metrics", help="Metrics file: CSV, JSON Lines or Parquet.")],
    incidents: Annotated[Optional[Path], typer.Option(help="Incidents file (YAML or JSON) to score against.")] = None,  # noqa: UP045
    names: Annotated[Optional[Path], typer.Option(help="JSON mapping of ${Logical.Attr} placeholders to deployed names.")] = None,  # noqa: UP045, E501
    start: Annotated[Optional[str], typer.Option(help="First minute (UTC). Default: when every window is full.")] = None,  # noqa: UP045, E501
    end: Annotated[Optional[str], typer.Option(help="Last minute (UTC). Default: end of the data.")] = None,  # noqa: UP045
    timeline: Annotated[Optional[Path], typer.Option(help="Write the JSON timeline here.")] = None,  # noqa: UP045
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Replay the alarms of PATHS over recorded metrics, as CloudWatch would evaluate them."""
    from .commands.replay import run_replay, summary_text
    from .replay import timeline_to_dict

    if output_format not in ("text", "json"):
        _fail(SensibleAlarmsError(f"--format must be text or json (got {output_format!r})"))
    try:
        alarm_set, result = run_replay(list(paths), metrics_file=metrics, incidents_file=incidents,
                                       names_file=names, start=_when(start, "--start"), end=_when(end, "--end"),
                                       timeline_out=timeline)
    except SensibleAlarmsError as error:
        _fail(error)
        return
    if output_format == "json":
        typer.echo(json.dumps(timeline_to_dict(result), indent=2, sort_keys=True))
    else:
        typer.echo(summary_text(alarm_set, result))


def main() -> None:
    """Entry point of the ``sensible-alarms`` script."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
