"""`sensible-alarms check`: text, JSON and SARIF reports, exit codes 0 / 1 / 2, no traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from policy_templates import api_errors_alarm, shop, suppressed
from typer.testing import CliRunner

from sensible_alarms.cli import app

ROOT = Path(__file__).resolve().parents[2]
SENSIBLE_ALARMS = ROOT / ".venv" / "bin" / "sensible-alarms"


def _check(*args: str):
    return CliRunner().invoke(app, ["check", *args])


@pytest.fixture
def suppressed_template(tmp_path: Path) -> Path:
    """A template whose only finding is suppressed with a reason."""
    template = shop(ApiErrors=suppressed(api_errors_alarm(description=None), "unexplained-alarm",
                                         "kept until the API moves to ApiAlarms"))
    path = tmp_path / "Shop.template.json"
    path.write_text(json.dumps(template, indent=1))
    return path


class TestExitCodes:
    def test_the_orders_example_exits_0_with_no_findings(self, orders_assembly: Path):
        """A clean assembly exits 0 and says so."""
        result = _check(str(orders_assembly))
        assert result.exit_code == 0, result.output
        assert result.stdout.endswith("No findings.\n")

    def test_the_baseline_exits_1_and_lists_findings_by_rule_with_their_fix(self, baseline_assembly: Path):
        """Findings exit 1; each rule's section has its fix and docs page, each finding its construct path."""
        result = _check(str(baseline_assembly))
        assert result.exit_code == 1
        out = result.stdout
        assert "per-resource-noise: No per-resource noise" in out
        assert "  fix: Remove the alarm's actions" in out
        assert "  docs: docs/policy/duplicate-notification.md" in out
        assert "  - OrdersPerResourceBaseline/Monitoring/Orders-CreateOrder-Fault-Count-Critical/Resource" in out
        assert out.endswith("94 findings (per-resource-noise 28, duplicate-notification 31, unexplained-alarm 35).\n")

    def test_suppressed_findings_are_listed_with_their_reason_and_exit_0(self, suppressed_template: Path):
        """Only suppressed findings: exit 0, and the report still lists them with the written reason."""
        result = _check(str(suppressed_template))
        assert result.exit_code == 0, result.output
        assert "Suppressed (1):\n  - [unexplained-alarm] Shop/ApiErrors\n" in result.stdout
        assert "    reason: kept until the API moves to ApiAlarms\n" in result.stdout
        assert result.stdout.endswith("No findings (1 suppressed).\n")

    @pytest.mark.parametrize(("name", "content", "expected"), [
        pytest.param("manifest.json", '{"version": "55.0.0", "artifacts": {', "is not valid JSON",
                     id="a bad manifest"),
        pytest.param("Orders.template.json", '{"Resources": {"A": {"Type": "AWS::SQS::Qu', "is not valid JSON",
                     id="truncated JSON"),
        pytest.param("package.json", '{"name": "orders", "version": "1.0.0"}',
                     "is not a CloudFormation template (no 'Resources' object)",
                     id="a file that is not CloudFormation"),
    ])
    def test_bad_input_exits_2_with_one_line_naming_the_file(self, tmp_path: Path, name, content, expected):
        """Unreadable input: exit 2, one error line on stderr naming the file, nothing on stdout, no traceback."""
        path = tmp_path / "cdk.out" / name
        path.parent.mkdir()
        path.write_text(content)
        given = path.parent if name == "manifest.json" else path
        result = _check(str(given))
        assert result.exit_code == 2
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"sensible-alarms: error: {path}: {expected}")
        assert "Traceback" not in result.stderr

    def test_an_unknown_format_exits_2(self, orders_assembly: Path):
        """--format accepts text, json and sarif only."""
        result = _check(str(orders_assembly), "--format", "xml")
        assert result.exit_code == 2
        assert "--format must be text, json or sarif (got 'xml')" in result.stderr

    def test_the_installed_script_exits_2_without_a_traceback(self, tmp_path: Path):
        """Run as a real process, the script prints one error line for a truncated template and exits 2."""
        path = tmp_path / "Orders.template.json"
        path.write_text('{"Resources": {"A": ')
        result = subprocess.run([str(SENSIBLE_ALARMS), "check", str(path)], capture_output=True, text=True,
                                check=False)
        assert result.returncode == 2
        assert result.stderr == f"sensible-alarms: error: {path}: is not valid JSON (Expecting value at line 1, " \
                                "column 21)\n"
        assert result.stdout == ""


