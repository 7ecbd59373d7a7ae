"""docs/benchmarks.md and its chart, written from the results the run just measured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from replay_fleet import MIN_FAILED_REQUESTS

LABELS = {"none": "no alarms", "per_resource": "per-resource (cdk-monitoring-constructs)",
          "sensible": "sensible_alarms"}
KIND_LABELS = {"api_outage": "full API outage", "api_partial_errors": "partial 5xx",
               "latency_regression": "latency regression", "stuck_consumer": "stuck consumer",
               "poison_messages": "poison messages (DLQ)", "stream_lag": "stream consumer lag",
               "job_failing": "daily job failing"}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _minutes(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 120:
        return f"{value / 60:.1f} h"
    return f"{value:.0f} min"


def _goals(size: dict[str, Any]) -> list[tuple[str, str, bool]]:
    sens = size["variants"]["sensible"]
    comparison = size["comparison"]
    outage = sens["by_kind"]["api_outage"]["median_minutes_to_detect"]
    synth = size["synth"]["sensible"]["time_vs_none"]
    reduction = comparison["notification_reduction"]
    cost = comparison["alarm_cost_ratio"]
    return [
        ("≥ 95 % fewer notifications than per-resource", _pct(reduction), reduction is not None and reduction >= 0.95),
        ("100 % of customer-impacting incidents detected",
         f"{_pct(sens['recall'])} ({sens['detected']}/{sens['customer_impact_incidents']})",
         sens["recall"] == 1.0),
        ("precision ≥ 90 %", _pct(sens["precision"]), sens["precision"] is not None and sens["precision"] >= 0.9),
        ("median time to detect a full outage ≤ 3 min", _minutes(outage), outage is not None and outage <= 3),
        ("alarm cost ≥ 10x lower", "–" if cost is None else f"{cost:.1f}x", cost is not None and cost >= 10),
        ("synth time within 10 % of the app without alarms", f"{synth:.2f}x", synth <= 1.10),
    ]


def render_markdown(results: dict[str, Any], chart: str, results_file: str) -> str:
    sizes = results["sizes"]
    v = results["versions"]
    out: list[str] = []
    add = out.append
    add("# Fleet benchmark: sensible_alarms against per-resource alarms\n")
    add("<!-- Written by benchmarks/fleet/run.py; edit that, not this file. -->\n")
    add("A synthetic SaaS fleet of S services, synthesized three ways (no alarms; every resource alarmed with "
        "cdk-monitoring-constructs; sensible_alarms with its defaults), and a month of simulated one-minute "
        "metrics with a labelled catalogue of events replayed through both alarm sets by "
        "`sensible_alarms.replay`. Everything below was measured by one command in one run:\n")
    add(f"```\n{results['command'].strip()}\n```\n")
    add(f"Versions: aws-cdk-lib {v['aws-cdk-lib']}, cdk-monitoring-constructs {v['cdk-monitoring-constructs']}, "
        f"constructs {v['constructs']}, jsii {v['jsii']}, Node.js {v['node']}, Python {v['python']}, "
        f"sensible_alarms {v['sensible-alarms']} (commit {v['sensible_alarms_commit']}). Seed {results['seed']}; "
        f"{results['days']} days replayed ({results['replay']['start'][:10]} to {results['replay']['end'][:10]}); "
        f"machine: {results['machine']['cpus']} CPUs, {results['machine']['platform']}. Raw figures: "
        f"[{Path(results_file).name}]({results_file}).\n")
    add(f"![notifications a day, alarm cost and synth time by fleet size]({chart})\n")

    add("## Results\n")
    add("| | " + " | ".join(f"S = {s['services']} per-resource | S = {s['services']} sensible" for s in sizes) + " |")
    add("|---|" + "---|---|" * len(sizes))

    def row(label: str, fn: Any) -> None:
        cells = []
        for s in sizes:
            for variant in ("per_resource", "sensible"):
                cells.append(fn(s, s["variants"][variant], variant))
        add(f"| {label} | " + " | ".join(cells) + " |")

    row("alarms (metric + composite)",
        lambda s, x, _: f"{x['alarms']:,} ({x['metric_alarms']:,} + {x['composite_alarms']:,})")
    row("alarms that notify", lambda s, x, _: f"{x['alarms_with_actions']:,}")
    row("monthly alarm cost (list price)", lambda s, x, _: f"${x['monthly_alarm_cost_usd']:,.2f}")
    row("notifications a day", lambda s, x, _: f"{x['notifications_per_day']:,.1f}")
    row("precision", lambda s, x, _: _pct(x["precision"]))
    row("recall (detected / customer-impacting)",
        lambda s, x, _: f"{_pct(x['recall'])} ({x['detected']}/{x['customer_impact_incidents']})")
    row("recall, counting an incident whose entrypoint was already notified for an overlapping one",
        lambda s, x, _: f"{_pct(x['recall_counting_already_notified'])} "
                        f"(+{x['missed_while_already_notified']})")
    row("median time to detect", lambda s, x, _: _minutes(x["median_minutes_to_detect"]))
    for kind, label in KIND_LABELS.items():
        row(f"{label}: median / worst time to detect", lambda s, x, _, k=kind: (
            f"{_minutes(x['by_kind'][k]['median_minutes_to_detect'])} / "
            f"{_minutes(x['by_kind'][k]['worst_minutes_to_detect'])} "
            f"({x['by_kind'][k]['detected']}/{x['by_kind'][k]['incidents']})"))
    row("synth time, x the app without alarms", lambda s, x, var: (
        f"{s['synth'][var]['seconds']:.1f} s ({s['synth'][var]['time_vs_none']:.2f}x)"))
    row("of which constructing the tree / synthesizing it", lambda s, x, var: (
        f"{s['synth'][var]['construct_seconds']:.1f} s / {s['synth'][var]['synth_seconds']:.1f} s"))
    row("synth peak memory, x the app without alarms", lambda s, x, var: (
        f"{s['synth'][var]['peak_rss_mb']:,.0f} MiB ({s['synth'][var]['memory_vs_none']:.2f}x)"))
    add("")
    add("The app without alarms synthesized in " + ", ".join(
        f"{s['synth']['none']['seconds']:.1f} s ({s['synth']['none']['peak_rss_mb']:,.0f} MiB) "
        f"at S = {s['services']}"
        for s in sizes) + "; each variant was synthesized " + str(len(sizes[0]['synth']['none']['runs_seconds']))
        + " times, interleaved, and the median is shown (every run is in the JSON). Peak memory is the whole "
        "process tree's (Python and jsii's Node.js). Without alarms, constructing the tree took " + ", ".join(
        f"{s['synth']['none']['construct_seconds']:.1f} s and synthesizing it "
        f"{s['synth']['none']['synth_seconds']:.1f} s at S = {s['services']}" for s in sizes)
        + "; the rest of each run is Python's imports and jsii's start.\n")

    add("## Goals\n")
    add("What this project set itself, and where it stands. The generator was not tuned to reach them.\n")
    add("| goal | " + " | ".join(f"S = {s['services']}" for s in sizes) + " |")
    add("|---|" + "---|" * len(sizes))
    goal_rows = [_goals(s) for s in sizes]
    for i, (goal, _, _) in enumerate(goal_rows[0]):
        add(f"| {goal} | " + " | ".join(f"{g[i][1]} {'✅ met' if g[i][2] else '❌ not met'}" for g in goal_rows) + " |")
    add("")

    largest = sizes[-1]
    per = largest["variants"]["per_resource"]
    sens = largest["variants"]["sensible"]
    add(f"## Where the notifications come from (S = {largest['services']})\n")
    add("Each notification is put down to the event whose window (start to end + 15 min) holds it, a "
        "customer-impacting one first; *no event* means none did.\n")
    causes = sorted(set(per["notifications_by_cause"]) | set(sens["notifications_by_cause"]),
                    key=lambda c: -per["notifications_by_cause"].get(c, 0))
    add("| cause | customer impact | per-resource | sensible_alarms |")
    add("|---|---|---|---|")
    impact = {k["name"]: k["customer_impact"] for k in results["event_kinds"]}
    for cause in causes:
        add(f"| {cause} | {'yes' if impact.get(cause) else 'no'} | {per['notifications_by_cause'].get(cause, 0):,} | "
            f"{sens['notifications_by_cause'].get(cause, 0):,} |")
    add("")
    add("Per-resource notifications by alarm (metric and statistic):\n")
    add("| alarm | notifications |")
    add("|---|---|")
    for alarm, count in per["notifications_by_alarm_type"].items():
        add(f"| {alarm} | {count:,} |")
    add("")

    add(f"## Where the alarm cost goes (S = {largest['services']})\n")
    services = largest["services"]
    add(f"Per service and month: per-resource ${per['monthly_alarm_cost_usd'] / services:.2f}, sensible_alarms "
        f"${sens['monthly_alarm_cost_usd'] / services:.2f}. CloudWatch bills a metric alarm per metric it reads "
        "(a metric-math alarm of two metrics costs twice one of one) and a composite alarm at a higher rate, "
        "so the burn-rate alarms, two metrics each, and the composites that carry the notifications cost "
        "more per alarm than a single-metric threshold.\n")
    add("| part | per-resource | sensible_alarms |")
    add("|---|---|---|")
    per_cost, sens_cost = per["monthly_cost_by_part_usd"], sens["monthly_cost_by_part_usd"]
    parts = sorted(set(per_cost) | set(sens_cost), key=lambda k: -(per_cost.get(k, 0) + sens_cost.get(k, 0)))
    for part in parts:
        cells = [f"${x['monthly_cost_by_part_usd'][part]:,.2f}" if part in x["monthly_cost_by_part_usd"] else ""
                 for x in (per, sens)]
        add(f"| {part} | {cells[0]} | {cells[1]} |")
    add("")

    add(f"## Every incident sensible_alarms missed or detected late (S = {largest['services']})\n")
    add("Late means after: " + ", ".join(f"{KIND_LABELS[k]} {_minutes(m)}" for k, m in
                                          results["late_after_minutes"].items())
        + ". The smaller fleets are the first services of this one, so their lists are subsets of this "
          "list (each size's own list is in the JSON). *Why* is computed from the simulated traffic and the "
          "replayed alarm timelines.\n")
    missed = sens["missed_or_late"]
    never = [m for m in missed if m["minutes_to_detect"] is None]
    add(f"{len(never)} missed and {len(missed) - len(never)} late. Of the missed, "
        f"{sum(1 for m in never if m['already_notified'])} started while the same service's alarm was already in "
        "ALARM for an overlapping incident (the generator draws incidents independently, so two can overlap on "
        "one entrypoint; the composite notifies once and stays in ALARM, which the scoring counts as a miss); "
        f"{sum(1 for m in never if 'min_failed_requests' in m['why'])} were on APIs too quiet to reach the burn-rate "
        f"alarms' minimum of failed requests (`min_failed_requests`, {MIN_FAILED_REQUESTS} by default) while the "
        "incident lasted: the "
        "guard that keeps a handful of transient errors on a quiet API from paging also keeps a short outage "
        "of that API silent.\n")
    if not missed:
        add("None.\n")
    else:
        add("| incident | what happened | detected after | why |")
        add("|---|---|---|---|")
        for m in missed:
            detected = "missed" if m["minutes_to_detect"] is None else _minutes(m["minutes_to_detect"])
            add(f"| {m['id']} ({m['start']}) | {m['what']} | {detected} | {m['why']} |")
        add("")
    per_missed = per["missed_or_late"]
    per_missed_count = sum(1 for m in per_missed if m["minutes_to_detect"] is None)
    add(f"For comparison, the per-resource variant missed {per_missed_count}"
        f" and was late on {sum(1 for m in per_missed if m['minutes_to_detect'] is not None)} of the same "
        f"{per['customer_impact_incidents']} incidents.\n")

    add("## The fleet and its month\n")
    add("| S | Lambda functions | APIs (routes) | queues with DLQ | stream consumers | daily jobs | DynamoDB tables |"
        " events (customer-impacting) |")
    add("|---|---|---|---|---|---|---|---|")
    for s in sizes:
        f = s["fleet"]
        total = sum(s["events"].values())
        impacting = sum(n for k, n in s["events"].items() if impact.get(k))
        add(f"| {s['services']} | {f['lambda_functions']:,} | {f['apis']} ({f['api_routes']}) | "
            f"{f['queues_with_dlq']} | {f['stream_consumers']} | {f['scheduled_jobs']} | {f['dynamodb_tables']} | "
            f"{total:,} ({impacting}) |")
    add("")
    add("Event kinds and their rates (expected events a month per resource the kind can hit, Poisson; batch "
        f"bursts come every weekday night on the {results['batch_queue_share']:.0%} of queues that receive "
        "batches):\n")
    add("| kind | customer impact | per | rate a month | what happens |")
    add("|---|---|---|---|---|")
    for k in results["event_kinds"]:
        rate = "every weekday" if k["name"] == "batch_burst" else f"{k['rate_per_month']:g}"
        add(f"| {k['name']} | {'yes' if k['customer_impact'] else 'no'} | {k['per']} | {rate} | {k['description']} |")
    add("")
    add(METHOD)
    return "\n".join(out)


METHOD = """## How it is built

