"""The snapshot helpers users put in their own tests: alarm_summary and the alarm_snapshot fixture."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from orders_stack import OrdersStack

from sensible_alarms.testing import alarm_summary

pytest_plugins = ["pytester"]


class TestAlarmSummary:
    def test_the_orders_example_matches_its_readable_snapshot(self, alarm_snapshot, orders_assembly: Path):
        """The orders example's alarms, in words, are what the reviewed snapshot file says."""
        assert alarm_snapshot == alarm_summary(orders_assembly)

    def test_a_stack_is_summarized_through_its_app(self, orders_template: dict[str, Any]):
        """A Stack object gives the same text as its synthesized template."""
        app = cdk.App()
        stack = OrdersStack(app, "OrdersService",
                            synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
        assert alarm_summary(stack) == alarm_summary(orders_template).replace("Template\n", "Stack OrdersService\n", 1)

    def test_the_summary_is_the_same_text_every_time(self, orders_template: dict[str, Any]):
        """Summarizing a template twice, or a reordered copy of it, gives identical text."""
        reordered = {"Resources": dict(reversed(list(orders_template["Resources"].items())))}
        assert alarm_summary(orders_template) == alarm_summary(orders_template) == alarm_summary(reordered)

    def test_a_changed_threshold_changes_exactly_one_line(self, orders_template: dict[str, Any]):
        """Raising one alarm's threshold shows up as one changed line, so a pull request shows it."""
        changed = copy.deepcopy(orders_template)
        alarm_id = next(k for k, r in changed["Resources"].items()
                        if r["Type"] == "AWS::CloudWatch::Alarm" and "MessageAge" in k)
        changed["Resources"][alarm_id]["Properties"]["Threshold"] = 1800
        before, after = alarm_summary(orders_template).splitlines(), alarm_summary(changed).splitlines()
        differing = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
        assert differing == [(
            "    alarms when value > 900 in 3 of 3 datapoints; missing data: not breaching",
            "    alarms when value > 1800 in 3 of 3 datapoints; missing data: not breaching",
        )]

    def test_alarms_without_an_entrypoint_are_listed_apart(self):
        """Alarms the library did not make are summarized under '(no entrypoint)' with their actions."""
        template = {"Resources": {
            "Topic": {"Type": "AWS::SNS::Topic"},
            "Errors": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
                "AlarmName": "fn-errors", "Namespace": "AWS/Lambda", "MetricName": "Errors", "Statistic": "Sum",
                "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": "Fn"}}], "Period": 60,
                "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "AlarmActions": [{"Ref": "Topic"}]}},
        }}
        assert alarm_summary(template) == (
            "Template\n"
            "\n"
            "(no entrypoint): 1 alarms, 1 notifying\n"
            "- alarm fn-errors\n"
            "    watches AWS/Lambda Errors Sum {FunctionName=<Fn>} per 1 min\n"
            "    alarms when value >= 1 in 1 of 1 datapoints; missing data: missing\n"
            "    actions: on ALARM -> <Topic>\n"
        )

    def test_a_template_file_is_read_from_disk(self, tmp_path: Path, orders_template: dict[str, Any]):
        """A template file path gives the same alarms as the template dict."""
        path = tmp_path / "OrdersService.template.json"
        path.write_text(json.dumps(orders_template))
        assert alarm_summary(path).split("\n", 1)[1] == alarm_summary(orders_template).split("\n", 1)[1]

    def test_anything_else_is_refused_with_what_was_given(self):
        """A value that is no stack, template or path raises a TypeError naming its type."""
        with pytest.raises(TypeError, match="got int"):
            alarm_summary(42)


class TestAlarmSnapshotFixture:
    def test_a_service_team_test_is_three_lines(self, pytester: pytest.Pytester):
        """The pytest11 entry point gives a user's test run the alarm_snapshot fixture, writing a .alarms.txt file."""
        pytester.makepyfile(test_user="""
            from sensible_alarms.testing import alarm_summary

            def test_alarms(alarm_snapshot):
                template = {"Resources": {}}
                assert alarm_snapshot == alarm_summary(template)
        """)
        created = pytester.runpytest_subprocess("--snapshot-update", "-p", "no:cacheprovider")
        created.assert_outcomes(passed=1)
        files = list(pytester.path.rglob("*.alarms.txt"))
        assert [f.read_text() for f in files] == ["Template\n  no alarms\n"]
        pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
