"""Metric math: parsing, each operator and function, and the documented missing-data rules.

Examples marked "guide" are the tables of the CloudWatch user guide, "Using metric math"
(comparison operators; IF expressions).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from replay_support import DIMS, NAMESPACE, T0, at, key, store

from sensible_alarms.replay import ExpressionError, ExpressionQuery, MetricAlarmDef, MetricStatQuery, replay
from sensible_alarms.replay.expressions import (
    Binary,
    Number,
    Ref,
    Unary,
    evaluate_query,
    parse_expression,
    references,
)

_ = None  # a missing datapoint


def series(values):
    return np.array([[math.nan if v is None else float(v) for v in values]])


def ev(expression, period=60, **metrics):
    """The expression's values over one evaluation range (oldest first), None where missing."""
    ranges = {k: series(v) for k, v in metrics.items()}
    shape = next(iter(ranges.values())).shape if ranges else (1, 3)
    out = evaluate_query(ranges, {"e": expression}, "e", period=period, shape=shape)
    return [None if math.isnan(x) else float(x) for x in out[0]]


class TestParser:
    def test_precedence_follows_arithmetic_then_comparison_then_logic(self):
        """'a + b * c > 2 AND NOT d' groups as ((a + (b * c)) > 2) AND (NOT d)."""
        tree = parse_expression("a + b * c > 2 AND NOT d")
        assert tree == Binary("AND",
                              Binary(">", Binary("+", Ref("a"), Binary("*", Ref("b"), Ref("c"))), Number(2.0)),
                              Unary("NOT", Ref("d")))

    def test_power_binds_tighter_than_unary_minus_and_is_right_associative(self):
        """-2^2 is -(2^2) and 2^3^2 is 2^(3^2)."""
        assert parse_expression("-2^2") == Unary("-", Binary("^", Number(2.0), Number(2.0)))
        assert parse_expression("2^3^2") == Binary("^", Number(2.0), Binary("^", Number(3.0), Number(2.0)))

    def test_symbolic_logical_operators_mean_the_same_as_the_words(self):
        """&&, || and ! parse like AND, OR and NOT."""
        assert parse_expression("a && b || !c") == parse_expression("a AND b OR NOT c")

    def test_references_lists_every_id(self):
        """The ids an expression uses, through functions and arrays."""
        assert references(parse_expression("SUM([m1, m2]) / FILL(m3, 0) + IF(m4 > 1, m5)")) == {
            "m1", "m2", "m3", "m4", "m5"}

    @pytest.mark.parametrize("name", ["ANOMALY_DETECTION_BAND", "SEARCH", "RUNNING_SUM", "SORT", "LAMBDA"])
    def test_unsupported_function_is_an_error_naming_it(self, name):
        """A function replay does not evaluate is refused by name, never read as zero."""
        with pytest.raises(ExpressionError, match=f"unsupported function {name}\\(\\)"):
            parse_expression(f"{name}(m1)")

    def test_lowercase_function_name_is_refused_with_a_hint(self):
        """Functions are uppercase in CloudWatch; 'fill(m1, 0)' says so."""
        with pytest.raises(ExpressionError, match="written in uppercase"):
            parse_expression("fill(m1, 0)")

    @pytest.mark.parametrize(("text", "message"), [
        ("m1 +", "expected a number, an id"),
        ("(m1 + 2", r"expected '\)'"),
        ("m1 m2", "expected an operator or the end"),
        ("m1 # 2", "unexpected character '#'"),
        ("FILL(m1)", r"FILL\(\) takes 2 argument"),
    ])
    def test_syntax_error_says_where_and_what_was_expected(self, text, message):
        """Malformed expressions give the position and what the parser expected."""
        with pytest.raises(ExpressionError, match=message):
            parse_expression(text)


