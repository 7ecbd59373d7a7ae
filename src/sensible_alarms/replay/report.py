"""The replay's outputs for people: a summary table (terminal text with rich, markdown) and one
self-contained HTML report with a chart per alarm.

The summary: notifications in total, per day and per urgency; per alarm that can notify, its
notifications, mean per day, busiest day, time in ALARM and the incidents it detected first; with
incidents, precision, recall and the median and worst time to detect. :func:`summarize` computes
it once from a :class:`ReplayResult`; every rendering shows the same numbers.

The HTML report is one file that loads nothing: inline CSS, inline SVG charts (``charts.py``),
no script. Draw each metric alarm's value by replaying with ``keep_values=True``; without it the
report shows state strips. Writes are atomic.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._time import epoch_seconds, format_utc
from .charts import URGENCY_COLOURS, daily_bars, metric_chart, state_spans, state_strip
from .definitions import CompositeAlarmDef, ExpressionQuery, MetricAlarmDef
from .engine import ReplayResult
from .evaluation import ALARM
from .incidents import Scores
from .output import write_text_atomic

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = [
    "AlarmSummary",
    "ReplaySummary",
    "UrgencyTotal",
    "format_duration",
    "print_summary",
    "render_html",
    "render_summary_text",
    "summarize",
    "summary_markdown",
    "summary_table",
    "urgencies_from_metadata",
    "write_html_report",
    "write_markdown_summary",
]

_OPERATORS = {
    "GreaterThanOrEqualToThreshold": "≥",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "≤",
}
_UNKNOWN = "-"


# -- formatting ---------------------------------------------------------------------------------


def format_duration(value: timedelta | None) -> str:
    """``45 s``, ``3 min``, ``2 min 30 s``, ``1 h 05 min``, ``2 d 3 h``; ``-`` for None."""
    if value is None:
        return _UNKNOWN
    seconds = round(value.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    if seconds < 60:
        text = f"{seconds} s"
    elif seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        text = f"{minutes} min" + (f" {rest} s" if rest else "")
    elif seconds < 86_400:
        hours, rest = divmod(seconds, 3600)
        text = f"{hours} h {rest // 60:02d} min"
    else:
        days, rest = divmod(seconds, 86_400)
        text = f"{days} d {rest // 3600} h"
    return sign + text


def _percent(value: float | None) -> str:
    return _UNKNOWN if value is None else f"{value:.1%}"


def _rate(value: float) -> str:
    return f"{value:.2f}"


def _minute(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def urgencies_from_metadata(metadata: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Alarm name -> urgency (``HIGH``/``LOW``) from the ``SensibleAlarms`` metadata the constructs
    write (``AlarmSet.metadata``); alarms without one are left out."""
    return {name: str(meta["urgency"]) for name, meta in metadata.items()
            if isinstance(meta, Mapping) and meta.get("urgency")}


# -- the summary --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlarmSummary:
    """One alarm that can notify (it has alarm actions)."""

    name: str
    kind: str
    urgency: str | None
    notifications: int
    per_day: float
    busiest_day: date | None
    busiest_day_notifications: int
    time_in_alarm: timedelta
    #: customer-impact incidents whose first notification came from this alarm
    first_detections: int


@dataclass(frozen=True)
class UrgencyTotal:
    urgency: str  # "HIGH", "LOW" or "" when not known
    count: int
    per_day: float

    @property
    def label(self) -> str:
        return self.urgency or "urgency unknown"

    @property
    def per_day_text(self) -> str:
        return _rate(self.per_day)


@dataclass(frozen=True)
class ReplaySummary:
    """What :func:`summarize` found; the ``*_text`` properties are the renderings' wording."""

    start: datetime
    end: datetime
    days: float
    notifications: int
    per_day: float
    by_urgency: tuple[UrgencyTotal, ...]
    alarms: tuple[AlarmSummary, ...]
    #: alarms without alarm actions (never notify)
    silent: int
    suppressed: int
    scores: Scores | None
    median_time_to_detect: timedelta | None
    worst_time_to_detect: timedelta | None
    warnings: tuple[str, ...]

    @property
    def start_text(self) -> str:
        return _minute(self.start)

    @property
    def end_text(self) -> str:
        return _minute(self.end)

    @property
    def days_text(self) -> str:
        text = f"{self.days:.2f}".rstrip("0").rstrip(".")
        return f"{text} day{'s' if text != '1' else ''}"

    @property
    def per_day_text(self) -> str:
        return _rate(self.per_day)

    @property
    def precision_text(self) -> str:
        return _percent(self.scores.precision if self.scores else None)

    @property
    def recall_text(self) -> str:
        return _percent(self.scores.recall if self.scores else None)

    @property
    def median_ttd_text(self) -> str:
        return format_duration(self.median_time_to_detect)

    @property
    def worst_ttd_text(self) -> str:
        return format_duration(self.worst_time_to_detect)


