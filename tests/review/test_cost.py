"""Monthly cost estimates follow the one pricing table, metric by metric."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from templates import expression_alarm, single_metric_alarm, write_template

from sensible_alarms.review import DEFAULT_PRICING, AlarmPricing, review_stacks
from sensible_alarms.review.pricing import load_pricing

P = DEFAULT_PRICING


def _alarm_cost(tmp_path: Path, resource: dict, pricing: AlarmPricing = P) -> float:
    review = review_stacks(write_template(tmp_path / "t.json", {"A": resource}), pricing=pricing)
    (alarm,) = review.stacks[0].other_alarms
    assert review.monthly_cost == alarm.monthly_cost
    return alarm.monthly_cost


class TestAlarmCost:
    def test_a_single_metric_alarm_costs_one_standard_metric(self, tmp_path: Path):
        """A metric alarm on one metric at 60 s costs one standard alarm metric."""
        assert _alarm_cost(tmp_path, single_metric_alarm()) == pytest.approx(P.standard_per_metric)

    def test_a_two_metric_expression_costs_two_standard_metrics(self, tmp_path: Path):
        """A metric-math alarm is billed per metric in the expression, not per alarm."""
        assert _alarm_cost(tmp_path, expression_alarm("a", "b")) == pytest.approx(2 * P.standard_per_metric)

    def test_a_three_metric_expression_costs_three_standard_metrics(self, tmp_path: Path):
        """Three metrics in the expression cost three standard metrics."""
        assert _alarm_cost(tmp_path, expression_alarm("a", "b", "c")) == pytest.approx(3 * P.standard_per_metric)

    def test_a_composite_costs_the_composite_price(self, tmp_path: Path):
        """A composite alarm costs the composite price whatever its rule names."""
        composite = {"Type": "AWS::CloudWatch::CompositeAlarm",
                     "Properties": {"AlarmRule": 'ALARM("x") OR ALARM("y") OR ALARM("z")'}}
        assert _alarm_cost(tmp_path, composite) == pytest.approx(P.composite)

    def test_a_high_resolution_alarm_costs_the_high_resolution_price_per_metric(self, tmp_path: Path):
        """A period under 60 s bills every metric at the high-resolution price."""
        assert _alarm_cost(tmp_path, single_metric_alarm(period=10)) == pytest.approx(P.high_resolution_per_metric)
        assert _alarm_cost(tmp_path, expression_alarm("a", "b", period=30)) == pytest.approx(
            2 * P.high_resolution_per_metric)

    def test_an_anomaly_detection_alarm_costs_three_metrics(self, tmp_path: Path):
        """An anomaly-detection alarm is billed as the metric and the band's two bounds."""
        band = expression_alarm("m", ThresholdMetricId="band", ComparisonOperator="GreaterThanUpperThreshold")
        band["Properties"].pop("Threshold")
        band["Properties"]["Metrics"].append({"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(m, 2)"})
        assert _alarm_cost(tmp_path, band) == pytest.approx(P.anomaly_detection_metrics * P.standard_per_metric)

    def test_overridden_prices_are_used(self, tmp_path: Path):
        """A pricing file overrides the table; fields it does not name keep their defaults."""
        prices = tmp_path / "prices.json"
        prices.write_text(json.dumps({"standard_per_metric": 1.0}))
        pricing = load_pricing(prices)
        assert pricing.composite == P.composite
        assert _alarm_cost(tmp_path, expression_alarm("a", "b"), pricing) == pytest.approx(2.0)


def _independent_total(template: dict) -> float:
    """The example's cost counted straight from the template: composites at the composite price, metric
    alarms at one standard metric per MetricStat query (or one for a single-metric alarm)."""
    total = 0.0
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::CloudWatch::CompositeAlarm":
            total += P.composite
        elif resource["Type"] == "AWS::CloudWatch::Alarm":
            queries = resource["Properties"].get("Metrics")
            total += P.standard_per_metric * (sum("MetricStat" in q for q in queries) if queries else 1)
    return total


