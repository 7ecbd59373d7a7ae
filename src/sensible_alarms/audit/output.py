"""The audit report as markdown (for a pull request or a ticket) and as one self-contained HTML page
(inline CSS and SVG, the replay's daily bar chart per entrypoint, before and after)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime

from .report import AuditedAlarm, AuditReport, burst_group, report_to_dict

__all__ = ["report_html", "report_json", "report_markdown"]


def _t(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _why(reasons: tuple[str, ...]) -> str:
    """The first reason, up to its first clause: the rest is in the JSON report."""
    if not reasons:
        return ""
    first = reasons[0].split("; ", 1)[0].split(". Keep one", 1)[0]
    return first if first.endswith(".") else first + "."


def _row(alarm: AuditedAlarm, *, with_count: bool) -> str:
    also = [label for label in alarm.labels[1:] if label != "unexplained"]
    cls = alarm.classification + (f" (also {', '.join(also)})" if also else "")
    count = f" {len(alarm.notifications)} |" if with_count else ""
    return f"| {_cell(alarm.name)} | {cls} |{count} {_cell(alarm.entrypoint)} | {_cell(_why(alarm.reasons))} |"


def report_json(report: AuditReport) -> str:
    return json.dumps(report_to_dict(report), indent=2, sort_keys=True) + "\n"


def report_markdown(report: AuditReport) -> str:
    lines = [f"# Alarm audit: {report.region}, {_t(report.start)} .. {_t(report.end)} UTC", ""]
    if report.problems:
        lines += ["## Could not read", ""]
        lines += [f"- {p.words}" for p in report.problems]
        if not report.alarms_read:
            lines += ["", "No alarm could be read: nothing to report."]
            return "\n".join(lines) + "\n"
        if not report.history_read:
            lines += ["", "Without the alarm history, notification counts below are unknown (shown as 0)."]
        lines.append("")
    notifiers = report.notifiers
    lines += [
        f"{_plural(len(report.alarms), 'alarm')}, {len(notifiers)} of them notify; "
        f"{_plural(report.notifications, 'notification')} in the period, in {_plural(len(report.bursts), 'burst')}.",
        f"Mapped to entrypoints with {'the cloud assembly ' + report.assembly if report.assembly else 'dimensions alone (no cloud assembly given)'}.",  # noqa: E501
        "",
        "| class | notifying alarms | notifications |", "|---|---:|---:|",
    ]
    lines += [f"| {cls} | {n} | {s} |" for cls, (n, s) in report.by_class().items()]
    sent = [a for a in notifiers if a.notifications]
    quiet_notifiers = [a for a in notifiers if not a.notifications]
    lines += ["", "## Alarms that notified", ""]
    if sent:
        lines += ["| alarm | class | notifications | entrypoint | why |", "|---|---|---:|---|---|"]
        lines += [_row(alarm, with_count=True) for alarm in sent]
    else:
        lines.append("None in the period.")
    if quiet_notifiers:
        lines += ["", "## Alarms that would notify but did not in the period", "",
                  "| alarm | class | entrypoint | why |", "|---|---|---|---|"]
        lines += [_row(alarm, with_count=False) for alarm in quiet_notifiers]
    several = [b for b in report.bursts if len(b.alarms) > 1]
    lines += ["", "## Bursts: one failure, several notifications", ""]
    if report.bursts:
        per_incident = report.notifications / len(report.bursts)
        lines.append(f"{_plural(len(report.bursts), 'burst')}, {per_incident:.1f} notifications per incident; "
                     f"{len(several)} where several alarms notified for one failure.")
        lines.append("")
        if several:
            lines += ["| entrypoint | from | to | notifications | alarms |", "|---|---|---|---:|---|"]
            lines += [f"| {_cell(b.entrypoint)} | {_t(b.start)} | {_t(b.end)} | {len(b.notifications)} | "
                      f"{_cell(', '.join(b.alarms))} |" for b in several]
    else:
        lines.append("No notifications in the period.")
    missing = [a for a in report.alarms if a.metric_missing]
    if missing:
        lines += ["", "## Alarms whose metric no longer exists", ""]
        lines += [f"- {a.name}: no data, and ListMetrics does not list its metric (no datapoint for two "
                  "weeks: the resource is gone or idle, and the alarm cannot fire)" for a in missing]
    if report.uncovered:
        lines += ["", "## Entrypoints no notifying alarm covers", ""]
        lines += [f"- {u.title} ({u.stack})" for u in report.uncovered]
        lines += ["", "`sensible-alarms suggest` prints the constructs that cover them."]
    if report.not_deployed:
        lines += ["", "## In the assembly, not in the account", ""]
        lines += [f"- {name or lid} ({stack})" for stack, lid, name in report.not_deployed]
    if report.replay is not None or report.replay_problem:
        lines += ["", "## What this library's constructs would have sent", ""]
        if report.replay_problem:
            lines.append(report.replay_problem)
        if report.replay is not None:
            total = sum(len(v) for v in report.replay.notifications.values())
            lines.append(f"Replayed {_t(report.replay.start)} .. {_t(report.replay.end)}: "
                         f"{_plural(total, 'notification')}. {report.replay.note}".rstrip())
            lines += [f"- {name}: {len(times)}" for name, times in sorted(report.replay.notifications.items())]
    quiet = [a for a in report.alarms if not a.notifies]
    if quiet:
        lines += ["", f"{_plural(len(quiet), 'alarm')} notify no one (members of composites, or without actions)."]
    return "\n".join(lines) + "\n"


def _daily(report: AuditReport, times_by_urgency: dict[str, list[datetime]]) -> tuple[list[date], dict[str, list[int]]]:
    days = report.days()
    index = {day: i for i, day in enumerate(days)}
    counts: dict[str, list[int]] = {}
    for urgency, times in times_by_urgency.items():
        row = [0] * len(days)
        for at in times:
            if at.date() in index:
                row[index[at.date()]] += 1
        counts[urgency] = row
    return days, counts


def report_html(report: AuditReport) -> str:
    """The page: totals, per entrypoint a chart of notifications per day before (the account's
    alarms) and after (the replay, when run), then the tables of the markdown report."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    from ..replay.charts import daily_bars

    before: dict[str, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for alarm in (a for a in report.notifiers if a.notifications):
        key = burst_group(alarm)
        urgency = (alarm.urgency or "").upper()
        before[key][urgency if urgency in ("HIGH", "LOW") else ""].extend(alarm.notifications)
    after: dict[str, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    if report.replay is not None:
        for key, times in report.replay.notifications.items():
            after[key]["HIGH"].extend(times)
    charts = []
    for key in sorted(set(before) | set(after)):
        days, counts = _daily(report, dict(before[key]))
        chart_after = None
        if report.replay is not None:
            _, after_counts = _daily(report, dict(after[key]))
            chart_after = Markup(daily_bars(days, after_counts))
        charts.append({"entrypoint": key, "before": Markup(daily_bars(days, counts)),
                       "sent": sum(len(v) for v in before[key].values()),
                       "after": chart_after, "would_send": sum(len(v) for v in after[key].values())})
    env = Environment(loader=PackageLoader("sensible_alarms.audit", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("audit.html.j2")
    return template.render(report=report, charts=charts, t=_t, why=_why, by_class=report.by_class(),
                           several=[b for b in report.bursts if len(b.alarms) > 1])
