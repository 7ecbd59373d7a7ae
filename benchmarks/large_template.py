"""Benchmark: ``sensible-alarms check`` and ``review`` on ONE template of 1,000 to 5,000 alarms.

A template alarmed per resource, the shape that grows large in real fleets: per queue consumer
(an SQS queue with a dead-letter queue, a Lambda function, the event source mapping), three alarms
on the function (Errors, Throttles, Duration), one on the queue's oldest-message age (``Metrics``
form) and a composite over the age and the errors alarms, all notifying one topic. 5,000 alarms is
1,000 consumers. The template is written as JSON (no synthesis: the read side reads JSON either
way), then each command runs in process as the CLI runs it (``check_paths`` + the text report;
``review_stacks`` + the markdown), best of 3, wall clock and process CPU time.

Before the policy indexed resources to entrypoints and alarms, both were quadratic in the size of
the template: 78 s for ``check`` and 89-117 s for ``review`` at 5,000 alarms. Target: under 5 s
each at 5,000 alarms. Writes ``benchmarks/results/large_template.json``.

Run: ``.venv/bin/python benchmarks/large_template.py``
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "large_template.json"
SIZES = (1000, 2000, 5000)
RUNS = 3
TARGET_SECONDS = 5.0
ALARMS_PER_CONSUMER = 5


def consumer(k: int) -> dict[str, Any]:
    """The resources and five alarms of one queue consumer alarmed per resource."""
    queue, function, dlq = f"Queue{k}", f"Fn{k}", f"Dlq{k}"
    topic = [{"Ref": "AlarmTopic"}]
    resources: dict[str, Any] = {
        dlq: {"Type": "AWS::SQS::Queue", "Properties": {}},
        queue: {"Type": "AWS::SQS::Queue", "Properties": {
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [dlq, "Arn"]}, "maxReceiveCount": 3}}},
        function: {"Type": "AWS::Lambda::Function", "Properties": {
            "FunctionName": f"consumer-{k}", "Role": "arn:aws:iam::123456789012:role/consumer",
            "Environment": {"Variables": {"QUEUE": {"Ref": queue}}}}},
        f"Mapping{k}": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "EventSourceArn": {"Fn::GetAtt": [queue, "Arn"]}, "FunctionName": {"Ref": function}}},
    }
    for metric in ("Errors", "Throttles", "Duration"):
        resources[f"{function}{metric}Alarm"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmName": f"consumer-{k}-{metric}", "Namespace": "AWS/Lambda", "MetricName": metric,
            "Statistic": "Sum", "Period": 300, "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": function}}],
            "Threshold": 1, "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "AlarmActions": topic}}
    resources[f"{queue}AgeAlarm"] = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": f"consumer-{k}-age", "ComparisonOperator": "GreaterThanThreshold", "Threshold": 600,
        "EvaluationPeriods": 3, "AlarmActions": topic,
        "Metrics": [{"Id": "m1", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage",
                       "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]},
            "Period": 60, "Stat": "Maximum"}}]}}
    resources[f"{queue}Composite"] = {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {
        "AlarmName": f"consumer-{k}", "AlarmActions": topic,
        "AlarmRule": {"Fn::Join": ["", ['ALARM("', {"Fn::GetAtt": [f"{queue}AgeAlarm", "Arn"]}, '") OR ALARM("',
                                        {"Fn::GetAtt": [f"{function}ErrorsAlarm", "Arn"]}, '")']]}}}
    return resources


def template(alarms: int) -> dict[str, Any]:
    """One template with ``alarms`` alarms (a multiple of five)."""
    resources: dict[str, Any] = {"AlarmTopic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "alarms"}}}
    for k in range(alarms // ALARMS_PER_CONSUMER):
        resources.update(consumer(k))
    return {"Resources": resources}


def best_of(runs: int, work: Callable[[], object]) -> tuple[list[float], list[float]]:
    """Wall-clock and process-CPU seconds of each run."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(round(time.perf_counter() - start, 4))
        cpu.append(round(time.process_time() - start_cpu, 4))
    return wall, cpu


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from sensible_alarms.policy import check_paths, report_text
    from sensible_alarms.review import review_markdown, review_stacks

    commands: dict[str, Callable[[Path], object]] = {
        "check": lambda path: report_text(check_paths(path)),
        "review": lambda path: review_markdown(review_stacks(path)),
    }
    sizes: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            path = Path(tmp) / f"Large{size}.template.json"
            path.write_text(json.dumps(template(size)))
            row: dict[str, Any] = {"alarms": size, "resources": len(template(size)["Resources"])}
            for name, command in commands.items():
                wall, cpu = best_of(RUNS, lambda command=command, path=path: command(path))
                row[name] = {"best_seconds": min(wall), "runs_seconds": wall, "best_cpu_seconds": min(cpu)}
                print(f"  {size:>5} alarms  {name:<6} best {min(wall):6.2f} s (cpu {min(cpu):.2f} s)")
            sizes.append(row)
    largest = sizes[-1]
    result = {
        "benchmark": "large_template",
        "description": "check and review of one template alarmed per resource (5 alarms per queue consumer, "
                       "one composite among them), in process as the CLI runs them, best of "
                       f"{RUNS}",
        "sizes": sizes,
        "target_seconds": TARGET_SECONDS,
        "meets_target": all(largest[name]["best_seconds"] < TARGET_SECONDS for name in commands),
        "before": {"check_seconds": 78, "review_seconds": "89-117", "note": "5,000 alarms, quadratic"},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average": [round(x, 2) for x in os.getloadavg()]},
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"  wrote {RESULT.relative_to(ROOT)}")
    return 0 if result["meets_target"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