class TestOrdersExampleCost:
    def test_the_total_matches_the_template_counted_independently(self, orders_assembly: Path, orders_template):
        """The review's total equals the alarm metrics and composites counted from the template."""
        review = review_stacks(orders_assembly)
        assert review.monthly_cost == pytest.approx(_independent_total(orders_template))
        assert review.monthly_cost == pytest.approx(11.80)

    def test_entrypoint_costs_add_up_to_the_stack_cost(self, orders_assembly: Path):
        """Every alarm of the example belongs to exactly one entrypoint, so their costs add up."""
        (stack,) = review_stacks(orders_assembly).stacks
        assert sum(e.monthly_cost for e in stack.entrypoints) == pytest.approx(stack.monthly_cost)
        assert not stack.other_alarms


class TestCostOptions:
    def test_the_api_with_tickets_is_offered_to_drop_them_per_slo_and_for_both(self, orders_assembly: Path):
        """The orders API (which opts into tickets) is offered tickets=False per SLO and on both, and
        outage_notifier=False, each saving."""
        (stack,) = review_stacks(orders_assembly).stacks
        (api,) = [e for e in stack.entrypoints if e.kind == "api"]
        saves = {o.option: o.saves for o in api.cost_options}
        both = "AvailabilitySlo(..., tickets=False) and LatencySlo(..., tickets=False)"
        assert set(saves) == {"AvailabilitySlo(..., tickets=False)", "LatencySlo(..., tickets=False)", both,
                              "ApiAlarms(..., outage_notifier=False)"}
        assert all(s > 0 for s in saves.values())
        # Only dropping both SLOs' tickets drops the LOW composites too.
        assert saves[both] > saves["AvailabilitySlo(..., tickets=False)"] + saves["LatencySlo(..., tickets=False)"]

    def test_entrypoints_without_burn_rate_windows_have_no_tickets_option(self, orders_assembly: Path):
        """A queue, a stream and a job are offered no tickets option; the queue and the stream's failure queue
        the exact count of arrivals."""
        (stack,) = review_stacks(orders_assembly).stacks
        assert {e.kind: [o.option for o in e.cost_options] for e in stack.entrypoints if e.kind != "api"} == {
            "queue_consumer": ["QueueConsumerAlarms(..., exact_dead_letter_arrivals=True)"],
            "stream_consumer": ["StreamConsumerAlarms(..., exact_failure_arrivals=True)"], "scheduled_job": []}

    def test_the_markdown_prints_each_option_with_the_cost_it_leaves(self, orders_assembly: Path):
        """The report's entrypoint section has one line per option: the code, the monthly cost left and the saving."""
        from sensible_alarms.review.markdown import review_markdown

        review = review_stacks(orders_assembly)
        (api,) = [e for e in review.stacks[0].entrypoints if e.kind == "api"]
        text = review_markdown(review)
        assert api.cost_options
        for option in api.cost_options:
            left = f"${api.monthly_cost - option.saves:,.2f}"
            change = f"${option.saves:,.2f} less" if option.saves >= 0 else f"${-option.saves:,.2f} more"
            trade = f"gives up {option.gives_up}" if option.gives_up else f"gets {option.gets}"
            assert f"- Cost option: `{option.option}`: {left} a month ({change}); {trade}" in text


def _synthesized_review_cost(tmp_path: Path, name: str, build) -> tuple[float, tuple]:
    """Synthesize a stack with `build(stack)`, lint it, and return the review's cost of its one
    entrypoint and that entrypoint's options."""
    import aws_cdk as cdk

    from cdk_support import synth

    stack = cdk.Stack(cdk.App(), name)
    build(stack)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(synth(stack)), encoding="utf-8")
    (entry,) = review_stacks(path).stacks[0].entrypoints
    return entry.monthly_cost, entry.cost_options


def _api(tickets: bool):
    import aws_cdk as cdk
    from aws_cdk import aws_apigateway as apigw

    from construct_replay import function
    from sensible_alarms import AlarmRouting, ApiAlarms, AvailabilitySlo, LatencySlo

    def build(stack) -> None:
        api = apigw.RestApi(stack, "Api", deploy_options=apigw.StageOptions(stage_name="prod"))
        api.root.add_resource("r").add_method("GET", apigw.LambdaIntegration(function(stack, "Route")))
        ApiAlarms(stack, "ApiAlarms", api=api, routing=AlarmRouting(stack, "Routing", high_emails=["a@example.com"]),
                  availability=AvailabilitySlo(target=99.9, tickets=tickets),
                  latency=LatencySlo(threshold=cdk.Duration.seconds(1), target=99.0, tickets=tickets))
    return build


