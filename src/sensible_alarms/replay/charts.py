"""Inline SVG charts for the replay's HTML report, drawn in Python: no script, no font, no network.

One chart per alarm: the value the alarm watches (its newest datapoint at every evaluation,
downsampled to at most ``MAX_POINTS`` points by keeping each bucket's minimum and maximum, so a
one-minute spike in 30 days still shows), the threshold line, the alarm's ALARM spans, incident
spans and notification markers. A composite (or a metric alarm replayed without its values) gets
a state strip: spans and markers only. A bar chart shows notifications per day by urgency.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

import numpy as np

from ._time import epoch_seconds, format_utc, from_epoch
from .engine import AlarmTimeline, Notification, SuppressedAction
from .evaluation import ALARM, INSUFFICIENT_DATA
from .incidents import Incident
from .windows import FloatArray

__all__ = ["MAX_POINTS", "URGENCY_COLOURS", "Span", "daily_bars", "downsample", "metric_chart", "state_spans",
           "state_strip"]

#: The most vertices of a metric line: 400 buckets, each drawn by its minimum and maximum.
MAX_POINTS = 800
#: Bar colours by urgency ("" is an alarm whose urgency is not known).
URGENCY_COLOURS = {"HIGH": "#c62828", "LOW": "#ef8f00", "": "#78909c"}

_WIDTH = 860
_LEFT, _RIGHT = 64, 16
_PLOT_W = _WIDTH - _LEFT - _RIGHT
_ALARM_FILL = "#e53935"
_INCIDENT_FILL = "#1e88e5"
_NO_IMPACT_FILL = "#9e9e9e"
_INSUFFICIENT_FILL = "#757575"
_LINE = "#263238"
#: Time axis steps, the first giving at most 8 ticks is used.
_TICK_STEPS = (60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800)


@dataclass(frozen=True)
class Span:
    """A state held from ``start`` to ``end`` (epoch seconds)."""

    state: int
    start: int
    end: int


def state_spans(timeline: AlarmTimeline, lo: int, hi: int) -> list[Span]:
    """The alarm's states over ``[lo, hi]`` as consecutive spans; it starts in INSUFFICIENT_DATA."""
    times = [lo, *(int(t) for t in timeline.change_times.tolist())]
    states = [INSUFFICIENT_DATA, *(int(s) for s in timeline.change_states.tolist())]
    spans = []
    for i, (start, state) in enumerate(zip(times, states, strict=True)):
        end = times[i + 1] if i + 1 < len(times) else hi
        if end > start:
            spans.append(Span(state, start, end))
    return spans


def downsample(values: FloatArray, max_points: int = MAX_POINTS) -> tuple[np.ndarray, FloatArray]:
    """``(index, value)`` of at most ``max_points`` points that draw ``values`` faithfully: all of
    them when few, else each bucket's minimum and maximum in time order. NaN (missing) stays NaN
    so the line breaks there."""
    n = values.shape[0]
    if n <= max_points:
        return np.arange(n), values
    buckets = max_points // 2
    size = math.ceil(n / buckets)
    padded = np.full(buckets * size, np.nan)
    padded[:n] = values
    blocks = padded.reshape(buckets, size)
    empty = np.isnan(blocks).all(axis=1)
    low = np.argmin(np.where(np.isnan(blocks), np.inf, blocks), axis=1)
    high = np.argmax(np.where(np.isnan(blocks), -np.inf, blocks), axis=1)
    first, second = np.minimum(low, high), np.maximum(low, high)
    base = np.arange(buckets) * size
    index = np.stack((base + first, base + second), axis=1).reshape(-1)
    picked = np.stack((blocks[np.arange(buckets), first], blocks[np.arange(buckets), second]), axis=1).reshape(-1)
    picked[np.repeat(empty, 2)] = np.nan
    index = np.minimum(index, n - 1)
    return index, picked


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)