class TestArithmetic:
    @pytest.mark.parametrize(("expression", "expected"), [
        ("m1 + 2", [3, 4]), ("m1 - 2", [-1, 0]), ("m1 * 3", [3, 6]), ("m1 / 2", [0.5, 1]), ("m1 ^ 2", [1, 4]),
        ("-m1", [-1, -2]), ("+m1", [1, 2]), ("2 * (m1 + 1)", [4, 6]),
    ])
    def test_operator_applies_per_datapoint(self, expression, expected):
        """+ - * / ^ and unary minus work datapoint by datapoint."""
        assert ev(expression, m1=[1, 2]) == expected

    def test_missing_datapoint_stays_missing_with_a_scalar(self):
        """Series op scalar: a missing datapoint stays missing."""
        assert ev("m1 * 100", m1=[1, _, 3]) == [100, None, 300]

    def test_between_two_series_a_missing_side_counts_as_zero(self):
        """Series op series: missing on one side is 0 (guide), missing on both sides stays missing."""
        assert ev("m1 + m2", m1=[1, _, _], m2=[10, 20, _]) == [11, 20, None]

    def test_division_by_zero_drops_the_datapoint(self):
        """x / 0 has no datapoint (guide: 'the data point is dropped'), including a missing divisor's 0."""
        assert ev("m1 / m2", m1=[4, 4, 4], m2=[2, 0, _]) == [2, None, None]

    def test_errors_over_invocations_with_no_errors_reported_is_zero_percent(self):
        """The usual error rate: no Errors datapoint but Invocations present gives 0, not missing."""
        assert ev("100 * errors / invocations", errors=[_, 5], invocations=[100, 50]) == [0, 10]


class TestComparisonAndLogic:
    def test_guide_comparison_table(self):
        """guide: metric1 [30, 20, 0, 0], metric2 [20, -, 20, -]; the three documented expressions."""
        m1, m2 = [30, 20, 0, 0], [20, _, 20, _]
        assert ev("metric1 < metric2", metric1=m1, metric2=m2) == [0, 0, 1, 0]
        assert ev("metric1 >= 30", metric1=m1, metric2=m2) == [1, 0, 0, 0]
        assert ev("metric1 > 15 AND metric2 > 15", metric1=m1, metric2=m2) == [1, 0, 0, 0]

    @pytest.mark.parametrize(("expression", "expected"), [
        ("m1 == 2", [0, 1, 0]), ("m1 != 2", [1, 0, 1]), ("m1 <= 2", [1, 1, 0]), ("m1 > 2", [0, 0, 1]),
        ("m1 < 2 OR m1 > 2", [1, 0, 1]), ("m1 >= 2 && m1 <= 2", [0, 1, 0]), ("m1 < 2 || m1 > 2", [1, 0, 1]),
        ("NOT (m1 == 2)", [1, 0, 1]), ("!(m1 == 2)", [1, 0, 1]),
    ])
    def test_operator_gives_one_or_zero(self, expression, expected):
        """Each comparison and logical operator yields 1 (true) or 0 (false) per datapoint."""
        assert ev(expression, m1=[1, 2, 3]) == expected


class TestIf:
    M1, M2, M3 = [1, 1, 0, 0, _], [30, _, 0, 0, 30], [0, 0, 20, _, 20]

    def test_guide_if_series_series_series(self):
        """guide: IF(metric1, metric2, metric3) = [30, 0, 20, -, -]."""
        assert ev("IF(metric1, metric2, metric3)", metric1=self.M1, metric2=self.M2, metric3=self.M3) == [
            30, 0, 20, None, None]

    def test_guide_if_series_scalar_series(self):
        """guide: IF(metric1, 5, metric3) = [5, 5, 20, -, -]."""
        assert ev("IF(metric1, 5, metric3)", metric1=self.M1, metric3=self.M3) == [5, 5, 20, None, None]

    def test_guide_if_series_series_scalar(self):
        """guide: IF(metric1, metric2, 5) = [30, 0, 5, 5, -]."""
        assert ev("IF(metric1, metric2, 5)", metric1=self.M1, metric2=self.M2) == [30, 0, 5, 5, None]

    def test_if_without_false_value_drops_false_datapoints(self):
        """IF(m1 < 400, m1) keeps only the low values."""
        assert ev("IF(m1 < 400, m1)", m1=[100, 500, 300]) == [100, None, 300]

    def test_if_with_scalar_condition_picks_a_whole_series(self):
        """IF(1, m1, m2) is m1; IF(0, m1) is empty."""
        assert ev("IF(1, m1, m2)", m1=[1, _], m2=[5, 5]) == [1, None]
        assert ev("IF(0, m1)", m1=[1, 2]) == [None, None]


