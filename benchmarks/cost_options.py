#!/usr/bin/env python3
"""Cost per service of each of sensible_alarms' cost options on the fleet benchmark, with the scores
each option gets on the same simulated month.

    .venv/bin/python benchmarks/cost_options.py                  # S = 10, 50 (a few minutes of both cores)
    .venv/bin/python benchmarks/cost_options.py --sizes 2 --results /tmp/c.json

Only the sensible_alarms variant of the fleet (benchmarks/fleet/app.py) is synthesized, once per
option at the largest size, with the option applied to every construct the app builds; each
service is replayed and scored as in benchmarks/fleet/run.py: entrypoint-aware (a notification is
put down only to incidents of the entrypoint its alarm watches: replay_fleet.watched_entrypoints
and sensible_alarms.replay's Attribution), with the entrypoint-blind scores beside them
(``entrypoint_blind``) as the fleet keeps them. No holds is measured, not offered (issue 17's
design). Two designs are not construct options and are computed from a replay instead:

* ``per_service_notifier``: one notifying composite per service and urgency instead of one per
  entrypoint (HIGH: the burn rates' and the outage notifier alike). A CloudWatch alarm notifies
  only when it goes into ALARM, so a notification an entrypoint's notifier sent while a notifier
  of the same service and urgency (another entrypoint's, or the same entrypoint's other HIGH one)
  was in ALARM is dropped (the merged composite was already in ALARM); the rest are scored again.
  Each kept notification keeps its entrypoint for the attribution: the merged composite's state
  reason names the member alarms that put it into ALARM, so it says which entrypoint is hurt.
  Its cost takes every entrypoint's notifiers and confirmations off and adds two composites per
  service and urgency (notifier and confirmation).
* ``per_service_notifier_second``: the same plus a second composite per service and urgency that
  is in ALARM while two entrypoints' conditions hold at once ("OR of every pair"), so a second
  incident during the first notifies; a notification is dropped only while its own entrypoint or
  two or more other entrypoints were in ALARM.

Both keep each entrypoint's confirmation timing (an approximation: one merged confirmation would
let an unconfirmed entrypoint's hold through while another is confirmed) and report the longest
merged rule, against CloudWatch's 10,240-character limit on ``AlarmRule``.

Writes benchmarks/results/cost_options.json. Every random draw has the fleet's fixed seed.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FLEET = HERE / "fleet"
if str(FLEET) not in sys.path:
    sys.path.insert(0, str(FLEET))

from events import DAYS, draw  # noqa: E402
from metrics import build_store, construct_ids  # noqa: E402
from replay_fleet import (  # noqa: E402
    REPLAY_END,
    REPLAY_START,
    FleetReplay,
    VariantTotals,
    _cost_part,
    rule_members,
    watched_entrypoints,
    worst_kind,
)
from spec import fleet  # noqa: E402
from traffic import incident, simulate  # noqa: E402

from sensible_alarms.model import CompositeAlarm  # noqa: E402
from sensible_alarms.model.rule import state_checks  # noqa: E402
from sensible_alarms.replay import Incident, replay  # noqa: E402
from sensible_alarms.replay.incidents import score  # noqa: E402
from sensible_alarms.review.pricing import DEFAULT_PRICING, monthly_cost  # noqa: E402

#: Each option: what it is, and the construct arguments it sets on every entrypoint of the fleet.
OPTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "before": ("the defaults before issue 14's cost work: 3-metric dead-letter arrivals, LOW tickets",
               {"exact_dead_letter_arrivals": True, "tickets": True}),
    "one_metric_dead_letters": ("1-metric dead-letter arrivals, LOW tickets",
                                {"exact_dead_letter_arrivals": False, "tickets": True}),
    "no_tickets": ("1-metric dead-letter arrivals, tickets=False on every SLO (no LOW burn-rate windows)",
                   {"exact_dead_letter_arrivals": False, "tickets": False}),
    # Measured, not offered: the hold design (one notification per incident) is issue 17's.
    "no_tickets_no_holds": ("as no_tickets, and no holds: each notifier is the OR of its conditions, with no "
                            "hold members and no confirmation composites (their cost is left out)",
                            {"exact_dead_letter_arrivals": False, "tickets": False, "holds": False}),
    "no_outage_notifier": ("as no_tickets, and outage_notifier=False on every request/response construct: the "
                           "outage members (Outage1m/5m/30m, a probe's ProbeFailing) are rules and holds of the HIGH "
                           "notifier, with no Outage*Recent memories and no OutageUrgency composites",
                           {"exact_dead_letter_arrivals": False, "tickets": False, "outage_notifier": False}),
}
#: The constructs that take ``outage_notifier`` (request/response entrypoints).
REQUEST_CONSTRUCTS = ("ApiAlarms", "FunctionUrlAlarms", "LoadBalancerTargetAlarms", "GraphqlApiAlarms",
                      "WebSocketApiAlarms", "WorkflowAlarms")
#: A deployed alarm's ARN before its name, as a composite rule names it (us-east-1, a 12-digit account).
ARN_PREFIX = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
MAX_ALARM_RULE = 10240


def synth_option(option: str, services: int, outdir: str) -> None:
    """Build the fleet's sensible_alarms variant with `option` applied, and synthesize it."""
    import sensible_alarms as sa
    from sensible_alarms.constructs import stream_consumer
    from sensible_alarms.constructs.signals import queue_arrivals

    settings = OPTIONS[option][1]
    exact, tickets = settings["exact_dead_letter_arrivals"], settings["tickets"]
    # The fleet app calls the public names; each is given the option's arguments.
    sa.QueueConsumerAlarms = functools.partial(sa.QueueConsumerAlarms, exact_dead_letter_arrivals=exact)
    stream_consumer.queue_arrivals = functools.partial(queue_arrivals, exact=exact)  # type: ignore[assignment]
    sa.AvailabilitySlo = functools.partial(sa.AvailabilitySlo, tickets=tickets)
    sa.LatencySlo = functools.partial(sa.LatencySlo, tickets=tickets)
    from app import build

    if not settings.get("holds", True):
        from sensible_alarms.constructs.entrypoint import EntrypointAlarms

        EntrypointAlarms._add_hold = lambda self, urgency, rule: None  # type: ignore[method-assign]
    if not settings.get("outage_notifier", True):
        for name in REQUEST_CONSTRUCTS:
            setattr(sa, name, functools.partial(getattr(sa, name), outage_notifier=False))
    build("sensible", services, outdir).synth()


