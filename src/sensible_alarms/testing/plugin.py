"""pytest plugin (registered by the ``pytest11`` entry point): the ``alarm_snapshot`` fixture.

A service team's test::

    def test_orders_alarms(alarm_snapshot):
        stack = OrdersStack(cdk.App(), "OrdersService")
        assert alarm_snapshot == alarm_summary(stack)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from syrupy.assertion import SnapshotAssertion


@pytest.fixture
def alarm_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """syrupy's ``snapshot``, storing alarm summaries as readable ``.alarms.txt`` files."""
    # Imported here so that loading the plugin never needs syrupy; only using the fixture does.
    from .snapshot import AlarmSummaryExtension

    return snapshot.use_extension(AlarmSummaryExtension)
