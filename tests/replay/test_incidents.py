"""Scoring against incidents, exactly as DESIGN.md defines it, and the incidents file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from sensible_alarms.replay import Incident, MetricsFileError, load_incidents, score


def t(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2024, 5, 1, hour, minute, second, tzinfo=UTC)


INCIDENTS = [
    Incident(id="A", start=t(10), end=t(10, 30), customer_impact=True),
    Incident(id="B", start=t(12), end=t(12, 10), customer_impact=True),
    Incident(id="C", start=t(14), end=t(14, 20), customer_impact=False),
]
NOTIFICATIONS = [(t(9, 55), "early"), (t(10, 5), "a1"), (t(10, 40), "a2"), (t(14, 10), "c1"), (t(16), "late")]


class TestScore:
    def test_hand_computed_precision_recall_and_time_to_detect(self):
        """Precision 2/5, recall 1/2, time to detect 5 min: worked out by hand below."""
        # 5 notifications; 10:05 and 10:40 fall in A's window [10:00, 10:45], none in B's [12:00, 12:25];
        # 14:10 is in C's, which has no customer impact. A and C are detected, after 5 and 10 minutes.
        scores = score(NOTIFICATIONS, INCIDENTS)
        assert scores.precision == pytest.approx(0.4)
        assert scores.recall == pytest.approx(0.5)
        by_id = {s.incident.id: s for s in scores.incidents}
        assert by_id["A"].time_to_detect == timedelta(minutes=5)
        assert by_id["A"].first_alarm == "a1"
        assert not by_id["B"].detected
        assert by_id["C"].time_to_detect == timedelta(minutes=10)
        assert scores.median_time_to_detect == timedelta(minutes=5)

    def test_detection_window_is_closed_at_end_plus_fifteen_minutes(self):
        """A notification exactly at end + 15 min detects; one second later does not."""
        incident = [Incident(id="X", start=t(10), end=t(10, 30), customer_impact=True)]
        assert score([(t(10, 45), "a")], incident).recall == 1.0
        assert score([(t(10, 45, 1), "a")], incident).recall == 0.0

    def test_notification_before_the_start_does_not_detect(self):
        """The window starts at the incident's start: an earlier notification neither detects nor counts."""
        scores = score([(t(9, 59, 59), "a")], INCIDENTS[:1])
        assert (scores.precision, scores.recall) == (0.0, 0.0)

    def test_ratios_of_nothing_are_none(self):
        """No notification: precision None; no customer-impact incident: recall None."""
        assert score([], INCIDENTS).precision is None
        assert score([(t(10), "a")], INCIDENTS[2:]).recall is None

    def test_one_notification_in_two_overlapping_windows_counts_once_for_precision(self):
        """Precision counts notifications, not incident matches."""
        overlapping = [Incident(id="1", start=t(10), end=t(11), customer_impact=True),
                       Incident(id="2", start=t(10, 30), end=t(11), customer_impact=True)]
        scores = score([(t(10, 45), "a")], overlapping)
        assert (scores.notifications_in_customer_impact, scores.recall) == (1, 1.0)


class TestLoadIncidents:
    def test_yaml_and_json_give_the_same_incidents(self, tmp_path):
        """The same list in YAML (timestamps unquoted) and JSON loads identically."""
        (tmp_path / "i.yaml").write_text(
            "- id: INC-1\n  start: 2024-05-01T10:00:00Z\n  end: 2024-05-01T10:30:00Z\n"
            "  customer_impact: true\n  entrypoint: orders-api\n  description: checkout failing\n")
        (tmp_path / "i.json").write_text(json.dumps([{
            "id": "INC-1", "start": "2024-05-01T10:00:00Z", "end": "2024-05-01T10:30:00+00:00",
            "customer_impact": True, "entrypoint": "orders-api", "description": "checkout failing"}]))
        expected = [Incident(id="INC-1", start=t(10), end=t(10, 30), customer_impact=True, entrypoint="orders-api",
                             description="checkout failing")]
        assert load_incidents(tmp_path / "i.yaml") == expected
        assert load_incidents(tmp_path / "i.json") == expected

    @pytest.mark.parametrize(("entry", "message"), [
        ({"id": "1", "start": "2024-05-01T10:00:00", "end": "2024-05-01T11:00:00Z", "customer_impact": True},
         "'start': naive timestamp"),
        ({"id": "1", "start": "2024-05-01T12:00:00+02:00", "end": "2024-05-01T11:00:00Z", "customer_impact": True},
         "'start': non-UTC offset \\+0200"),
        ({"id": "1", "start": "2024-05-01T12:00:00Z", "end": "2024-05-01T11:00:00Z", "customer_impact": True},
         "'end' .* is before 'start'"),
        ({"id": "1", "start": "2024-05-01T10:00:00Z", "end": "2024-05-01T11:00:00Z", "customer_impact": "yes"},
         "'customer_impact' must be true or false"),
        ({"id": "1", "start": "2024-05-01T10:00:00Z"}, "incident is missing end, customer_impact"),
    ])
    def test_malformed_entry_names_the_file_and_entry(self, tmp_path, entry, message):
        """Each malformed incident names its file and position."""
        path = tmp_path / "i.json"
        path.write_text(json.dumps([entry]))
        with pytest.raises(MetricsFileError, match=message) as err:
            load_incidents(path)
        assert str(err.value.row).startswith("entry 1")

    def test_repeated_id_is_refused(self, tmp_path):
        """Two incidents with one id would make scores ambiguous."""
        entry = {"id": "1", "start": "2024-05-01T10:00:00Z", "end": "2024-05-01T11:00:00Z", "customer_impact": True}
        (tmp_path / "i.json").write_text(json.dumps([entry, entry]))
        with pytest.raises(MetricsFileError, match="used twice"):
            load_incidents(tmp_path / "i.json")

    def test_not_a_list_is_refused(self, tmp_path):
        """The file holds a list of incidents."""
        (tmp_path / "i.yaml").write_text("id: 1\n")
        with pytest.raises(MetricsFileError, match="expected a list of incidents"):
            load_incidents(tmp_path / "i.yaml")