_REPLAYER: FleetReplay | None = None
#: The option replayed has no holds: its unwired hold members are left out of the cost.
_NO_HOLDS = False


def _merged_rule_length(composites: list[CompositeAlarm]) -> int:
    """Characters of a rule that ORs the rules of `composites`, their members named by ARN."""
    length = 0
    for composite in composites:
        for check in state_checks(composite.rule):
            length += len(f'{check.state}("{ARN_PREFIX}{check.alarm}") OR ')
    return length


def replay_option(service: Any) -> dict[str, Any]:
    """One service replayed and scored as benchmarks/fleet/replay_fleet.py does (entrypoint-aware,
    the blind scores beside): totals of the option and of the two per-service notifier designs, and
    the merged designs' cost and longest rule."""
    assert _REPLAYER is not None
    events = draw(service)
    minutes = simulate(service, events)
    incidents = [Incident(**incident(e, minutes.outcomes[e.id], service)) for e in events]  # type: ignore[arg-type]
    stack = _REPLAYER.templates["sensible"][service.name]
    alarms, composites = _REPLAYER._by_stack["sensible"].get(service.name, ([], []))
    ids = construct_ids({lid: {"Metadata": dict(r.metadata)} for lid, r in stack.resources.items()})
    store = build_store(service, minutes, alarms, ids)
    # What each alarm watches, and so which incidents its notifications can be put down to: the fleet's.
    entrypoints = watched_entrypoints(service, alarms, composites, ids, _REPLAYER.sets["sensible"].entrypoints)
    result = replay(alarms, composites, store, REPLAY_START, REPLAY_END, incidents, entrypoints=entrypoints)
    members = rule_members(composites)

    def blind(notifications: Any) -> Any:
        """The same notifications scored entrypoint-blind, as the fleet keeps beside its scores."""
        return score([(n.timestamp, n.alarm) for n in notifications], incidents, members=members,
                     histories=result.timelines)

    totals = {name: VariantTotals(services=1) for name in ("option", "per_service_notifier",
                                                            "per_service_notifier_second")}
    cost = sum(monthly_cost(a) for a in stack.alarms if not (
        _NO_HOLDS and a.metadata is not None and (a.metadata.window or "").startswith("hold")))
    by_name = {a.name: a for a in alarms}
    guard = _REPLAYER.guards["sensible"]
    FleetReplay._score(totals["option"], result, events, minutes, by_name, guard, entrypoints=entrypoints,
                       blind=blind(result.notifications))

    # Notifiers by urgency (HIGH: the burn rates' and the outage notifier): name -> entrypoint; and
    # their composites by urgency and signal, for the merged rule.
    notifiers: dict[str, dict[str, str]] = {}
    parts: dict[tuple[str, str], list[CompositeAlarm]] = {}
    entrypoint_composites = 0
    for alarm in stack.alarms:
        meta = alarm.metadata
        if not isinstance(alarm, CompositeAlarm) or meta is None:
            continue
        if meta.signal in ("notification", "confirmation"):
            entrypoint_composites += 1
            parts.setdefault((meta.urgency, meta.signal), []).append(alarm)
        if meta.signal == "notification":
            notifiers.setdefault(meta.urgency, {})[alarm.name] = meta.entrypoint
    urgency_of = {name: u for u, names in notifiers.items() for name in names}
    merged_cost = cost + (2 * len(notifiers) - entrypoint_composites) * DEFAULT_PRICING.composite
    for name, levels in (("per_service_notifier", 1), ("per_service_notifier_second", 2)):
        kept = []
        for n in result.notifications:
            urgency = urgency_of.get(n.alarm)
            if urgency is None:
                kept.append(n)
                continue
            # The entrypoints whose notifiers of this urgency (but this one) were already in ALARM: the
            # merged composite (and the "two at once" one) changes state only when a new one joins.
            own = notifiers[urgency][n.alarm]
            before = {entrypoint for other, entrypoint in notifiers[urgency].items()
                      if other != n.alarm and result.timelines[other].state_at(n.alarm_at - _ONE_SECOND) == "ALARM"}
            if own not in before and len(before) < levels:
                kept.append(n)
        # Each kept notification keeps its notifier's name, and so its entrypoint: the merged
        # composite's state reason names the members that put it into ALARM.
        merged = dataclasses.replace(result, notifications=tuple(kept), scores=score(
            [(n.timestamp, n.alarm) for n in kept], incidents, members=members, histories=result.timelines,
            entrypoints=entrypoints))
        FleetReplay._score(totals[name], merged, events, minutes, by_name, guard, entrypoints=entrypoints,
                           blind=blind(kept))
        totals[name].monthly_cost_usd = merged_cost + (levels - 1) * len(notifiers) * DEFAULT_PRICING.composite
    totals["option"].monthly_cost_usd = cost
    for alarm in stack.alarms:
        if not (_NO_HOLDS and alarm.metadata is not None and (alarm.metadata.window or "").startswith("hold")):
            part = _cost_part(alarm)
            totals["option"].cost_by_part[part] = totals["option"].cost_by_part.get(part, 0.0) + monthly_cost(alarm)
    longest = max((_merged_rule_length(p) for p in parts.values()), default=0)
    # "Two entrypoints at once": every pair's conditions AND-ed, so each entrypoint's appears n - 1 times.
    # (Pairs of entrypoints: an entrypoint's condition is the OR of its notifiers of the urgency.)
    pairs = max(((len(set(notifiers[urgency].values())) - 1) * _merged_rule_length(p)
                 for (urgency, signal), p in parts.items() if signal == "notification"), default=0)
    return {"totals": totals, "longest_merged_rule": longest, "longest_pairs_rule": pairs,
            "notifiers": {u: len(n) for u, n in notifiers.items()}}