def _time_in_alarm(result: ReplayResult, name: str) -> timedelta:
    lo, hi = epoch_seconds(result.start), epoch_seconds(result.end)
    seconds = sum(s.end - s.start for s in state_spans(result.timelines[name], lo, hi) if s.state == ALARM)
    return timedelta(seconds=seconds)


def summarize(result: ReplayResult, *, urgencies: Mapping[str, str] | None = None) -> ReplaySummary:
    """The summary of ``result``; ``urgencies`` maps alarm names to ``HIGH``/``LOW`` (see
    :func:`urgencies_from_metadata`). Alarms are listed most notifications first, then by name."""
    urgency_of = dict(urgencies or {})
    days = max((result.end - result.start).total_seconds() / 86_400, 1 / 1440)
    first_by: dict[str, int] = {}
    if result.scores is not None:
        for item in result.scores.incidents:
            if item.incident.customer_impact and item.first_alarm is not None:
                first_by[item.first_alarm] = first_by.get(item.first_alarm, 0) + 1
    rows = []
    for name, counts in result.notifications_per_day.items():
        total = sum(counts)
        busiest = max(range(len(counts)), key=lambda i: (counts[i], -i)) if counts else None
        rows.append(AlarmSummary(
            name=name, kind=result.timelines[name].kind, urgency=urgency_of.get(name), notifications=total,
            per_day=total / days, busiest_day=result.days[busiest] if busiest is not None and counts[busiest] else None,
            busiest_day_notifications=counts[busiest] if busiest is not None else 0,
            time_in_alarm=_time_in_alarm(result, name), first_detections=first_by.get(name, 0)))
    rows.sort(key=lambda r: (-r.notifications, r.name))
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.urgency or ""] = totals.get(row.urgency or "", 0) + row.notifications
    order = {"HIGH": 0, "LOW": 1, "": 3}
    ranked = sorted(totals.items(), key=lambda item: (order.get(item[0], 2), item[0]))
    by_urgency = tuple(UrgencyTotal(urgency, count, count / days) for urgency, count in ranked)
    notifications = sum(r.notifications for r in rows)
    median = worst = None
    if result.scores is not None:
        detect = [s.time_to_detect for s in result.scores.incidents
                  if s.incident.customer_impact and s.time_to_detect is not None]
        if detect:
            median = timedelta(seconds=statistics.median(t.total_seconds() for t in detect))
            worst = max(detect)
    return ReplaySummary(
        start=result.start, end=result.end, days=days, notifications=notifications, per_day=notifications / days,
        by_urgency=by_urgency, alarms=tuple(rows),
        silent=sum(1 for t in result.timelines.values() if not t.has_actions), suppressed=len(result.suppressed),
        scores=result.scores, median_time_to_detect=median, worst_time_to_detect=worst, warnings=result.warnings)


@dataclass(frozen=True)
class _Column:
    title: str
    numeric: bool


def _columns(summary: ReplaySummary) -> list[_Column]:
    columns = [_Column("Alarm", False), _Column("Urgency", False), _Column("Notifications", True),
               _Column("Per day", True), _Column("Busiest day", False), _Column("Time in ALARM", True)]
    if summary.scores is not None:
        columns.append(_Column("Detected first", True))
    return columns


def _cells(summary: ReplaySummary, row: AlarmSummary) -> list[str]:
    busiest = (f"{row.busiest_day.isoformat()} ({row.busiest_day_notifications})" if row.busiest_day else _UNKNOWN)
    cells = [row.name, row.urgency or _UNKNOWN, str(row.notifications), _rate(row.per_day), busiest,
             format_duration(row.time_in_alarm)]
    if summary.scores is not None:
        cells.append(str(row.first_detections))
    return cells


