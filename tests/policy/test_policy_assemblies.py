"""The policy on real synthesized assemblies: the per-resource baseline made with
cdk-monitoring-constructs is flagged; the orders example made with this library passes clean."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cdk_support import cfn_lint_errors
from sensible_alarms.model import load
from sensible_alarms.policy import Report, check_paths


@pytest.fixture(scope="module")
def baseline_report(baseline_assembly: Path) -> Report:
    return check_paths(baseline_assembly)


class TestPerResourceBaseline:
    def test_its_template_passes_cfn_lint(self, baseline_assembly: Path):
        """The baseline is a valid CloudFormation template; its findings are about alarms, not syntax."""
        template = json.loads((baseline_assembly / "OrdersPerResourceBaseline.template.json").read_text())
        assert cfn_lint_errors(template) == []

    def test_every_function_table_and_queue_alarm_that_notifies_is_per_resource_noise(self, baseline_report: Report):
        """All 20 function alarms except the scheduled job's error rate, the table's 3 and the main queue's size."""
        noise = [f for f in baseline_report.findings if f.rule_id == "per-resource-noise"]
        labels = sorted(f.construct_path.split("/")[2] for f in noise if f.construct_path)
        assert len(noise) == 28
        assert "Orders-NightlyReport-Fault-Rate-Warning" not in labels
        assert {"Orders-OrdersTable-SystemError-Count-Critical", "Orders-OrderQueue-Queue-Message-Count-Max-Warning",
                "Orders-orders-api-prod-Fault-Count-Critical"} <= set(labels)
        single = [f for f in noise if "a single datapoint of an error count" in f.message]
        assert len(single) == 8  # the fault count of each of the 6 functions, the API's 5xx, the table's system errors

    def test_the_function_errors_alarm_duplicates_the_api_5xx_alarm(self, baseline_report: Report):
        """The issue's example: one failing request pages through the API's alarm and the function's."""
        duplicates = {f.construct_path: f for f in baseline_report.findings if f.rule_id == "duplicate-notification"}
        create = duplicates["OrdersPerResourceBaseline/Monitoring/Orders-CreateOrder-Fault-Count-Critical/Resource"]
        assert "notifies for the same failure of REST API orders-api, stage prod as " \
               "Orders-orders-api-prod-Fault-Count-Critical" in create.message
        assert "one failure sends 15 notifications" in create.message
        assert "ApiAlarms(" in create.message

    def test_every_entrypoint_has_duplicates_and_no_entrypoint_is_uncovered(self, baseline_report: Report):
        """Each of the four entrypoints notifies several times per failure, and each does notify."""
        counts = Counter(f.rule_id for f in baseline_report.findings)
        assert counts == {"per-resource-noise": 28, "duplicate-notification": 31, "unexplained-alarm": 35}
        messages = " ".join(f.message for f in baseline_report.findings if f.rule_id == "duplicate-notification")
        for entrypoint in ("REST API orders-api, stage prod", "SQS queue OrderQueue -> Lambda FulfilOrder",
                           "DynamoDB stream of OrdersTable -> Lambda ProjectOrderEvents",
                           "schedule NightlySchedule (cron(0 2 * * ? *)) -> Lambda NightlyReport"):
            assert f"same failure of {entrypoint} as" in messages

    def test_findings_point_at_construct_paths(self, baseline_report: Report):
        """Every finding names the construct path of its resource, read from the assembly."""
        assert all(f.construct_path and f.construct_path.startswith("OrdersPerResourceBaseline/")
                   for f in baseline_report.findings)


class TestOrdersExample:
    def test_passes_clean(self, orders_assembly: Path):
        """The example made with this library has no finding and nothing suppressed."""
        report = check_paths(orders_assembly)
        assert report.findings == ()
        assert report.suppressed == ()
        assert (report.stacks, report.entrypoints, report.alarms) == (1, 4, len(load(orders_assembly).stacks[0].alarms))
