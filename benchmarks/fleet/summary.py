#!/usr/bin/env python3
"""The fleet benchmark's recorded results in a few lines, for the main job (scripts/demo.sh):
read from benchmarks/results/fleet.json, not measured again (that is `python benchmarks/fleet/run.py`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parents[1] / "results" / "fleet.json"
LABELS = (("per_resource", "per-resource 1 of 1"), ("hand_tuned", "hand-tuned"), ("sensible", "sensible_alarms"))


def main(path: Path = RESULTS) -> None:
    results = json.loads(path.read_text())
    versions = results["versions"]
    table = Table(title=f"Fleet benchmark, recorded at commit {versions['sensible_alarms_commit']} "
                        f"(aws-cdk-lib {versions['aws-cdk-lib']}, "
                        f"cdk-monitoring-constructs {versions['cdk-monitoring-constructs']})")
    for column in ("services", "variant", "recall", "full outages", "false/service/day", "per incident",
                   "notifications/day", "$/month"):
        table.add_column(column, justify="left" if column == "variant" else "right")
    for size in results["sizes"]:
        for variant, label in LABELS:
            x = size["variants"][variant]
            per_incident = x["notifications_per_incident"]
            table.add_row(str(size["services"]), label,
                          f"{x['recall']:.1%} ({x['detected']}/{x['customer_impact_incidents']})",
                          f"{x['full_outages_detected']}/{x['full_outages']}",
                          f"{x['false_notifications_per_service_per_day']:.3f}",
                          "-" if per_incident is None else f"{per_incident:.2f}",
                          f"{x['notifications_per_day']:,.1f}", f"{x['monthly_alarm_cost_usd']:,.2f}")
    console = Console(width=130)
    console.print(table)
    if results.get("note"):
        console.print(results["note"])
    console.print("Every incident missed, late or notified more than once, and the goals met and not met: "
                  "docs/benchmarks.md")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS)
