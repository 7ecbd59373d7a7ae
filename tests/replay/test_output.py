"""The JSON timeline, and atomic writes: an interrupted write leaves the old file whole."""

from __future__ import annotations

import json
import os

import pytest
from replay_support import T0, alarm, at, key, store

from sensible_alarms.replay import Incident, replay, timeline_to_dict, write_json_atomic, write_timeline
from sensible_alarms.replay import output as output_module


def _result():
    metrics = store({key(): [0, 9, 9, 0]})
    incidents = [Incident(id="INC-1", start=at(1), end=at(3), customer_impact=True)]
    return replay([alarm(threshold=5)], [], metrics, T0, at(4), incidents)


class TestTimelineJson:
    def test_timeline_holds_changes_notifications_days_and_scores(self):
        """The JSON has every state change, each notification, per-day counts and the scores."""
        data = timeline_to_dict(_result())
        assert data["alarms"] == [{
            "name": "alarm", "kind": "metric", "has_actions": True, "initial_state": "INSUFFICIENT_DATA",
            "changes": [
                {"timestamp": "2024-05-01T00:01:00Z", "from": "INSUFFICIENT_DATA", "to": "OK"},
                {"timestamp": "2024-05-01T00:02:00Z", "from": "OK", "to": "ALARM"},
                {"timestamp": "2024-05-01T00:04:00Z", "from": "ALARM", "to": "OK"},
            ]}]
        assert data["notifications"] == [
            {"alarm": "alarm", "timestamp": "2024-05-01T00:02:00Z", "alarm_at": "2024-05-01T00:02:00Z"}]
        assert data["days"] == ["2024-05-01"]
        assert data["notifications_per_day"] == {"alarm": [1]}
        assert data["scores"]["precision"] == 1.0
        assert data["scores"]["incidents"][0]["time_to_detect_seconds"] == 60.0
        assert data["format_version"] == 1

    def test_written_file_reads_back_as_the_same_data(self, tmp_path):
        """write_timeline writes the dict as JSON."""
        result = _result()
        write_timeline(result, tmp_path / "timeline.json")
        assert json.loads((tmp_path / "timeline.json").read_text()) == timeline_to_dict(result)


class TestAtomicWrite:
    def test_interrupted_write_leaves_the_previous_file_and_no_temporary_file(self, tmp_path, monkeypatch):
        """An interrupt halfway through writing keeps the old file byte for byte and removes the temporary file."""
        target = tmp_path / "timeline.json"
        target.write_text('{"old": true}\n')

        def half_then_interrupt(data, handle, **kwargs):
            handle.write(json.dumps(data)[:10])
            raise KeyboardInterrupt

        monkeypatch.setattr(output_module.json, "dump", half_then_interrupt)
        with pytest.raises(KeyboardInterrupt):
            write_json_atomic({"new": list(range(100))}, target)
        assert target.read_text() == '{"old": true}\n'
        assert sorted(p.name for p in tmp_path.iterdir()) == ["timeline.json"]

    def test_failure_before_any_file_existed_leaves_nothing(self, tmp_path):
        """Data that cannot be JSON (NaN is refused) leaves no file at all."""
        with pytest.raises(ValueError, match="Out of range float"):
            write_json_atomic({"x": float("nan")}, tmp_path / "out.json")
        assert list(tmp_path.iterdir()) == []

    def test_replacing_keeps_the_files_permissions(self, tmp_path):
        """The new file takes the old one's mode (a temporary file would otherwise be 0600)."""
        target = tmp_path / "out.json"
        target.write_text("{}")
        os.chmod(target, 0o640)
        write_json_atomic({"a": 1}, target)
        assert (target.stat().st_mode & 0o777, json.loads(target.read_text())) == (0o640, {"a": 1})
