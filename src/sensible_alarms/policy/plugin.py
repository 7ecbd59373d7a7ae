"""The CDK policy-validation plugin: one line in an app fails ``cdk synth`` / ``python app.py`` on
violations, listing each with its construct path, rule id and fix::

    from aws_cdk import Validations
    from sensible_alarms.policy import SensibleAlarmsPolicy

    Validations.of(app).add_plugins(SensibleAlarmsPolicy())

CDK calls the plugin after synthesis with the paths of the templates it wrote; the plugin reads
those files (the pure-Python model, not construct objects) and reports one violation per finding.
CDK maps each violating resource back to its construct path and prints the report.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
import jsii

from ..model import load_templates
from .engine import check
from .finding import Finding, Rule
from .formats import tool_version
from .rules import ALL_RULES

__all__ = ["SensibleAlarmsPolicy"]


@jsii.implements(cdk.IPolicyValidationPlugin)
class SensibleAlarmsPolicy:
    """Checks every stack of the app (or stage) it is added to against the policy rules.

    Findings fail synthesis. Suppressed findings (see :func:`sensible_alarms.policy.suppress`) are
    listed as ``info`` violations that say ``suppressed: <reason>`` and do not fail it.

    :param rules: the rules to check. Default: every rule (``ALL_RULES``).
    """

    def __init__(self, *, rules: Sequence[Rule] | None = None) -> None:
        self._rules = tuple(ALL_RULES if rules is None else rules)

    @property
    def name(self) -> str:
        return "sensible-alarms"

    @property
    def version(self) -> str | None:
        return tool_version()

    @property
    def rule_ids(self) -> list[str] | None:
        return [rule.id for rule in self._rules]

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        """Load the templates CDK wrote, check them, and report each finding as a violation."""
        report = check(load_templates(*context.template_paths), self._rules)
        rules = {rule.id: rule for rule in self._rules}
        violations = [self._violation(found, rules[found.rule_id]) for found in report.findings]
        violations += [self._violation(found, rules[found.rule_id]) for found in report.suppressed]
        return cdk.PolicyValidationPluginReport(
            success=report.ok, violations=violations, plugin_version=tool_version(),
            metadata={"findings": str(len(report.findings)), "suppressed": str(len(report.suppressed))},
        )

    @staticmethod
    def _violation(found: Finding, rule: Rule) -> cdk.PolicyViolation:
        suppressed = found.suppressed_reason is not None
        description = f"(suppressed: {found.suppressed_reason}) {found.message}" if suppressed else found.message
        return cdk.PolicyViolation(
            rule_name=found.rule_id,
            description=description,
            fix=f"{rule.fix} See {rule.docs}.",
            severity="info" if suppressed else "error",
            rule_metadata={"title": rule.title, "stack": found.stack},
            violating_resources=[cdk.PolicyViolatingResource(
                resource_logical_id=found.logical_id,
                template_path=str(found.template_path) if found.template_path else None,
                locations=[],
            )],
        )
