"""The design review: every entrypoint, its alarms in words, who they notify, what they cost; and
the diff of two versions. Pure Python over the alarm model (no jsii)."""

from __future__ import annotations

from .build import review_model, review_stacks
from .diff import ReviewDiff, diff_json, diff_markdown, diff_reviews
from .document import AlarmReview, ChartWindow, EntrypointReview, PolicySection, Recipient, Review, Route, StackReview
from .markdown import review_json, review_markdown, review_to_dict
from .pricing import DEFAULT_PRICING, AlarmPricing, alarm_metric_count, monthly_cost

__all__ = [
    "DEFAULT_PRICING",
    "AlarmPricing",
    "AlarmReview",
    "ChartWindow",
    "EntrypointReview",
    "PolicySection",
    "Recipient",
    "Review",
    "ReviewDiff",
    "Route",
    "StackReview",
    "alarm_metric_count",
    "diff_json",
    "diff_markdown",
    "diff_reviews",
    "monthly_cost",
    "review_json",
    "review_markdown",
    "review_model",
    "review_stacks",
    "review_to_dict",
]
