"""The CDK policy-validation plugin on real apps: one line fails synthesis on a violation, with the
construct path, rule id and fix; the orders example synthesizes through it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns

from cdk_support import cfn_lint_errors
from sensible_alarms.model import load
from sensible_alarms.policy import SensibleAlarmsPolicy, suppress


@dataclass(frozen=True)
class FailedSynth:
    outdir: Path
    error: str


class NoisyStack(cdk.Stack):
    """A Lambda REST API whose only alarm is a one-error alarm on its function, and an old alarm kept
    on purpose (suppressed with a reason)."""

    def __init__(self, scope: cdk.Stage, id: str) -> None:
        super().__init__(scope, id, synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
        handler = lambda_.Function(self, "Handler", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                   code=lambda_.Code.from_inline("def handler(event, context):\n    return {}\n"))
        apigw.LambdaRestApi(self, "Api", handler=handler)
        topic = sns.Topic(self, "Alerts", enforce_ssl=True)
        errors = handler.metric_errors(period=cdk.Duration.minutes(1)).create_alarm(
            self, "HandlerErrors", threshold=0, evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            alarm_description="Customer impact: checkout fails.\nUrgency: HIGH")
        errors.add_alarm_action(cw_actions.SnsAction(topic))
        legacy = handler.metric_invocations().create_alarm(self, "LegacyTraffic", threshold=1000,
                                                            evaluation_periods=3)
        suppress(legacy, "unexplained-alarm", "read by the capacity dashboard until it moves to a metric widget")


@pytest.fixture(scope="module")
def failed_synth(tmp_path_factory: pytest.TempPathFactory) -> FailedSynth:
    """An app with the plugin and a stage holding the noisy stack, synthesized once: synthesis raises."""
    outdir = tmp_path_factory.mktemp("noisy") / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    cdk.Validations.of(app).add_plugins(SensibleAlarmsPolicy())
    NoisyStack(cdk.Stage(app, "Prod"), "Noisy")
    with pytest.raises(RuntimeError) as raised:
        app.synth()
    return FailedSynth(outdir, str(raised.value))


class TestAnAppWithAViolation:
    def test_synthesis_fails_listing_construct_path_rule_and_fix(self, failed_synth: FailedSynth):
        """The error names each violating construct, the rule id and its fix."""
        error = failed_synth.error
        assert "ValidationFailed" in error
        assert "Prod/Noisy/HandlerErrors/Resource" in error
        assert "sensible-alarms::per-resource-noise" in error
        assert "Suggested fix: Remove the alarm's actions" in error
        assert "Prod/Noisy/Api/DeploymentStage.prod/Resource" in error
        assert "sensible-alarms::uncovered-entrypoint" in error

    def test_the_report_lists_the_suppressed_finding_with_its_reason_as_info(self, failed_synth: FailedSynth):
        """CDK's validation report keeps the suppressed finding, as info, with the reason; it does not fail."""
        report = json.loads((failed_synth.outdir / "validation-report.json").read_text())
        (plugin,) = [r for r in report["pluginReports"] if r["pluginName"] == "sensible-alarms"]
        assert plugin["conclusion"] == "failure"
        by_rule = {(v["ruleName"], v["severity"]): v for v in plugin["violations"]}
        assert set(by_rule) == {("uncovered-entrypoint", "error"), ("per-resource-noise", "error"),
                                ("unexplained-alarm", "info")}
        suppressed = by_rule[("unexplained-alarm", "info")]
        assert suppressed["description"].startswith(
            "(suppressed: read by the capacity dashboard until it moves to a metric widget) LegacyTraffic")
        assert suppressed["violatingConstructs"][0]["constructPath"] == "Prod/Noisy/LegacyTraffic/Resource"

    def test_the_stage_assembly_is_read_by_the_model_with_the_suppression(self, failed_synth: FailedSynth):
        """The nested stage assembly loads; the suppression written by suppress() is in the template."""
        (stack,) = load(failed_synth.outdir).stacks
        assert stack.name == "Prod/Noisy"
        legacy = next(a for a in stack.alarms if a.construct_path == "Prod/Noisy/LegacyTraffic/Resource")
        assert [(s.rule_id, s.reason) for s in stack.resources[legacy.logical_id].suppressions] == [
            ("unexplained-alarm", "read by the capacity dashboard until it moves to a metric widget")]

    def test_its_template_passes_cfn_lint(self, failed_synth: FailedSynth):
        """The template the plugin judged is valid CloudFormation (with the suppression metadata in it)."""
        (stack,) = load(failed_synth.outdir).stacks
        assert stack.template_path is not None
        assert cfn_lint_errors(json.loads(stack.template_path.read_text())) == []


class RecordingPolicy(SensibleAlarmsPolicy):
    """The plugin, keeping what CDK gave it and what it answered (CDK leaves clean reports out of its file)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[list[str], cdk.PolicyValidationPluginReport]] = []

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        report = super().validate(context)
        self.calls.append((list(context.template_paths), report))
        return report


def test_the_orders_example_synthesizes_through_the_plugin(tmp_path: Path):
    """With the one line added, the orders example synthesizes: the plugin read its template and found nothing."""
    from app import build

    app = build(str(tmp_path / "cdk.out"))
    plugin = RecordingPolicy()
    cdk.Validations.of(app).add_plugins(plugin)
    assembly = app.synth()
    ((paths, report),) = plugin.calls
    assert [Path(p).name for p in paths] == ["OrdersService.template.json"]
    assert report.success
    assert report.violations == []
    report_file = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    assert [r["pluginName"] for r in report_file["pluginReports"]] == []
    template = assembly.get_stack_by_name("OrdersService").template
    assert cfn_lint_errors(template) == []


def test_the_plugin_declares_its_name_and_rules():
    """The name CDK prints, and every rule id (for CDK's analytics)."""
    plugin = SensibleAlarmsPolicy()
    assert plugin.name == "sensible-alarms"
    assert plugin.rule_ids == ["uncovered-entrypoint", "per-resource-noise", "duplicate-notification",
                               "unexplained-alarm", "dead-letter-queue"]
