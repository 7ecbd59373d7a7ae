"""Hand-written templates for the review tests: small, explicit, one concern each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def metric_stat(metric_id: str, name: str, period: int = 60,
                dims: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"Id": metric_id, "ReturnData": False,
            "MetricStat": {"Metric": {"Namespace": "AWS/SQS", "MetricName": name, "Dimensions": dims or []},
                           "Period": period, "Stat": "Sum"}}


def alarm(**props: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 1, "Threshold": 1}
    base.update(props)
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": base}


def single_metric_alarm(period: int = 60, **props: Any) -> dict[str, Any]:
    return alarm(Namespace="AWS/SQS", MetricName="ApproximateAgeOfOldestMessage", Statistic="Maximum",
                 Period=period, **props)


def expression_alarm(*metric_ids: str, period: int = 60, **props: Any) -> dict[str, Any]:
    expression = {"Id": "e", "Expression": " + ".join(metric_ids), "ReturnData": True}
    return alarm(Metrics=[expression, *(metric_stat(m, f"Metric{m}", period) for m in metric_ids)], **props)


def write_template(path: Path, resources: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"Resources": resources}), encoding="utf-8")
    return path