def _totals_line(summary: ReplaySummary) -> str:
    parts = [f"{summary.notifications} notifications in {summary.days_text} ({summary.per_day_text} a day)"]
    parts += [f"{u.label}: {u.count} ({u.per_day_text} a day)" for u in summary.by_urgency]
    return "; ".join(parts)


def _scores_line(summary: ReplaySummary) -> str | None:
    scores = summary.scores
    if scores is None:
        return None
    return (f"Precision {summary.precision_text} ({scores.notifications_in_customer_impact} of "
            f"{scores.notifications} notifications during customer impact); recall {summary.recall_text} "
            f"({scores.detected_customer_impact_incidents} of {scores.customer_impact_incidents} customer-impact "
            f"incidents notified); time to detect: median {summary.median_ttd_text}, worst {summary.worst_ttd_text}")


def _on_call_line(summary: ReplaySummary) -> str | None:
    """What an on-call person feels: false notifications, notifications per incident, and why each
    re-notification came (incidents.CAUSES)."""
    scores = summary.scores
    if scores is None:
        return None
    per_incident = scores.notifications_per_incident
    again = scores.by_cause(renotifications_only=True)
    causes = ", ".join(f"{count} {cause}" for cause, count in again.items())
    return (f"On call: {scores.false_notifications} false notification{'s' if scores.false_notifications != 1 else ''}"
            f" ({_rate(scores.false_notifications / summary.days)} a day, outside every customer-impact window); "
            f"{'-' if per_incident is None else f'{per_incident:.2f}'} notifications per notified incident; "
            f"{scores.renotifications} re-notification{'s' if scores.renotifications != 1 else ''} ({causes})")


def _silent_line(count: int) -> str:
    if count == 1:
        return "1 alarm has no alarm actions: it notifies no one and is not counted."
    return f"{count} alarms have no alarm actions: they notify no one and are not counted."


def _incident_cells(summary: ReplaySummary) -> list[list[str]]:
    if summary.scores is None:
        return []
    rows = []
    for item in summary.scores.incidents:
        incident = item.incident
        if incident.customer_impact:
            detected = "yes" if item.detected else "MISSED"
        else:
            detected = "notified" if item.detected else "no (correct)"
        rows.append([incident.id, "yes" if incident.customer_impact else "no", detected,
                     format_duration(item.time_to_detect), item.first_alarm or _UNKNOWN,
                     str(item.notifications) if incident.customer_impact else _UNKNOWN])
    return rows


# -- markdown -----------------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def summary_markdown(summary: ReplaySummary) -> str:
    """The summary as GitHub-flavoured markdown (for a pull request or a CI job summary)."""
    lines = [f"### Replay {summary.start_text} to {summary.end_text} UTC", "", _totals_line(summary) + ".", ""]
    if summary.alarms:
        columns = _columns(summary)
        lines.append("| " + " | ".join(c.title for c in columns) + " |")
        lines.append("|" + "|".join("---:" if c.numeric else "---" for c in columns) + "|")
        for row in summary.alarms:
            lines.append("| " + " | ".join(_md(cell) for cell in _cells(summary, row)) + " |")
    else:
        lines.append("No alarm has an alarm action: none can notify anyone.")
    if summary.silent:
        lines += ["", _silent_line(summary.silent)]
    if summary.suppressed:
        lines += ["", f"{summary.suppressed} composite entr{'ies' if summary.suppressed != 1 else 'y'} into ALARM "
                      "had their actions suppressed."]
    scores = _scores_line(summary)
    if scores:
        lines += ["", scores + ".", "", (_on_call_line(summary) or "") + ".", "",
                  "| Incident | Customer impact | Detected | Time to detect | First alarm | Notifications |",
                  "|---|---|---|---:|---|---:|"]
        lines += ["| " + " | ".join(_md(c) for c in cells) + " |" for cells in _incident_cells(summary)]
    if summary.warnings:
        lines += ["", "Warnings:", ""] + [f"- {_md(w)}" for w in summary.warnings]
    return "\n".join(lines) + "\n"


def write_markdown_summary(summary: ReplaySummary, path: str | Path) -> None:
    """Write :func:`summary_markdown` to ``path`` atomically."""
    write_text_atomic(summary_markdown(summary), path)


