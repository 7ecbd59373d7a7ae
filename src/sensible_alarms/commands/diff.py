"""``sensible-alarms diff``: alarms, entrypoints and notification routes that a change adds, removes
or changes, with the monthly cost delta."""

from __future__ import annotations

from pathlib import Path

from ..errors import SensibleAlarmsError
from ..review import ReviewDiff, diff_json, diff_markdown, diff_reviews, review_stacks
from ..review.pricing import DEFAULT_PRICING, load_pricing

__all__ = ["run_diff"]


def run_diff(old: Path, new: Path, *, output_format: str = "md",
             pricing_file: Path | None = None) -> tuple[ReviewDiff, str]:
    """The diff of two cloud assemblies (or templates) and its text in the given format."""
    if output_format not in ("md", "json"):
        raise SensibleAlarmsError(f"--format must be md or json (got {output_format!r})")
    pricing = load_pricing(pricing_file) if pricing_file else DEFAULT_PRICING
    diff = diff_reviews(review_stacks(old, pricing=pricing), review_stacks(new, pricing=pricing))
    return diff, diff_json(diff) if output_format == "json" else diff_markdown(diff)