class TestJson:
    def test_the_report_has_a_summary_rules_and_findings(self, baseline_assembly: Path, tmp_path: Path):
        """--format json --output writes the summary, the rules with their fixes and every finding."""
        out = tmp_path / "report.json"
        result = _check(str(baseline_assembly), "--format", "json", "--output", str(out))
        assert result.exit_code == 1
        assert result.stdout == ""
        data = json.loads(out.read_text())
        assert data["summary"] == {
            "ok": False, "stacks": 1, "entrypoints": 4, "alarms": 35, "findings": 94, "suppressed": 0,
            "by_rule": {"uncovered-entrypoint": 0, "per-resource-noise": 28, "duplicate-notification": 31,
                        "unexplained-alarm": 35, "dead-letter-queue": 0}}
        assert [r["id"] for r in data["rules"]] == list(data["summary"]["by_rule"])
        first = data["findings"][0]
        assert set(first) == {"rule_id", "stack", "logical_id", "construct_path", "resource_type", "template_path",
                              "message", "related"}

    def test_a_suppressed_finding_carries_its_reason(self, suppressed_template: Path):
        """Suppressed findings are in their own list with suppressed_reason."""
        data = json.loads(_check(str(suppressed_template), "--format", "json").stdout)
        assert data["findings"] == []
        assert data["suppressed"][0]["suppressed_reason"] == "kept until the API moves to ApiAlarms"


class TestSarif:
    def test_the_log_is_sarif_2_1_0_with_rules_and_located_results(self, baseline_assembly: Path):
        """version 2.1.0, runs[0].tool.driver.rules, and results with ruleId, level, message and locations."""
        result = _check(str(baseline_assembly), "--format", "sarif")
        assert result.exit_code == 1
        log = json.loads(result.stdout)
        assert log["version"] == "2.1.0"
        assert log["$schema"].endswith("sarif-2.1.0.json")
        run = log["runs"][0]
        driver = run["tool"]["driver"]
        assert driver["name"] == "sensible-alarms"
        rule_ids = [rule["id"] for rule in driver["rules"]]
        assert rule_ids == ["uncovered-entrypoint", "per-resource-noise", "duplicate-notification",
                            "unexplained-alarm", "dead-letter-queue"]
        assert all(rule["shortDescription"]["text"] and rule["help"]["text"] for rule in driver["rules"])
        assert len(run["results"]) == 94
        template = baseline_assembly / "OrdersPerResourceBaseline.template.json"
        lines = template.read_text().splitlines()
        for item in run["results"]:
            assert item["ruleId"] in rule_ids
            assert driver["rules"][item["ruleIndex"]]["id"] == item["ruleId"]
            assert item["level"] == "error"
            assert item["message"]["text"]
            location = item["locations"][0]
            assert location["physicalLocation"]["artifactLocation"]["uri"].endswith(template.name)
            logical_id = location["logicalLocations"][0]["name"]
            assert f'"{logical_id}": {{' in lines[location["physicalLocation"]["region"]["startLine"] - 1]
            assert location["logicalLocations"][0]["fullyQualifiedName"].startswith("OrdersPerResourceBaseline/")

    def test_a_suppressed_finding_is_a_result_with_a_justified_suppression(self, suppressed_template: Path):
        """SARIF consumers hide suppressed results; the justification is the written reason."""
        log = json.loads(_check(str(suppressed_template), "--format", "sarif").stdout)
        (item,) = log["runs"][0]["results"]
        assert item["suppressions"] == [{"kind": "inSource", "justification": "kept until the API moves to ApiAlarms"}]
