"""The ``sensible-alarms`` command line: parses arguments and calls the library (see commands/)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from .errors import SensibleAlarmsError

app = typer.Typer(
    name="sensible-alarms",
    help="Customer-impact alarms for serverless services: check, explain, review and replay synthesized alarms.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"sensible-alarms {metadata.version('sensible-alarms')}")
        raise typer.Exit()


@app.callback()
def _commands(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print the installed version and exit.")] = False,
) -> None:
    """Customer-impact alarms for serverless services: check, explain, review and replay synthesized alarms."""


Paths = Annotated[list[Path], typer.Argument(help="Cloud assembly directories (cdk.out) or template files.")]


def _fail(error: Exception) -> NoReturn:
    if isinstance(error, OSError) and error.filename is not None:  # one line naming the path, no "[Errno N]"
        error = SensibleAlarmsError(f"{error.filename}: {error.strerror or error}")
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
def check(
    paths: Paths,
    output_format: Annotated[str, typer.Option("--format", help="text, json or sarif.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here instead of stdout.")] = None,  # noqa: E501
) -> None:
    """Check the alarms of PATHS against the policy rules. Exit 0 when clean (suppressed findings
    are listed), 1 on findings, 2 when an input cannot be read."""
    from .commands.check import run_check
    from .commands.outputs import check_outputs

    try:
        check_outputs(output)
        report, text = run_check(list(paths), output_format=output_format)
        if output is not None:
            output.write_text(text, encoding="utf-8")
    except (SensibleAlarmsError, OSError) as error:
        _fail(error)
    if output is None:
        typer.echo(text, nl=False)
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def explain(paths: Paths) -> None:
    """Say in words what alarms each entrypoint of PATHS got, and why. Exit 0 when every entrypoint
    has a notifying alarm, 1 when one has none, 2 when an input cannot be read."""
    from .commands.explain import run_explain

    try:
        explanation = run_explain(list(paths))
    except (SensibleAlarmsError, OSError) as error:
        _fail(error)
    typer.echo(explanation.text)
    raise typer.Exit(1 if explanation.uncovered else 0)


@app.command()
def replay(
    paths: Paths,
    metrics: Annotated[Path | None, typer.Option("--metrics", help="Metrics file: CSV, JSON Lines or Parquet.")] = None,
    from_cloudwatch: Annotated[bool, typer.Option("--from-cloudwatch", help="Fetch the metrics with GetMetricData (needs --start and --end).")] = False,  # noqa: E501
    region: Annotated[str | None, typer.Option(help="AWS region for --from-cloudwatch. Default: boto3's.")] = None,
    save_metrics: Annotated[Path | None, typer.Option(help="With --from-cloudwatch: also write the fetched metrics here.")] = None,  # noqa: E501
    html: Annotated[Path | None, typer.Option(help="Write the HTML report (one self-contained file) here.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    incidents: Annotated[Path | None, typer.Option(help="Incidents file (YAML or JSON) to score against.")] = None,
    names: Annotated[Path | None, typer.Option(help="JSON mapping of ${Logical.Attr} placeholders to deployed names.")] = None,  # noqa: E501
    start: Annotated[str | None, typer.Option(help="First minute (UTC). Default: when every window is full.")] = None,
    end: Annotated[str | None, typer.Option(help="Last minute (UTC). Default: end of the data.")] = None,
    timeline: Annotated[Path | None, typer.Option(help="Write the JSON timeline here.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Replay the alarms of PATHS over recorded metrics, as CloudWatch would evaluate them."""
    from .commands.replay import replay_command

    try:
        text = replay_command(list(paths), metrics_file=metrics, from_cloudwatch=from_cloudwatch, region=region,
                              save_metrics=save_metrics, html_out=html, quiet=quiet, incidents_file=incidents,
                              names_file=names, start=_when(start, "--start"), end=_when(end, "--end"),
                              timeline_out=timeline, output_format=output_format)
    except (SensibleAlarmsError, OSError) as error:
        _fail(error)
    typer.echo(text)


@app.command()
def review(
    paths: Paths,
    output_format: Annotated[str, typer.Option("--format", help="md, html or json.")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    pricing: Annotated[Path | None, typer.Option(help="JSON file overriding the alarm prices.")] = None,
) -> None:
    """Review the alarms of PATHS: entrypoints, alarms in words, who is notified, monthly cost."""
    from .commands.outputs import check_outputs
    from .commands.review import run_review

    try:
        check_outputs(output)
        text = run_review(list(paths), output_format=output_format, pricing_file=pricing)
        if output is not None:
            output.write_text(text, encoding="utf-8")
    except (SensibleAlarmsError, OSError) as error:
        _fail(error)
        return
    if output is None:
        typer.echo(text, nl=False)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The cloud assembly (or template) before the change.")],
    new: Annotated[Path, typer.Argument(help="The cloud assembly (or template) after the change.")],
    fail_on_coverage_drop: Annotated[bool, typer.Option(help="Exit 1 when an entrypoint loses its notifying alarms.")] = False,  # noqa: E501
    output_format: Annotated[str, typer.Option("--format", help="md or json.")] = "md",
    pricing: Annotated[Path | None, typer.Option(help="JSON file overriding the alarm prices.")] = None,
) -> None:
    """Alarms, entrypoints and notification routes added, removed and changed from OLD to NEW."""
    from .commands.diff import run_diff

    try:
        result, text = run_diff(old, new, output_format=output_format, pricing_file=pricing)
    except (SensibleAlarmsError, OSError) as error:
        _fail(error)
        return
    typer.echo(text, nl=False)
    if fail_on_coverage_drop and result.coverage_drops:
        raise typer.Exit(1)


def main() -> None:
    """Entry point of the ``sensible-alarms`` script."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


# Registered here, defined in commands/: audit and suggest.
from .commands.audit import audit_command  # noqa: E402
from .commands.suggest import suggest_command  # noqa: E402

app.command(name="audit")(audit_command)
app.command(name="suggest")(suggest_command)