def _queue(exact: bool):
    from aws_cdk import aws_sqs as sqs

    from sensible_alarms import AlarmRouting, FreshnessSlo, QueueConsumerAlarms

    def build(stack) -> None:
        import aws_cdk as cdk

        dlq = sqs.Queue(stack, "DeadLetters", enforce_ssl=True)
        queue = sqs.Queue(stack, "Queue", enforce_ssl=True,
                          dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq))
        QueueConsumerAlarms(stack, "QueueAlarms", queue=queue,
                            routing=AlarmRouting(stack, "Routing", high_emails=["a@example.com"]),
                            freshness=FreshnessSlo(max_age=cdk.Duration.minutes(15)),
                            exact_dead_letter_arrivals=exact)
    return build


class TestOptionsPricedAgainstTheirSynthesis:
    def test_tickets_true_costs_what_the_api_with_tickets_costs_more(self, tmp_path: Path):
        """An API without tickets is offered tickets=True at exactly the cost its synthesis with tickets adds."""
        without, options = _synthesized_review_cost(tmp_path, "NoTickets", _api(tickets=False))
        with_tickets, back = _synthesized_review_cost(tmp_path, "Tickets", _api(tickets=True))
        (both,) = [o for o in options if " and " in o.option]
        assert both.option == "AvailabilitySlo(..., tickets=True) and LatencySlo(..., tickets=True)"
        assert both.saves < 0
        assert both.gets
        assert not both.gives_up
        assert without - both.saves == pytest.approx(with_tickets)
        (back_both,) = [o for o in back if " and " in o.option]
        assert with_tickets - back_both.saves == pytest.approx(without)

    def test_each_way_of_counting_dead_letters_is_priced_as_the_other_synthesizes(self, tmp_path: Path):
        """A queue consumer is offered the other dead-letter count at the cost difference its synthesis shows."""
        one, (exact_option,) = _synthesized_review_cost(tmp_path, "OneMetric", _queue(exact=False))
        three, (one_option,) = _synthesized_review_cost(tmp_path, "Exact", _queue(exact=True))
        assert exact_option.option == "QueueConsumerAlarms(..., exact_dead_letter_arrivals=True)"
        assert one_option.option == "QueueConsumerAlarms(..., exact_dead_letter_arrivals=False)"
        assert three - one == pytest.approx(2 * P.standard_per_metric)
        assert one - exact_option.saves == pytest.approx(three)
        assert three - one_option.saves == pytest.approx(one)


def _webhook(every_minutes: int | None):
    """A Function URL entrypoint, with a probe every `every_minutes` (None: no probe)."""
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_

    from construct_replay import function
    from sensible_alarms import AlarmRouting, AvailabilitySlo, FunctionUrlAlarms, Probe

    def build(stack) -> None:
        url = function(stack, "Hook").add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)
        probe = None if every_minutes is None else Probe(url="https://hooks.example.com/health",
                                                          every=cdk.Duration.minutes(every_minutes))
        FunctionUrlAlarms(stack, "WebhookAlarms", url=url, availability=AvailabilitySlo(99.9), probe=probe,
                          routing=AlarmRouting(stack, "Routing", high_emails=["a@example.com"]))
    return build


def _stream(exact: bool | None):
    """A stream consumer with a failure-destination queue counted exactly or not (None: a topic)."""
    from aws_cdk import aws_sns as sns
    from aws_cdk import aws_sqs as sqs

    from construct_replay import function
    from sensible_alarms import AlarmRouting, FreshnessSlo, StreamConsumerAlarms

    def build(stack) -> None:
        import aws_cdk as cdk

        destination = sns.Topic(stack, "Failed") if exact is None else sqs.Queue(stack, "Failed", enforce_ssl=True)
        StreamConsumerAlarms(stack, "StreamAlarms", function=function(stack, "Consumer"),
                             routing=AlarmRouting(stack, "Routing", high_emails=["a@example.com"]),
                             freshness=FreshnessSlo(max_age=cdk.Duration.minutes(15)),
                             failure_destination=destination, exact_failure_arrivals=bool(exact))
    return build