_ONE_SECOND = timedelta(seconds=1)


def summary(totals: VariantTotals) -> dict[str, Any]:
    d = totals.as_dict()
    # The kind with the most notifications per detected incident, as the fleet's report names it.
    worst = worst_kind(d["by_kind"])
    return {"monthly_cost_usd": round(totals.monthly_cost_usd, 2),
            "cost_per_service_usd": round(totals.monthly_cost_usd / totals.services, 2),
            "recall": d["recall"], "detected": d["detected"],
            "customer_impact_incidents": d["customer_impact_incidents"],
            "false_notifications": d["false_notifications"],
            "false_notifications_per_service_per_day": d["false_notifications_per_service_per_day"],
            "notifications_per_incident": d["notifications_per_incident"],
            "worst_kind": worst[0] if worst else None,
            "worst_kind_notifications_per_incident": worst[1] if worst else None,
            "full_outages_detected": d["full_outages_detected"], "full_outages": d["full_outages"],
            "full_outage_median_minutes_to_detect": d["full_outage_median_minutes_to_detect"],
            "full_outage_worst_minutes_to_detect": d["full_outage_worst_minutes_to_detect"],
            "median_minutes_to_detect": d["median_minutes_to_detect"],
            "notifications_by_cause": d["notifications_by_cause"],
            "by_kind": {k: f"{v['detected']}/{v['incidents']}" for k, v in d["by_kind"].items()},
            "cost_by_part_per_service_usd": {k: round(v / totals.services, 2)
                                             for k, v in d["monthly_cost_by_part_usd"].items()},
            "entrypoint_blind": {k: d["entrypoint_blind"][k] for k in (
                "recall", "detected", "false_notifications_per_service_per_day", "notifications_per_incident",
                "full_outages_detected", "worst_kind", "worst_kind_notifications_per_incident")}}


