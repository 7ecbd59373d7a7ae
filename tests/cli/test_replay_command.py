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
RANGE = ["--start", "2026-11-04T00:00Z", "--end", "2026-11-11T00:00Z"]


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
    pytest.param(["--metrics", str(SAMPLE / "metrics.parquet"), "--start", "2026-11-04T00:00"], "UTC",
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


def test_from_cloudwatch_fetches_the_alarms_metrics_and_replays_them(orders_assembly: Path, moto_endpoint: str,
                                                                     tmp_path: Path):
    """--from-cloudwatch reads GetMetricData from a real endpoint (moto_server) and notifies on a stuck queue.

    The queue's age is put as recorded for the deployed name 'orders-queue'; the names mapping maps the
    template's placeholder to it. Ten minutes over the 15-minute max age notify once, through the
    queue's HIGH composite.
    """
    import datetime as dt
    import json
    import os
    import urllib.request

    import boto3

    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"), timeout=10)
    client = boto3.client("cloudwatch", endpoint_url=moto_endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    start = now - dt.timedelta(hours=2)
    queue = [{"Name": "QueueName", "Value": "orders-queue"}]
    data = [{"MetricName": "ApproximateAgeOfOldestMessage", "Dimensions": queue,
             "Timestamp": start + dt.timedelta(minutes=i), "Value": 1000.0 if 60 <= i < 70 else 5.0}
            for i in range(120)]
    for chunk in range(0, len(data), 20):
        client.put_metric_data(Namespace="AWS/SQS", MetricData=data[chunk:chunk + 20])
    template = json.loads((orders_assembly / "OrdersService.template.json").read_text())
    queue_id = next(k for k, r in template["Resources"].items()
                    if r["Type"] == "AWS::SQS::Queue" and k.startswith("OrderQueue"))
    names = tmp_path / "names.json"
    names.write_text(json.dumps({f"${{{queue_id}.QueueName}}": "orders-queue"}))
    saved = tmp_path / "fetched.parquet"
    env = {**os.environ, "AWS_ENDPOINT_URL": moto_endpoint, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    script = Path(sys.executable).with_name("sensible-alarms")
    done = subprocess.run(
        [str(script), "replay", str(orders_assembly), "--from-cloudwatch", "--names", str(names),
         "--start", f"{(start + dt.timedelta(minutes=30)):%Y-%m-%dT%H:%MZ}", "--end", f"{now:%Y-%m-%dT%H:%MZ}",
         "--save-metrics", str(saved), "--format", "json"],
        capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stderr
    notifications = json.loads(done.stdout)["notifications"]
    # The nightly job has no Invocations in this account at all: it has never run, so its missed
    # runs are not told (a fresh deploy is silent); nothing but the stuck queue notifies.
    assert sorted(n["alarm"] for n in notifications) == ["OrdersService-OrderQueueAlarms-HighUrgency"]
    assert saved.stat().st_size > 0
