"""One audit: open boto3 clients the usual way, read the account, build the report."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..model import AlarmModel, load
from .fetch import AccountRead, Progress, ReadProblem, client_config, read_account
from .report import AuditReport, build_report

__all__ = ["DEFAULT_DAYS", "audit", "clients"]

#: The period an audit reads by default.
DEFAULT_DAYS = 30


def clients(*, region: str | None = None, profile: str | None = None,
            endpoint_url: str | None = None) -> tuple[Any, Any, str]:
    """CloudWatch and CloudFormation clients from boto3's usual chain (environment, profile, instance
    role), with the audit's retry settings, and the region they use."""
    import boto3  # type: ignore[import-untyped]

    session = boto3.session.Session(profile_name=profile, region_name=region)
    config = client_config()
    cloudwatch = session.client("cloudwatch", endpoint_url=endpoint_url, config=config)
    cloudformation = session.client("cloudformation", endpoint_url=endpoint_url, config=config)
    return cloudwatch, cloudformation, str(cloudwatch.meta.region_name)


def audit(*, cloudwatch: Any, cloudformation: Any | None = None, region: str, assembly: str | Path | None = None,
          start: datetime | None = None, end: datetime | None = None, days: int = DEFAULT_DAYS,
          prefix: str | None = None, stack_names: Mapping[str, str] | None = None, replay: bool = False,
          tag_key: str | None = None,
          progress: Progress | None = None) -> tuple[AuditReport, AccountRead]:
    """Audit the alarms of one account and region over ``[start, end]`` (default: the ``days``
    before now). ``assembly`` (a cloud assembly or template) says which entrypoints the alarms'
    resources sit behind; ``stack_names`` maps its stacks to their deployed names; ``tag_key`` groups
    the alarms the assembly does not place by their value of that tag (one ListTagsForResource call per
    alarm). With ``replay``, the report also says what the assembly's sensible_alarms constructs would
    have sent (see :mod:`sensible_alarms.audit.replay`)."""
    # The period ends at the next whole second: truncating now dropped the state changes of the
    # current second (an audit run right after an incident missed its last notifications).
    now = datetime.now(UTC)
    last = end or now.replace(microsecond=0) + timedelta(seconds=1 if now.microsecond else 0)
    first = start or last - timedelta(days=days)
    model: AlarmModel | None = load(assembly) if assembly is not None else None
    names = dict(stack_names or {})
    deployed = [names.get(s.name, s.name.replace("/", "-")) for s in model.stacks] if model is not None else []
    read = read_account(cloudwatch, cloudformation, region=region, start=first, end=last, prefix=prefix,
                        stacks=deployed, tags=tag_key is not None, progress=progress)
    if model is not None and cloudformation is None:
        read.problems.append(ReadProblem("ListStackResources", "assembly stacks", "no CloudFormation client given"))
    report = build_report(read, model, assembly_path=str(assembly) if assembly is not None else None,
                          stack_names=names, tag_key=tag_key)
    if replay and read.alarms_read:
        report = _with_replay(report, cloudwatch, read, assembly, model, names, progress)
    return report, read


def _with_replay(report: AuditReport, cloudwatch: Any, read: AccountRead, assembly: str | Path | None,
                 model: AlarmModel | None, names: dict[str, str], progress: Progress | None) -> AuditReport:
    from ..errors import SensibleAlarmsError
    from .replay import NEEDS_CONSTRUCTS, replay_constructs

    if assembly is None or model is None:
        return dataclasses.replace(report, replay_problem=f"{NEEDS_CONSTRUCTS}.")
    try:
        outcome, problem = replay_constructs(cloudwatch, read, Path(assembly), model, names, progress=progress)
    except SensibleAlarmsError as error:
        outcome, problem = None, f"the replay could not run: {error}"
    except ImportError as error:
        outcome, problem = None, f"--replay needs the replay extra: pip install 'sensible-alarms[replay]' ({error})"
    return dataclasses.replace(report, replay=outcome, replay_problem=problem)