def main(argv: list[str] | None = None) -> None:
    global _REPLAYER, _NO_HOLDS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50", help="fleet sizes, comma-separated (default 10,50)")
    parser.add_argument("--options", default=",".join(OPTIONS), help=f"among {', '.join(OPTIONS)}")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="replay processes")
    parser.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "cost_options")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results" / "cost_options.json")
    parser.add_argument("--synth", help=argparse.SUPPRESS)  # internal: synthesize one option
    parser.add_argument("--services", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--outdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.synth:
        synth_option(args.synth, args.services, args.outdir)
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    options = args.options.split(",")
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        parser.error(f"--options: unknown {unknown}")
    largest = sizes[-1]
    results: dict[str, Any] = {
        "command": "python benchmarks/cost_options.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "days": DAYS, "pricing": DEFAULT_PRICING.source, "sizes": {}, "options": {}}
    import subprocess

    per_size: dict[int, dict[str, Any]] = {s: {} for s in sizes}
    for option in options:
        outdir = args.workdir / option
        shutil.rmtree(outdir, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--synth", option, "--services", str(largest),
                        "--outdir", str(outdir)], check=True)
        print(f"{option}: synthesized {largest} services in {time.perf_counter() - started:.0f} s", flush=True)
        _REPLAYER = FleetReplay({"sensible": outdir})
        _NO_HOLDS = not OPTIONS[option][1].get("holds", True)
        with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            done = list(pool.map(replay_option, fleet(largest)))
        results["options"][option] = OPTIONS[option][0]
        for size in sizes:
            for design in ("option", "per_service_notifier", "per_service_notifier_second"):
                total = VariantTotals()
                for service in done[:size]:
                    total.add(service["totals"][design])
                key = option if design == "option" else f"{option}+{design}"
                per_size[size][key] = summary(total)
            for design, key in (("per_service_notifier", "longest_merged_rule"),
                                ("per_service_notifier_second", "longest_pairs_rule")):
                rules = sorted(d[key] for d in done[:size])
                per_size[size][f"{option}+{design}"]["longest_rule_chars"] = rules[-1]
                per_size[size][f"{option}+{design}"]["services_over_rule_limit"] = sum(
                    1 for r in rules if r > MAX_ALARM_RULE)
        for size in sizes:
            row = per_size[size][option]
            print(f"  S={size}: ${row['cost_per_service_usd']}/service recall {row['recall']} "
                  f"false {row['false_notifications_per_service_per_day']} per incident "
                  f"{row['notifications_per_incident']}", flush=True)
    results["sizes"] = {str(s): per_size[s] for s in sizes}
    results["max_alarm_rule_chars"] = MAX_ALARM_RULE
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
