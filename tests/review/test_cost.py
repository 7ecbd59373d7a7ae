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
        assert review.monthly_cost == pytest.approx(9.40)

    def test_entrypoint_costs_add_up_to_the_stack_cost(self, orders_assembly: Path):
        """Every alarm of the example belongs to exactly one entrypoint, so their costs add up."""
        (stack,) = review_stacks(orders_assembly).stacks
        assert sum(e.monthly_cost for e in stack.entrypoints) == pytest.approx(stack.monthly_cost)
        assert not stack.other_alarms


def _low_cost(template: dict, signal: str | None) -> float:
    """The API's LOW alarms counted straight from the template: its LOW windows (of one signal, or all
    of them with the LOW composites when ``signal`` is None)."""
    total = 0.0
    for resource in template["Resources"].values():
        meta = resource.get("Metadata", {}).get("SensibleAlarms", {})
        if meta.get("entrypointKind") != "api" or meta.get("urgency") != "LOW":
            continue
        if resource["Type"] == "AWS::CloudWatch::CompositeAlarm":
            total += P.composite if signal is None else 0.0
        elif signal in (None, meta["signal"]):
            total += P.standard_per_metric * sum("MetricStat" in q for q in resource["Properties"]["Metrics"])
    return total


class TestCostOptions:
    def test_the_api_shows_what_each_tickets_option_saves(self, orders_assembly: Path, orders_template):
        """Each `tickets=False` option of the orders API saves what its LOW alarms cost in the template."""
        (stack,) = review_stacks(orders_assembly).stacks
        (api,) = [e for e in stack.entrypoints if e.kind == "api"]
        saves = {o.option: o.saves for o in api.cost_options}
        assert saves == pytest.approx({
            "AvailabilitySlo(..., tickets=False)": _low_cost(orders_template, "availability"),
            "LatencySlo(..., tickets=False)": _low_cost(orders_template, "latency"),
            "AvailabilitySlo(..., tickets=False) and LatencySlo(..., tickets=False)": _low_cost(orders_template, None),
        })

    def test_entrypoints_without_low_burn_rate_windows_have_no_option(self, orders_assembly: Path):
        """A queue, a stream and a job (whose LOW alarms are its only signal) are offered nothing."""
        (stack,) = review_stacks(orders_assembly).stacks
        assert {e.kind: e.cost_options for e in stack.entrypoints if e.kind != "api"} == {
            e.kind: () for e in stack.entrypoints if e.kind != "api"}

    def test_the_markdown_prints_each_option_with_the_cost_it_leaves(self, orders_assembly: Path):
        """The report's entrypoint section has one line per option: the code, the monthly cost left and the saving."""
        from sensible_alarms.review.markdown import review_markdown

        review = review_stacks(orders_assembly)
        (api,) = [e for e in review.stacks[0].entrypoints if e.kind == "api"]
        text = review_markdown(review)
        for option in api.cost_options:
            left = f"${api.monthly_cost - option.saves:,.2f}"
            assert f"- Cost option: `{option.option}`: {left} a month (${option.saves:,.2f} less)" in text