- `benchmarks/fleet/spec.py` draws each service from its own seed: a REST API with 3 to 5 routes (a
  Lambda each), 3 to 5 helper functions the handlers call, 1 or 2 SQS queues with a dead-letter queue and
  a consumer, a DynamoDB-stream consumer in about a third of the services, a daily job in about half, 2 or
  3 tables; a fifth of the services are busy, half normal, the rest quiet.
- `app.py` builds one stack a service. The per-resource variant uses the functions of
  `examples/per_resource_baseline` (one source for both): on every function any error (1 of 1 five-minute
  periods), error rate over 1 %, any throttle and p99 duration over 3 s; on every API any 5xx, 4xx rate over
  5 % and p99 latency over 1 s; on every queue the oldest message over 15 min, more than 1,000 waiting and
  any dead letter; on every table any system error or throttle; all to one SNS topic a service. This is the
  configuration the cdk-monitoring-constructs README and a copy-paste culture produce: the library's
  `monitorX` helpers with a threshold on each alarm it offers.
- `traffic.py` simulates every resource minute by minute (diurnal curve in the customers' time zone, quieter
  weekends, Poisson counts) and applies the events; `metrics.py` turns that into exactly the CloudWatch series
  the alarms query; `replay_fleet.py` replays each service's alarms with `sensible_alarms.replay` and scores
  them per service (a notification can only detect an incident of its own service).
