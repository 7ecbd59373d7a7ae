#!/usr/bin/env python3
"""The fleet benchmark's recorded results in a few lines, for the main job (scripts/demo.sh):
read from benchmarks/results/fleet.json, not measured again (that is `python benchmarks/fleet/run.py`,
about 8 minutes)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parents[1] / "results" / "fleet.json"


def main(path: Path = RESULTS) -> None:
    results = json.loads(path.read_text())
    versions = results["versions"]
    table = Table(title=f"Fleet benchmark, recorded at commit {versions['sensible_alarms_commit']} "
                        f"(aws-cdk-lib {versions['aws-cdk-lib']}, "
                        f"cdk-monitoring-constructs {versions['cdk-monitoring-constructs']})")
    for column in ("services", "variant", "alarms", "$/month", "notifications/day", "precision", "recall",
                   "synth x no alarms"):
        table.add_column(column, justify="right" if column not in ("variant",) else "left")
    for size in results["sizes"]:
        for variant, label in (("per_resource", "per-resource"), ("sensible", "sensible_alarms")):
            x = size["variants"][variant]
            table.add_row(str(size["services"]), label, f"{x['alarms']:,}", f"{x['monthly_alarm_cost_usd']:,.2f}",
                          f"{x['notifications_per_day']:,.1f}", f"{x['precision']:.1%}",
                          f"{x['recall']:.1%} ({x['detected']}/{x['customer_impact_incidents']})",
                          f"{size['synth'][variant]['time_vs_none']:.2f}x")
    console = Console(width=120)
    console.print(table)
    largest = results["sizes"][-1]["variants"]["sensible"]
    missed = [m for m in largest["missed_or_late"] if m["minutes_to_detect"] is None]
    console.print(f"{len(missed)} customer-impacting incidents missed at {results['sizes'][-1]['services']} services, "
                  "each with why, and the goals met and not met: docs/benchmarks.md")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS)
