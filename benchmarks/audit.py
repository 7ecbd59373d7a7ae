"""How long an audit of a 10,000-alarm account takes, against a moto_server process.

``.venv/bin/python benchmarks/audit.py`` starts moto_server on a free port, creates 10,000 metric
alarms (per function: errors, throttles, duration; per queue: age; one SNS topic), then times the
audit's phases: reading the alarms (DescribeAlarms through botocore's paginator), reading the history
(moto does not implement DescribeAlarmHistory: the call fails at once and the report says so, so this
phase measures nothing of a real history), building the report (described alarms into the model,
the policy's rules, classes, bursts) and rendering markdown, HTML and JSON. Results go to
``benchmarks/results/audit.json``. Peak memory is the process's maximum resident set.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "audit.json"
ALARMS = 10_000
TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _alarm(i: int) -> dict[str, object]:
    kind = i % 4
    if kind == 3:
        return {"AlarmName": f"queue-{i // 4:04d}-age", "Namespace": "AWS/SQS",
                "MetricName": "ApproximateAgeOfOldestMessage", "Statistic": "Maximum",
                "Dimensions": [{"Name": "QueueName", "Value": f"queue-{i // 4:04d}"}], "Threshold": 900}
    metric = ("Errors", "Throttles", "Duration")[kind]
    return {"AlarmName": f"function-{i // 4:04d}-{metric.lower()}", "Namespace": "AWS/Lambda", "MetricName": metric,
            "Statistic": "Sum" if kind < 2 else "Maximum",
            "Dimensions": [{"Name": "FunctionName", "Value": f"function-{i // 4:04d}"}],
            "Threshold": 0 if kind < 2 else 3000}


def main() -> None:
    from sensible_alarms.audit import (
        build_report,
        client_config,
        read_account,
        report_html,
        report_json,
        report_markdown,
    )

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.1)
        endpoint = f"http://127.0.0.1:{port}"
        cloudwatch = boto3.client("cloudwatch", endpoint_url=endpoint, region_name="us-east-1",
                                  aws_access_key_id="bench", aws_secret_access_key="bench", config=client_config())
        begin = time.perf_counter()
        for i in range(ALARMS):
            cloudwatch.put_metric_alarm(Period=60, EvaluationPeriods=1, ComparisonOperator="GreaterThanThreshold",
                                        AlarmActions=[TOPIC], **_alarm(i))
        create_seconds = time.perf_counter() - begin

        end = datetime.now(UTC).replace(microsecond=0)
        begin = time.perf_counter()
        pages = list(cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"]))
        describe_seconds = time.perf_counter() - begin
        begin = time.perf_counter()
        read = read_account(cloudwatch, None, region="us-east-1", start=end - timedelta(days=30), end=end)
        read_seconds = time.perf_counter() - begin
        begin = time.perf_counter()
        report = build_report(read)
        build_seconds = time.perf_counter() - begin
        begin = time.perf_counter()
        markdown, html, data = report_markdown(report), report_html(report), report_json(report)
        render_seconds = time.perf_counter() - begin
    finally:
        server.terminate()
        server.wait(timeout=10)

    classes = {cls: n for cls, (n, _) in report.by_class().items()}
    result = {
        "benchmark": "audit_10000_alarms",
        "description": "sensible-alarms audit of an account with 10,000 metric alarms on moto_server "
                       "(DescribeAlarms paged by botocore, moto answers in one page; DescribeAlarmHistory is "
                       "not implemented by moto and is reported as not read), without a cloud assembly",
        "alarms": len(report.alarms),
        "alarms_read": read.alarms_read,
        "could_not_read": [p.words for p in report.problems],
        "notifying_alarms_by_class": classes,
        "create_alarms_seconds": round(create_seconds, 2),
        "describe_alarms_seconds": round(describe_seconds, 2),
        "describe_alarms_pages": len(pages),
        "read_account_seconds": round(read_seconds, 2),
        "read_account_note": "DescribeAlarms, then DescribeAlarmHistory failing with HTTP 500 on moto and retried "
                             "by botocore's adaptive mode (10 attempts with backoff) before it is reported",
        "build_report_seconds": round(build_seconds, 2),
        "render_seconds": round(render_seconds, 2),
        "report_bytes": {"md": len(markdown), "html": len(html), "json": len(data)},
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.system()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
