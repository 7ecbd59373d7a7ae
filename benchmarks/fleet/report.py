"""docs/benchmarks.md and its chart, written from the results the run just measured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from replay_fleet import worst_kind

VARIANTS = ("per_resource", "hand_tuned", "sensible")
LABELS = {"none": "no alarms", "per_resource": "per-resource 1 of 1 (cdk-monitoring-constructs)",
          "hand_tuned": "hand-tuned per-resource (3 of 3)", "sensible": "sensible_alarms"}
SHORT = {"per_resource": "per-resource 1 of 1", "hand_tuned": "hand-tuned", "sensible": "sensible_alarms"}
KIND_LABELS = {"api_outage": "full API outage", "night_outage": "night outage (quiet API)",
               "route_outage": "single-route outage", "api_partial_errors": "partial 5xx",
               "slow_burn": "slow burn", "error_burst": "error burst", "latency_regression": "latency regression",
               "route_latency": "single-route latency", "cold_start_spike": "cold starts",
               "stuck_consumer": "stuck consumer", "quiet_consumer_stall": "stall of a quiet queue",
               "poison_messages": "poison messages (DLQ)", "stream_lag": "stream consumer lag",
               "job_failing": "daily job failing",
               "endpoint_outage": "endpoint outage (URL, ALB, GraphQL, WebSocket)",
               "endpoint_partial_errors": "endpoint partial 5xx", "endpoint_latency": "endpoint latency",
               "endpoint_error_burst": "endpoint error burst", "async_handler_failing": "async consumer failing",
               "async_poison_events": "async events dropped", "async_consumer_lag": "async consumer lag",
               "event_delivery_failure": "rule delivery failing", "workflow_failing": "workflow executions failing"}

#: Where each magnitude of the catalogue comes from. Written once, with the catalogue, before the
#: first run that used it.
SOURCES = {
    "background 5xx": "0.02 to 0.3 % of every API's requests, all month, transient. API Gateway and Lambda "
    "each promise 99.95 % of requests without a 5xx in a month ([AWS service SLAs, per request]"
    "(https://cloudonaut.io/aws-sla-are-you-able-to-keep-your-availability-promise/)): the platform alone may "
    "fail up to 0.05 %; a service's own dependencies (timeouts, connection resets) add to it. The range is the "
    "issue's; its upper end is an assumption.",
    "api_outage": "10 to 60 min (a bad deploy or configuration push, rolled back), 0.25 a service a month: "
    "assumption, kept from the previous catalogue.",
    "night_outage": "30 min to 4 h during the customers' night on quiet APIs, 0.3 a quiet service a month: "
    "nobody is using the product to notice, and traffic too low for ratio alarms is the SRE Workbook's "
    "[low-traffic case](https://sre.google/workbook/alerting-on-slos/) (\"Low-Traffic Services and Error Budget "
    "Alerting\"). "
    "Length and rate: assumption.",
    "route_outage": "one route, 10 min to 2 h, 0.06 a route a month (a bad deploy of one handler, a missing "
    "permission): assumption.",
    "api_partial_errors": "1 to 10 % of requests for 1 to 6 h (a bad deploy of a helper): assumption, widened "
    "below the fast-burn threshold (1.44 % at 99.9 %) so the catalogue does not start where the product does.",
    "slow_burn": "0.2 to 1.2 % of requests for 12 to 72 h: the issue's range; the SRE Workbook's "
    "[ticket windows](https://sre.google/workbook/alerting-on-slos/) (burn rates 1 to 6 over 6 h to 3 days) are "
    "there for exactly these. Rate 0.15 a service a month: assumption.",
    "latency_regression": "10 to 50 % of requests at 1.5 to 4 s for 30 min to 3 h (a slow dependency): "
    "assumption, kept.",
    "route_latency": "30 to 100 % of one route's requests at 1.2 to 5 s for 30 min to 6 h: assumption.",
    "stuck_consumer": "30 min to 3 h (a deploy disables the event source mapping): assumption, kept.",
    "quiet_consumer_stall": "1 to 24 h on queues of 5 to 50 messages a day, 0.5 a quiet queue a month: "
    "assumption; a quiet queue's backlog is a handful of messages, so nothing but their age shows it.",
    "poison_messages": "1 to 20 messages, 5 receives 3 min apart, then the DLQ (maxReceiveCount 5): assumption, "
    "kept.",
    "stream_lag": "20 min to 2 h: assumption, kept.",
    "job_failing": "2 to 4 nights running: assumption, kept.",
    "error_burst": "1 to 100 errors over 1 to 5 min on one route, 1.5 a route a month (deploy blips, dependency "
    "hiccups): the issue's range. Clients retry a 5xx: the AWS SDKs' standard mode makes [3 attempts]"
    "(https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html); a burst that fails every "
    "request of a quiet route fails the retries too, and then customers got errors (the label says so).",
    "transient_error": "1 to 3 invocations fail once in a minute (a connection reset); the caller's retry "
    "succeeds: assumption, kept.",
    "lambda_throttle_retried": "1 to 20 throttles over 1 to 3 min, retried: assumption, kept.",
    "cold_start_spike": "1 to 3 requests at 1.5 to 6 s on quiet functions: assumption, kept (cold starts of "
    "100 ms to over 1 s are commonly reported; VPC and JVM functions take longer).",
    "dynamodb_system_error": "1 to 5 system errors in a minute: the DynamoDB SDKs [retry them]"
    "(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html); rate: assumption.",
    "dynamodb_throttle_retried": "1 to 50 throttles over 1 to 5 min, [retried by the SDK]"
    "(https://docs.aws.amazon.com/AWSJavaSDK/latest/javadoc/com/amazonaws/services/dynamodbv2/model/"
    "ProvisionedThroughputExceededException.html): rate is an assumption.",
    "async_retry": "one asynchronous invocation fails once, Lambda retries it: assumption, kept.",
    "batch_burst": "nightly batches of 5,000 to 50,000 messages drained in 5 to 12 min: assumption, kept.",
    # The entrypoint kinds added later (their own generator; the kinds above are drawn as before).
    "endpoint_outage": "10 to 60 min, 0.25 an endpoint a month: the API outage's figures (assumption) applied to "
    "every other request/response entrypoint (Function URL, load balancer, GraphQL and WebSocket API).",
    "endpoint_partial_errors": "1 to 10 % of requests for 1 to 6 h: the API's partial errors (assumption).",
    "endpoint_latency": "10 to 50 % of requests at 1.5 to 4 s for 30 min to 3 h: the API's latency regression "
    "(assumption).",
    "endpoint_error_burst": "1 to 100 errors over 1 to 5 min, 1.5 an endpoint a month, retried by clients: the "
    "API's error bursts (the issue's range).",
    "async_handler_failing": "10 min to 3 h (a bad deploy, rolled back), 0.15 a consumer a month: assumption. "
    "Lambda runs an asynchronous event at most 3 times, retrying after about 1 and 2 min, then discards it "
    "(or sends it to a destination) and counts it in AsyncEventsDropped ([Lambda Developer Guide, asynchronous "
    "invocation](https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html); "
    "[metrics](https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html)).",
    "async_poison_events": "1 to 20 events that fail every attempt (a malformed event, a schema change), 0.2 a "
    "consumer a month: assumption, as poison messages on queues; 3 attempts, then dropped.",
    "async_consumer_lag": "20 min to 2 h at 10 to 60 % of the arrivals (the account's concurrency taken by a "
    "burst elsewhere, reserved concurrency set too low), 0.15 a consumer a month: assumption. Lambda keeps "
    "throttled asynchronous events in its queue and retries them for up to 6 h; AsyncEventAge is the time an "
    "event waited when it runs ([metrics](https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types."
    "html)).",
    "event_delivery_failure": "10 min to 2 h, 0.1 a rule a month (a deploy removes the permission to invoke the "
    "target): assumption. EventBridge retries 5xx and throttling for up to 24 h but not other 4xx errors; "
    "those events fail for good and count in FailedInvocations ([AWS re:Post, EventBridge FailedInvocations]"
    "(https://repost.aws/knowledge-center/eventbridge-resolve-failedinvocation-errors)).",
    "workflow_failing": "20 to 100 % of executions fail for 15 min to 3 h, 0.2 a workflow a month: assumption.",
    "async_retry_burst": "1 to 10 events fail once and Lambda's retry a minute later succeeds, once a consumer a "
    "month: assumption.",
    "event_burst": "1,000 to 20,000 events over 2 to 10 min (a bulk import, a backfill), 0.5 a consumer a month: "
    "assumption; Lambda scales out (some throttles), the events wait minutes, none past its freshness.",
    "workflow_step_retried": "1 to 20 failures of a step's Lambda over 1 to 5 min, retried by the state machine "
    "(CDK's LambdaInvoke retries Lambda's service exceptions), once a workflow a month: assumption.",
}

#: Why the fleet holds each of the entrypoint kinds added later in the share it does (spec.py).
SHARES = {
    "event_consumers": "1 to 3 a service (about 2; 40 % SNS subscriptions, 40 % EventBridge rules, 20 % S3 "
    "notifications): assumption, from the issue's description of a real fleet, \"mostly asynchronous "
    "consumers\". With them, asynchronous consumers outnumber queue and stream consumers together, and S3 "
    "notifications are the rarer source because most uploads land in a few buckets.",
    "workflows": "30 % of the services have a Step Functions workflow (started by the API): assumption; "
    "workflows are common for orders, payments and sign-ups, less so for simple CRUD services.",
    "function_urls": "15 % have a Lambda Function URL (a webhook a partner calls): assumption; URLs are newer and "
    "mostly used for webhooks.",
    "graphql_apis": "10 % have an AppSync GraphQL API: assumption.",
    "load_balancers": "5 % have an Application Load Balancer with a Lambda target group: assumption; most "
    "serverless teams put API Gateway in front of Lambda, an ALB where one already serves containers.",
    "websocket_apis": "5 % have an API Gateway WebSocket API (live status): assumption.",
}


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}%}"


def _minutes(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 120:
        return f"{value / 60:.1f} h"
    return f"{value:.0f} min"


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def goals(size: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's goals for sensible_alarms at one size: name, figure, met, and by how much not."""
    sens = size["variants"]["sensible"]
    tuned = size["variants"]["hand_tuned"]
    out = []

    def add(goal: str, shown: str, met: bool, gap: str) -> None:
        out.append({"goal": goal, "value": shown, "met": met, "gap": "" if met else gap})

    outages, found = sens["full_outages"], sens["full_outages_detected"]
    ttd = sens["full_outage_median_minutes_to_detect"]
    add("100 % of full outages with ≥ 3 failed requests notified", f"{found}/{outages}",
        found == outages, f"{outages - found} missed")
    add("their median time to detect ≤ 3 min", "no full outage" if not outages else _minutes(ttd),
        not outages or (ttd is not None and ttd <= 3), "none detected" if ttd is None else f"{ttd - 3:.0f} min over")
    recall = sens["recall"]
    need = int(-(-0.97 * sens["customer_impact_incidents"] // 1))
    add("recall ≥ 97 %", f"{_pct(recall)} ({sens['detected']}/{sens['customer_impact_incidents']})",
        recall is not None and recall >= 0.97, f"{need - sens['detected']} more incidents needed")
    false = sens["false_notifications_per_service_per_day"]
    add("≤ 0.02 false notifications per service per day", _num(false, 3), false is not None and false <= 0.02,
        f"{false / 0.02:.1f}x the goal ({sens['false_notifications']} false)" if false else "")
    per = sens["notifications_per_incident"]
    add("≤ 1.2 notifications per incident", _num(per), per is not None and per <= 1.2,
        "–" if per is None else f"{per - 1.2:.2f} over")
    worst = worst_kind(sens["by_kind"])
    add("≤ 1.2 notifications per incident of every kind (worst kind)",
        "–" if worst is None else f"{_num(worst[1])} ({KIND_LABELS.get(worst[0], worst[0])})",
        worst is None or worst[1] <= 1.2,
        "" if worst is None else ", ".join(f"{KIND_LABELS.get(k, k)} {v['notifications_per_incident']:.2f}"
                                           for k, v in sens["by_kind"].items()
                                           if (v["notifications_per_incident"] or 0) > 1.2))
    reduction = size["comparison"]["hand_tuned"]["notification_reduction"]
    add("≥ 90 % fewer notifications a day than hand-tuned", _pct(reduction),
        reduction is not None and reduction >= 0.9,
        "–" if reduction is None else f"{0.9 - reduction:.1%} short ({sens['notifications_per_day']:.1f} against "
        f"{tuned['notifications_per_day']:.1f} a day)")
    drains = sens["notifications_by_cause"]["drain"]
    add("no notification whose only cause is a drain", str(drains), drains == 0, f"{drains} drains")
    return out


def compatibility(sizes: list[dict[str, Any]], days: int) -> str:
    """Whether the recall goal and the "90 % fewer than hand-tuned" goal can both be met at each size:
    recall needs at least one notification per detected incident (fewer only where incidents of one
    entrypoint overlap), the other allows a tenth of hand-tuned's notifications."""
    parts = []
    for size in sizes:
        sens, tuned = size["variants"]["sensible"], size["variants"]["hand_tuned"]
        need = -(-0.97 * sens["customer_impact_incidents"] // 1) / days
        allowed = 0.1 * tuned["notifications_per_day"]
        verdict = "both can be met" if need <= allowed else "they cannot both be met"
        parts.append(f"S = {size['services']}: recall ≥ 97 % needs at least {need:.1f} notifications a day "
                     f"({sens['customer_impact_incidents']} incidents in {days} days), \"90 % fewer\" allows at "
                     f"most {allowed:.1f}: {verdict}")
    return ("Can the recall goal and the \"90 % fewer notifications than hand-tuned\" goal be met together? "
            "Recall needs about one notification per detected incident (one notification can tell two "
            "incidents only where they overlap on one entrypoint); the other goal caps notifications at a "
            "tenth of hand-tuned's. " + "; ".join(parts) + ".\n")


def render_markdown(results: dict[str, Any], chart: str, results_file: str) -> str:
    sizes = results["sizes"]
    v = results["versions"]
    out: list[str] = []
    add = out.append
    add("# Fleet benchmark: sensible_alarms against per-resource alarms\n")
    add("<!-- Written by benchmarks/fleet/run.py; edit that, not this file. -->\n")
    add("A synthetic SaaS fleet of S services, synthesized four ways (no alarms; every resource alarmed 1 of 1 "
        "with cdk-monitoring-constructs; a hand-tuned per-resource setup; sensible_alarms with its defaults), and "
        "a month of simulated one-minute metrics with a catalogue of events replayed through the three alarm sets "
        "by `sensible_alarms.replay`. Every event is labelled by what customers got in the simulated traffic. "
        "Everything below was measured by one command in one run:\n")
    add(f"```\n{results['command'].strip()}\n```\n")
    if results.get("note"):
        add(f"**{results['note']}**\n")
    add(f"Versions: aws-cdk-lib {v['aws-cdk-lib']}, cdk-monitoring-constructs {v['cdk-monitoring-constructs']}, "
        f"constructs {v['constructs']}, jsii {v['jsii']}, Node.js {v['node']}, Python {v['python']}, "
        f"sensible_alarms {v['sensible-alarms']} (commit {v['sensible_alarms_commit']}). Seed {results['seed']}; "
        f"{results['days']} days replayed ({results['replay']['start'][:10]} to {results['replay']['end'][:10]}); "
        f"machine: {results['machine']['cpus']} CPUs, {results['machine']['platform']}; the whole run took "
        f"{results.get('run_seconds', 0) / 60:.1f} min. Raw figures: [{Path(results_file).name}]({results_file}).\n")
    add("The event catalogue (kinds, magnitudes, rates; `benchmarks/fleet/events.py`, last changed in commit "
        f"{v.get('catalogue_commit') or '?'}) was committed before the first run that used it and has not been "
        "tuned since: the results did not feed back into the generator.\n")
    add(f"![notifications a day, alarm cost and synth time by fleet size]({chart})\n")

    add("## Results\n")
    add("What an on-call person feels first: how many incidents reached them (recall, and recall of full "
        "outages on its own), how often they were bothered for nothing (false notifications: outside every "
        "window of a customer-impacting event of the alarm's entrypoint), and how many times one incident "
        "interrupted them. Precision is shown alongside. A notification is a transition into ALARM of an alarm "
        "with an action; an incident is "
        "detected by a notification in [start, end + 15 min] (DESIGN.md).\n")
    add("**Attribution is entrypoint-aware**, the same rule for all three variants (`sensible_alarms.replay`'s "
        "scoring, docs/replay.md): every event is an incident of the entrypoint its target belongs to (the API for "
        "its routes and the helpers they call, a queue with its consumer and dead-letter queue, the job with its "
        "schedule, ...; none for a table several entrypoints use), and an alarm's notification is put down only to "
        "incidents of the entrypoint the alarm watches, or of none. What an alarm watches: sensible_alarms' alarms "
        "say it in their metadata (as `sensible-alarms replay` reads it); a per-resource alarm is mapped from its "
        "metric's dimensions to the resource and its entrypoint (the two agree on every sensible_alarms notifier, "
        "a test checks it). An alarm on a shared resource (a DynamoDB table) has no single entrypoint and matches "
        "every incident of its service, which is lenient to the per-resource variants. So an API's page during a "
        "daily job's four-day failure is neither the job's detection nor its repeat: it is a false notification "
        "unless an incident of the API holds it. Each size's table is followed by the same notifications scored "
        "entrypoint-blind (every alarm matching every incident of its service, the scoring before), so the change "
        "can be seen not to move numbers one way only.\n")
    for s in sizes:
        add(f"### S = {s['services']}\n")
        add("| | " + " | ".join(SHORT[x] for x in VARIANTS) + " |")
        add("|---|" + "---|" * len(VARIANTS))

        def row(label: str, fn: Any, size: dict[str, Any] = s) -> None:
            add(f"| {label} | " + " | ".join(fn(size["variants"][x], x, size) for x in VARIANTS) + " |")

        row("recall (detected / customer-impacting incidents)",
            lambda x, _, __: f"{_pct(x['recall'])} ({x['detected']}/{x['customer_impact_incidents']})")
        row("recall of full outages (≥ 3 failed requests)",
            lambda x, _, __: f"{_pct(x['full_outage_recall'])} ({x['full_outages_detected']}/{x['full_outages']})")
        row("full outages: median / worst time to detect",
            lambda x, _, __: f"{_minutes(x['full_outage_median_minutes_to_detect'])} / "
                             f"{_minutes(x['full_outage_worst_minutes_to_detect'])}")
        row("false notifications per service per day",
            lambda x, _, __: f"{_num(x['false_notifications_per_service_per_day'], 3)} "
                             f"({x['false_notifications']:,})")
        row("notifications per incident", lambda x, _, __: _num(x["notifications_per_incident"]))
        row("notifications a day", lambda x, _, __: f"{x['notifications_per_day']:,.1f}")
        row("re-notifications: flicker / drain / new incident / repeat / no impact",
            lambda x, _, __: " / ".join(f"{x['renotifications_by_cause'][c]:,}" for c in
                                        ("flicker", "drain", "new incident", "repeat", "no customer impact")))
        row("median time to detect", lambda x, _, __: _minutes(x["median_minutes_to_detect"]))
        row("monthly alarm cost (list price)", lambda x, _, __: f"${x['monthly_alarm_cost_usd']:,.2f}")
        row("alarms (metric + composite) / that notify",
            lambda x, _, __: f"{x['alarms']:,} ({x['metric_alarms']:,} + {x['composite_alarms']:,}) / "
                             f"{x['alarms_with_actions']:,}")
        row("precision (alongside)", lambda x, _, __: _pct(x["precision"]))
        add("")
        add("The same notifications scored entrypoint-blind (the scoring before; goals are judged on the table "
            "above):\n")
        add("| entrypoint-blind | " + " | ".join(SHORT[x] for x in VARIANTS) + " |")
        add("|---|" + "---|" * len(VARIANTS))

        def blind(label: str, fn: Any, size: dict[str, Any] = s) -> None:
            add(f"| {label} | " + " | ".join(fn(size["variants"][x]["entrypoint_blind"], size["variants"][x])
                                           for x in VARIANTS) + " |")

        blind("recall", lambda b, x: f"{_pct(b['recall'])} ({b['detected']}/{x['customer_impact_incidents']})")
        blind("recall of full outages", lambda b, x: f"{_pct(b['full_outage_recall'])} "
                                                      f"({b['full_outages_detected']}/{x['full_outages']})")
        blind("false notifications per service per day",
              lambda b, x: f"{_num(b['false_notifications_per_service_per_day'], 3)} ({b['false_notifications']:,})")
        blind("notifications per incident", lambda b, x: _num(b["notifications_per_incident"]))
        blind("worst kind: notifications per incident",
              lambda b, x: "–" if b["worst_kind"] is None else
              f"{_num(b['worst_kind_notifications_per_incident'])} "
              f"({KIND_LABELS.get(b['worst_kind'], b['worst_kind'])})")
        blind("median time to detect", lambda b, x: _minutes(b["median_minutes_to_detect"]))
        blind("precision", lambda b, x: _pct(b["precision"]))
        add("")
        add("By kind: detected / incidents, median time to detect, notifications per detected incident.\n")
        add("| kind | " + " | ".join(SHORT[x] for x in VARIANTS) + " |")
        add("|---|" + "---|" * len(VARIANTS))
        kinds = [k for k in KIND_LABELS if any(k in s["variants"][x]["by_kind"] for x in VARIANTS)]
        for kind in kinds:
            cells = []
            for x in VARIANTS:
                k = s["variants"][x]["by_kind"].get(kind)
                cells.append("–" if k is None else
                             f"{k['detected']}/{k['incidents']}, {_minutes(k['median_minutes_to_detect'])}, "
                             f"{_num(k['notifications_per_incident'], 1)}")
            add(f"| {KIND_LABELS[kind]} | " + " | ".join(cells) + " |")
        add("")

    synth = results["synth"]
    add(f"### Synthesis at S = {synth['services']}\n")
    add("Each variant synthesized once at the largest size (the smaller fleets are its first services, each its "
        "own stack); wall clock and the process tree's peak memory (Python and jsii's Node.js), on a machine "
        f"shared with other work. Replaying the {synth['services']} services through the three alarm sets took "
        f"{synth['replay_seconds'] / 60:.1f} min.\n")
    add("| | no alarms | " + " | ".join(SHORT[x] for x in VARIANTS) + " |")
    add("|---|---|" + "---|" * len(VARIANTS))
    add(f"| synth time | {synth['none']['seconds']:.1f} s | " + " | ".join(
        f"{synth[x]['seconds']:.1f} s ({synth[x]['time_vs_none']:.2f}x)" for x in VARIANTS) + " |")
    add(f"| peak memory | {synth['none']['peak_rss_mb']:,.0f} MiB | " + " | ".join(
        f"{synth[x]['peak_rss_mb']:,.0f} MiB ({synth[x]['memory_vs_none']:.2f}x)" for x in VARIANTS) + " |")
    add("")

    add("## Goals (sensible_alarms)\n")
    add("Computed from the results above; the generator was not tuned to reach them. A goal not met says by "
        "how much; the incidents behind it are listed further down.\n")
    add("| goal | " + " | ".join(f"S = {s['services']}" for s in sizes) + " |")
    add("|---|" + "---|" * len(sizes))
    goal_rows = [goals(s) for s in sizes]
    for i, g in enumerate(goal_rows[0]):
        cells = []
        for gs in goal_rows:
            item = gs[i]
            cells.append(f"{item['value']} " + ("✅ met" if item["met"] else f"❌ not met: {item['gap']}"))
        add(f"| {g['goal']} | " + " | ".join(cells) + " |")
    add("")
    add(compatibility(sizes, results["days"]))

    largest = sizes[-1]
    sens = largest["variants"]["sensible"]
    add(f"## Why each notification came (S = {largest['services']})\n")
    add("Each notification has one cause (sensible_alarms.replay's scoring, entrypoint-aware: an alarm's "
        "notification counts only for incidents of its own entrypoint, or of none): *new incident* (the first for a "
        "customer-impacting incident), *repeat* (another for an incident already told, from a second alarm or "
        "the same one with nothing holding it), *flicker* (the alarm re-entered ALARM while a member, the long "
        "window, stayed in ALARM during the incident), *drain* (the same after the incident ended: only the "
        "long window still held the old errors), *no customer impact* (outside every customer-impacting "
        "window of its alarm's entrypoint).\n")
    add("| cause | " + " | ".join(SHORT[x] for x in VARIANTS) + " |")
    add("|---|" + "---|" * len(VARIANTS))
    for cause in ("new incident", "repeat", "flicker", "drain", "no customer impact"):
        add(f"| {cause} | " + " | ".join(f"{largest['variants'][x]['notifications_by_cause'][cause]:,}"
                                         for x in VARIANTS) + " |")
    add("")
    add("By the event the notification is put down to, else the event of its alarm's entrypoint whose window "
        "holds it, else one of another entrypoint (*(other entrypoint)*); *no event*: none:\n")
    kinds = sorted({k for x in VARIANTS for k in largest["variants"][x]["notifications_by_event_kind"]},
                   key=lambda k: -largest["variants"]["per_resource"]["notifications_by_event_kind"].get(k, 0))
    add("| event | " + " | ".join(SHORT[x] for x in VARIANTS) + " |")
    add("|---|" + "---|" * len(VARIANTS))
    for kind in kinds:
        add(f"| {kind} | " + " | ".join(f"{largest['variants'][x]['notifications_by_event_kind'].get(kind, 0):,}"
                                        for x in VARIANTS) + " |")
    add("")

    add(f"sensible_alarms' false notifications at S = {largest['services']}, by the event of the alarm's "
        "entrypoint whose window holds them (*(other entrypoint)*: only an event of another entrypoint does; "
        "*no event*: none) and the alarm that sent them:\n")
    add("| event: alarm | false notifications |")
    add("|---|---|")
    for source, count in sens["false_notifications_by_source"].items():
        add(f"| {source} | {count:,} |")
    add("")

    add(f"## Where the alarm cost goes (S = {largest['services']})\n")
    add("CloudWatch bills a metric alarm per metric it reads and a composite alarm at a higher rate "
        "(`sensible_alarms.review.pricing`, list price).\n")
    add("| part | " + " | ".join(SHORT[x] for x in VARIANTS) + " |")
    add("|---|" + "---|" * len(VARIANTS))
    parts = sorted({p for x in VARIANTS for p in largest["variants"][x]["monthly_cost_by_part_usd"]},
                   key=lambda p: -sum(largest["variants"][x]["monthly_cost_by_part_usd"].get(p, 0) for x in VARIANTS))
    for part in parts:
        add(f"| {part} | " + " | ".join(
            f"${largest['variants'][x]['monthly_cost_by_part_usd'][part]:,.2f}"
            if part in largest["variants"][x]["monthly_cost_by_part_usd"] else "" for x in VARIANTS) + " |")
    add("")

    add(f"## Every incident sensible_alarms missed or detected late (S = {largest['services']})\n")
    add("Late means after: " + ", ".join(f"{KIND_LABELS.get(k, k)} {_minutes(m)}" for k, m in
                                          results["late_after_minutes"].items())
        + ". The smaller fleets are the first services of this one, so their lists are subsets of this one "
          "(each size's own list is in the JSON). *Why* is computed from the simulated traffic and the replayed "
          "alarm timelines.\n")
    missed = sens["missed_or_late"]
    never = [m for m in missed if m["minutes_to_detect"] is None]
    add(f"{len(never)} missed and {len(missed) - len(never)} late.\n")
    if missed:
        add("| incident | what happened | detected after | why |")
        add("|---|---|---|---|")
        for m in missed:
            detected = "missed" if m["minutes_to_detect"] is None else _minutes(m["minutes_to_detect"])
            add(f"| {m['id']} ({m['start']}) | {m['what']} | {detected} | {m['why']} |")
        add("")
    over = [o for o in sens["over_notified"] if o["notifications"] > 1]
    add(f"## Every incident sensible_alarms notified more than once (S = {largest['services']})\n")
    add(f"{len(over)} incidents; the drains are listed with the incident they followed.\n")
    if over:
        add("| incident | what happened | notifications | why: each by cause (alarm) |")
        add("|---|---|---|---|")
        for o in sorted(over, key=lambda o: (-o["notifications"], o["id"])):
            why = "; ".join(f"{n} {cause}" for cause, n in o["notifications_by_cause"].items())
            add(f"| {o['id']} | {o['what']} | {o['notifications']} | {why} |")
        add("")
    if sens["drain_notifications"]:
        add("| drain at | composite | after incident | long window still in ALARM |")
        add("|---|---|---|---|")
        for d in sens["drain_notifications"]:
            add(f"| {d['at']} | {d['alarm'].split('/')[-1]} | {d['incident']} | {', '.join(d['held_by'])} |")
        add("")

    add("## The fleet and its month\n")
    add("| S | Lambda functions | APIs (routes) | queues with DLQ | stream consumers | daily jobs | DynamoDB tables |"
        " events (customer-impacting) |")
    add("|---|---|---|---|---|---|---|---|")
    for s in sizes:
        f = s["fleet"]
        add(f"| {s['services']} | {f['lambda_functions']:,} | {f['apis']} ({f['api_routes']}) | "
            f"{f['queues_with_dlq']} | {f['stream_consumers']} | {f['scheduled_jobs']} | {f['dynamodb_tables']} | "
            f"{sum(s['events'].values()):,} ({sum(s['customer_impacting_events'].values())}) |")
    add("")
    add("The other entrypoint kinds:\n")
    add("| S | async consumers (SNS / EventBridge / S3) | workflows | Function URLs | load balancers | GraphQL APIs |"
        " WebSocket APIs |")
    add("|---|---|---|---|---|---|---|")
    for s in sizes:
        f = s["fleet"]
        add(f"| {s['services']} | {f['event_consumers']} ({f['event_consumers_topic']} / {f['event_consumers_rule']}"
            f" / {f['event_consumers_bucket']}) | {f['workflows']} | {f['function_urls']} | {f['load_balancers']} | "
            f"{f['graphql_apis']} | {f['websocket_apis']} |")
    add("")
    add("Why each share (`benchmarks/fleet/spec.py`; drawn from a generator of their own, so the resources, "
        "traffic and events of the first kinds are the same as before these kinds were added, and their "
        "by-kind figures stay comparable):\n")
    for kind, why in SHARES.items():
        add(f"- **{kind.replace('_', ' ')}**: {why}")
    add("")
    add(f"Events by kind at S = {largest['services']}, and how many of them touched customers (the label, "
        "computed from the traffic):\n")
    add("| kind | events | customer-impacting |")
    add("|---|---|---|")
    for kind, count in sorted(largest["events"].items(), key=lambda kv: -kv[1]):
        add(f"| {kind} | {count:,} | {largest['customer_impacting_events'].get(kind, 0):,} |")
    add("")

    lab = results["labelling"]
    add("## The event catalogue and where its magnitudes come from\n")
    add(f"Every API has a background 5xx rate drawn once per service, log-uniform in "
        f"{results['background_5xx_range'][0]:.2%} to {results['background_5xx_range'][1]:.1%}, on every route all "
        f"month. {results['quiet_queue_share']:.0%} of the queues (never one that receives batches) are quiet: "
        f"{results['quiet_queue_messages_per_day'][0]:g} to {results['quiet_queue_messages_per_day'][1]:g} messages "
        "a day. Rates are expected events a month per resource the kind can hit (Poisson); batch bursts come every "
        f"weekday night on {results['batch_queue_share']:.0%} of the queues.\n")
    add("The kinds of the other entrypoints (`endpoint_*`, `async_*`, `event_*`, `workflow_*`) were added to the "
        f"catalogue in commit {v.get('catalogue_commit') or '?'} (or earlier), before the first run that used them, "
        "and are drawn from a generator of their own, so the events of the kinds above them are the same as "
        "before.\n")
    add("| kind | per | rate a month | what happens | source of the magnitude |")
    add("|---|---|---|---|---|")
    add(f"| background 5xx | API | all month | transient 5xx on every route | {SOURCES['background 5xx']} |")
    for k in results["event_kinds"]:
        rate = "every weekday" if k["name"] == "batch_burst" else f"{k['rate_per_month']:g}"
        add(f"| {k['name']} | {k['per']} | {rate} | {k['description']} | {SOURCES.get(k['name'], 'assumption')} |")
    add("")
    add("### Labelled by what customers got\n")
    add(f"- **Customer-impacting** when failed requests + {lab['slow_weight']:g} × slow requests ≥ "
        f"{lab['min_bad_requests']:g}, or at least one message or stream record was processed later than its "
        f"freshness ({lab['queue_freshness_minutes']} min for queues, {lab['stream_freshness_minutes']} min for "
        "the stream), or one was dead-lettered, or one run of a job was not done. An event that touched no "
        "customer is not an incident, whatever its kind; the count is recorded per incident "
        "(`customers_got` in the JSON).\n"
        f"- **A failed request weighs more than a slow one**: a slow request (over {lab['slow_ms']:g} ms, the "
        "limit for a user's flow of thought to stay uninterrupted in Nielsen's "
        "[response-time limits](https://www.nngroup.com/articles/response-times-3-important-limits/)) was served, "
        f"late; a failed one was not served at all. A slow request counts {lab['slow_weight']:g} of a failed one, "
        f"so {lab['min_bad_requests']:g} failed requests or {lab['min_bad_requests'] / lab['slow_weight']:g} slow "
        "ones make an incident.\n"
        "- **A failed request** is one whose every attempt failed. Failures from a bug (outages, partial errors, "
        "slow burns) fail every attempt of the request they hit. Transient failures (the background rate, error "
        f"bursts) are retried by clients ({lab['client_attempts']} attempts, the AWS SDKs' standard mode) seconds "
        "apart, and each attempt fails with the share of the route's requests failing transiently in that minute: "
        f"a transiently failed request fails its customer with probability share^{lab['client_attempts'] - 1}. "
        "The background rate therefore reaches almost no one; a burst that fails every request of a quiet route "
        "does.\n"
        f"- **An asynchronous event** is customer impact when it was dropped or never delivered (one is enough: "
        f"a customer's work was not done) or run later than its freshness ({lab.get('event_freshness_minutes', 15)} "
        "min); **a workflow execution** that failed counts as a failed request.\n"
        f"- **Full outages** are {', '.join(results['full_outage_kinds'])} with at least "
        f"{results['full_outage_min_failed']} failed requests.\n")
    add(METHOD)
    return "\n".join(out)


METHOD = """## How it is built

- `benchmarks/fleet/spec.py` draws each service from its own seed: a REST API with 3 to 5 routes (a
  Lambda each), 3 to 5 helper functions the handlers call, 1 or 2 SQS queues with a dead-letter queue and
  a consumer, a DynamoDB-stream consumer in about a third of the services, a daily job in about half, 2 or
  3 tables; a fifth of the services are busy, half normal, the rest quiet. From a generator of their own:
  1 to 3 asynchronous event consumers (SNS, EventBridge rule or S3 notification -> Lambda), and in some
  services a Step Functions workflow, a Function URL, an AppSync GraphQL API, an ALB with a Lambda target
  group or a WebSocket API ("The fleet and its month" gives the shares and why).
- `app.py` builds one stack a service. The **per-resource 1 of 1** variant uses the functions of
  `examples/per_resource_baseline` (one source for both): on every function any error (1 of 1 five-minute
  periods), error rate over 1 %, any throttle and p99 duration over 3 s; on every API any 5xx, 4xx rate over
  5 % and p99 latency over 1 s; on every queue the oldest message over 15 min, more than 1,000 waiting and
  any dead letter; on every table any system error or throttle; all to one SNS topic a service. The
  **hand-tuned** variant uses that example's `tuned_*` functions: 5xx rate over 1 % and p99 latency over 1 s on
  the API, error rate over 1 % on every function, oldest message over 15 min and any dead letter on queues,
  iterator age over 5 min on the stream consumer, each 3 of 3 five-minute periods; no DynamoDB, throttle, 4xx,
  queue-depth or function-duration alarm (issue 12 describes this setup at about $155 a month at 100
  services). **sensible_alarms** uses its constructs with their defaults.
- The other entrypoint kinds, the same three ways. **Per-resource 1 of 1**: what cdk-monitoring-constructs'
  facade offers for each resource: the four function alarms above on every function (async consumers,
  the workflow's step, the handlers behind a Function URL, an ALB, a GraphQL and a WebSocket API), any
  failed notification on an SNS topic, any failed, timed-out or aborted execution and p99 duration over
  1 min on a state machine, any 5xx, 4xx over 5 % and p99 over 1 s on an AppSync API (the facade has no
  monitoring for an S3 notification, an EventBridge rule, a Function URL, a Lambda target group or a
  WebSocket API). **Hand-tuned**: error rate over 1 % on every function, failed executions over 1 % of a
  state machine's, 5xx rate over 1 % and p99 over 1 s on an AppSync API, each 3 of 3. **sensible_alarms**:
  EventConsumerAlarms (15 min freshness), WorkflowAlarms (99.9 %), FunctionUrlAlarms,
  LoadBalancerTargetAlarms, GraphqlApiAlarms and WebSocketApiAlarms (99.9 %, 99 % under 1 s).
- `events.py` draws the catalogue; `traffic.py` simulates every resource minute by minute (diurnal curve in
  the customers' time zone, quieter weekends, Poisson counts), applies the events and counts what each did to
  customers; `metrics.py` turns that into exactly the CloudWatch series the alarms query; `replay_fleet.py`
  replays each service's alarms with `sensible_alarms.replay` and scores them per service with its scoring
  (a notification can only detect an incident of its own service).
- The synth is `python app.py` in a subprocess with the context the cdk CLI passes by default (path
  metadata on, creation stack traces off); time is wall clock, memory the process tree's peak.

## What this does not show

- The metrics are simulated, not recorded: the shape of traffic and of each event kind is a model, written
  in `traffic.py`. Real incidents are messier; the point is the same month through every alarm set.
- Client retries are modelled on the failure share, not simulated as extra requests: the retried attempts do
  not appear in the metrics.
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
    colors = {"none": "#9e9e9e", "per_resource": "#d95f02", "hand_tuned": "#7570b3", "sensible": "#1b9e77"}
    for variant in VARIANTS:
        axes[0].plot(xs, [s["variants"][variant]["notifications_per_day"] for s in sizes], marker="o",
                     color=colors[variant], label=LABELS[variant])
        axes[1].plot(xs, [s["variants"][variant]["recall"] or 0 for s in sizes], marker="o",
                     color=colors[variant], label=LABELS[variant])
        axes[2].plot(xs, [s["variants"][variant]["monthly_alarm_cost_usd"] for s in sizes], marker="o",
                     color=colors[variant], label=LABELS[variant])
    axes[0].set_yscale("symlog", linthresh=1)
    for ax, title in zip(axes, ("notifications a day", "recall", "alarm cost, $ a month"), strict=True):
        ax.set_title(title)
        ax.set_xlabel("services")
        ax.set_xticks(xs)
        ax.grid(alpha=0.3)
    axes[2].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)