# -- terminal (rich) ------------------------------------------------------------------------------


def summary_table(summary: ReplaySummary) -> Table:
    """The per-alarm table as a ``rich`` table (rich comes with the ``cli`` extra)."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Notifications {summary.start_text} to {summary.end_text} UTC", title_justify="left")
    longest = max((len(row.name) for row in summary.alarms), default=5)
    for column in _columns(summary):
        if column.title == "Alarm":
            table.add_column(column.title, overflow="fold", min_width=min(longest, 40))
        else:
            table.add_column(column.title, justify="right" if column.numeric else "left", no_wrap=True)
    for row in summary.alarms:
        cells = [escape(cell) for cell in _cells(summary, row)]  # names are text, not rich markup
        style = {"HIGH": "bold red", "LOW": "yellow"}.get(row.urgency or "", "")
        cells[1] = f"[{style}]{cells[1]}[/]" if style else cells[1]
        table.add_row(*cells)
    return table


def print_summary(summary: ReplaySummary, console: Console | None = None) -> None:
    """Print the summary (table, totals, scores, incidents, warnings) to ``console`` (default: a new
    rich console on standard output)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    out = console if console is not None else Console()
    if summary.alarms:
        out.print(summary_table(summary))
    else:
        out.print("No alarm has an alarm action: none can notify anyone.")
    out.print(escape(_totals_line(summary)) + ".")
    if summary.silent:
        out.print(_silent_line(summary.silent))
    scores = _scores_line(summary)
    if scores:
        out.print(escape(scores) + ".")
        out.print(escape(_on_call_line(summary) or "") + ".")
        incidents = Table(title="Incidents", title_justify="left")
        for title in ("Incident", "Customer impact", "Detected", "Time to detect", "First alarm", "Notifications"):
            incidents.add_column(title, justify="right" if title in ("Time to detect", "Notifications") else "left")
        for cells in _incident_cells(summary):
            if cells[2] == "MISSED":
                cells[2] = "[bold red]MISSED[/]"
            incidents.add_row(*[escape(c) if i != 2 else c for i, c in enumerate(cells)])
        out.print(incidents)
    for warning in summary.warnings:
        out.print(f"[yellow]warning:[/] {escape(warning)}")


def render_summary_text(summary: ReplaySummary, *, width: int = 100) -> str:
    """The output of :func:`print_summary` as plain text (no colour), ``width`` columns wide."""
    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    print_summary(summary, Console(file=buffer, width=width, color_system=None, force_terminal=False,
                                   highlight=False))
    return buffer.getvalue()


# -- HTML -------------------------------------------------------------------------------------------


def _describe(alarm: MetricAlarmDef) -> str:
    returned = alarm.returned_query
    if isinstance(returned, ExpressionQuery):
        what = f"expression {returned.expression}"
    else:
        dims = ",".join(f"{k}={v}" for k, v in returned.dimensions)
        what = f"{returned.stat} of {returned.namespace} {returned.metric}" + (f" {{{dims}}}" if dims else "")
    n, m = alarm.evaluation_periods, alarm.datapoints_required
    return (f"{what} {_OPERATORS.get(alarm.comparison_operator, alarm.comparison_operator)} {alarm.threshold:g} "
            f"for {m} of {n} datapoints of {alarm.period // 60} min; missing data: {alarm.missing_data_treatment}")


def _template() -> Any:
    from jinja2 import Environment, StrictUndefined

    text = resources.files(__package__).joinpath("templates", "report.html.j2").read_text(encoding="utf-8")
    environment = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False,
                              keep_trailing_newline=True)
    return environment.from_string(text)


