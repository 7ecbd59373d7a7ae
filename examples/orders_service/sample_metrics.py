#!/usr/bin/env python3
"""Make the bundled sample metrics of the orders service: 10 days of 1-minute CloudWatch datapoints
for every metric its alarms query, with labelled events, written to sample/metrics.parquet and
sample/incidents.yaml. Fixed seed: the same files every run.

The traffic is made up but shaped like a real service (diurnal requests, a quiet night, background
errors); the events are the ones this library is meant to tell apart: customer-impacting outages,
error bursts, latency regressions, a stuck consumer, a poison message, stream lag and a failing
nightly job, against noise that needs no human (a single transient error burst, a cold-start
latency spike at night, a job run that fails once and succeeds on retry).

Usage: python sample_metrics.py [cdk.out [outdir]]   (default: ./cdk.out, synthesized by app.py; ./sample)
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import yaml

from sensible_alarms.replay.from_templates import alarm_set_from_templates

HERE = Path(__file__).resolve().parent
START = datetime(2026, 11, 1, tzinfo=UTC)
#: Days 0 to 2 only fill the windows (the longest, "has the nightly job run since its deploy?",
#: spans 54 h); the replay covers days 2 to 9.
DAYS = 10
MINUTES = DAYS * 1440
SEED = 20261101
DERIVABLE = {"Sum", "SampleCount", "Minimum", "Maximum", "Average"}


def minute(day: int, hour: int, minute_of_hour: int = 0) -> int:
    return day * 1440 + hour * 60 + minute_of_hour


def at(index: int) -> datetime:
    return START + timedelta(minutes=index)


# (id, first minute, last minute exclusive, customer impact, entrypoint, description)
EVENTS = [
    ("api-outage", minute(4, 14), minute(4, 14, 25), True, "OrdersApi",
     "Full outage of the orders API: every request fails with 5xx for 25 minutes."),
    ("api-partial-errors", minute(5, 9), minute(5, 12), True, "OrdersApi",
     "A bad deploy makes 4% of orders API requests fail for 3 hours."),
    ("api-latency", minute(6, 16), minute(6, 17, 30), True, "OrdersApi",
     "A slow dependency makes 25% of orders API requests take over 1 s for 90 minutes."),
    ("queue-stuck", minute(5, 3), minute(5, 4), True, "OrderQueue",
     "The fulfilment consumer is stuck for an hour: orders wait unprocessed."),
    ("poison-order", minute(7, 10, 30), minute(7, 10, 31), True, "OrderQueue",
     "One order fails every retry and lands on the dead-letter queue."),
    ("stream-lag", minute(6, 20), minute(6, 20, 40), True, "OrderEvents",
     "The order-events projector falls behind the table's stream for 40 minutes."),
    ("nightly-failing", minute(8, 2), minute(9, 9), True, "NightlyReport",
     "The nightly report fails on two nights running and is fixed the next morning; customers get no report."),
    ("transient-errors", minute(3, 11, 7), minute(3, 11, 8), False, "OrdersApi",
     "Five requests fail in one minute during a connection blip; clients retry and succeed."),
    ("cold-start-spike", minute(9, 3, 12), minute(9, 3, 13), False, "OrdersApi",
     "Three slow requests at night while functions start cold."),
    ("nightly-retried", minute(3, 2), minute(3, 2, 5), False, "NightlyReport",
     "The nightly report fails once and succeeds on Lambda's automatic retry."),
]


#: Each route handler's share of the API's requests (and of its errors): fixed, so the random draws
#: (and every other series) stay those of the sample before the routes were watched.
ROUTE_SHARES = {"ListOrders": 0.5, "GetOrder": 0.3, "CreateOrder": 0.2}


def simulate(rng: np.random.Generator) -> dict[str, np.ndarray]:
    t = np.arange(MINUTES)
    hour = (t % 1440) / 60
    # Requests per minute: ~30 at night, ~240 mid-afternoon.
    rate = 30 + 210 * np.clip(np.sin((hour - 6) / 24 * 2 * np.pi) * 1.15, 0, None) ** 1.5
    requests = rng.poisson(rate).astype(float)
    errors = rng.binomial(requests.astype(int), 0.0002).astype(float)
    slow = rng.binomial(requests.astype(int), 0.002).astype(float)
    age = rng.uniform(1, 25, MINUTES).round()
    iterator_age = rng.uniform(80, 1500, MINUTES).round()
    dlq_visible = np.zeros(MINUTES)
    dlq_deleted = np.zeros(MINUTES)
    fail_visible = np.zeros(MINUTES)
    invocations = np.full(MINUTES, np.nan)
    job_errors = np.full(MINUTES, np.nan)
    for day in range(DAYS):
        run = minute(day, 2)
        invocations[run], job_errors[run] = 1, 0

    def attempts(run: int, outcomes: list[bool]) -> None:
        """Lambda retries a failed asynchronous invocation after 1 and then 2 more minutes."""
        for offset, ok in zip((0, 1, 3), outcomes, strict=False):
            invocations[run + offset] = 1
            job_errors[run + offset] = 0 if ok else 1

    for event_id, lo, hi, _impact, _entry, _text in EVENTS:
        span = slice(lo, hi)
        if event_id == "api-outage":
            errors[span] = requests[span]
        elif event_id == "api-partial-errors":
            errors[span] = rng.binomial(requests[span].astype(int), 0.04)
        elif event_id == "api-latency":
            slow[span] = rng.binomial(requests[span].astype(int), 0.25)
        elif event_id == "queue-stuck":
            age[span] = np.arange(1, hi - lo + 1) * 60.0
        elif event_id == "poison-order":
            dlq_visible[lo:lo + 60] = 1  # sits on the DLQ for an hour, then is redriven
            dlq_deleted[lo + 60] = 1
        elif event_id == "stream-lag":
            iterator_age[span] = np.arange(1, hi - lo + 1) * 60_000.0
        elif event_id == "nightly-failing":
            for day in (8, 9):
                attempts(minute(day, 2), [False, False, False])
        elif event_id == "transient-errors":
            errors[lo] += 5
        elif event_id == "cold-start-spike":
            slow[lo] += 3
        elif event_id == "nightly-retried":
            attempts(minute(3, 2), [False, True])
    return {"requests": requests, "errors": errors, "slow": slow, "age": age, "iterator_age": iterator_age,
            "dlq_visible": dlq_visible, "dlq_deleted": dlq_deleted, "fail_visible": fail_visible,
            "invocations": invocations, "job_errors": job_errors}


def percent_fast(slow: np.ndarray, requests: np.ndarray, period_minutes: int) -> np.ndarray:
    """PR(:threshold) at a period, one value per minute: percent of requests in the trailing
    window that were fast. Missing (NaN) where the window held no request."""
    cs_slow = np.concatenate([[0], np.cumsum(slow)])
    cs_req = np.concatenate([[0], np.cumsum(requests)])
    idx = np.arange(1, MINUTES + 1)
    lo = np.maximum(idx - period_minutes, 0)
    window_req = cs_req[idx] - cs_req[lo]
    window_slow = cs_slow[idx] - cs_slow[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(window_req > 0, 100 * (1 - window_slow / window_req), np.nan)


def series_for(namespace: str, metric: str, stat: str, sim: dict[str, np.ndarray], dims: str) -> np.ndarray:
    if namespace == "AWS/ApiGateway":
        return {"5XXError": sim["errors"], "Count": sim["requests"], "Latency": sim["requests"]}[metric]
    if namespace == "AWS/SQS":
        failures = "StreamFailures" in dims
        if metric == "ApproximateAgeOfOldestMessage":
            return sim["age"]
        if metric == "ApproximateNumberOfMessagesVisible":
            return sim["fail_visible"] if failures else sim["dlq_visible"]
        if metric == "ApproximateNumberOfMessagesNotVisible":
            return np.zeros(MINUTES)
        if metric == "NumberOfMessagesDeleted":
            return np.zeros(MINUTES) if failures else sim["dlq_deleted"]
    if namespace == "AWS/Lambda":
        handler = next((share for name, share in ROUTE_SHARES.items() if f"FunctionName=${{{name}" in dims), None)
        if handler is not None:
            # A route's handler (ApiAlarms' RouteOutage5m): its share of the API's requests and errors,
            # published only in minutes it was invoked.
            requests = sim["requests"] * handler
            values = {"Invocations": requests, "Errors": sim["errors"] * handler}[metric]
            return np.where(requests > 0, values, np.nan)
        return {"IteratorAge": sim["iterator_age"], "Invocations": sim["invocations"],
                "Errors": sim["job_errors"]}[metric]
    raise SystemExit(f"sample_metrics: no simulation for {namespace} {metric} {stat}")


def main(assembly: Path, out: Path = HERE / "sample") -> None:
    rng = np.random.default_rng(SEED)
    sim = simulate(rng)
    alarm_set = alarm_set_from_templates(assembly)
    wanted: dict[tuple[str, str, str, str, int], None] = {}
    for alarm in alarm_set.alarms:
        for q in alarm.metric_queries:
            dims = ",".join(f"{k}={v}" for k, v in q.dimensions)
            period = 60 if q.stat in DERIVABLE else q.period
            wanted[(q.namespace, q.metric, dims, q.stat, period)] = None
    columns: dict[str, list[object]] = {c: [] for c in
                                        ("timestamp", "namespace", "metric", "dimensions", "stat", "period", "value")}
    for namespace, metric, dims, stat, period in sorted(wanted):
        if stat.startswith("PR("):
            values = percent_fast(sim["slow"], sim["requests"], period // 60)
            stamps = [at(i + 1 - period // 60) for i in range(MINUTES)]  # start of each trailing window
        else:
            values = series_for(namespace, metric, stat, sim, dims)
            stamps = [at(i) for i in range(MINUTES)]
        for stamp, value in zip(stamps, values, strict=True):
            if np.isnan(value):
                continue
            columns["timestamp"].append(stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))
            columns["namespace"].append(namespace)
            columns["metric"].append(metric)
            columns["dimensions"].append(dims)
            columns["stat"].append(stat)
            columns["period"].append(period)
            columns["value"].append(float(value))
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), out / "metrics.parquet", compression="zstd")
    incidents = [
        {"id": event_id, "start": at(lo).strftime("%Y-%m-%dT%H:%M:%SZ"), "end": at(hi).strftime("%Y-%m-%dT%H:%M:%SZ"),
         "customer_impact": impact, "entrypoint": entry, "description": text}
        for event_id, lo, hi, impact, entry, text in EVENTS
    ]
    (out / "incidents.yaml").write_text(yaml.safe_dump(incidents, sort_keys=False, width=120))
    print(f"wrote {len(columns['value'])} datapoints of {len(wanted)} series and {len(incidents)} events to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "cdk.out",
         Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "sample")
