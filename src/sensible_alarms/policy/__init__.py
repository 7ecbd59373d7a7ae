"""Policy: rules over the alarm model that fail a build on alarms that do not serve customers.

Pure Python over synthesized templates; importing it never starts jsii. The CDK validation plugin,
:class:`SensibleAlarmsPolicy`, is imported on first use (it needs aws-cdk-lib)::

    Validations.of(app).add_plugins(SensibleAlarmsPolicy())
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .engine import Report, check, check_paths
from .finding import Finding, Rule, finding
from .formats import report_json, report_sarif, report_text, report_to_dict
from .rules import ALL_RULES, rule
from .suppress import SUPPRESSIONS_KEY, suppress

if TYPE_CHECKING:
    from .plugin import SensibleAlarmsPolicy

__all__ = [
    "ALL_RULES",
    "SUPPRESSIONS_KEY",
    "Finding",
    "Report",
    "Rule",
    "SensibleAlarmsPolicy",
    "check",
    "check_paths",
    "finding",
    "report_json",
    "report_sarif",
    "report_text",
    "report_to_dict",
    "rule",
    "suppress",
]


def __getattr__(name: str) -> Any:
    if name == "SensibleAlarmsPolicy":
        value = importlib.import_module(".plugin", __name__).SensibleAlarmsPolicy
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
