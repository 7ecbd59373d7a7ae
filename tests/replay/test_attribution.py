"""Entrypoint-aware scoring: an alarm's notification is put down only to incidents of the entrypoint
it watches (or of none); an alarm or an incident of unknown entrypoint matches as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sensible_alarms.commands.replay import run_replay
from sensible_alarms.replay.incidents import NEW_INCIDENT, NO_IMPACT, REPEAT, Incident, same_entrypoint, score

T0 = datetime(2026, 11, 2, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "orders_service" / "sample"

API = "Svc034/ApiAlarms/HighUrgency"
JOB = "Svc034/DailyJobAlarms/LowUrgency"
WATCHED = {API: "Svc034/ApiAlarms", JOB: "Svc034/DailyJobAlarms"}


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def incident(id: str, start: int, end: int, entrypoint: str | None, impact: bool = True) -> Incident:
    return Incident(id=id, start=at(start), end=at(end), customer_impact=impact, entrypoint=entrypoint)


def test_a_page_on_another_entrypoint_inside_an_incidents_window_is_not_its_detection() -> None:
    """An API page during a job's 4-day failure is a false notification, and the job's own ticket detects it."""
    job = incident("job", 0, 4 * 1440, "Svc034/DailyJob")
    scores = score([(at(100), API), (at(600), JOB)], [job], entrypoints=WATCHED)
    (only,) = scores.incidents
    assert (only.first_notification, only.first_alarm) == (at(600), JOB)
    assert only.notifications == 1
    assert [c.cause for c in scores.causes] == [NO_IMPACT, NEW_INCIDENT]
    assert scores.false_notifications == 1
    assert scores.notifications_per_incident == 1.0
    # Entrypoint-blind, the same notifications put the API page down to the job: its detection.
    blind = score([(at(100), API), (at(600), JOB)], [job])
    assert (blind.incidents[0].first_alarm, blind.false_notifications) == (API, 0)


def test_each_notification_is_put_down_to_the_incident_of_its_own_entrypoint() -> None:
    """Of two overlapping incidents the API page goes to the API's, though the job's started first."""
    job = incident("job", 0, 2000, "Svc034/DailyJob")
    api = incident("api", 50, 80, "Svc034/Api")
    scores = score([(at(60), API)], [job, api], entrypoints=WATCHED)
    by_id = {s.incident.id: s for s in scores.incidents}
    assert by_id["api"].first_notification == at(60)
    assert by_id["job"].first_notification is None
    assert [(c.cause, c.incident) for c in scores.causes] == [(NEW_INCIDENT, "api")]
    assert scores.recall == 0.5


def test_an_alarm_of_unknown_entrypoint_matches_any_incident() -> None:
    """A hand-written alarm (not in the mapping) detects the job's incident as every alarm did before."""
    job = incident("job", 0, 2000, "Svc034/DailyJob")
    scores = score([(at(30), "Svc034-Lambda-Errors"), (at(40), API)], [job], entrypoints=WATCHED)
    assert scores.incidents[0].first_alarm == "Svc034-Lambda-Errors"
    assert [c.cause for c in scores.causes] == [NEW_INCIDENT, NO_IMPACT]


def test_an_incident_without_an_entrypoint_is_matched_by_every_alarm() -> None:
    """An incident that names no entrypoint is detected by any alarm, and the next one is its repeat."""
    table = incident("table", 0, 60, None)
    scores = score([(at(10), API), (at(20), JOB)], [table], entrypoints=WATCHED)
    assert scores.incidents[0].first_alarm == API
    assert [c.cause for c in scores.causes] == [NEW_INCIDENT, REPEAT]
    assert scores.unmatched_entrypoints == ()


def test_an_incident_naming_an_entrypoint_no_alarm_watches_is_matched_by_every_alarm() -> None:
    """A name that matches no watched entrypoint (a typo, an unalarmed entrypoint) is scored as no name, and said."""
    typo = incident("typo", 0, 60, "Svc034/DailyJobb")
    scores = score([(at(10), API)], [typo], entrypoints=WATCHED)
    assert scores.incidents[0].first_alarm == API
    assert scores.unmatched_entrypoints == ("typo",)


@pytest.mark.parametrize(("named", "watched", "same"), [
    ("OrdersApi", "OrdersService/OrdersApiAlarms", True),
    ("OrdersApiAlarms", "OrdersService/OrdersApiAlarms", True),
    ("OrdersService/OrdersApi", "OrdersService/OrdersApiAlarms", True),
    ("Api", "Orders/Api/Alarms", True),
    ("Svc034/DailyJob", "Svc034/DailyJobAlarms", True),
    ("OrdersService", "OrdersService/OrdersApiAlarms", False),
    ("Api", "OrdersService/OrdersApiAlarms", False),
    ("ordersapi", "OrdersService/OrdersApiAlarms", False),
    ("Other/OrdersApi", "OrdersService/OrdersApiAlarms", False),
    ("", "OrdersService/OrdersApiAlarms", False),
])
def test_an_incident_names_an_entrypoint_by_the_end_of_its_construct_path(named: str, watched: str,
                                                                          same: bool) -> None:
    """Trailing path segments, the alarms construct's name with or without "Alarms", case-sensitive."""
    assert same_entrypoint(named, watched) is same


def test_the_replay_command_scores_by_the_entrypoints_the_templates_name(orders_assembly: Path,
                                                                         tmp_path: Path) -> None:
    """The orders API's outage page does not detect a nightly-report incident at the same time."""
    incidents = tmp_path / "incidents.yaml"
    incidents.write_text("- id: report-late\n  start: '2026-11-05T14:00:00Z'\n  end: '2026-11-05T14:25:00Z'\n"
                         "  customer_impact: true\n  entrypoint: NightlyReport\n")
    alarm_set, result = run_replay([orders_assembly], metrics_file=SAMPLE / "metrics.parquet",
                                   incidents_file=incidents, start=datetime(2026, 11, 5, 12, tzinfo=UTC),
                                   end=datetime(2026, 11, 5, 16, tzinfo=UTC))
    assert result.scores is not None
    pages = [n for n in result.notifications if alarm_set.entrypoints.get(n.alarm) == "OrdersService/OrdersApiAlarms"]
    assert pages, "the sample's API outage pages in this range"
    assert not result.scores.incidents[0].detected
    assert result.scores.false_notifications == result.scores.notifications
    assert not any("names entrypoint" in w for w in result.warnings)


def test_the_replay_warns_of_an_incident_naming_an_entrypoint_no_alarm_watches(orders_assembly: Path,
                                                                               tmp_path: Path) -> None:
    """A misspelt entrypoint is named in a warning, and the incident is scored against every alarm."""
    incidents = tmp_path / "incidents.yaml"
    incidents.write_text("- id: outage\n  start: '2026-11-05T14:00:00Z'\n  end: '2026-11-05T14:25:00Z'\n"
                         "  customer_impact: true\n  entrypoint: OrdersAPI\n")
    _, result = run_replay([orders_assembly], metrics_file=SAMPLE / "metrics.parquet", incidents_file=incidents,
                           start=datetime(2026, 11, 5, 12, tzinfo=UTC), end=datetime(2026, 11, 5, 16, tzinfo=UTC))
    assert result.scores is not None
    assert result.scores.incidents[0].detected
    assert "incident outage names entrypoint 'OrdersAPI', which no alarm watches: any alarm can detect it" \
        in result.warnings
