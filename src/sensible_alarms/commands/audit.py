"""``sensible-alarms audit``: what an account's alarms did, and which of them serve customers."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from ..errors import SensibleAlarmsError

__all__ = ["audit_command"]

_FORMATS = ("md", "html", "json")


def _stack_names(values: list[str]) -> dict[str, str]:
    names = {}
    for value in values:
        assembly_name, sep, deployed = value.partition("=")
        if not sep or not assembly_name or not deployed:
            raise SensibleAlarmsError(f"--stack-name must be ASSEMBLY_STACK=DEPLOYED_STACK (got {value!r})")
        names[assembly_name] = deployed
    return names


def _when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise SensibleAlarmsError(f"{option} must be an ISO-8601 UTC time such as 2026-11-02T00:00Z "
                                  f"(got {value!r})") from error
    if parsed.tzinfo is None or parsed.utcoffset() != timedelta(0):
        raise SensibleAlarmsError(f"{option} must be in UTC, e.g. 2026-11-02T00:00Z (got {value!r})")
    return parsed.astimezone(UTC)


def audit_command(
    assembly: Annotated[Path | None, typer.Option("--assembly", help="Cloud assembly (cdk.out) or template of the deployed stacks: maps alarms to entrypoints. Default: by dimensions alone.")] = None,  # noqa: E501
    region: Annotated[str | None, typer.Option(help="AWS region. Default: boto3's (AWS_REGION, the profile).")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile. Default: boto3's chain.")] = None,
    endpoint_url: Annotated[str | None, typer.Option(help="Endpoint of an emulator (LocalStack, moto_server).")] = None,
    days: Annotated[int, typer.Option(help="Period to read: the days before --end.")] = 30,
    start: Annotated[str | None, typer.Option(help="Start of the period (UTC). Default: --days before --end.")] = None,
    end: Annotated[str | None, typer.Option(help="End of the period (UTC). Default: now.")] = None,
    alarm_name_prefix: Annotated[str | None, typer.Option(help="Only the alarms whose names start with this.")] = None,
    stack_name: Annotated[list[str] | None, typer.Option("--stack-name", help="ASSEMBLY_STACK=DEPLOYED_STACK when a stack was deployed under another name (repeatable).")] = None,  # noqa: E501
    tag: Annotated[str | None, typer.Option("--tag", help="Group alarms the assembly does not place by this tag's value (service, team, ...): reads each alarm's tags.")] = None,  # noqa: E501
    replay: Annotated[bool, typer.Option("--replay", help="Also replay the assembly's sensible_alarms constructs over the period (metrics from GetMetricData) and report what they would have sent.")] = False,  # noqa: E501
    output_format: Annotated[str, typer.Option("--format", help="md, html or json.")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here instead of stdout.")] = None,  # noqa: E501
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Read an account's CloudWatch alarms and their history (read-only): notifications per alarm,
    each alarm's class by the policy's rules (per-resource noise, duplicate, customer-impact,
    unexplained) and entrypoint, bursts of notifications for one failure. Exit 0 with a report
    (a partial one says what it could not read), 2 when no alarm could be read."""
    from ..audit import audit, clients, report_html, report_json, report_markdown
    from ..replay.progress import ProgressBar

    writers = {"md": report_markdown, "html": report_html, "json": report_json}
    try:
        if output_format not in _FORMATS:
            raise SensibleAlarmsError(f"--format must be md, html or json (got {output_format!r})")
        if days < 1:
            raise SensibleAlarmsError(f"--days must be 1 or more (got {days})")
        names = _stack_names(stack_name or [])
        first, last = _when(start, "--start"), _when(end, "--end")
        if first is not None and last is not None and last <= first:
            raise SensibleAlarmsError("--end must be after --start")
        try:
            cloudwatch, cloudformation, used_region = clients(region=region, profile=profile,
                                                              endpoint_url=endpoint_url)
        except ImportError as error:
            raise SensibleAlarmsError(f"audit needs boto3: pip install 'sensible-alarms[cloudwatch]' ({error})") \
                from error
        except Exception as error:  # botocore: unknown profile, no region
            if not type(error).__module__.startswith("botocore"):
                raise
            raise SensibleAlarmsError(f"cannot open an AWS session: {error}") from error
        if first is not None and last is None:
            last = first + timedelta(days=days)
        with ProgressBar("Reading alarm history", transient=True, disable=quiet or not sys.stderr.isatty()) as bar:
            report, _ = audit(cloudwatch=cloudwatch, cloudformation=cloudformation, region=used_region,
                              assembly=assembly, start=first, end=last, days=days, prefix=alarm_name_prefix,
                              stack_names=names, replay=replay, tag_key=tag, progress=bar)
        text = writers[output_format](report)
        if output is not None:
            output.write_text(text, encoding="utf-8")
    except (SensibleAlarmsError, OSError) as error:
        typer.echo(f"sensible-alarms: error: {error}", err=True)
        raise typer.Exit(2) from None
    for problem in report.problems:
        typer.echo(f"sensible-alarms: could not read: {problem.words}", err=True)
    if output is None:
        typer.echo(text, nl=False)
    raise typer.Exit(0 if report.alarms_read else 2)
