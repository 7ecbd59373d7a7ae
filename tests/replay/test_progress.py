"""The rich progress bar that long replays and CloudWatch fetches report to."""

from __future__ import annotations

from io import StringIO

import pytest
from replay_support import T0, alarm, at, key, store
from rich.console import Console

from sensible_alarms.replay import CompositeAlarmDef, replay
from sensible_alarms.replay.progress import ProgressBar


def _console(buffer: StringIO) -> Console:
    return Console(file=buffer, width=80, force_terminal=False, color_system=None)


class TestProgressBar:
    def test_bar_follows_the_replay_alarm_by_alarm(self):
        """Passed as replay's progress, the bar ends at every alarm done, composites included."""
        buffer = StringIO()
        composite = CompositeAlarmDef(name="page", alarm_rule='ALARM("a") OR ALARM("b")', has_actions=True)
        with ProgressBar("Replaying alarms", console=_console(buffer)) as bar:
            replay([alarm("a"), alarm("b")], [composite], store({key(): [1, 20, 3]}), T0, at(3), progress=bar)
        assert (bar.done, bar.total) == (3, 3)
        assert "Replaying alarms" in buffer.getvalue()
        assert "3/3" in buffer.getvalue()

    def test_disabled_bar_draws_nothing_but_still_counts(self):
        """disable=True (for --quiet) writes nothing."""
        buffer = StringIO()
        with ProgressBar(console=_console(buffer), disable=True) as bar:
            bar(1, 2)
            bar(2, 2)
        assert buffer.getvalue() == ""
        assert (bar.done, bar.total) == (2, 2)

    def test_bar_used_outside_a_with_block_says_how_to_use_it(self):
        """Calling the bar before it is started is an error that names the fix."""
        bar = ProgressBar(console=_console(StringIO()))
        with pytest.raises(RuntimeError, match="use the ProgressBar in a 'with' block"):
            bar(1, 1)

    def test_default_console_writes_to_standard_error(self, capsys):
        """Standard output stays clean for machine-readable output."""
        with ProgressBar("Fetching metrics") as bar:
            bar(1, 1)
        captured = capsys.readouterr()
        assert captured.out == ""
        assert "Fetching metrics" in captured.err
