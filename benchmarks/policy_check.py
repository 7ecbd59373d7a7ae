"""Benchmark: ``sensible-alarms check`` on a 100-stack cloud assembly of 1000 Lambda functions.

How the assembly is made: ONE real stack is synthesized with aws-cdk-lib (the orders example's
service, 6 functions alarmed with this library, plus a catalog service of 4 functions behind a REST
API alarmed per resource with cdk-monitoring-constructs, so every rule has work to do), then its
template and metadata are written 100 times under renamed stacks (``Service000`` ... ``Service099``,
the stack name replaced everywhere in the JSON, as a 100-stack app would have it) into one
``manifest.json``. Synthesizing a real 100-stack app is not done: one stack takes several seconds of
jsii, and the check reads only the JSON either way.

Timed, excluding the synthesis: loading the assembly into the model (``load``), running every rule
(``check``), and both (``check_paths``, what the CLI does), best of 5 each. Writes
``benchmarks/results/policy_check.json``. Target: under 2 s on the project's 2-core machine.

Run: ``.venv/bin/python benchmarks/policy_check.py``
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "policy_check.json"
STACKS = 100
RUNS = 5
TARGET_SECONDS = 2.0
TEMPLATE_STACK = "OrdersService"

T = TypeVar("T")


def synthesize_one_stack(outdir: Path) -> Path:
    """The orders service plus a per-resource-alarmed catalog service, in one real stack."""
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    sys.path.insert(0, str(ROOT / "examples" / "orders_service"))
    import aws_cdk as cdk
    import cdk_monitoring_constructs as mc
    from aws_cdk import aws_apigateway as apigw
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_sns as sns
    from orders_stack import HANDLER, OrdersStack

    class BenchmarkService(OrdersStack):
        def __init__(self, scope: cdk.App, id: str, **kwargs: object) -> None:
            super().__init__(scope, id, **kwargs)
            topic = sns.Topic(self, "CatalogAlarms", enforce_ssl=True)
            monitoring = mc.MonitoringFacade(self, "Monitoring", alarm_factory_defaults=mc.AlarmFactoryDefaults(
                actions_enabled=True, alarm_name_prefix=id, action=mc.SnsAlarmActionStrategy(on_alarm_topic=topic)))
            api = apigw.RestApi(self, "CatalogApi", rest_api_name=f"{id}-catalog",
                                deploy_options=apigw.StageOptions(stage_name="prod"))
            for name in ("ListProducts", "GetProduct", "SearchProducts", "GetPrices"):
                function = lambda_.Function(self, name, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                            code=lambda_.Code.from_inline(HANDLER), timeout=cdk.Duration.seconds(10))
                api.root.add_resource(name.lower()).add_method("GET", apigw.LambdaIntegration(function))
                monitoring.monitor_lambda_function(
                    lambda_function=function,
                    add_fault_count_alarm={"Critical": mc.ErrorCountThreshold(max_error_count=0, datapoints_to_alarm=1,
                                                                              evaluation_periods=1)},
                    add_throttles_count_alarm={"Warning": mc.ErrorCountThreshold(max_error_count=0)},
                    add_latency_p99_alarm={"Warning": mc.LatencyThreshold(max_latency=cdk.Duration.seconds(3))})
            monitoring.monitor_api_gateway(api=api, api_stage="prod", add5_xx_fault_count_alarm={
                "Critical": mc.ErrorCountThreshold(max_error_count=0, datapoints_to_alarm=1, evaluation_periods=1)})

    app = cdk.App(outdir=str(outdir))
    BenchmarkService(app, TEMPLATE_STACK,
                     synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    app.synth()
    return outdir


def write_copies(single: Path, assembly: Path, stacks: int) -> None:
    """``stacks`` renamed copies of the one synthesized stack, in one cloud assembly."""
    manifest = json.loads((single / "manifest.json").read_text())
    artifact = manifest["artifacts"][TEMPLATE_STACK]
    template = (single / f"{TEMPLATE_STACK}.template.json").read_text()
    metadata = (single / artifact["additionalMetadataFile"]).read_text()
    assembly.mkdir(parents=True)
    artifacts = {}
    for index in range(stacks):
        name = f"Service{index:03d}"
        (assembly / f"{name}.template.json").write_text(template.replace(TEMPLATE_STACK, name))
        (assembly / f"{name}.metadata.json").write_text(metadata.replace(TEMPLATE_STACK, name))
        artifacts[name] = {
            "type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
            "properties": {"templateFile": f"{name}.template.json"},
            "additionalMetadataFile": f"{name}.metadata.json", "displayName": name,
        }
    (assembly / "manifest.json").write_text(json.dumps({"version": manifest["version"], "artifacts": artifacts}))


def best_of(runs: int, work: Callable[[], T]) -> tuple[list[float], T]:
    times: list[float] = []
    result: T | None = None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(round(time.perf_counter() - start, 4))
    assert result is not None
    return times, result


def main() -> int:
    from sensible_alarms.model import load
    from sensible_alarms.policy import check, check_paths

    with tempfile.TemporaryDirectory(prefix="policy-check-") as temp:
        started = time.perf_counter()
        single = synthesize_one_stack(Path(temp) / "single")
        synth_seconds = time.perf_counter() - started
        assembly = Path(temp) / "cdk.out"
        write_copies(single, assembly, STACKS)
        size_mb = sum(f.stat().st_size for f in assembly.iterdir()) / 1e6

        load_runs, model = best_of(RUNS, lambda: load(assembly))
        check_runs = []
        for _ in range(RUNS):  # a fresh model each time: the rules' per-stack facts are not reused
            fresh = load(assembly)
            runs, report = best_of(1, lambda: check(fresh))  # noqa: B023 - called at once
            check_runs += runs
        total_runs, total_report = best_of(RUNS, lambda: check_paths(assembly))
        assert total_report.findings == report.findings

    functions = sum(1 for s in model.stacks for r in s.resources.values() if r.type == "AWS::Lambda::Function")
    result = {
        "benchmark": "policy_check",
        "description": f"load + check of a {STACKS}-stack cloud assembly ({functions} Lambda functions): one "
                       "real synthesized stack written 100 times under renamed stacks (synthesis not timed)",
        "best_seconds": min(total_runs),
        "runs_seconds": total_runs,
        "load_best_seconds": min(load_runs),
        "load_runs_seconds": load_runs,
        "check_best_seconds": min(check_runs),
        "check_runs_seconds": check_runs,
        "target_seconds": TARGET_SECONDS,
        "meets_target": min(total_runs) < TARGET_SECONDS,
        "stacks": len(model.stacks),
        "lambda_functions": functions,
        "resources": sum(len(s.resources) for s in model.stacks),
        "entrypoints": report.entrypoints,
        "alarms": report.alarms,
        "findings": len(report.findings),
        "findings_by_rule": dict(Counter(f.rule_id for f in report.findings)),
        "assembly_mb": round(size_mb, 1),
        "synthesis_seconds_not_timed": round(synth_seconds, 1),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"policy check of {result['stacks']} stacks, {functions} Lambda functions, {result['alarms']} alarms, "
          f"{result['entrypoints']} entrypoints ({result['assembly_mb']} MB of JSON):")
    print(f"  load  best {result['load_best_seconds']:.3f} s  runs {load_runs}")
    print(f"  check best {result['check_best_seconds']:.3f} s  runs {check_runs}")
    print(f"  total best {result['best_seconds']:.3f} s  runs {total_runs}  (target < {TARGET_SECONDS:g} s: "
          f"{'met' if result['meets_target'] else 'MISSED'})")
    print(f"  {result['findings']} findings: {result['findings_by_rule']}")
    print(f"  wrote {RESULT.relative_to(ROOT)}")
    return 0 if result["meets_target"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
