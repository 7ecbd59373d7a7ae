"""Benchmark: ``check``, ``review``, ``explain`` and the replay's alarm definitions on ONE template of
1,000 to 20,000 alarms.

A template alarmed per resource, the shape that grows large in real fleets: per queue consumer
(an SQS queue with a dead-letter queue, a Lambda function, the event source mapping), three alarms
on the function (Errors, Throttles, Duration), one on the queue's oldest-message age (``Metrics``
form) and a composite over the age and the errors alarms, all notifying one topic. 5,000 alarms is
1,000 consumers. The template is written as JSON (no synthesis: the read side reads JSON either
way), then each command runs in process as the CLI runs it (``check_paths`` + the text report;
``review_stacks`` + the markdown; ``explain_model`` over the loaded model; ``alarm_set_from_templates``,
what ``replay`` builds before it reads metrics), best of 3 up to 5,000 alarms and one run above
(the larger sizes show how time grows: seconds per 1,000 alarms should stay flat), wall clock and
process CPU time; then once more at 5,000 and 20,000 alarms with CPython's garbage collector paused,
which separates the tools' own work (linear) from the collector's passes over a larger heap.

Before the policy indexed resources to entrypoints and alarms, both were quadratic in the size of
the template: 78 s for ``check`` and 89-117 s for ``review`` at 5,000 alarms. Target: under 5 s
each at 5,000 alarms, and linear growth to 20,000. Writes ``benchmarks/results/large_template.json``.

Run: ``.venv/bin/python benchmarks/large_template.py``
"""

from __future__ import annotations

import gc
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
SIZES = (1000, 2000, 5000, 10000, 20000)
RUNS = 3
TARGET_SIZE = 5000
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
    from sensible_alarms.explain import explain_model
    from sensible_alarms.model import load
    from sensible_alarms.policy import check_paths, report_text
    from sensible_alarms.replay.from_templates import alarm_set_from_templates
    from sensible_alarms.review import review_markdown, review_stacks

    commands: dict[str, Callable[[Path], object]] = {
        "check": lambda path: report_text(check_paths(path)),
        "review": lambda path: review_markdown(review_stacks(path)),
        "explain": lambda path: explain_model(load(path)),
        "replay_definitions": lambda path: alarm_set_from_templates(path),
    }
    sizes: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            path = Path(tmp) / f"Large{size}.template.json"
            path.write_text(json.dumps(template(size)))
            row: dict[str, Any] = {"alarms": size, "resources": len(template(size)["Resources"])}
            for name, command in commands.items():
                runs = RUNS if size <= TARGET_SIZE else 1
                wall, cpu = best_of(runs, lambda command=command, path=path: command(path))
                row[name] = {"best_seconds": min(wall), "runs_seconds": wall, "best_cpu_seconds": min(cpu),
                             "cpu_seconds_per_1000_alarms": round(min(cpu) / size * 1000, 4)}
                print(f"  {size:>5} alarms  {name:<18} best {min(wall):6.2f} s (cpu {min(cpu):.2f} s, "
                      f"{min(cpu) / size * 1000:.3f} s per 1,000 alarms)")
            sizes.append(row)
    at_target = next(row for row in sizes if row["alarms"] == TARGET_SIZE)
    growth = {name: round(sizes[-1][name]["best_cpu_seconds"] / at_target[name]["best_cpu_seconds"], 2)
              for name in commands}
    # CPython's cyclic garbage collector walks the whole heap now and then, which costs more as the
    # heap grows; timed with it paused, what remains is the tools' own work.
    gc_paused: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in (TARGET_SIZE, SIZES[-1]):
            path = Path(tmp) / f"Large{size}.template.json"
            path.write_text(json.dumps(template(size)))
            gc.collect()
            gc.disable()
            try:
                for name, command in commands.items():
                    _, cpu = best_of(1, lambda command=command, path=path: command(path))
                    gc_paused.setdefault(name, {})[str(size)] = cpu[0]
            finally:
                gc.enable()
    paused_growth = {name: round(times[str(SIZES[-1])] / times[str(TARGET_SIZE)], 2)
                     for name, times in gc_paused.items()}
    print(f"  CPU growth {TARGET_SIZE} -> {SIZES[-1]} alarms: {growth}; garbage collector paused: {paused_growth}")
    result = {
        "benchmark": "large_template",
        "description": "check, review, explain and replay's alarm definitions of one template alarmed per "
                       "resource (5 alarms per queue consumer, one composite among them), in process as the CLI "
                       f"runs them, best of {RUNS} up to {TARGET_SIZE:,} alarms, one run above",
        "sizes": sizes,
        "target_seconds": TARGET_SECONDS,
        "meets_target": all(at_target[name]["best_seconds"] < TARGET_SECONDS for name in ("check", "review")),
        #: CPU time at the largest size over CPU time at the target size: linear is the size ratio
        "cpu_growth": {"size_ratio": sizes[-1]["alarms"] / TARGET_SIZE, **growth},
        "cpu_seconds_gc_paused": gc_paused,
        "cpu_growth_gc_paused": {"size_ratio": sizes[-1]["alarms"] / TARGET_SIZE, **paused_growth},
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