- The synth is `python app.py` in a subprocess with the context the cdk CLI passes by default (path
  metadata on, creation stack traces off); time is wall clock, memory the process tree's peak.

## What this does not show

- The metrics are simulated, not recorded: the shape of traffic and of each event kind is a model, written
  in `traffic.py`. Real incidents are messier; the point is the same month through both alarm sets.
- The replay is sensible_alarms' own CloudWatch emulation (docs/replay.md). One difference from CloudWatch
  matters here: CloudWatch treats missing data of AWS/DynamoDB alarms as *ignore* whatever the alarm says; the
  replay applies the alarm's own setting.
- Cost is CloudWatch's alarm list price (`sensible_alarms.review.pricing`), not dashboards or metric
  storage.
"""


def render_chart(results: dict[str, Any], path: Path) -> None:
    sizes = results["sizes"]
    xs = [s["services"] for s in sizes]
    plt.rcParams["svg.hashsalt"] = "sensible-alarms-fleet"
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    colors = {"none": "#9e9e9e", "per_resource": "#d95f02", "sensible": "#1b9e77"}
    for variant in ("per_resource", "sensible"):
        axes[0].plot(xs, [s["variants"][variant]["notifications_per_day"] for s in sizes], marker="o",
                     color=colors[variant], label=LABELS[variant])
        axes[1].plot(xs, [s["variants"][variant]["monthly_alarm_cost_usd"] for s in sizes], marker="o",
                     color=colors[variant], label=LABELS[variant])
    for variant in ("none", "per_resource", "sensible"):
        axes[2].plot(xs, [s["synth"][variant]["seconds"] for s in sizes], marker="o", color=colors[variant],
                     label=LABELS[variant])
    axes[0].set_yscale("symlog", linthresh=0.1)
    for ax, title in zip(axes, ("notifications a day", "alarm cost, $ a month", "synth time, s"), strict=True):
        ax.set_title(title)
        ax.set_xlabel("services")
        ax.set_xticks(xs)
        ax.grid(alpha=0.3)
    axes[2].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)
