"""Audit: an account's real CloudWatch alarms and their history, read through boto3 (read-only),
put into the same alarm model ``check`` reads, classified by the policy's rules (per-resource noise,
duplicate, customer impact, unexplained), with the notifications each sent and the bursts where
several notified for one failure. See ``docs/audit.md``.
"""

from __future__ import annotations

from .classify import CLASSES, Classified, Uncovered, classify
from .convert import AccountModel, account_model, deployed_name
from .fetch import RETRIES_MODE, AccountRead, ReadProblem, client_config, read_account
from .output import report_html, report_json, report_markdown
from .report import BURST_GAP, AuditedAlarm, AuditReport, Burst, ReplayOutcome, build_report, report_to_dict
from .run import DEFAULT_DAYS, audit, clients

__all__ = [
    "BURST_GAP",
    "CLASSES",
    "DEFAULT_DAYS",
    "RETRIES_MODE",
    "AccountModel",
    "AccountRead",
    "AuditReport",
    "AuditedAlarm",
    "Burst",
    "Classified",
    "ReadProblem",
    "ReplayOutcome",
    "Uncovered",
    "account_model",
    "audit",
    "build_report",
    "classify",
    "client_config",
    "clients",
    "deployed_name",
    "read_account",
    "report_html",
    "report_json",
    "report_markdown",
    "report_to_dict",
]