class TestStreamFailureArrivals:
    def test_each_way_of_counting_failed_records_is_priced_as_the_other_synthesizes(self, tmp_path: Path):
        """A stream's failure-destination queue is offered the other count at the cost its synthesis shows."""
        one, (exact_option,) = _synthesized_review_cost(tmp_path, "OneMetric", _stream(exact=False))
        three, (one_option,) = _synthesized_review_cost(tmp_path, "Exact", _stream(exact=True))
        assert exact_option.option == "StreamConsumerAlarms(..., exact_failure_arrivals=True)"
        assert one_option.option == "StreamConsumerAlarms(..., exact_failure_arrivals=False)"
        assert "failed records" in one_option.gives_up
        assert three - one == pytest.approx(2 * P.standard_per_metric)
        assert one - exact_option.saves == pytest.approx(three)

    def test_a_topic_destination_is_offered_no_count_option(self, tmp_path: Path):
        """A topic's deliveries are one exact metric: no option to count them another way."""
        _, options = _synthesized_review_cost(tmp_path, "Topic", _stream(exact=None))
        assert options == ()


class TestProbeCost:
    @pytest.mark.parametrize("minutes", [1, 5])
    def test_a_probe_adds_its_runs_to_the_entrypoint_and_stack_cost(self, tmp_path: Path, minutes: int):
        """A probed entrypoint costs its alarms plus its runs at the run price, in entrypoint, stack and total."""
        import aws_cdk as cdk

        from cdk_support import synth

        stack = cdk.Stack(cdk.App(), f"Probed{minutes}")
        _webhook(minutes)(stack)
        path = tmp_path / "probed.json"
        path.write_text(json.dumps(synth(stack)), encoding="utf-8")
        review = review_stacks(path)
        (entry,) = review.stacks[0].entrypoints
        (probe,) = entry.probes
        runs = 30 * 24 * 60 // minutes
        assert probe.schedule == f"rate({minutes} minute{'s' if minutes > 1 else ''})"
        assert probe.runs_per_month == runs
        assert probe.monthly_cost == pytest.approx(round(runs * P.canary_run, 2))
        alarms = sum(a.monthly_cost for a in entry.alarms)
        assert entry.monthly_cost == pytest.approx(alarms + probe.monthly_cost)
        assert review.stacks[0].monthly_cost == pytest.approx(entry.monthly_cost)
        assert review.monthly_cost == pytest.approx(entry.monthly_cost)

    def test_the_probe_adds_exactly_its_price_to_the_unprobed_entrypoint(self, tmp_path: Path):
        """With a probe every 5 min, the entrypoint costs the unprobed one plus its alarm member and its runs."""
        without, _ = _synthesized_review_cost(tmp_path, "Unprobed", _webhook(None))
        with_probe, _ = _synthesized_review_cost(tmp_path, "Probed", _webhook(5))
        from sensible_alarms.constructs.probe import probe_monthly_cost

        member = 2 * P.standard_per_metric  # ProbeFailing reads the runs' average and their count
        assert with_probe - without == pytest.approx(member + probe_monthly_cost(300))

    def test_the_markdown_names_the_probe_and_its_price(self, tmp_path: Path):
        """The review's markdown prints the probe's schedule, runs and price under the entrypoint's cost."""
        import aws_cdk as cdk

        from cdk_support import synth
        from sensible_alarms.commands.review import run_review

        stack = cdk.Stack(cdk.App(), "ProbedMd")
        _webhook(5)(stack)
        path = tmp_path / "probed.json"
        path.write_text(json.dumps(synth(stack)), encoding="utf-8")
        text = run_review([path])
        assert "- Synthetic probe: " in text
        assert "rate(5 minutes): 8,640 runs, $10.37 a month (in the monthly cost)" in text
        assert "rate(5 minutes): 8,640 runs, $10.37 a month" in run_review([path], output_format="html")


class TestCanarySchedules:
    @pytest.mark.parametrize(("expression", "seconds"), [
        ("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(1 hour)", 3600), ("rate(2 hours)", 7200),
        ("rate(0 minutes)", None), ("cron(0/5 * * * ? *)", None), ("", None),
    ])
    def test_a_rate_is_read_as_seconds_and_anything_else_is_not_priced(self, expression: str, seconds):
        """rate(N unit) gives seconds between runs; a single run, a cron or nothing gives None (unpriced)."""
        from sensible_alarms.model import Canary
        from sensible_alarms.model.resources import canary_every_seconds
        from sensible_alarms.review.pricing import canary_monthly_cost

        assert canary_every_seconds(expression) == seconds
        cost = canary_monthly_cost(Canary("C", None, expression, seconds))
        assert (cost is None) == (seconds is None)
