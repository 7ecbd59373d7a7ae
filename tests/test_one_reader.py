"""Results that were wrong while review, replay, the snapshot summary and explain each read templates
their own way; each test failed before they all read ``sensible_alarms.model``.

The tests use only entry points that existed before (``review_stacks``, ``alarm_set_from_templates``,
``alarm_summary``, the CLI and ``python -m sensible_alarms.explain``), so they can be run against the
old code to see them fail.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reader_corpus import (
    DESCRIPTION,
    YAML_SHORT_TAGS,
    assembly,
    empty_assembly,
    metrics_form,
    other_entrypoints,
    queue_consumer,
    write,
)
from sensible_alarms.cli import app
from sensible_alarms.replay.from_templates import alarm_set_from_templates
from sensible_alarms.review import review_markdown, review_stacks
from sensible_alarms.testing import alarm_summary


def _only_alarm(path: Path) -> Any:
    """The one alarm of a one-stack review, wherever the review puts it."""
    (stack,) = review_stacks(path).stacks
    alarms = [a for e in stack.entrypoints for a in e.alarms] + list(stack.other_alarms)
    (alarm,) = alarms
    return alarm


def _explain(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sensible_alarms.explain", *args], capture_output=True, text=True,
                          timeout=300, check=False)


class TestYamlWithShortTags:
    def test_review_reads_a_yaml_template_with_short_tags(self, tmp_path: Path):
        """!Ref, !GetAtt and !Sub read as the long forms: the alarm is reviewed, notifying, covering its consumer."""
        path = write(tmp_path / "orders.yaml", YAML_SHORT_TAGS)
        (stack,) = review_stacks(path).stacks
        (entrypoint,) = stack.entrypoints
        assert entrypoint.covered
        assert [a.name for a in entrypoint.alarms] == ["orders-queue-age"]

    def test_replay_reads_a_yaml_template_with_short_tags(self, tmp_path: Path):
        """The replay's definition of the YAML alarm names the queue by its placeholder and notifies."""
        path = write(tmp_path / "orders.yaml", YAML_SHORT_TAGS)
        (alarm,) = alarm_set_from_templates(path).alarms
        assert alarm.queries[0].dimensions == (("QueueName", "${Queue.QueueName}"),)  # type: ignore[union-attr]
        assert alarm.has_actions


class TestActionsEnabledFalse:
    @pytest.mark.parametrize("value", [False, "false"], ids=["a boolean", "a string"])
    def test_review_says_the_alarm_notifies_no_one(self, tmp_path: Path, value: object):
        """ActionsEnabled false (bool or string) means the alarm notifies no one, so it covers nothing."""
        path = write(tmp_path / "t.json", queue_consumer(ActionsEnabled=value))
        alarm = _only_alarm(path)
        assert not alarm.notifying
        assert review_stacks(path).uncovered

    @pytest.mark.parametrize("value", [False, "false"], ids=["a boolean", "a string"])
    def test_replay_gives_the_alarm_no_notifying_actions(self, tmp_path: Path, value: object):
        """The replay's definition has no actions, so a transition into ALARM is not a notification."""
        path = write(tmp_path / "t.json", queue_consumer(ActionsEnabled=value))
        (alarm,) = alarm_set_from_templates(path).alarms
        assert not alarm.has_actions

    @pytest.mark.parametrize("value", [False, "false"], ids=["a boolean", "a string"])
    def test_the_snapshot_summary_counts_it_as_not_notifying(self, tmp_path: Path, value: object):
        """The summary says 0 notifying and that actions are disabled."""
        summary = alarm_summary(write(tmp_path / "t.json", queue_consumer(ActionsEnabled=value)))
        assert "1 alarms, 0 notifying" in summary
        assert "actions disabled" in summary


class TestMetricsFormAlarms:
    def test_review_words_a_metric_stat_alarm_by_its_metric(self, tmp_path: Path):
        """A Metrics/MetricStat alarm reads as its metric and statistic, not 'None (None)'."""
        alarm = _only_alarm(write(tmp_path / "t.json", metrics_form()))
        (condition,) = alarm.conditions
        assert "None" not in condition
        assert "ApproximateAgeOfOldestMessage (Maximum) > 900" in condition


class TestDocumentedDescriptionLines:
    def test_review_reads_urgency_runbook_slo_and_customer_impact(self, tmp_path: Path):
        """A hand-written alarm's Urgency, Runbook, SLO and Customer impact lines are the review's."""
        alarm = _only_alarm(write(tmp_path / "t.json", queue_consumer(AlarmDescription=DESCRIPTION)))
        assert (alarm.urgency, alarm.runbook, alarm.slo, alarm.customer_impact) == (
            "HIGH", "https://runbooks.example.com/orders/queue", "freshness: orders wait at most 15 min",
            "Orders placed by customers are not fulfilled.")
        markdown = review_markdown(review_stacks(tmp_path / "t.json"))
        assert "no urgency stated" not in markdown
        assert "Runbook: none given" not in markdown

    def test_replay_reads_the_urgency(self, tmp_path: Path, ):
        """The replay's summary shows urgency HIGH for the alarm, not '-'."""
        template = write(tmp_path / "t.json", queue_consumer(AlarmDescription=DESCRIPTION))
        metrics = write(tmp_path / "m.csv", "timestamp,namespace,metric,dimensions,stat,period,value\n"
                                            "2026-11-02T00:00:00Z,AWS/SQS,ApproximateAgeOfOldestMessage,"
                                            "QueueName=${Queue.QueueName},Maximum,60,1000\n")
        result = CliRunner().invoke(app, ["replay", str(template), "--metrics", str(metrics), "--quiet"])
        assert result.exit_code == 0, result.output
        (row,) = [line for line in result.stdout.splitlines() if "orders-queue-age" in line]
        assert "HIGH" in row


