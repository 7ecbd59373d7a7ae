"""Replay outputs for people: the summary (numbers, markdown, terminal text) and the HTML report."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pytest
from replay_support import T0, alarm, at, key, store

from sensible_alarms.replay import CompositeAlarmDef, Incident, replay
from sensible_alarms.replay import output as output_module
from sensible_alarms.replay.charts import MAX_POINTS, downsample, state_spans
from sensible_alarms.replay.report import (
    format_duration,
    render_html,
    render_summary_text,
    summarize,
    summary_markdown,
    urgencies_from_metadata,
    write_html_report,
    write_markdown_summary,
)

DAY = 1440
URGENCIES = {"orders-page": "HIGH", "orders-latency": "LOW"}


def _scenario(*, keep_values: bool = True):
    """Two days of one-minute data: an error burst during a customer-impact incident (paged through
    a composite), a burst with no incident, latency spikes on a LOW alarm, one incident missed."""
    errors = [0.0] * (2 * DAY)
    for first in (600, 1700):
        errors[first:first + 20] = [50.0] * 20
    latency = [100.0] * (2 * DAY)
    for minute in (300, 900, 2000):
        latency[minute] = 900.0
    metrics = store({key(): errors, key("Latency", "Maximum"): latency})
    alarms = [
        alarm("orders-errors", threshold=10, n=3, m=2, has_actions=False),
        alarm("orders-latency", metric="Latency", stat="Maximum", threshold=500),
    ]
    composites = [CompositeAlarmDef(name="orders-page", alarm_rule='ALARM("orders-errors")', has_actions=True)]
    incidents = [
        Incident(id="INC-1", start=at(598), end=at(625), customer_impact=True, description="checkout failing"),
        Incident(id="INC-2", start=at(1200), end=at(1260), customer_impact=True),
        Incident(id="INC-3", start=at(1695), end=at(1725), customer_impact=False),
    ]
    result = replay(alarms, composites, metrics, T0, at(2 * DAY), incidents, keep_values=keep_values)
    return alarms, composites, result


@pytest.fixture(scope="module")
def scenario():
    return _scenario()


class TestSummary:
    def test_per_alarm_counts_equal_the_engine_result(self, scenario):
        """Each alarm's notifications are the sum of the engine's per-day counts; alarms without actions get no row."""
        _, _, result = scenario
        summary = summarize(result, urgencies=URGENCIES)
        assert {r.name: r.notifications for r in summary.alarms} == {
            name: sum(counts) for name, counts in result.notifications_per_day.items()}
        assert {r.name: r.notifications for r in summary.alarms} == {"orders-page": 2, "orders-latency": 3}
        assert summary.notifications == len(result.notifications) == 5
        assert summary.silent == 1

    def test_per_day_rates_and_busiest_day_follow_the_replayed_range(self, scenario):
        """Rates divide by the replayed days; the busiest day is the first day with the most notifications."""
        _, _, result = scenario
        rows = {r.name: r for r in summarize(result, urgencies=URGENCIES).alarms}
        assert rows["orders-latency"].per_day == pytest.approx(3 / 2)
        assert (rows["orders-latency"].busiest_day, rows["orders-latency"].busiest_day_notifications) == (
            T0.date(), 2)
        assert rows["orders-page"].time_in_alarm == timedelta(minutes=2 * 20)

    def test_totals_are_split_by_urgency_high_first(self, scenario):
        """Notifications by urgency come HIGH, LOW, then alarms whose urgency is not known."""
        _, _, result = scenario
        summary = summarize(result, urgencies={"orders-page": "HIGH"})
        assert [(u.label, u.count, u.per_day) for u in summary.by_urgency] == [
            ("HIGH", 2, 1.0), ("urgency unknown", 3, 1.5)]

    def test_scores_and_times_to_detect_are_the_engine_scores(self, scenario):
        """Precision, recall and the median come from the engine's Scores; the worst time to detect is the longest."""
        _, _, result = scenario
        summary = summarize(result)
        assert summary.scores is result.scores
        assert (result.scores.precision, result.scores.recall) == (1 / 5, 1 / 2)
        assert summary.median_time_to_detect == result.scores.median_time_to_detect == timedelta(minutes=4)
        assert summary.worst_time_to_detect == timedelta(minutes=4)
        assert {r.name: r.first_detections for r in summary.alarms} == {"orders-page": 1, "orders-latency": 0}

    def test_summary_without_incidents_has_no_scores(self):
        """No incidents file: no precision, recall or time to detect anywhere."""
        result = replay([alarm(threshold=5)], [], store({key(): [0, 9, 0]}), T0, at(3))
        summary = summarize(result)
        assert (summary.scores, summary.median_time_to_detect, summary.worst_time_to_detect) == (None, None, None)
        assert "Precision" not in summary_markdown(summary)

    def test_urgencies_are_read_from_construct_metadata(self):
        """The SensibleAlarms metadata's urgency is used; alarms without one are left out."""
        metadata = {"a": {"urgency": "HIGH", "role": "notifier"}, "b": {"role": "member"}}
        assert urgencies_from_metadata(metadata) == {"a": "HIGH"}

    @pytest.mark.parametrize(("seconds", "text"), [
        (45, "45 s"), (180, "3 min"), (150, "2 min 30 s"), (3900, "1 h 05 min"), (2 * 86_400 + 3 * 3600, "2 d 3 h"),
    ])
    def test_durations_read_as_words(self, seconds, text):
        """Durations are written in the largest units that keep them exact enough to act on."""
        assert format_duration(timedelta(seconds=seconds)) == text