class TestFillDiffRate:
    def test_fill_with_a_value(self):
        """FILL(m1, 0) replaces every missing datapoint of the range, even an all-missing range."""
        assert ev("FILL(m1, 0)", m1=[_, 2, _]) == [0, 2, 0]
        assert ev("FILL(m1, 7)", m1=[_, _, _]) == [7, 7, 7]

    def test_fill_with_another_series(self):
        """FILL(m1, m2) takes m2's datapoint where m1 has none."""
        assert ev("FILL(m1, m2)", m1=[_, 2, _], m2=[9, 9, _]) == [9, 2, None]

    def test_fill_repeat_carries_the_last_value_forward_within_the_range(self):
        """REPEAT uses the value before the gap; a gap at the start of the range stays missing."""
        assert ev("FILL(m1, REPEAT)", m1=[_, 2, _, _, 5, _]) == [None, 2, 2, 2, 5, 5]

    def test_fill_linear_interpolates_between_the_values_around_a_gap(self):
        """LINEAR fills a gap on the straight line between its neighbours; ends stay missing."""
        assert ev("FILL(m1, LINEAR)", m1=[_, 2, _, _, 8, _]) == [None, 2, 4, 6, 8, None]

    def test_diff_subtracts_the_previous_value(self):
        """DIFF(m1) is each value minus the one before it (the previous present one)."""
        assert ev("DIFF(m1)", m1=[1, 4, _, 10]) == [None, 3, None, 6]

    def test_rate_is_change_per_second(self):
        """RATE(m1) divides the change by the seconds between the two datapoints."""
        assert ev("RATE(m1)", period=60, m1=[0, 60, _, 300]) == [None, 1, None, 2]


class TestAggregates:
    def test_on_one_series_a_scalar_over_the_range(self):
        """MAX/MIN/SUM/AVG/STDDEV of one series reduce over the range's present datapoints."""
        values = [1, _, 3, 4]
        assert ev("m1 - MIN(m1)", m1=values) == [0, None, 2, 3]
        assert ev("m1 / MAX(m1)", m1=values) == [0.25, None, 0.75, 1]
        assert ev("m1 * 0 + SUM(m1)", m1=values) == [8, None, 8, 8]
        assert ev("m1 * 0 + AVG(m1)", m1=values) == pytest.approx([8 / 3, None, 8 / 3, 8 / 3])
        assert ev("m1 * 0 + STDDEV(m1)", m1=[2, 4, 4, 4, 5, 5, 7, 9]) == [2.0] * 8

    def test_on_an_array_a_series_per_timestamp(self):
        """SUM/AVG/MAX/MIN/STDDEV([m1, m2]) combine per timestamp; missing counts as 0 unless all miss."""
        m1, m2 = [1, _, 5, _], [3, 4, 1, _]
        assert ev("SUM([m1, m2])", m1=m1, m2=m2) == [4, 4, 6, None]
        assert ev("AVG([m1, m2])", m1=m1, m2=m2) == [2, 2, 3, None]
        assert ev("MAX([m1, m2])", m1=m1, m2=m2) == [3, 4, 5, None]
        assert ev("MIN([m1, m2])", m1=m1, m2=m2) == [1, 0, 1, None]
        assert ev("STDDEV([m1, m2])", m1=m1, m2=m2) == [1, 2, 2, None]

    def test_metrics_selects_metrics_by_id_substring(self):
        """METRICS() is every metric; METRICS('errors') those whose id contains 'errors'."""
        kw = {"errors4xx": [1, 1], "errors5xx": [2, 2], "requests": [100, 100]}
        assert ev("SUM(METRICS())", **kw) == [103, 103]
        assert ev("SUM(METRICS('errors'))", **kw) == [3, 3]
        assert ev('SUM([METRICS("4xx"), METRICS("5xx")]) / requests', **kw) == [0.03, 0.03]
        assert ev("METRIC_COUNT(METRICS('errors')) + requests * 0", **kw) == [2, 2]

    def test_array_with_a_scalar_applies_to_each_series(self):
        """METRICS() * 100 then SUM gives the scaled sum."""
        assert ev("SUM(METRICS() * 100)", m1=[1, 2], m2=[3, _]) == [400, 200]


