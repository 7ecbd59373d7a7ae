"""`sensible-alarms replay` on the orders example and its bundled sample metrics."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sensible_alarms.cli import app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "orders_service" / "sample"
RANGE = ["--start", "2026-11-02T00:00Z", "--end", "2026-11-09T00:00Z"]


def test_the_replay_of_the_bundled_sample_reads_as_its_snapshot(orders_assembly: Path, snapshot):
    """The main job's replay output, per alarm and incident, is what the reviewed snapshot says."""
    result = CliRunner().invoke(app, ["replay", str(orders_assembly), "--metrics", str(SAMPLE / "metrics.parquet"),
                                      "--incidents", str(SAMPLE / "incidents.yaml"), *RANGE])
    assert result.exit_code == 0, result.output
    assert result.output == snapshot


def test_the_timeline_is_written_as_json(orders_assembly: Path, tmp_path: Path):
    """--timeline writes the JSON timeline with every alarm's state changes."""
    out = tmp_path / "timeline.json"
    result = CliRunner().invoke(app, ["replay", str(orders_assembly), "--metrics", str(SAMPLE / "metrics.parquet"),
                                      "--timeline", str(out), *RANGE])
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(out.read_text())
    assert data
    assert out.stat().st_size > 0


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["--metrics", "missing.csv"], "missing.csv", id="a metrics file that does not exist"),
    pytest.param(["--metrics", str(SAMPLE / "metrics.parquet"), "--start", "2026-11-02T00:00"], "UTC",
                 id="a start time without a UTC offset"),
    pytest.param(["--metrics", str(SAMPLE / "metrics.parquet"), "--format", "xml"], "text or json",
                 id="an unknown output format"),
])
def test_bad_input_exits_2_with_one_line(orders_assembly: Path, args: list[str], message: str):
    """Bad input prints one error line naming the problem and exits 2, with no traceback."""
    result = CliRunner().invoke(app, ["replay", str(orders_assembly), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_the_installed_script_fails_cleanly_on_a_bad_assembly(tmp_path: Path):
    """The sensible-alarms script itself, on a directory that is no cloud assembly, exits 2 without a traceback."""
    script = Path(sys.executable).with_name("sensible-alarms")
    done = subprocess.run([str(script), "replay", str(tmp_path), "--metrics", str(SAMPLE / "metrics.parquet")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "no manifest.json" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_the_bundled_sample_is_what_the_generator_makes(orders_assembly: Path, tmp_path: Path):
    """Regenerating the sample metrics from the example gives the bundled data and incidents (fixed seed)."""
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "orders_service" / "sample_metrics.py"),
                           str(orders_assembly), str(tmp_path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert pq.read_table(tmp_path / "metrics.parquet").equals(pq.read_table(SAMPLE / "metrics.parquet"))
    assert (tmp_path / "incidents.yaml").read_text() == (SAMPLE / "incidents.yaml").read_text()
