"""``sensible-alarms review``: every entrypoint, its alarms in words, who they notify, what they cost."""

from __future__ import annotations

from pathlib import Path

from ..errors import SensibleAlarmsError
from ..review import review_json, review_markdown, review_stacks
from ..review.pricing import DEFAULT_PRICING, load_pricing

__all__ = ["FORMATS", "run_review"]

FORMATS = ("md", "html", "json")


def run_review(paths: list[Path], *, output_format: str = "md", pricing_file: Path | None = None) -> str:
    """The review of PATHS as markdown, HTML or JSON text."""
    if output_format not in FORMATS:
        raise SensibleAlarmsError(f"--format must be one of md, html, json (got {output_format!r})")
    if not paths:
        raise SensibleAlarmsError("give at least one cloud assembly directory (cdk.out) or template file")
    pricing = load_pricing(pricing_file) if pricing_file else DEFAULT_PRICING
    review = review_stacks(*paths, pricing=pricing)
    if output_format == "json":
        return review_json(review)
    if output_format == "html":
        from ..review.html import review_html

        return review_html(review)
    return review_markdown(review)
