"""`sensible-alarms suggest` on a cloud assembly and on an audit's JSON findings, and the audit
report's markdown, HTML and JSON renderings of one report."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sensible_alarms.audit import AccountRead, build_report, report_html, report_json, report_markdown
from sensible_alarms.commands.suggest import suggest, suggestion_text
from sensible_alarms.model import load
from sensible_alarms.policy.words import CONSTRUCTS

CLI = str(Path(sys.executable).parent / "sensible-alarms")
T0 = datetime(2026, 11, 1, tzinfo=UTC)
STACK = "OrdersPerResourceBaseline"


def _report(deployed, baseline_assembly):
    physical, alarms = deployed
    history = [{"AlarmName": "Orders-CreateOrder-Fault-Count-Critical", "Timestamp": T0 + timedelta(days=d, hours=3),
                "HistoryData": '{"oldState": {"stateValue": "OK"}, "newState": {"stateValue": "ALARM"}}'}
               for d in (0, 0, 2)]
    read = AccountRead(region="eu-west-1", start=T0, end=T0 + timedelta(days=7), metric_alarms=list(alarms),
                       history=history, alarms_read=True, history_read=True, deployed={STACK: dict(physical)})
    return build_report(read, load(baseline_assembly), assembly_path="cdk.out")


class TestSuggest:
    def test_an_assembly_gets_the_policys_construct_for_each_uncovered_entrypoint(self, baseline_assembly):
        """Each uncovered entrypoint gets the construct line the policy's fix names; per-resource noise
        alarms are listed to delete, duplicates to strip, never both."""
        suggestion = suggest(baseline_assembly)
        assert all(code in CONSTRUCTS.values() for _, _, code in suggestion.add)
        assert any("CreateOrder" in name for name, _ in suggestion.delete)
        assert not {name for name, _ in suggestion.delete} & {name for name, _ in suggestion.strip}

    def test_audit_findings_list_noise_to_delete_with_their_counts(self, deployed, baseline_assembly, tmp_path):
        """From the audit's JSON: per-resource noise to delete, duplicates to strip, each with its count."""
        findings = tmp_path / "audit.json"
        findings.write_text(report_json(_report(deployed, baseline_assembly)))
        text = suggestion_text(suggest(findings))
        assert "Orders-CreateOrder-Fault-Count-Critical  (per-resource noise, 3 notifications)" in text
        assert "# Existing alarms to strip of their actions" in text

    def test_the_command_exits_2_on_a_path_it_cannot_read(self, tmp_path):
        """A missing path is a one-line error, exit 2."""
        done = subprocess.run([CLI, "suggest", str(tmp_path / "nothing")], capture_output=True, text=True,
                              check=False)
        assert done.returncode == 2
        assert done.stderr.startswith("sensible-alarms: error:")


class TestRenderings:
    def test_markdown_counts_notifications_per_class_and_lists_the_burst(self, deployed, baseline_assembly):
        """Three notifications of one alarm, two within 15 minutes: 2 bursts, the class table counts 3."""
        text = report_markdown(_report(deployed, baseline_assembly))
        assert "| per-resource noise | 28 | 3 |" in text
        assert "2 bursts, 1.5 notifications per incident" in text

    def test_html_is_one_page_with_a_daily_chart_per_entrypoint(self, deployed, baseline_assembly):
        """The HTML holds an inline SVG chart for the entrypoint that was notified about, no script."""
        page = report_html(_report(deployed, baseline_assembly))
        assert page.startswith("<!doctype html>")
        assert "<script" not in page
        assert page.count("<svg") == 1
        assert "REST API orders-api, stage prod" in page

    def test_json_holds_every_alarm_with_its_class_and_notification_times(self, deployed, baseline_assembly):
        """The JSON lists each alarm with class, labels and ISO notification times."""
        data = json.loads(report_json(_report(deployed, baseline_assembly)))
        alarm = next(a for a in data["alarms"] if a["name"] == "Orders-CreateOrder-Fault-Count-Critical")
        assert alarm["class"] == "per-resource noise"
        assert alarm["notifications"] == ["2026-11-01T03:00:00Z", "2026-11-01T03:00:00Z", "2026-11-03T03:00:00Z"]
        assert data["totals"]["alarms"] == len(deployed[1])


#: a Lambda run nightly by an EventBridge Scheduler schedule, with no alarm
SCHEDULED_TEMPLATE = {"Resources": {
        "Job": {"Type": "AWS::Lambda::Function",
                "Properties": {"Handler": "index.handler", "Runtime": "python3.12", "Code": {"ZipFile": "x"},
                               "Role": "arn:aws:iam::123456789012:role/job"}},
        "Nightly": {"Type": "AWS::Scheduler::Schedule",
                    "Properties": {"ScheduleExpression": "cron(0 3 * * ? *)",
                                   "FlexibleTimeWindow": {"Mode": "OFF"},
                                   "Target": {"Arn": {"Fn::GetAtt": ["Job", "Arn"]},
                                              "RoleArn": "arn:aws:iam::123456789012:role/scheduler"}}},
}}


class TestSuggestForASchedulerSchedule:
    def test_an_assembly_gets_scheduled_job_alarms_with_the_schedule(self, tmp_path):
        """A schedule of EventBridge Scheduler is told to add ScheduledJobAlarms with ``schedule=`` (not
        ``rule=``, which takes an events.Rule): the same words as the policy's finding."""
        from sensible_alarms.policy.words import SCHEDULER_SCHEDULE_CONSTRUCT as SCHEDULER_SCHEDULE

        template = tmp_path / "Scheduled.template.json"
        template.write_text(json.dumps(SCHEDULED_TEMPLATE), encoding="utf-8")
        [(title, _, code)] = suggest(template).add
        assert "Nightly" in title
        assert code == SCHEDULER_SCHEDULE
        assert "schedule=" in code
        assert "rule=" not in code

    def test_audit_findings_of_a_scheduler_schedule_get_the_same_advice(self, tmp_path):
        """The audit's JSON names the source service of an uncovered entrypoint, so suggest gives a Scheduler
        schedule the same advice from the findings as from the assembly."""
        from sensible_alarms.policy.words import SCHEDULER_SCHEDULE_CONSTRUCT as SCHEDULER_SCHEDULE

        findings = tmp_path / "audit.json"
        findings.write_text(json.dumps({"alarms": [], "uncovered_entrypoints": [
            {"stack": "Scheduled", "logical_id": "Nightly", "kind": "scheduled_job", "title": "schedule Nightly",
             "construct_path": "Scheduled/Nightly", "source_service": "scheduler"}]}), encoding="utf-8")
        [(_, _, code)] = suggest(findings).add
        assert code == SCHEDULER_SCHEDULE
