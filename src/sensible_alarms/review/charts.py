"""One small inline SVG per entrypoint: its SLO and alarm windows on a log time axis.

Burn-rate entrypoints (APIs): each window at its length (x, log scale) and burn-rate threshold (y),
long and short windows of one pair joined, the SLO's sustainable pace (1x) dashed. Other
entrypoints: one lane per alarm, from its period to its evaluation window, and the SLO's maximum
age as a dashed line when the SLO states one. Pure string building; every text is escaped.
"""

from __future__ import annotations

import math
import re

from markupsafe import Markup, escape

from ..wording import duration
from .document import ChartWindow

__all__ = ["URGENCY_COLOURS", "entrypoint_chart"]

URGENCY_COLOURS = {"HIGH": "#b42318", "LOW": "#b54708", "-": "#475467"}
_W, _LEFT, _RIGHT, _TOP = 560, 150, 20, 16
_TICKS = (60, 300, 1800, 3600, 7200, 21600, 86400, 172800)
_MAX_AGE = re.compile(r"at most (\d+) (s|min|h|days?)\b")
_UNIT = {"s": 1, "min": 60, "h": 3600, "day": 86400, "days": 86400}


def _x(seconds: float, lo: float, hi: float) -> float:
    span = math.log10(hi) - math.log10(lo)
    return _LEFT + (math.log10(max(seconds, lo)) - math.log10(lo)) / span * (_W - _LEFT - _RIGHT)


def _axis(lo: float, hi: float, y: float) -> list[str]:
    parts = [f'<line x1="{_LEFT}" y1="{y}" x2="{_W - _RIGHT}" y2="{y}" stroke="#98a2b3"/>']
    for tick in _TICKS:
        if lo <= tick <= hi:
            x = _x(tick, lo, hi)
            parts.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 4}" stroke="#98a2b3"/>')
            parts.append(f'<text x="{x:.1f}" y="{y + 16}" text-anchor="middle" class="tick">{duration(tick)}</text>')
    return parts


def _burn_chart(windows: list[ChartWindow]) -> str:
    height = 190
    bottom = height - 30
    lo, hi = 60.0, 172800.0
    top_rate = max(w.burn_rate or 0 for w in windows) * 1.15

    def y(rate: float) -> float:
        return bottom - rate / top_rate * (bottom - _TOP)

    parts = _axis(lo, hi, bottom)
    parts.append(f'<text x="8" y="{_TOP + 4}" class="tick">burn rate (x the SLO pace)</text>')
    one = y(1)
    parts.append(f'<line x1="{_LEFT}" y1="{one:.1f}" x2="{_W - _RIGHT}" y2="{one:.1f}" stroke="#667085" '
                 'stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{_LEFT - 6}" y="{one + 4:.1f}" text-anchor="end" class="tick">SLO pace 1x</text>')
    pairs: dict[str, list[ChartWindow]] = {}
    for window in windows:
        if window.pair:
            pairs.setdefault(window.pair, []).append(window)
    labelled: set[float] = set()
    for group in pairs.values():
        if len(group) == 2:
            a, b = sorted(group, key=lambda w: w.window_seconds)
            colour = URGENCY_COLOURS.get(a.urgency, "#475467")
            parts.append(f'<line x1="{_x(a.window_seconds, lo, hi):.1f}" y1="{y(a.burn_rate or 0):.1f}" '
                         f'x2="{_x(b.window_seconds, lo, hi):.1f}" y2="{y(b.burn_rate or 0):.1f}" '
                         f'stroke="{colour}" stroke-width="2"/>')
    for window in windows:
        if window.burn_rate is None:
            continue
        colour = URGENCY_COLOURS.get(window.urgency, "#475467")
        cx, cy = _x(window.window_seconds, lo, hi), y(window.burn_rate)
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}"><title>'
                     f'{escape(window.label)}: {window.burn_rate:g}x ({escape(window.urgency)})</title></circle>')
        rate = round(window.burn_rate, 2)
        if rate not in labelled:
            labelled.add(rate)
            parts.append(f'<text x="{_LEFT - 6}" y="{cy + 4:.1f}" text-anchor="end" class="label" '
                         f'fill="{colour}">{rate:g}x {escape(window.urgency)}</text>')
    return _svg(height, parts, "Burn-rate windows and thresholds")


def _lane_chart(windows: list[ChartWindow], slo: str | None) -> str:
    lane = 26
    height = _TOP + lane * len(windows) + 36
    bottom = height - 30
    lo = 60.0
    hi = max([172800.0, *(w.window_seconds * 1.2 for w in windows)])
    parts = _axis(lo, hi, bottom)
    for i, window in enumerate(windows):
        colour = URGENCY_COLOURS.get(window.urgency, "#475467")
        top = _TOP + i * lane
        x1, x2 = _x(window.period_seconds, lo, hi), _x(window.window_seconds, lo, hi)
        parts.append(f'<text x="{_LEFT - 6}" y="{top + 14}" text-anchor="end" class="label">'
                     f'{escape(window.label)} ({escape(window.urgency)})</text>')
        parts.append(f'<rect x="{x1:.1f}" y="{top + 4}" width="{max(x2 - x1, 4):.1f}" height="14" rx="3" '
                     f'fill="{colour}" opacity="0.85"><title>{escape(window.label)}: every '
                     f'{duration(window.period_seconds)}, over {duration(window.window_seconds)}</title></rect>')
    match = _MAX_AGE.search(slo or "")
    if match:
        seconds = int(match.group(1)) * _UNIT[match.group(2)]
        x = _x(seconds, lo, hi)
        parts.append(f'<line x1="{x:.1f}" y1="{_TOP - 6}" x2="{x:.1f}" y2="{bottom}" stroke="#1d2939" '
                     'stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{x + 4:.1f}" y="{_TOP + 2}" class="tick">max age {duration(seconds)}</text>')
    return _svg(height, parts, "Alarm windows: from the period to the evaluation window")


def _svg(height: int, parts: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {height}" width="{_W}" height="{height}" '
            f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>' + "".join(parts) + "</svg>")


def entrypoint_chart(windows: tuple[ChartWindow, ...], slo: str | None) -> Markup:
    """The picture of one entrypoint's windows, or an empty string when it has none."""
    if not windows:
        return Markup("")
    burn = [w for w in windows if w.burn_rate is not None]
    if burn:
        return Markup(_burn_chart(burn))
    return Markup(_lane_chart(list(windows), slo))