def _number(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e6 or abs(value) < 1e-3:
        return f"{value:.3g}"
    return f"{value:,.6g}"


def _f(value: float) -> str:
    return f"{value:.1f}"


class _Frame:
    """Maps epoch seconds and values to the plot area of one chart."""

    def __init__(self, lo: int, hi: int, top: int, height: int, y_lo: float = 0.0, y_hi: float = 1.0) -> None:
        self.lo, self.hi, self.top, self.height = lo, hi, top, height
        self.y_lo, self.y_hi = y_lo, y_hi

    def x(self, at: float) -> float:
        return _LEFT + (at - self.lo) / (self.hi - self.lo) * _PLOT_W

    def y(self, value: float) -> float:
        return self.top + (self.y_hi - value) / (self.y_hi - self.y_lo) * self.height


def _time_ticks(frame: _Frame, bottom: float) -> list[str]:
    span = frame.hi - frame.lo
    step = next((s for s in _TICK_STEPS if span / s <= 8), 86_400 * 14)
    first = (frame.lo // step + 1) * step
    daily = step >= 86_400
    parts = []
    for at in range(first, frame.hi + 1, step):
        x = frame.x(at)
        stamp = from_epoch(at)
        label = stamp.strftime("%m-%d") if daily else stamp.strftime("%m-%d %H:%M" if stamp.hour == 0 and
                                                                      stamp.minute == 0 else "%H:%M")
        parts.append(f'<line class="grid" x1="{_f(x)}" x2="{_f(x)}" y1="{frame.top}" y2="{_f(bottom)}"/>'
                     f'<text class="tick" x="{_f(x)}" y="{_f(bottom + 14)}" text-anchor="middle">{label}</text>')
    return parts


def _merge(spans: Iterable[Span], state: int, pixel: float) -> list[tuple[int, int]]:
    """Spans of ``state``, merging those less than a pixel apart (they look the same)."""
    merged: list[list[int]] = []
    for span in spans:
        if span.state != state:
            continue
        if merged and span.start - merged[-1][1] < pixel:
            merged[-1][1] = span.end
        else:
            merged.append([span.start, span.end])
    return [(a, b) for a, b in merged]


def _shading(frame: _Frame, spans: Sequence[Span], incidents: Sequence[Incident]) -> list[str]:
    pixel = (frame.hi - frame.lo) / _PLOT_W
    parts = []
    for incident in incidents:
        a, b = max(epoch_seconds(incident.start), frame.lo), min(epoch_seconds(incident.end), frame.hi)
        if b < a:
            continue
        fill = _INCIDENT_FILL if incident.customer_impact else _NO_IMPACT_FILL
        impact = "customer impact" if incident.customer_impact else "no customer impact"
        title = escape(f"incident {incident.id} ({impact}): {format_utc(incident.start)} .. "
                       f"{format_utc(incident.end)}{' - ' + incident.description if incident.description else ''}")
        parts.append(f'<rect class="incident" x="{_f(frame.x(a))}" y="{frame.top}" '
                     f'width="{_f(max(frame.x(b) - frame.x(a), 1.5))}" height="{frame.height}" fill="{fill}">'
                     f"<title>{title}</title></rect>")
    # ALARM shades the whole height; INSUFFICIENT_DATA is a band along the bottom edge, so it is not
    # mistaken for an incident.
    band = 5
    for state, fill, cls in ((INSUFFICIENT_DATA, _INSUFFICIENT_FILL, "insufficient"), (ALARM, _ALARM_FILL, "alarm")):
        y, h = (frame.top + frame.height - band, band) if state == INSUFFICIENT_DATA else (frame.top, frame.height)
        for a, b in _merge(spans, state, pixel):
            name = "ALARM" if state == ALARM else "INSUFFICIENT_DATA"
            title = escape(f"{name} {format_utc(from_epoch(a))} .. {format_utc(from_epoch(b))}")
            parts.append(f'<rect class="{cls}" x="{_f(frame.x(a))}" y="{y}" '
                         f'width="{_f(max(frame.x(b) - frame.x(a), 1.0))}" height="{h}" fill="{fill}">'
                         f"<title>{title}</title></rect>")
    return parts


def _markers(frame: _Frame, notifications: Sequence[Notification],
             suppressed: Sequence[SuppressedAction]) -> list[str]:
    """Notifications as filled triangles above the plot, suppressed actions as hollow ones; those
    within one pixel share a marker whose tooltip counts them."""
    parts = []
    for items, cls in ((notifications, "notification"), (suppressed, "suppressed")):
        columns: dict[int, list[datetime]] = {}
        for item in items:
            at = item.timestamp if isinstance(item, Notification) else item.alarm_at
            columns.setdefault(round(frame.x(epoch_seconds(at))), []).append(at)
        for column, stamps in sorted(columns.items()):
            what = "notification" if cls == "notification" else "suppressed action"
            label = (f"{what} at {format_utc(stamps[0])}" if len(stamps) == 1 else
                     f"{len(stamps)} {what}s from {format_utc(stamps[0])} to {format_utc(stamps[-1])}")
            y = frame.top - 2
            parts.append(f'<path class="{cls}" d="M{column - 5} {y - 9}h10l-5 9z">'
                         f"<title>{escape(label)}</title></path>")
    return parts


def _line(frame: _Frame, times: np.ndarray, values: FloatArray) -> str:
    commands = []
    pen_down = False
    for at, value in zip(times.tolist(), values.tolist(), strict=True):
        if value != value:  # NaN: missing datapoint, the line breaks
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{_f(frame.x(at))} {_f(frame.y(value))}")
        pen_down = True
    return f'<path class="metric" d="{" ".join(commands)}" fill="none" stroke="{_LINE}"/>' if commands else ""


def _svg(height: int, label: str, parts: Iterable[str]) -> str:
    return (f'<svg class="chart" viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}" role="img" '
            f'aria-label="{escape(label)}">{"".join(parts)}</svg>')


def metric_chart(*, name: str, lo: int, hi: int, values: FloatArray, threshold: float, operator_symbol: str,
                 timeline: AlarmTimeline, incidents: Sequence[Incident], notifications: Sequence[Notification],
                 suppressed: Sequence[SuppressedAction] = ()) -> str:
    """A metric alarm's chart over ``(lo, hi]``: ``values[i]`` is the datapoint evaluated at
    ``lo + 60 (i + 1)``."""
    top, height = 18, 160
    times = lo + 60 * (np.arange(values.shape[0], dtype=np.int64) + 1)
    index, picked = downsample(values)
    present = picked[~np.isnan(picked)]
    y_lo = min(float(present.min()), threshold) if present.size else min(0.0, threshold)
    y_hi = max(float(present.max()), threshold) if present.size else max(1.0, threshold)
    if y_hi == y_lo:
        y_lo, y_hi = y_lo - 1, y_hi + 1
    step = _nice_step(y_hi - y_lo)
    y_lo, y_hi = math.floor(y_lo / step) * step, math.ceil(y_hi / step) * step
    if y_hi - (max(float(present.max()), threshold) if present.size else y_hi) < step * 0.05:
        y_hi += step  # room above the highest value so the threshold label does not sit on the frame
    frame = _Frame(lo, hi, top, height, y_lo, y_hi)
    parts = [f'<rect class="plot" x="{_LEFT}" y="{top}" width="{_PLOT_W}" height="{height}"/>']
    parts += _shading(frame, state_spans(timeline, lo, hi), incidents)
    tick = y_lo
    while tick <= y_hi + step / 2:
        y = frame.y(tick)
        parts.append(f'<line class="grid" x1="{_LEFT}" x2="{_LEFT + _PLOT_W}" y1="{_f(y)}" y2="{_f(y)}"/>'
                     f'<text class="tick" x="{_LEFT - 6}" y="{_f(y + 4)}" text-anchor="end">{_number(tick)}</text>')
        tick += step
    parts += _time_ticks(frame, top + height)
    parts.append(_line(frame, times[index], picked))
    y = frame.y(threshold)
    parts.append(f'<line class="threshold" x1="{_LEFT}" x2="{_LEFT + _PLOT_W}" y1="{_f(y)}" y2="{_f(y)}">'
                 f"<title>threshold {escape(operator_symbol)} {escape(_number(threshold))}</title></line>"
                 f'<text class="threshold-label" x="{_LEFT + _PLOT_W - 4}" y="{_f(y - 4)}" text-anchor="end">'
                 f"{escape(operator_symbol)} {escape(_number(threshold))}</text>")
    parts += _markers(frame, notifications, suppressed)
    return _svg(top + height + 22, f"{name}: metric, threshold, ALARM and incident spans, notifications", parts)


def state_strip(*, name: str, lo: int, hi: int, timeline: AlarmTimeline, incidents: Sequence[Incident],
                notifications: Sequence[Notification], suppressed: Sequence[SuppressedAction] = ()) -> str:
    """A state strip over ``(lo, hi]``: ALARM and incident spans, notification markers."""
    top, height = 18, 36
    frame = _Frame(lo, hi, top, height)
    parts = [f'<rect class="plot" x="{_LEFT}" y="{top}" width="{_PLOT_W}" height="{height}"/>']
    parts += _shading(frame, state_spans(timeline, lo, hi), incidents)
    parts += _time_ticks(frame, top + height)
    parts.append(f'<text class="tick" x="{_LEFT - 6}" y="{top + height / 2 + 4}" text-anchor="end">state</text>')
    parts += _markers(frame, notifications, suppressed)
    return _svg(top + height + 22, f"{name}: ALARM and incident spans, notifications", parts)


def daily_bars(days: Sequence[date], counts: Mapping[str, Sequence[int]]) -> str:
    """Notifications per day, one bar per day stacked by urgency; ``counts[urgency][i]`` is the
    count on ``days[i]`` (urgency ``""`` = not known)."""
    top, height = 12, 120
    n = max(len(days), 1)
    totals = [sum(c[i] for c in counts.values()) for i in range(len(days))]
    peak = max(totals, default=0)
    step = _nice_step(max(peak, 1))
    y_hi = max(math.ceil(max(peak, 1) / step) * step, 1.0)
    frame = _Frame(0, n, top, height, 0.0, y_hi)
    width = _PLOT_W / n
    parts = [f'<rect class="plot" x="{_LEFT}" y="{top}" width="{_PLOT_W}" height="{height}"/>']
    tick = 0.0
    while tick <= y_hi + step / 2:
        y = frame.y(tick)
        parts.append(f'<line class="grid" x1="{_LEFT}" x2="{_LEFT + _PLOT_W}" y1="{_f(y)}" y2="{_f(y)}"/>'
                     f'<text class="tick" x="{_LEFT - 6}" y="{_f(y + 4)}" text-anchor="end">{_number(tick)}</text>')
        tick += step
    label_every = max(1, math.ceil(n / 15))
    for i, day in enumerate(days):
        base = 0
        for urgency in ("HIGH", "LOW", ""):
            if urgency not in counts or not counts[urgency][i]:
                continue
            value = counts[urgency][i]
            y0, y1 = frame.y(base + value), frame.y(base)
            title = escape(f"{day.isoformat()}: {value} {urgency or 'urgency unknown'} notification"
                           f"{'s' if value != 1 else ''}")
            parts.append(f'<rect x="{_f(frame.x(i) + width * 0.1)}" y="{_f(y0)}" width="{_f(width * 0.8)}" '
                         f'height="{_f(y1 - y0)}" fill="{URGENCY_COLOURS[urgency]}"><title>{title}</title></rect>')
            base += value
        if i % label_every == 0:
            parts.append(f'<text class="tick" x="{_f(frame.x(i) + width / 2)}" y="{top + height + 14}" '
                         f'text-anchor="middle">{day.strftime("%m-%d")}</text>')
    return _svg(top + height + 22, "notifications per day by urgency", parts)
