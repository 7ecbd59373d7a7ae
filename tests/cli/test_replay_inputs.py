"""`sensible-alarms replay` on small hand-written templates: empty data, quiet alarms, refused
windows, and input errors that say what the user did wrong (one line, exit 2)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sensible_alarms.cli import app

DAY = ["--start", "2024-05-02T00:00Z", "--end", "2024-05-03T00:00Z"]
HEADER = "timestamp,namespace,metric,dimensions,stat,period,value"


def _alarm(name: str, *, treat: str = "notBreaching", extra: dict[str, Any] | None = None,
           metric: str = "Errors") -> dict[str, Any]:
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": name, "Namespace": "Test", "MetricName": metric,
        "Dimensions": [{"Name": "Service", "Value": "orders"}], "Statistic": "Sum", "Period": 60,
        "EvaluationPeriods": 1, "Threshold": 10, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": treat, "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:pager"], **(extra or {})}}


def _template(tmp_path: Path, **resources: dict[str, Any]) -> Path:
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": resources}))
    return path


def _metrics(tmp_path: Path, rows: list[str], name: str = "metrics.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def _rows(day: str, metric: str = "Errors", value: float = 1, minutes: int = 60) -> list[str]:
    return [f"{day}T{m // 60:02d}:{m % 60:02d}:00Z,Test,{metric},Service=orders,Sum,60,{value:g}"
            for m in range(minutes)]


#: The unprivileged user's id (nobody) a root test process switches to.
NOBODY = 65534


@contextlib.contextmanager
def _unprivileged() -> Iterator[None]:
    """Run the block as the user nobody when the tests run as root (real and effective ids, which
    os.access checks; the saved uid stays 0 to switch back); as anyone else, as they are."""
    if os.geteuid() != 0:
        yield
        return
    os.setresgid(NOBODY, NOBODY, 0)
    os.setresuid(NOBODY, NOBODY, 0)
    try:
        yield
    finally:
        os.setresuid(0, 0, 0)
        os.setresgid(0, 0, 0)


def _replay(*args: str) -> Any:
    return CliRunner().invoke(app, ["replay", *args, "--quiet"])


class TestEmptyData:
    def test_a_range_with_no_data_for_any_alarm_warns_and_notifies_no_one(self, tmp_path: Path):
        """No datapoint of any alarm in the replayed range: a warning naming the alarms, no notification.

        The alarm treats missing data as breaching, so judged on nothing it would go to ALARM; the
        file's data is a day earlier than the range asked for.
        """
        template = _template(tmp_path, Job=_alarm("job-not-run", treat="breaching"))
        metrics = _metrics(tmp_path, _rows("2024-05-01"))
        result = _replay(str(template), "--metrics", str(metrics), *DAY, "--format", "json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["notifications"] == []
        assert any("no data" in w and "job-not-run" in w for w in data["warnings"]), data["warnings"]

    def test_the_text_summary_says_so_too(self, tmp_path: Path):
        """The terminal summary shows the warning and counts no notification."""
        template = _template(tmp_path, Job=_alarm("job-not-run", treat="breaching"))
        metrics = _metrics(tmp_path, _rows("2024-05-01"))
        result = _replay(str(template), "--metrics", str(metrics), *DAY)
        assert result.exit_code == 0, result.output
        assert "0 notifications" in result.stdout
        assert "job-not-run" in result.stdout.split("warning:", 1)[1]

    def test_missing_data_of_one_alarm_still_counts_when_others_have_data(self, tmp_path: Path):
        """With data for some alarm, an alarm treating missing data as breaching notifies, as CloudWatch would,
        and the warning names it."""
        template = _template(tmp_path, Job=_alarm("job-not-run", treat="breaching", metric="Succeeded"),
                             Api=_alarm("api-errors"))
        metrics = _metrics(tmp_path, _rows("2024-05-02"))
        result = _replay(str(template), "--metrics", str(metrics), *DAY, "--format", "json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert [n["alarm"] for n in data["notifications"]] == ["job-not-run"]
        assert any("job-not-run" in w and "api-errors" not in w for w in data["warnings"] if "no data" in w)


class TestAlarmThatNeverChanges:
    @pytest.mark.parametrize("output", ["json", "timeline"])
    def test_an_alarm_left_in_insufficient_data_is_written_with_no_changes(self, tmp_path: Path, output: str):
        """An alarm whose metric never has data stays INSUFFICIENT_DATA; JSON and --timeline list it with no change."""
        template = _template(tmp_path, Quiet=_alarm("quiet", treat="missing", metric="Throttles"),
                             Api=_alarm("api-errors"))
        metrics = _metrics(tmp_path, _rows("2024-05-02"))
        timeline = tmp_path / "timeline.json"
        args = ["--format", "json"] if output == "json" else ["--timeline", str(timeline)]
        result = _replay(str(template), "--metrics", str(metrics), *DAY, *args)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout if output == "json" else timeline.read_text())
        quiet = next(a for a in data["alarms"] if a["name"] == "quiet")
        assert quiet["changes"] == []
        assert quiet["initial_state"] == "INSUFFICIENT_DATA"


class TestWallClockWindow:
    def test_a_wall_clock_alarm_is_refused_naming_it(self, tmp_path: Path):
        """EvaluationWindow WallClockWindow is not replayed as a sliding window: exit 2 naming the alarm."""
        template = _template(tmp_path, Daily=_alarm("daily-backup", extra={
            "EvaluationWindow": {"WallClockWindow": {}}}))
        metrics = _metrics(tmp_path, _rows("2024-05-02"))
        result = _replay(str(template), "--metrics", str(metrics), *DAY)
        assert result.exit_code == 2
        assert "daily-backup" in result.output
        assert "WallClockWindow" in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output

    def test_an_explicit_sliding_window_is_replayed(self, tmp_path: Path):
        """EvaluationWindow SlidingWindow is the default, spelled out: replayed as before."""
        template = _template(tmp_path, Api=_alarm("api-errors", extra={"EvaluationWindow": {"SlidingWindow": {}}}))
        metrics = _metrics(tmp_path, _rows("2024-05-02", value=20))
        result = _replay(str(template), "--metrics", str(metrics), *DAY, "--format", "json")
        assert result.exit_code == 0, result.output
        assert [n["alarm"] for n in json.loads(result.stdout)["notifications"]] == ["api-errors"]


class TestInputErrors:
    def _fails(self, result: Any, *fragments: str) -> None:
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
        for fragment in fragments:
            assert fragment in result.output, result.output

    def test_a_header_only_metrics_file_says_it_has_no_datapoints(self, tmp_path: Path):
        """A metrics file with its header and no row is named as having no datapoints (not a 1970 range)."""
        template = _template(tmp_path, Api=_alarm("api-errors"))
        metrics = _metrics(tmp_path, [])
        result = _replay(str(template), "--metrics", str(metrics))
        self._fails(result, str(metrics), "no datapoints")
        assert "1970" not in result.output

    def test_a_directory_given_as_metrics_file_is_named_as_a_directory(self, tmp_path: Path):
        """--metrics DIR says it is a directory and which files are accepted."""
        template = _template(tmp_path, Api=_alarm("api-errors"))
        folder = tmp_path / "metrics"
        folder.mkdir()
        result = _replay(str(template), "--metrics", str(folder))
        self._fails(result, str(folder), "is a directory", ".csv", ".parquet")
        assert "None" not in result.output

    @pytest.mark.parametrize(("stat", "metric", "namespace"), [
        pytest.param("SampleCount", "Latency", "Test", id="a negative SampleCount"),
        pytest.param("Sum", "Count", "AWS/ApiGateway", id="a negative Sum of API Gateway's request Count"),
        pytest.param("Sum", "Errors", "AWS/Lambda", id="a negative Sum of Lambda Errors"),
    ])
    def test_a_negative_count_is_refused_with_file_row_and_value(self, tmp_path: Path, stat: str, metric: str,
                                                                 namespace: str):
        """A count CloudWatch can never report below zero is refused, naming file, line and value."""
        template = _template(tmp_path, Api=_alarm("api-errors"))
        rows = [f"2024-05-02T00:00:00Z,{namespace},{metric},Service=orders,{stat},60,3",
                f"2024-05-02T00:01:00Z,{namespace},{metric},Service=orders,{stat},60,-2"]
        metrics = _metrics(tmp_path, rows)
        result = _replay(str(template), "--metrics", str(metrics))
        self._fails(result, str(metrics), "line 3", "-2", stat)

    def test_a_negative_sum_of_a_custom_metric_is_accepted(self, tmp_path: Path):
        """PutMetricData accepts negative values, so a Sum of a custom metric may be negative."""
        template = _template(tmp_path, Api=_alarm("api-errors"))
        metrics = _metrics(tmp_path, _rows("2024-05-02", value=-5))
        result = _replay(str(template), "--metrics", str(metrics), *DAY, "--format", "json")
        assert result.exit_code == 0, result.output

    @pytest.mark.parametrize("option", ["--timeline", "--html"])
    def test_an_unwritable_output_fails_before_the_replay_with_one_line(self, tmp_path: Path, option: str):
        """An output in a folder that does not exist fails before any input is read, naming the path, and
        creates nothing. (The metrics file has a bad last row: reading it first would report that instead.)"""
        template = _template(tmp_path, Api=_alarm("api-errors"))
        metrics = _metrics(tmp_path, [*_rows("2024-05-02"), "2024-05-02T01:00:00Z,Test,Errors,Service=orders,Sum,60,x"])
        target = tmp_path / "missing" / "out.json"
        result = _replay(str(template), "--metrics", str(metrics), *DAY, option, str(target))
        self._fails(result, str(target))
        assert "Errno" not in result.output
        assert not target.parent.exists()

    def test_an_output_in_a_read_only_folder_fails_before_the_replay(self, tmp_path: Path):
        """A folder the user cannot write to is refused before any work, naming the path. (Run as
        root, as CI is, the command runs as the unprivileged user nobody: root may write anywhere.)"""
        template = _template(tmp_path, Api=_alarm("api-errors"))
        metrics = _metrics(tmp_path, _rows("2024-05-02"))
        # A folder every user may enter but not write to, under a parent every user may enter.
        parent = Path(tempfile.mkdtemp(prefix="sensible-alarms-"))
        parent.chmod(0o755)
        locked = parent / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        # The same command once as the test's own user first: the modules it imports lazily are then
        # loaded (nobody may not read this interpreter's files).
        assert _replay(str(template), "--metrics", str(metrics), *DAY, "--timeline",
                       str(tmp_path / "t.json")).exit_code == 0
        try:
            with _unprivileged():
                result = _replay(str(template), "--metrics", str(metrics), *DAY, "--timeline", str(locked / "t.json"))
            written = list(locked.iterdir())
        finally:
            locked.chmod(0o700)
            shutil.rmtree(parent)
        self._fails(result, str(locked / "t.json"))
        assert written == []

    def test_an_output_that_is_a_directory_fails_before_the_replay(self, tmp_path: Path):
        """--timeline naming a directory is refused at once with one line naming it."""
        template = _template(tmp_path, Api=_alarm("api-errors"))
        metrics = _metrics(tmp_path, _rows("2024-05-02"))
        result = _replay(str(template), "--metrics", str(metrics), *DAY, "--timeline", str(tmp_path))
        self._fails(result, str(tmp_path), "is a directory")

    def test_a_malformed_incidents_file_is_reported_on_one_line(self, tmp_path: Path):
        """A YAML syntax error in the incidents file is one line naming the file and where."""
        template = _template(tmp_path, Api=_alarm("api-errors"))
        metrics = _metrics(tmp_path, _rows("2024-05-02"))
        incidents = tmp_path / "incidents.yaml"
        incidents.write_text("- id: a\n  start: [2024-05-02T00:00:00Z\n  end: 2024\n")
        result = _replay(str(template), "--metrics", str(metrics), *DAY, "--incidents", str(incidents))
        self._fails(result, str(incidents), "line")

    def test_a_missing_names_mapping_is_one_line_without_errno(self, tmp_path: Path):
        """--names naming no file: one line naming it, without the raw "[Errno 2]"."""
        template = _template(tmp_path, Api=_alarm("api-errors"))
        metrics = _metrics(tmp_path, _rows("2024-05-02"))
        names = tmp_path / "names.json"
        result = _replay(str(template), "--metrics", str(metrics), *DAY, "--names", str(names))
        self._fails(result, str(names), "names mapping")
        assert "Errno" not in result.output
