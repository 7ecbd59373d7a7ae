"""Benchmark: the replay engine on 1000 alarms over 30 days of one-minute data.

Synthetic but shaped like a real serverless estate (fixed seed): 250 entrypoints, each with
request and error counts (errors sparse: no row in a minute without errors, as CloudWatch
publishes them), latency Sum/SampleCount, a per-minute p99 at 5 minutes, and a queue age. Each
entrypoint has four metric alarms (1000 in all) and one composite (250), a fifth of them with
an actions suppressor:

1. errors Sum over 5 min, 2 of 3, notBreaching;
2. latency Average over 5 min (derived from Sum / SampleCount), 3 of 3;
3. latency p99 over 5 min from its own per-minute rows, 3 of 5;
4. even entrypoints: error-rate metric math over 1 h with a minimum-traffic guard
   (``IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)``); odd ones: queue age Maximum,
   5 of 5 at 1 min;
5. composite ``ALARM(errors) OR ALARM(rate-or-age)``.

Times :func:`sensible_alarms.replay.replay` (best of 3) and writes
``benchmarks/results/replay_engine.json``. Target: under 10 s on the project's 2-core machine.
With ``--with-load`` it also writes the same data as a Parquet metrics file (one row per
datapoint, about 57 million rows) and times :func:`sensible_alarms.replay.load_metrics` on it,
reported apart from the target (needs about 8 GiB of memory).

Run: ``.venv/bin/python benchmarks/replay_engine.py [--with-load]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from sensible_alarms.replay import (
    CompositeAlarmDef,
    ExpressionQuery,
    MetricAlarmDef,
    MetricStatQuery,
    MetricStore,
    SeriesKey,
    load_metrics,
    replay,
    timeline_to_dict,
    write_json_atomic,
)

SEED = 7
ENTRYPOINTS = 250
DAYS = 30
TARGET_SECONDS = 10.0
START = datetime(2024, 4, 1, tzinfo=UTC)
HISTORY_MINUTES = 6 * 60  # rows before the replay start, as a real export would have
RESULT = Path(__file__).resolve().parent / "results" / "replay_engine.json"


def entrypoints(rng: np.random.Generator) -> list[dict[str, float]]:
    """Each entrypoint's traffic and latency levels, shared by its metrics and its alarms."""
    return [{"requests": rng.uniform(20, 400), "latency": rng.uniform(50, 300), "p99_factor": rng.uniform(2.5, 4)}
            for _ in range(ENTRYPOINTS)]


def build_metrics(rng: np.random.Generator, levels: list[dict[str, float]]) -> tuple[MetricStore, int]:
    """One row per series, one column per minute (NaN = no row)."""
    minutes = DAYS * 1440 + HISTORY_MINUTES
    t = np.arange(minutes)
    keys: list[SeriesKey] = []
    rows: list[np.ndarray] = []
    for e, level in enumerate(levels):
        dims = (("Entrypoint", f"svc-{e:03d}"),)
        base = level["requests"]
        daily = 1 + 0.6 * np.sin(2 * np.pi * (t / 1440 + rng.uniform()))
        requests = rng.poisson(base * daily).astype(np.float64)
        error_rate = np.full(minutes, rng.uniform(0.0005, 0.003))
        for _ in range(rng.integers(2, 8)):  # incidents: error bursts of 10 to 90 minutes
            at = rng.integers(0, minutes - 100)
            error_rate[at:at + rng.integers(10, 90)] = rng.uniform(0.05, 0.5)
        errors = rng.binomial(requests.astype(np.int64), error_rate).astype(np.float64)
        errors[errors == 0] = np.nan  # no row when nothing failed
        latency_mean = level["latency"] * (1 + 0.8 * (error_rate > 0.01)) * rng.lognormal(0, 0.1, minutes)
        latency_sum = latency_mean * requests
        p99 = latency_mean * level["p99_factor"] * rng.lognormal(0, 0.15, minutes)
        age = np.maximum(0, np.cumsum(rng.normal(0, 5, minutes)) % 900)
        for metric, stat, period, values in (
            ("Requests", "Sum", 60, requests), ("Errors", "Sum", 60, errors),
            ("Latency", "Sum", 60, latency_sum), ("Latency", "SampleCount", 60, requests),
            ("Latency", "p99", 300, p99), ("QueueAge", "Maximum", 60, age),
        ):
            keys.append(SeriesKey("Bench", metric, dims, stat, period))
            rows.append(values)
    origin = int((START - timedelta(minutes=HISTORY_MINUTES)).timestamp())
    return MetricStore(keys, origin, np.vstack(rows), source="synthetic"), len(keys)