def _markdown_rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| Alarm") and not line.startswith("| Incident"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


class TestMarkdown:
    def test_table_numbers_equal_the_engine_result(self, scenario):
        """Each alarm row shows urgency, total, per day, busiest day and time in ALARM as the engine counted them."""
        _, _, result = scenario
        rows = _markdown_rows(summary_markdown(summarize(result, urgencies=URGENCIES)))
        assert rows["orders-page"] == ["HIGH", "2", "1.00", "2024-05-01 (1)", "40 min", "1"]
        assert rows["orders-latency"] == ["LOW", "3", "1.50", "2024-05-01 (2)", "3 min", "0"]
        for name, counts in result.notifications_per_day.items():
            assert int(rows[name][1]) == sum(counts)

    def test_scores_and_incidents_are_listed(self, scenario):
        """Precision, recall and time to detect follow the table; a missed customer-impact incident says MISSED."""
        _, _, result = scenario
        text = summary_markdown(summarize(result))
        assert "Precision 20.0% (1 of 5 notifications during customer impact)" in text
        assert "recall 50.0% (1 of 2 customer-impact incidents notified)" in text
        assert "time to detect: median 4 min, worst 4 min" in text
        rows = _markdown_rows(text)
        assert rows["INC-1"] == ["yes", "yes", "4 min", "orders-page", "1"]
        assert rows["INC-2"] == ["yes", "MISSED", "-", "-", "0"]
        assert rows["INC-3"] == ["no", "notified", "7 min", "orders-page", "-"]
        assert "On call: 4 false notifications (2.00 a day, outside every customer-impact window); 1.00 " in text

    def test_pipes_in_alarm_names_do_not_break_the_table(self):
        """A '|' in a name is escaped so the row keeps its columns."""
        result = replay([alarm("a|b", threshold=5)], [], store({key(): [0, 9]}), T0, at(2))
        assert "| a\\|b | - | 1 |" in summary_markdown(summarize(result))

    def test_markdown_file_is_written_atomically(self, tmp_path):
        """write_markdown_summary leaves exactly the summary and no temporary file."""
        result = replay([alarm(threshold=5)], [], store({key(): [0, 9]}), T0, at(2))
        summary = summarize(result)
        write_markdown_summary(summary, tmp_path / "summary.md")
        assert (tmp_path / "summary.md").read_text() == summary_markdown(summary)
        assert [p.name for p in tmp_path.iterdir()] == ["summary.md"]


class TestTerminalText:
    def test_text_shows_each_alarm_with_its_count_and_the_scores(self, scenario):
        """The rich rendering holds the same numbers as the summary."""
        _, _, result = scenario
        text = render_summary_text(summarize(result, urgencies=URGENCIES), width=120)
        page = next(line for line in text.splitlines() if "orders-page" in line)
        assert re.search(r"orders-page\s*│\s*HIGH\s*│\s*2\s*│\s*1\.00\s*│", page)
        assert "5 notifications in 2 days (2.50 a day); HIGH: 2 (1.00 a day); LOW: 3 (1.50 a day)." in text
        assert "MISSED" in text
        assert "Precision 20.0%" in text


    def test_brackets_in_names_are_shown_not_read_as_styles(self):
        """rich markup in an alarm name ('[bold]') is printed as written."""
        result = replay([alarm("api[bold]x", threshold=5)], [], store({key(): [0, 9]}), T0, at(2))
        assert "api[bold]x" in render_summary_text(summarize(result), width=120)


