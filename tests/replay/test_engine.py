"""The replay as a whole: inputs it refuses, notifications and counts, CloudWatch's special cases."""

from __future__ import annotations

from datetime import timedelta, timezone

import numpy as np
import pytest
from replay_support import T0, alarm, at, changes, key, store

from sensible_alarms.replay import (
    ExpressionQuery,
    MetricAlarmDef,
    MetricStatQuery,
    MetricStore,
    ReplayError,
    SeriesKey,
    replay,
)


class TestInputs:
    @pytest.mark.parametrize(("start", "end", "message"), [
        (T0.replace(tzinfo=None), at(5), "'start': naive timestamp"),
        (T0.astimezone(timezone(timedelta(hours=2))), at(5), "'start': non-UTC offset"),
        (at(0.5), at(5), "'start' must be on a whole minute"),
        (at(5), at(5), "'end' must be after 'start'"),
    ])
    def test_replay_range_must_be_utc_whole_minutes_in_order(self, start, end, message):
        """start and end are aware UTC datetimes on whole minutes, start before end."""
        with pytest.raises(ReplayError, match=message):
            replay([], [], MetricStore.empty(), start, end)

    def test_alarm_names_must_be_unique(self):
        """Two alarms with one name cannot be told apart in a composite rule or the timeline."""
        with pytest.raises(ReplayError, match="repeated: alarm"):
            replay([alarm(), alarm()], [], MetricStore.empty(), T0, at(1))

    def test_anomaly_detection_alarm_is_not_supported(self):
        """Anomaly-detection operators are refused by name."""
        definition = alarm(operator="LessThanLowerOrGreaterThanUpperThreshold")
        with pytest.raises(ReplayError, match="anomaly detection\\) is not supported"):
            replay([definition], [], MetricStore.empty(), T0, at(1))


class TestDefinitions:
    def test_exactly_one_query_returns_data(self):
        """Zero or two returned queries is an error naming them."""
        m1 = MetricStatQuery(id="m1", namespace="N", metric="M", stat="Sum", period=60)
        with pytest.raises(ReplayError, match="exactly one query must have return_data true"):
            MetricAlarmDef(name="a", queries=(m1, ExpressionQuery(id="e1", expression="m1 * 2")), threshold=1,
                           comparison_operator="GreaterThanThreshold", evaluation_periods=1, has_actions=True)

    def test_datapoints_to_alarm_cannot_exceed_evaluation_periods(self):
        """M of N with M > N is refused."""
        with pytest.raises(ReplayError, match="'datapoints_to_alarm' must be between 1 and evaluation_periods=2"):
            alarm(n=2, m=3)

    def test_unknown_operator_statistic_and_treatment_are_refused(self):
        """Typos are caught when the definition is made."""
        with pytest.raises(ReplayError, match="'comparison_operator' must be one of"):
            alarm(operator="GreaterThan")
        with pytest.raises(ReplayError, match="unknown statistic 'Avg'"):
            alarm(stat="Avg")
        with pytest.raises(ReplayError, match="'treat_missing_data' must be one of"):
            alarm(treat="zero")

    def test_queries_of_one_alarm_must_share_a_period(self):
        """Metrics at 60 s and 300 s in one alarm: the alarm's period is ambiguous, so it is refused."""
        queries = (MetricStatQuery(id="a", namespace="N", metric="M", stat="Sum", period=60, return_data=False),
                   MetricStatQuery(id="b", namespace="N", metric="M", stat="Sum", period=300, return_data=False),
                   ExpressionQuery(id="e", expression="a + b"))
        definition = MetricAlarmDef(name="x", queries=queries, threshold=1, comparison_operator="GreaterThanThreshold",
                                    evaluation_periods=1, has_actions=True)
        with pytest.raises(ReplayError, match="share one period \\(found: 60, 300\\)"):
            _ = definition.period

    def test_dimensions_are_kept_sorted_by_name(self):
        """A query's dimensions are stored sorted, as metrics files write them."""
        query = MetricStatQuery(id="m", namespace="N", metric="M", stat="Sum", period=60,
                                dimensions=(("Stage", "prod"), ("Api", "orders")))
        assert query.dimensions == (("Api", "orders"), ("Stage", "prod"))


