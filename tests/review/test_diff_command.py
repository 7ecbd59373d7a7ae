"""`sensible-alarms diff` between the orders example and its version 2 (a DELETE route added, the
order queue's dead-letter queue and its alarms removed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sensible_alarms.cli import app
from sensible_alarms.review import DEFAULT_PRICING, diff_reviews, review_stacks

P = DEFAULT_PRICING
QUEUE = "SQS queue OrderQueue -> Lambda FulfilOrder"


@pytest.fixture(scope="module")
def diff(orders_assembly: Path, orders_v2_assembly: Path):
    return diff_reviews(review_stacks(orders_assembly), review_stacks(orders_v2_assembly))


class TestOrdersV2:
    def test_the_new_route_and_the_lost_dead_letter_queue_are_the_entrypoint_changes(self, diff):
        """Exactly two entrypoint changes: the API's new route and the queue's dead-letter queue."""
        assert diff.entrypoints == (
            f"OrdersService: {QUEUE}: dead-letter queue OrderDeadLetters (after 5 receives) removed",
            "OrdersService: REST API orders-api: route DELETE /orders/{orderId} added",
        )

    def test_exactly_the_queue_consumer_alarms_are_removed(self, diff):
        """The queue's composite and its two members are removed; nothing is added; the changes are
        the API's two route members, which now also read the new route's handler (2 metrics more each)."""
        assert [line.split(" (")[0] for line in diff.alarms_removed] == [
            "OrdersService: OrdersService-OrderQueueAlarms-DeadLetters",
            "OrdersService: OrdersService-OrderQueueAlarms-HighUrgency",
            "OrdersService: OrdersService-OrderQueueAlarms-MessageAge",
        ]
        assert diff.alarms_added == ()
        down, outage = diff.alarms_changed
        assert down.startswith("OrdersService: OrdersService-OrdersApiAlarms-OneRouteDown3m: metrics: ")
        assert outage.startswith("OrdersService: OrdersService-OrdersApiAlarms-RouteOutage5m: metrics: ")
        for changed in (down, outage):
            assert "CancelOrder" in changed
            assert changed.endswith("cost: $0.60 -> $0.80")
        assert diff.routes == ()

    def test_the_queue_consumer_is_the_one_coverage_drop(self, diff):
        """The consumer still exists but nothing notifies for it: one coverage drop."""
        (drop,) = diff.coverage_drops
        assert drop.startswith(f"OrdersService: {QUEUE} lost its notifying alarms (not covered")

    def test_the_cost_delta_is_the_removed_alarms_priced_from_the_table(self, diff):
        """Removed: a composite, a 1-metric expression alarm and a single-metric alarm; added: the new
        route's 2 metrics in each route member."""
        assert diff.cost_delta == pytest.approx(-(P.composite + P.standard_per_metric + P.standard_per_metric)
                                                + 4 * P.standard_per_metric)

    def test_the_markdown_reads_as_its_snapshot(self, diff, orders_assembly: Path, orders_v2_assembly: Path,
                                                snapshot):
        """The pull-request comment is what the reviewed snapshot says."""
        result = CliRunner().invoke(app, ["diff", str(orders_assembly), str(orders_v2_assembly)])
        assert result.exit_code == 0, result.output
        assert result.stdout == snapshot

    def test_fail_on_coverage_drop_exits_1(self, orders_assembly: Path, orders_v2_assembly: Path):
        """With --fail-on-coverage-drop a lost notifying alarm fails the check."""
        result = CliRunner().invoke(app, ["diff", str(orders_assembly), str(orders_v2_assembly),
                                          "--fail-on-coverage-drop"])
        assert result.exit_code == 1

    def test_adding_coverage_back_does_not_fail(self, orders_assembly: Path, orders_v2_assembly: Path):
        """The reverse change gains coverage, so --fail-on-coverage-drop passes, and the JSON says so."""
        result = CliRunner().invoke(app, ["diff", str(orders_v2_assembly), str(orders_assembly),
                                          "--fail-on-coverage-drop", "--format", "json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["coverage_drops"] == []
        assert data["cost_delta"] == pytest.approx(0.7 - 0.4)  # the queue's alarms back, one route's 4 metrics fewer

    def test_an_unchanged_assembly_has_no_changes(self, orders_assembly: Path):
        """Diffing a version with itself reports no change and no cost delta."""
        result = CliRunner().invoke(app, ["diff", str(orders_assembly), str(orders_assembly)])
        assert "No alarm, entrypoint or notification route changed." in result.stdout
        assert "(±$0.00)" in result.stdout

    def test_a_missing_version_exits_2_with_one_line(self, orders_assembly: Path, tmp_path: Path):
        """A path that does not exist is one error line and exit 2."""
        result = CliRunner().invoke(app, ["diff", str(orders_assembly), str(tmp_path / "nope")])
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1