class TestHtmlReport:
    def test_report_is_one_page_that_loads_nothing_from_the_network(self, scenario):
        """No script, stylesheet link, image, import or URL: the page works offline, as one file."""
        alarms, composites, result = scenario
        page = render_html(result, alarms, composites, urgencies=URGENCIES)
        assert page.startswith("<!doctype html>")
        assert not re.search(r"https?://", page)
        assert not re.search(r"<script|<link|<img|<iframe|@import|url\(", page, re.IGNORECASE)
        assert not re.search(r"\b(src|href)\s*=", page, re.IGNORECASE)

    def test_every_alarm_has_a_section_with_a_chart(self, scenario):
        """Each alarm's name heads a section holding an inline <svg>; a daily bar chart comes first."""
        alarms, composites, result = scenario
        page = render_html(result, alarms, composites, urgencies=URGENCIES)
        sections = re.findall(r"<section[^>]*>\s*<h3>([^<]+)</h3>(.*?)</section>", page, re.DOTALL)
        assert sorted(name for name, _ in sections) == ["orders-errors", "orders-latency", "orders-page"]
        assert all("<svg" in body for _, body in sections)
        assert page.count("<svg") == 4

    def test_metric_chart_draws_value_threshold_spans_incidents_and_notifications(self, scenario):
        """The latency chart has the metric line, the threshold, ALARM spans, incident spans and three markers."""
        alarms, composites, result = scenario
        page = render_html(result, alarms, composites, urgencies=URGENCIES)
        body = dict(re.findall(r"<section[^>]*>\s*<h3>([^<]+)</h3>(.*?)</section>", page, re.DOTALL))
        latency = body["orders-latency"]
        assert 'class="metric"' in latency
        assert 'class="threshold"' in latency
        assert latency.count('class="alarm"') == 3
        assert latency.count('class="incident"') == 3
        assert latency.count('class="notification"') == 3
        assert "Maximum of Test Latency {Service=orders} ≥ 500 for 1 of 1 datapoints of 1 min" in latency

    def test_summary_numbers_in_the_page_equal_the_engine_result(self, scenario):
        """The page's alarm table holds the markdown table's cells, most notifications first."""
        alarms, composites, result = scenario
        page = render_html(result, alarms, composites, urgencies=URGENCIES)
        table = page.split("<h2>Alarms that notify</h2>")[1].split("</table>")[0]
        cells = [re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", table, re.DOTALL)]
        assert cells == ["orders-latency", "LOW", "3", "1.50", "2024-05-01 (2)", "3 min", "0",
                         "orders-page", "HIGH", "2", "1.00", "2024-05-01 (1)", "40 min", "1"]

    def test_alarm_names_and_descriptions_are_escaped(self):
        """Markup in a name or an incident description is shown as text, never run."""
        name = '<script>alert("x")</script>'
        incidents = [Incident(id="I<1>", start=at(1), end=at(2), customer_impact=True, description="<b>bold</b>")]
        result = replay([alarm(name, threshold=5)], [], store({key(): [0, 9, 0]}), T0, at(3), incidents,
                        keep_values=True)
        page = render_html(result, [alarm(name, threshold=5)])
        assert "<script" not in page
        assert "<b>bold" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
        assert "&lt;b&gt;bold&lt;/b&gt;" in page

    def test_alarm_replayed_without_values_gets_a_state_strip_and_a_note(self):
        """Without keep_values there is no metric line; the section says how to get one."""
        alarms, composites, result = _scenario(keep_values=False)
        page = render_html(result, alarms, composites)
        assert 'class="metric"' not in page
        assert page.count("Replay with keep_values=True to draw the value this alarm evaluates.") == 2

    def test_report_file_replaces_the_old_one_atomically(self, scenario, tmp_path):
        """The report is one file; an interrupt before it is complete leaves the previous report as it was."""
        alarms, composites, result = scenario
        target = tmp_path / "report.html"
        write_html_report(result, target, alarms, composites, urgencies=URGENCIES)
        assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
        before = target.read_bytes()

        def interrupted(fd):
            raise KeyboardInterrupt

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(output_module.os, "fsync", interrupted)
            with pytest.raises(KeyboardInterrupt):
                write_html_report(result, target, alarms, composites, title="Another report")
        assert target.read_bytes() == before
        assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


class TestCharts:
    def test_downsampling_a_month_keeps_a_one_minute_spike_and_the_point_budget(self):
        """30 days of minutes become at most 800 points and the single spike is one of them."""
        values = np.zeros(30 * DAY)
        values[12_345] = 99.0
        index, picked = downsample(values)
        assert len(index) <= MAX_POINTS
        assert picked.max() == 99.0
        assert index[int(np.argmax(picked))] == 12_345

    def test_downsampling_keeps_missing_data_as_gaps_and_time_order(self):
        """A bucket with no datapoint stays missing (the line breaks); indices never go back in time."""
        values = np.arange(30 * DAY, dtype=float)
        values[1000:5000] = np.nan
        index, picked = downsample(values)
        assert np.isnan(picked).any()
        assert (np.diff(index) >= 0).all()

    def test_short_series_are_drawn_point_for_point(self):
        """Up to 800 datapoints are drawn as they are."""
        values = np.array([1.0, np.nan, 3.0])
        index, picked = downsample(values)
        assert index.tolist() == [0, 1, 2]
        np.testing.assert_array_equal(picked, values)

    def test_state_spans_cover_the_range_starting_in_insufficient_data(self):
        """Spans run from start to end without gaps: INSUFFICIENT_DATA until the first evaluation, then each state."""
        result = replay([alarm(threshold=5)], [], store({key(): [0, 9, 0]}), T0, at(3))
        lo, hi = int(T0.timestamp()), int(at(3).timestamp())
        spans = [(s.state, (s.start - lo) // 60, (s.end - lo) // 60) for s in
                 state_spans(result.timelines["alarm"], lo, hi)]
        assert spans == [(2, 0, 1), (0, 1, 2), (1, 2, 3)]