class TestNotifications:
    def test_alarm_without_actions_changes_state_but_notifies_no_one(self):
        """Only alarms with actions notify; the others still have a timeline."""
        metrics = store({key(): [0, 9, 0]})
        result = replay([alarm(threshold=5, has_actions=False)], [], metrics, T0, at(3))
        assert result.notifications == ()
        assert changes(result, "alarm") == [(at(1), "OK"), (at(2), "ALARM"), (at(3), "OK")]
        assert result.notifications_per_day == {}

    def test_first_evaluation_going_straight_to_alarm_notifies(self):
        """INSUFFICIENT_DATA -> ALARM is a transition into ALARM, so it notifies."""
        metrics = store({key(): [9]})
        result = replay([alarm(threshold=5)], [], metrics, T0, at(1))
        assert [(n.alarm, n.timestamp) for n in result.notifications] == [("alarm", at(1))]

    def test_notifications_are_counted_per_utc_day(self):
        """Notifications on either side of midnight UTC count on their own day; empty days count 0."""
        values = {m: 0.0 for m in range(0, 3 * 1440)}
        for minute in (100, 1439, 1441, 1500):  # the evaluation one minute later notifies
            values[minute] = 9.0
        metrics = store({key(): values})
        result = replay([alarm(threshold=5)], [], metrics, T0, at(3 * 1440 - 60))
        assert [d.isoformat() for d in result.days] == ["2024-05-01", "2024-05-02", "2024-05-03"]
        assert result.notifications_per_day == {"alarm": (1, 3, 0)}

    def test_progress_is_reported_after_each_alarm_and_values_kept_on_request(self):
        """progress(done, total) runs per alarm; keep_values gives the newest datapoint per minute."""
        calls = []
        metrics = store({key(): [1, 2, 3]})
        result = replay([alarm("a"), alarm("b")], [], metrics, T0, at(3), keep_values=True,
                        progress=lambda done, total: calls.append((done, total)))
        assert calls == [(1, 2), (2, 2)]
        np.testing.assert_array_equal(result.values["a"], [1, 2, 3])
        assert result.evaluation_times == [at(1), at(2), at(3)]


class TestComparisonOperators:
    @pytest.mark.parametrize(("operator", "alarms_at"), [
        ("GreaterThanOrEqualToThreshold", [5, 6]), ("GreaterThanThreshold", [6]),
        ("LessThanThreshold", [4]), ("LessThanOrEqualToThreshold", [4, 5]),
    ])
    def test_operator_compares_the_datapoint_with_the_threshold_as_named(self, operator, alarms_at):
        """Datapoints 4, 5, 6 against threshold 5: the equal one breaches only the 'OrEqualTo' operators."""
        metrics = store({key(): [4, 5, 6]})
        result = replay([alarm(threshold=5, operator=operator)], [], metrics, T0, at(3))
        in_alarm = [v for minute, v in zip((1, 2, 3), (4, 5, 6), strict=True)
                    if result.timelines["alarm"].state_at(at(minute)) == "ALARM"]
        assert in_alarm == alarms_at


class TestCloudWatchSpecialCases:
    def test_dynamodb_alarm_ignores_missing_data_by_default(self):
        """AWS/DynamoDB alarms keep their state when data stops; others default to 'missing' (user guide)."""
        dims = key().dimensions
        dynamo_key = SeriesKey("AWS/DynamoDB", "Errors", dims, "Sum", 60)
        metrics = MetricStore.from_series({dynamo_key: ([T0], [9.0]), key(): ([T0], [9.0])})
        dynamo = alarm("dynamo", namespace="AWS/DynamoDB", threshold=5)
        other = alarm("other", threshold=5)
        result = replay([dynamo, other], [], metrics, T0, at(8))
        assert dynamo.missing_data_treatment == "ignore"
        assert changes(result, "dynamo") == [(at(1), "ALARM")]
        assert changes(result, "other") == [(at(1), "ALARM"), (at(4), "INSUFFICIENT_DATA")]

    def test_alarm_over_more_than_a_day_is_evaluated_once_an_hour(self):
        """Period x EvaluationPeriods > 1 day is evaluated on the hour: a spike at minute 1530 alarms at 1560."""
        values = {m: 0.0 for m in range(0, 27 * 60)}
        values[1530] = 1e6
        metrics = store({key(): values})
        result = replay([alarm(period=3600, n=25, m=1, threshold=1000)], [], metrics, T0, at(27 * 60))
        assert changes(result, "alarm") == [(at(60), "OK"), (at(1560), "ALARM")]  # 1 of 25 holds it


class TestEmptyData:
    def test_no_data_for_any_alarm_evaluates_nothing_and_warns_naming_them(self):
        """With no datapoint for any alarm in the range, breaching treatment does not invent a notification."""
        metrics = store({key(metric="Errors"): {0: 1.0}})  # a day before the range
        alarms = [alarm("job", metric="Errors", treat="breaching"), alarm("api", metric="Faults")]
        result = replay(alarms, [], metrics, at(24 * 60), at(25 * 60))
        assert result.notifications == ()
        assert [c for name in ("job", "api") for c in changes(result, name)] == []
        warning = next(w for w in result.warnings if w.startswith("no data"))
        assert "job, api" in warning

    def test_an_alarm_without_data_beside_one_with_data_follows_its_missing_data_treatment(self):
        """When some alarm has data, an alarm with none is judged on missing data, as CloudWatch does, and named."""
        metrics = store({key(metric="Faults"): [0.0] * 10})
        alarms = [alarm("job", metric="Errors", treat="breaching"), alarm("api", metric="Faults")]
        result = replay(alarms, [], metrics, T0, at(5))
        assert [n.alarm for n in result.notifications] == ["job"]
        assert any(w.startswith("no data in the replayed range for job:") for w in result.warnings)


class TestTimeline:
    def test_an_alarm_that_never_changes_state_has_no_changes(self):
        """An alarm left in INSUFFICIENT_DATA all through lists no change (not a crash building them)."""
        metrics = store({key(metric="Faults"): [0.0] * 10})
        result = replay([alarm("quiet", treat="missing"), alarm("api", metric="Faults")], [], metrics, T0, at(5))
        assert result.timelines["quiet"].changes == ()
        assert [c.state for c in result.timelines["api"].changes] == ["OK"]
