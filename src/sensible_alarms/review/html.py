"""The review as one self-contained HTML page: inline CSS and SVG, no script, nothing loaded."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from ..wording import money, plural
from .charts import URGENCY_COLOURS, entrypoint_chart
from .document import Review, probe_words

__all__ = ["review_html"]


def review_html(review: Review) -> str:
    """The page; every value is autoescaped, the charts are built from escaped text."""
    env = Environment(loader=PackageLoader("sensible_alarms.review", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["money"] = money
    env.filters["probe_words"] = probe_words
    template = env.get_template("review.html.j2")
    return template.render(review=review, chart=entrypoint_chart, colours=URGENCY_COLOURS, plural=plural,
                           entrypoints=sum(len(s.entrypoints) for s in review.stacks),
                           alarms=sum(s.alarm_count for s in review.stacks))