def build_alarms(rng: np.random.Generator,
                 levels: list[dict[str, float]]) -> tuple[list[MetricAlarmDef], list[CompositeAlarmDef]]:
    alarms: list[MetricAlarmDef] = []
    composites: list[CompositeAlarmDef] = []
    for e, level in enumerate(levels):
        name = f"svc-{e:03d}"
        dims = (("Entrypoint", name),)

        def query(qid: str, metric: str, stat: str, period: int, *, returned: bool = True,
                  dims: tuple[tuple[str, str], ...] = dims) -> MetricStatQuery:
            return MetricStatQuery(id=qid, namespace="Bench", metric=metric, dimensions=dims, stat=stat,
                                   period=period, return_data=returned)

        alarms.append(MetricAlarmDef(name=f"{name}-errors", queries=(query("m1", "Errors", "Sum", 300),),
                                     threshold=float(rng.integers(20, 60)), evaluation_periods=3,
                                     datapoints_to_alarm=2, comparison_operator="GreaterThanOrEqualToThreshold",
                                     treat_missing_data="notBreaching", has_actions=False))
        alarms.append(MetricAlarmDef(name=f"{name}-latency", queries=(query("m1", "Latency", "Average", 300),),
                                     threshold=level["latency"] * 1.5, evaluation_periods=3,
                                     comparison_operator="GreaterThanThreshold", has_actions=True))
        alarms.append(MetricAlarmDef(name=f"{name}-p99", queries=(query("m1", "Latency", "p99", 300),),
                                     threshold=level["latency"] * level["p99_factor"] * 1.6, evaluation_periods=5,
                                     datapoints_to_alarm=3, comparison_operator="GreaterThanThreshold",
                                     has_actions=True))
        if e % 2 == 0:
            fourth = MetricAlarmDef(
                name=f"{name}-rate",
                queries=(query("errors", "Errors", "Sum", 3600, returned=False),
                         query("requests", "Requests", "Sum", 3600, returned=False),
                         ExpressionQuery(id="rate",
                                         expression="IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)")),
                threshold=2.0, evaluation_periods=1, comparison_operator="GreaterThanThreshold", has_actions=False)
        else:
            fourth = MetricAlarmDef(name=f"{name}-age", queries=(query("m1", "QueueAge", "Maximum", 60),),
                                    threshold=600.0, evaluation_periods=5,
                                    comparison_operator="GreaterThanOrEqualToThreshold", has_actions=False)
        alarms.append(fourth)
        composites.append(CompositeAlarmDef(
            name=f"{name}-customers", alarm_rule=f'ALARM("{name}-errors") OR ALARM("{fourth.name}")',
            has_actions=True, actions_suppressor=f"{name}-latency" if e % 5 == 0 else None))
    return alarms, composites


def time_parquet_load(metrics: MetricStore) -> dict[str, float | int]:
    """Write the store as a Parquet metrics file (dictionary-encoded names, UTC timestamp column)
    and time loading it back."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    series, minute = np.nonzero(~np.isnan(metrics.values))
    keys = metrics.keys

    def names(values: list[str]) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(pa.array(series.astype(np.int32)), pa.array(values))

    table = pa.table({
        "timestamp": pa.array(metrics.origin + 60 * minute, type=pa.timestamp("s", tz="UTC")),
        "namespace": names([k.namespace for k in keys]),
        "metric": names([k.metric for k in keys]),
        "dimensions": names([",".join(f"{n}={v}" for n, v in k.dimensions) for k in keys]),
        "stat": names([k.stat for k in keys]),
        "period": pa.array(np.array([k.period for k in keys])[series]),
        "value": pa.array(metrics.values[series, minute]),
    })
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "metrics.parquet"
        pq.write_table(table, path)
        size = path.stat().st_size
        del table
        started = time.perf_counter()
        loaded = load_metrics(path)
        seconds = time.perf_counter() - started
    assert len(loaded) == len(metrics)
    return {"rows": int(series.size), "file_mb": round(size / 1e6, 1), "seconds": round(seconds, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the best is reported (default: 3)")
    parser.add_argument("--output", type=Path, default=RESULT, help=f"result file (default: {RESULT})")
    parser.add_argument("--with-load", action="store_true",
                        help="also time load_metrics on the data written as Parquet (not part of the target)")
    args = parser.parse_args()

    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    levels = entrypoints(rng)
    metrics, series = build_metrics(rng, levels)
    alarms, composites = build_alarms(rng, levels)
    generate_seconds = time.perf_counter() - started
    end = START + timedelta(days=DAYS)

    runs = []
    result = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = replay(alarms, composites, metrics, START, end)
        runs.append(time.perf_counter() - t0)
    assert result is not None
    best = min(runs)
    t0 = time.perf_counter()
    timeline_json = json.dumps(timeline_to_dict(result))
    json_seconds = time.perf_counter() - t0
    transitions = sum(len(t.changes) for t in result.timelines.values())
    report = {
        "benchmark": "replay_engine",
        "description": "replay() of 1000 metric alarms and 250 composites over 30 days of one-minute data",
        "best_seconds": round(best, 3),
        "runs_seconds": [round(r, 3) for r in runs],
        "target_seconds": TARGET_SECONDS,
        "meets_target": best < TARGET_SECONDS,
        "metric_alarms": len(alarms),
        "composite_alarms": len(composites),
        "series": series,
        "days": DAYS,
        "evaluations_per_alarm": DAYS * 1440,
        "datapoints": int(metrics.values.size),
        "notifications": len(result.notifications),
        "state_changes": transitions,
        "suppressed": len(result.suppressed),
        "timeline_json_seconds": round(json_seconds, 3),
        "timeline_json_mb": round(len(timeline_json) / 1e6, 1),
        "data_generation_seconds": round(generate_seconds, 3),
        "parquet_load": time_parquet_load(metrics) if args.with_load else None,
        "seed": SEED,
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "cpus": os.cpu_count(),
                    "platform": platform.platform()},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(report, args.output)
    print(f"replay of {len(alarms)} alarms + {len(composites)} composites over {DAYS} days: best {best:.2f} s "
          f"(runs: {', '.join(f'{r:.2f}' for r in runs)}; target < {TARGET_SECONDS:.0f} s) -> {args.output}")
    return 0 if best < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
