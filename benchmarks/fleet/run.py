#!/usr/bin/env python3
"""The fleet benchmark, one command: synthesize the largest fleet in four variants (no alarms,
per-resource 1 of 1, hand-tuned per-resource, sensible_alarms), replay the three alarm sets on the
same simulated month, service by service, and write the results for every size (a smaller fleet is
the first services of the largest: each service is its own stack, the same in every size).

    .venv/bin/python benchmarks/fleet/run.py                   # S = 10, 50, 100 (about 8 minutes on 2 shared cores)
    .venv/bin/python benchmarks/fleet/run.py --sizes 2 --repeats 1 --results /tmp/r.json --docs /tmp/b.md

Writes benchmarks/results/fleet.json, docs/benchmarks.md and docs/benchmarks/fleet.svg. Every
random draw has a fixed seed (spec.SEED): the same command gives the same fleet, events, metrics
and replay figures; synth times and memory are measured and vary with the machine.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from events import (  # noqa: E402
    BACKGROUND_5XX,
    BATCH_QUEUE_SHARE,
    DAYS,
    FULL_OUTAGE_KINDS,
    KINDS,
    QUIET_QUEUE_MESSAGES_PER_DAY,
    QUIET_QUEUE_SHARE,
)
from replay_fleet import (  # noqa: E402
    FULL_OUTAGE_MIN_FAILED,
    LATE_AFTER_MINUTES,
    REPLAY_END,
    REPLAY_START,
    FleetReplay,
    ServiceReplay,
    VariantTotals,
)
from report import render_chart, render_markdown  # noqa: E402
from spec import (  # noqa: E402
    EVENT_CONSUMERS,
    EVENT_SOURCES,
    FUNCTION_URL_SHARE,
    GRAPHQL_SHARE,
    LOAD_BALANCER_SHARE,
    SEED,
    WEBSOCKET_SHARE,
    WORKFLOW_SHARE,
    Service,
    census,
    fleet,
)
from synth_timing import synthesize  # noqa: E402
from traffic import (  # noqa: E402
    CLIENT_ATTEMPTS,
    EVENT_FRESHNESS_MINUTES,
    MIN_BAD_REQUESTS,
    QUEUE_FRESHNESS_MINUTES,
    SLOW_MS,
    SLOW_WEIGHT,
    STREAM_FRESHNESS_MINUTES,
)

VARIANTS = ("none", "per_resource", "hand_tuned", "sensible")
ALARMED = ("per_resource", "hand_tuned", "sensible")


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for package in ("aws-cdk-lib", "cdk-monitoring-constructs", "constructs", "jsii", "sensible-alarms", "numpy"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = None
    found["python"] = platform.python_version()
    # The Node.js jsii runs on: JSII_NODE when scripts/env.sh set it (the wheel's), else the machine's.
    node = os.environ.get("JSII_NODE") or shutil.which("node")
    found["node"] = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip() if node else None
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    found["sensible_alarms_commit"] = commit.stdout.strip() or None
    # The last commit that changed the event catalogue: it must come before the first run that used it.
    catalogue = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h", "--",
                                "benchmarks/fleet/events.py"], capture_output=True, text=True)
    found["catalogue_commit"] = catalogue.stdout.strip() or None
    return found


def measure_synth(services: int, repeats: int, workdir: Path, log: Any) -> tuple[dict[str, Any], dict[str, Path]]:
    """Each variant ``repeats`` times, interleaved and in a rotating order so that a slow spell of the
    shared machine hits all three alike; the median of each is reported."""
    runs: dict[str, list[Any]] = {v: [] for v in VARIANTS}
    outdirs = {v: workdir / f"s{services}" / v for v in VARIANTS}
    for rep in range(repeats):
        order = VARIANTS[rep % len(VARIANTS):] + VARIANTS[:rep % len(VARIANTS)]
        for variant in order:
            shutil.rmtree(outdirs[variant], ignore_errors=True)
            run = synthesize(variant, services, outdirs[variant])
            runs[variant].append(run)
            log(f"  synth S={services} {variant:<12} {run.seconds:6.1f} s  {run.peak_rss_mb:7.0f} MiB")
    synth: dict[str, Any] = {"services": services}
    for variant in VARIANTS:
        seconds = [r.seconds for r in runs[variant]]
        memory = [r.peak_rss_mb for r in runs[variant]]
        synth[variant] = {"seconds": round(statistics.median(seconds), 2),
                          "runs_seconds": [round(s, 2) for s in seconds],
                          "construct_seconds": round(statistics.median(r.construct_seconds for r in runs[variant]), 2),
                          "synth_seconds": round(statistics.median(r.synth_seconds for r in runs[variant]), 2),
                          "peak_rss_mb": round(statistics.median(memory), 1),
                          "runs_peak_rss_mb": [round(m, 1) for m in memory]}
    for variant in ALARMED:
        synth[variant]["time_vs_none"] = round(synth[variant]["seconds"] / synth["none"]["seconds"], 3)
        synth[variant]["memory_vs_none"] = round(synth[variant]["peak_rss_mb"] / synth["none"]["peak_rss_mb"], 3)
    return synth, outdirs


def size_results(services: int, replays: list[ServiceReplay]) -> dict[str, Any]:
    """The figures of the fleet of the first ``services`` services."""
    events: Counter[str] = Counter()
    impacting: Counter[str] = Counter()
    totals = {v: VariantTotals() for v in ALARMED}
    for done in replays[:services]:
        events.update(done.events)
        impacting.update(done.impacting)
        for variant in ALARMED:
            totals[variant].add(done.totals[variant])
    variants = {v: t.as_dict() for v, t in totals.items()}
    sens = variants["sensible"]
    comparison: dict[str, Any] = {}
    for other in ("per_resource", "hand_tuned"):
        x = variants[other]
        comparison[other] = {
            "notification_reduction": round(1 - sens["notifications"] / x["notifications"], 4)
            if x["notifications"] else None,
            "alarm_cost_ratio": round(x["monthly_alarm_cost_usd"] / sens["monthly_alarm_cost_usd"], 2)
            if sens["monthly_alarm_cost_usd"] else None,
        }
    return {"services": services, "fleet": census(fleet(services)), "events": dict(sorted(events.items())),
            "customer_impacting_events": {k: impacting.get(k, 0) for k in sorted(events)},
            "variants": variants, "comparison": comparison}


#: The replayer the worker processes use (inherited through fork: the alarm sets are read once).
_REPLAYER: FleetReplay | None = None


def _replay(service: Service) -> ServiceReplay:
    assert _REPLAYER is not None
    return _REPLAYER.replay_service(service)


def run_sizes(sizes: list[int], repeats: int, workdir: Path, log: Any,
              jobs: int = 1) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Synthesize each variant at the largest size, replay each of its services once (in ``jobs``
    processes), and add the services up for every size (a service's stack and month are the same in
    every fleet size)."""
    global _REPLAYER
    largest = max(sizes)
    synth, outdirs = measure_synth(largest, repeats, workdir, log)
    started = time.perf_counter()
    _REPLAYER = FleetReplay({v: outdirs[v] for v in ALARMED})
    replays = []
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        for n, done in enumerate(pool.map(_replay, fleet(largest)), start=1):
            replays.append(done)
            if n in sizes:
                log(f"  replayed {n} services ({time.perf_counter() - started:.0f} s)")
    synth["replay_seconds"] = round(time.perf_counter() - started, 1)
    results = [size_results(s, replays) for s in sizes]
    for size in results:
        log(f"  S={size['services']}: " + ", ".join(
            f"{v} {size['variants'][v]['notifications_per_day']}/day recall {size['variants'][v]['recall']}"
            for v in ALARMED))
    return synth, results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,100", help="fleet sizes, comma-separated (default 10,50,100)")
    parser.add_argument("--repeats", type=int, default=1, help="syntheses of each variant at each size (default 1)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes that replay services in parallel (default: one per CPU)")
    parser.add_argument("--note", default="", help="a line for the docs (for example, which constructs were measured)")
    parser.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "fleet", help="where the apps synthesize")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results" / "fleet.json")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--chart", type=Path, default=None, help="default: benchmarks/fleet.svg beside --docs")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes must be whole numbers separated by commas (got {args.sizes!r})")
    if any(s < 1 for s in sizes) or args.repeats < 1 or args.jobs < 1:
        parser.error("--sizes, --repeats and --jobs must be at least 1")
    chart = args.chart or args.docs.parent / "benchmarks" / "fleet.svg"

    def log(message: str) -> None:
        print(message, flush=True)

    log(f"fleet benchmark: sizes {sizes}, {args.repeats} syntheses per variant, {DAYS} days replayed")
    run_started = time.perf_counter()
    results = {
        "command": "python benchmarks/fleet/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "seed": SEED, "days": DAYS,
        "replay": {"start": REPLAY_START.isoformat(), "end": REPLAY_END.isoformat()},
        "versions": versions(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "replay_processes": args.jobs},
        "note": args.note,
        "event_kinds": [{"name": k.name, "usually_impacting": k.usually_impacting, "per": k.per,
                         "rate_per_month": k.rate, "description": k.description} for k in KINDS],
        "batch_queue_share": BATCH_QUEUE_SHARE,
        "quiet_queue_share": QUIET_QUEUE_SHARE, "quiet_queue_messages_per_day": list(QUIET_QUEUE_MESSAGES_PER_DAY),
        "background_5xx_range": list(BACKGROUND_5XX),
        "labelling": {"min_bad_requests": MIN_BAD_REQUESTS, "slow_weight": SLOW_WEIGHT, "slow_ms": SLOW_MS,
                      "client_attempts": CLIENT_ATTEMPTS, "queue_freshness_minutes": QUEUE_FRESHNESS_MINUTES,
                      "stream_freshness_minutes": STREAM_FRESHNESS_MINUTES,
                      "event_freshness_minutes": EVENT_FRESHNESS_MINUTES},
        "other_entrypoint_kinds": {"event_consumers_per_service": list(EVENT_CONSUMERS), "event_sources": EVENT_SOURCES,
                                   "workflow_share": WORKFLOW_SHARE, "function_url_share": FUNCTION_URL_SHARE,
                                   "graphql_share": GRAPHQL_SHARE, "load_balancer_share": LOAD_BALANCER_SHARE,
                                   "websocket_share": WEBSOCKET_SHARE},
        "attribution": "entrypoint-aware: a notification is put down only to incidents of the entrypoint its "
                       "alarm watches (SensibleAlarms metadata, else metric dimensions -> resource -> entrypoint), "
                       "or of none; alarms of shared resources match every incident; 'entrypoint_blind' in each "
                       "variant: the same notifications scored as before (every alarm matches every incident)",
        "full_outage_kinds": list(FULL_OUTAGE_KINDS), "full_outage_min_failed": FULL_OUTAGE_MIN_FAILED,
        "late_after_minutes": LATE_AFTER_MINUTES,
    }
    results["synth"], results["sizes"] = run_sizes(sizes, args.repeats, args.workdir, log, args.jobs)
    results["run_seconds"] = round(time.perf_counter() - run_started, 1)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n")
    chart.parent.mkdir(parents=True, exist_ok=True)
    render_chart(results, chart)
    args.docs.parent.mkdir(parents=True, exist_ok=True)
    args.docs.write_text(render_markdown(results, os.path.relpath(chart, args.docs.parent),
                                         os.path.relpath(args.results, args.docs.parent)))
    log(f"wrote {args.results}, {args.docs} and {chart}")


if __name__ == "__main__":
    main()