class TestExplain:
    @pytest.mark.parametrize(("content", "message"), [
        ("{not json", "is not valid JSON"),
        ("[]", "is not a cloud assembly manifest"),
        (None, "no such file"),
    ], ids=["a corrupt manifest", "a manifest that is []", "a missing template"])
    def test_unreadable_input_exits_2_with_one_line(self, tmp_path: Path, content: str | None, message: str):
        """No traceback: exit 2 and one error line naming the problem."""
        root = assembly(tmp_path / "cdk.out", {"Orders": queue_consumer()})
        if content is None:
            (root / "Orders.template.json").unlink()
        else:
            (root / "manifest.json").write_text(content)
        result = _explain(str(root))
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1
        assert message in result.stderr

    def test_counts_the_entrypoints_review_counts(self, baseline_assembly: Path):
        """On the per-resource baseline, explain's entrypoint count is review's."""
        review_count = sum(len(s.entrypoints) for s in review_stacks(baseline_assembly).stacks)
        found = re.search(r"(\d+) customer-facing entrypoints", _explain(str(baseline_assembly)).stdout)
        assert found is not None
        assert int(found.group(1)) == review_count

    def test_lambdas_reached_other_ways_are_not_called_alarmed_on_purpose(self, tmp_path: Path):
        """Lambdas behind an SNS subscription, a Function URL or an event bus rule, with no alarm, are
        not said to sit behind alarmed entrypoints."""
        root = assembly(tmp_path / "cdk.out", {"Events": other_entrypoints()})
        text = _explain(str(root)).stdout
        on_purpose = [line for line in text.splitlines() if "Not alarmed on purpose" in line]
        assert not any("Lambda" in line for line in on_purpose), text


class TestEmptyAssembly:
    @pytest.mark.parametrize("command", ["check", "review", "explain", "replay"])
    def test_every_command_refuses_it_with_exit_2(self, tmp_path: Path, command: str):
        """A cloud assembly with no stack is an error, not 'every entrypoint has a notifying alarm'."""
        root = empty_assembly(tmp_path / "cdk.out")
        if command == "explain":
            result = _explain(str(root))
            code, stderr = result.returncode, result.stderr
        else:
            extra = []
            if command == "replay":
                extra = ["--metrics", str(write(tmp_path / "m.csv", "timestamp,namespace,metric,dimensions,stat,"
                                                "period,value\n2026-11-02T00:00:00Z,AWS/SQS,X,,Sum,60,1\n"))]
            invoked = CliRunner().invoke(app, [command, str(root), *extra])
            code, stderr = invoked.exit_code, invoked.stderr
        assert code == 2
        assert "holds no CloudFormation stack" in stderr


class TestMarkdownEscapesHtml:
    def test_raw_html_in_names_and_descriptions_is_not_passed_through(self, tmp_path: Path):
        """<script> and <img onerror> from a template are written as text, not as HTML."""
        description = DESCRIPTION.replace("Orders placed", "<img src=x onerror=alert(1)> Orders placed")
        path = write(tmp_path / "t.json", queue_consumer(AlarmName="<script>alert(1)</script>",
                                                         AlarmDescription=description))
        markdown = review_markdown(review_stacks(path))
        assert "<script" not in markdown
        assert "<img" not in markdown
        assert "&lt;script>alert(1)&lt;/script>" in markdown


def _renamed_without_alarms(template: dict[str, Any]) -> dict[str, Any]:
    """The template with every alarm removed and every logical id renamed (``X`` -> ``XRenamed``)."""
    resources = {lid: r for lid, r in template["Resources"].items()
                 if r.get("Type") not in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")}
    text = json.dumps({**template, "Resources": resources})
    for lid in sorted(template["Resources"], key=len, reverse=True):
        text = re.sub(rf'"{lid}(["\.])', rf'"{lid}Renamed\1', text)
        text = text.replace(f"${{{lid}", f"${{{lid}Renamed")
    renamed: dict[str, Any] = json.loads(text)
    return renamed


class TestDiffGate:
    def test_removing_every_alarm_while_renaming_ids_and_stack_fails_the_gate(self, tmp_path: Path,
                                                                              orders_template: dict[str, Any]):
        """Entrypoints are matched by what they are (kind and source), so renames do not hide the drop."""
        old = assembly(tmp_path / "old", {"OrdersService": orders_template})
        new = assembly(tmp_path / "new", {"OrdersServiceV2": _renamed_without_alarms(orders_template)})
        result = CliRunner().invoke(app, ["diff", str(old), str(new), "--fail-on-coverage-drop"])
        assert result.exit_code == 1, result.output
        assert "Coverage lost" in result.stdout

    def test_renaming_ids_and_stack_alone_is_no_coverage_drop(self, tmp_path: Path, orders_template: dict[str, Any]):
        """The same alarms under new logical ids and a new stack name keep every entrypoint covered."""
        old = assembly(tmp_path / "old", {"OrdersService": orders_template})
        renamed = _renamed_without_alarms(orders_template)
        renamed["Resources"].update({f"{lid}Renamed": r for lid, r in orders_template["Resources"].items()
                                     if r["Type"].startswith("AWS::CloudWatch::")})
        text = json.dumps(renamed)
        for lid in sorted(orders_template["Resources"], key=len, reverse=True):
            text = re.sub(rf'"{lid}(["\.])', rf'"{lid}Renamed\1', text)
        new = assembly(tmp_path / "new", {"OrdersServiceV2": json.loads(text)})
        result = CliRunner().invoke(app, ["diff", str(old), str(new), "--fail-on-coverage-drop"])
        assert result.exit_code == 0, result.output
