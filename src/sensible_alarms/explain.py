"""Say, in words, what alarms a synthesized app got and why: ``python -m sensible_alarms.explain cdk.out``.

Reads the cloud assembly's JSON only (no jsii), using the metadata the constructs wrote.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from .metadata import METADATA_KEY

__all__ = ["explain_assembly", "main"]

#: Resource types that sit behind entrypoints; they get no alarms of their own.
_COMPONENT_TYPES = {
    "AWS::Lambda::Function": "Lambda functions",
    "AWS::DynamoDB::Table": "DynamoDB tables",
    "AWS::SQS::Queue": "SQS queues",
    "AWS::Kinesis::Stream": "Kinesis streams",
    "AWS::S3::Bucket": "S3 buckets",
}


def _stack_templates(assembly: Path) -> list[tuple[str, dict[str, Any]]]:
    manifest = json.loads((assembly / "manifest.json").read_text())
    stacks = []
    for name, artifact in sorted(manifest.get("artifacts", {}).items()):
        if artifact.get("type") == "aws:cloudformation:stack":
            template_file = artifact["properties"]["templateFile"]
            stacks.append((name, json.loads((assembly / template_file).read_text())))
        elif artifact.get("type") == "cdk:cloud-assembly":
            stacks.extend(_stack_templates(assembly / artifact["properties"]["directoryName"]))
    return stacks


def _threshold_words(props: dict[str, Any], signal: str) -> str:
    op = {
        "GreaterThanOrEqualToThreshold": ">=", "GreaterThanThreshold": ">",
        "LessThanThreshold": "<", "LessThanOrEqualToThreshold": "<=",
    }.get(props.get("ComparisonOperator", ""), "?")
    threshold = props.get("Threshold", 0)
    if signal in ("availability", "latency"):
        return f"ratio {op} {float(threshold):.4%}"
    if signal == "message-age":
        return f"age {op} {threshold} s"
    if signal == "iterator-age":
        return f"age {op} {threshold} ms"
    return f"value {op} {threshold}"


def _period(props: dict[str, Any]) -> int | None:
    if "Period" in props:
        return int(props["Period"])
    for query in props.get("Metrics", []):
        stat = query.get("MetricStat")
        if stat:
            return int(stat["Period"])
    return None


def explain_assembly(assembly: Path) -> str:
    lines: list[str] = []
    for stack_name, template in _stack_templates(assembly):
        resources: dict[str, Any] = template.get("Resources", {})
        by_entry: dict[str, list[tuple[str, dict[str, Any], dict[str, Any]]]] = defaultdict(list)
        other_alarms = []
        for logical_id, resource in resources.items():
            if resource["Type"] not in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
                continue
            meta = resource.get("Metadata", {}).get(METADATA_KEY)
            if meta:
                by_entry[meta["entrypoint"]].append((logical_id, resource, meta))
            else:
                other_alarms.append(logical_id)
        notifying = sum(1 for items in by_entry.values() for _, r, _ in items
                        if r["Properties"].get("AlarmActions"))
        members = sum(len(items) for items in by_entry.values()) - notifying
        lines.append(f"Stack {stack_name}: {len(by_entry)} customer-facing entrypoints, {notifying} notifying "
                     f"composite alarms, {members} signal alarms that feed them (no actions of their own).")
        for entry, items in sorted(by_entry.items()):
            kind = items[0][2]["entrypointKind"].replace("_", " ")
            lines.append("")
            lines.append(f"  {entry} ({kind})")
            for _, resource, meta in sorted(items, key=lambda i: (i[2]["role"] != "notifier", i[2]["urgency"])):
                props = resource["Properties"]
                if meta["role"] == "notifier":
                    lines.append(f"    notifies {meta['urgency']}: {meta['customerImpact']}")
                    lines.append(f"      SLO: {meta['slo']}")
                    if meta.get("runbook"):
                        lines.append(f"      runbook: {meta['runbook']}")
            lines.append("    because:")
            for _, resource, meta in items:
                if meta["role"] != "member":
                    continue
                props = resource["Properties"]
                period = _period(props)
                n = props.get("EvaluationPeriods", 1)
                m = props.get("DatapointsToAlarm", n)
                window = f" [{meta['window']}]" if meta.get("window") else ""
                when = f"{m} of {n} x {period} s" if period else ""
                lines.append(f"      {meta['urgency']:<4} {meta['signal']}{window}: "
                             f"{_threshold_words(props, meta['signal'])}, {when}")
        counts = Counter(_COMPONENT_TYPES[r["Type"]] for r in resources.values() if r["Type"] in _COMPONENT_TYPES)
        if counts:
            parts = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
            lines.append("")
            lines.append(f"  Not alarmed on purpose: {parts}. They sit behind the entrypoints above; when one of "
                         "them fails in a way customers feel, the entrypoint's signal says so, once.")
        if other_alarms:
            lines.append(f"  Other alarms not made by sensible_alarms: {', '.join(sorted(other_alarms))}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m sensible_alarms.explain <cdk.out>", file=sys.stderr)
        return 2
    assembly = Path(args[0])
    if not (assembly / "manifest.json").is_file():
        print(f"explain: {assembly} is not a cloud assembly (no manifest.json)", file=sys.stderr)
        return 2
    print(explain_assembly(assembly))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