class TestOtherFunctions:
    @pytest.mark.parametrize(("expression", "expected"), [
        ("ABS(m1)", [1.5, 2, 0]), ("CEIL(m1)", [-1, 2, 0]), ("FLOOR(m1)", [-2, 2, 0]),
        ("LOG10(ABS(m1) * 0 + 100)", [2, 2, 2]), ("LOG(m1 * 0 + 1)", [0, 0, 0]),
    ])
    def test_elementwise_function(self, expression, expected):
        """ABS, CEIL, FLOOR, LOG and LOG10 apply per datapoint."""
        assert ev(expression, m1=[-1.5, 2, 0]) == expected

    def test_log_of_zero_drops_the_datapoint(self):
        """LOG(0) is not a number: dropped like a division by zero."""
        assert ev("LOG(m1)", m1=[1, 0]) == [0, None]

    def test_period_and_time_series(self):
        """PERIOD(m1) is the metric's period in seconds; TIME_SERIES(5) a constant series."""
        assert ev("m1 / PERIOD(m1)", period=300, m1=[600, 300]) == [2, 1]
        assert ev("TIME_SERIES(5)", m1=[_, _]) == [5, 5]


class TestEvaluationErrors:
    def test_alarm_on_an_array_is_refused(self):
        """An alarm watches one series: an expression giving an array is an error."""
        with pytest.raises(ExpressionError, match="gives an array of time series"):
            ev("METRICS()", m1=[1], m2=[2])

    def test_alarm_on_a_scalar_is_refused(self):
        """A scalar result is not a time series."""
        with pytest.raises(ExpressionError, match="gives a scalar"):
            ev("MAX(m1)", m1=[1])

    def test_period_of_an_expression_is_refused(self):
        """PERIOD() takes a metric id, as documented."""
        with pytest.raises(ExpressionError, match="PERIOD"):
            evaluate_query({"m1": series([1])}, {"e1": "m1 * 2", "e": "PERIOD(e1)"}, "e", period=60)


def _math_alarm(expression: str, **extra) -> MetricAlarmDef:
    queries = (
        MetricStatQuery(id="errors", namespace=NAMESPACE, metric="Errors", dimensions=DIMS, stat="Sum", period=60,
                        return_data=False),
        MetricStatQuery(id="requests", namespace=NAMESPACE, metric="Requests", dimensions=DIMS, stat="Sum",
                        period=60, return_data=False),
        *extra.get("more", ()),
        ExpressionQuery(id="rate", expression=expression),
    )
    return MetricAlarmDef(name="rate", queries=queries, threshold=0.05, comparison_operator="GreaterThanThreshold",
                          evaluation_periods=1, has_actions=True)


class TestMathAlarms:
    def test_error_rate_alarm_fires_on_the_ratio_not_the_count(self):
        """errors / requests > 5 % alarms at the minute the ratio crosses, whatever the volume."""
        metrics = store({key("Errors"): [1, 10, 1, 1], key("Requests"): [100, 100, 10, 100]})
        result = replay([_math_alarm("errors / requests")], [], metrics, T0, at(4))
        assert [(c.timestamp, c.state) for c in result.timelines["rate"].changes] == [
            (at(1), "OK"), (at(2), "ALARM"), (at(4), "OK")]

    def test_expression_referring_to_an_unknown_id_fails_before_evaluation(self):
        """An id that no query has is reported with the alarm's ids."""
        metrics = store({key("Errors"): [1], key("Requests"): [1]})
        with pytest.raises(ExpressionError, match=r"unknown id\(s\) failures"):
            replay([_math_alarm("failures / requests")], [], metrics, T0, at(1))

    def test_expressions_in_a_cycle_are_refused(self):
        """e1 -> e2 -> e1 is named as a cycle."""
        more = (ExpressionQuery(id="e1", expression="e2 + 1", return_data=False),
                ExpressionQuery(id="e2", expression="e1 + 1", return_data=False))
        metrics = store({key("Errors"): [1], key("Requests"): [1]})
        with pytest.raises(ExpressionError, match="cycle: e1 -> e2 -> e1"):
            replay([_math_alarm("e1", more=more)], [], metrics, T0, at(1))

    def test_unsupported_function_in_an_alarm_names_the_alarm_and_the_function(self):
        """The error carries the alarm name and the function."""
        metrics = store({key("Errors"): [1], key("Requests"): [1]})
        with pytest.raises(ExpressionError, match=r"^rate: query 'rate': unsupported function RUNNING_SUM\(\)"):
            replay([_math_alarm("RUNNING_SUM(errors)")], [], metrics, T0, at(1))