def render_html(result: ReplayResult, alarms: Sequence[MetricAlarmDef] = (),
                composites: Sequence[CompositeAlarmDef] = (), *, urgencies: Mapping[str, str] | None = None,
                title: str = "Alarm replay") -> str:
    """The HTML report of ``result`` as one self-contained page.

    ``alarms`` and ``composites`` are the definitions replayed (for thresholds and descriptions;
    an alarm of the result without its definition is charted as a state strip). Charts come in
    the summary's order (alarms that notify, most first), then the other alarms by name.
    """
    from markupsafe import Markup

    summary = summarize(result, urgencies=urgencies)
    lo, hi = epoch_seconds(result.start), epoch_seconds(result.end)
    incidents = tuple(s.incident for s in result.scores.incidents) if result.scores is not None else ()
    metric_defs = {a.name: a for a in alarms}
    composite_defs = {c.name: c for c in composites}
    urgency_of = dict(urgencies or {})

    notifications: dict[str, list[Any]] = {}
    for n in result.notifications:
        notifications.setdefault(n.alarm, []).append(n)
    suppressed: dict[str, list[Any]] = {}
    for s in result.suppressed:
        suppressed.setdefault(s.alarm, []).append(s)

    order = [row.name for row in summary.alarms]
    order += sorted(name for name in result.timelines if name not in set(order))
    charts = []
    for name in order:
        timeline = result.timelines[name]
        own = notifications.get(name, [])
        held = suppressed.get(name, [])
        urgency = urgency_of.get(name)
        facts = [f"{timeline.kind} alarm", f"urgency {urgency}" if urgency else "",
                 f"{len(own)} notification{'s' if len(own) != 1 else ''}" if timeline.has_actions else
                 "no alarm actions (notifies no one)"]
        note = ""
        definition = metric_defs.get(name)
        values = result.values.get(name)
        if definition is not None and values is not None:
            facts.append(_describe(definition))
            svg = metric_chart(name=name, lo=lo, hi=hi, values=values, threshold=definition.threshold,
                               operator_symbol=_OPERATORS.get(definition.comparison_operator, "?"), timeline=timeline,
                               incidents=incidents, notifications=own, suppressed=held)
        else:
            if definition is not None:
                facts.append(_describe(definition))
                note = "Replay with keep_values=True to draw the value this alarm evaluates."
            elif name in composite_defs:
                facts.append(f"rule {composite_defs[name].alarm_rule}")
            svg = state_strip(name=name, lo=lo, hi=hi, timeline=timeline, incidents=incidents, notifications=own,
                              suppressed=held)
        charts.append({"name": name, "meta": " · ".join(f for f in facts if f), "note": note, "svg": Markup(svg)})

    by_urgency: dict[str, list[int]] = {}
    for name, counts in result.notifications_per_day.items():
        bucket = by_urgency.setdefault(urgency_of.get(name, "") if urgency_of.get(name) in URGENCY_COLOURS else "",
                                       [0] * len(result.days))
        for i, count in enumerate(counts):
            bucket[i] += count
    legend = [{"label": u or "urgency unknown", "colour": URGENCY_COLOURS[u]} for u in ("HIGH", "LOW", "")
              if u in by_urgency]
    incident_rows = []
    if result.scores is not None:
        for item, cells in zip(result.scores.incidents, _incident_cells(summary), strict=True):
            incident_rows.append({"id": cells[0], "impact": cells[1], "detected": cells[2], "ttd": cells[3],
                                  "first_alarm": cells[4], "notifications": cells[5],
                                  "missed": cells[2] == "MISSED",
                                  "description": item.incident.description,
                                  "start": _minute(item.incident.start), "end": _minute(item.incident.end)})
    return str(_template().render(
        title=title, summary=summary,
        counts={"metric": sum(1 for t in result.timelines.values() if t.kind == "metric"),
                "composite": sum(1 for t in result.timelines.values() if t.kind == "composite")},
        columns=_columns(summary), table_rows=[_cells(summary, row) for row in summary.alarms],
        daily_chart=Markup(daily_bars(result.days, by_urgency)), legend_urgencies=legend,
        incident_rows=incident_rows,
        suppressed=[{"alarm": s.alarm, "at": format_utc(s.alarm_at), "reason": s.reason} for s in result.suppressed],
        warnings=list(result.warnings), charts=charts, silent_line=_silent_line(summary.silent),
        on_call_line=_on_call_line(summary) or "",
    ))


def write_html_report(result: ReplayResult, path: str | Path, alarms: Sequence[MetricAlarmDef] = (),
                      composites: Sequence[CompositeAlarmDef] = (), *, urgencies: Mapping[str, str] | None = None,
                      title: str = "Alarm replay") -> None:
    """Write :func:`render_html` to ``path`` atomically: readers see the old file or the whole new
    one, and an interrupted run leaves no part of a report behind."""
    write_text_atomic(render_html(result, alarms, composites, urgencies=urgencies, title=title), path)
