"""Writing a metric store back to a metrics file (to keep fetched CloudWatch data for offline replays)."""

from __future__ import annotations

import numpy as np
import pytest
from replay_support import key, store

from sensible_alarms.replay import MetricsFileError, load_metrics, write_metrics
from sensible_alarms.replay import output as output_module


def _store():
    return store({
        key(): [1.0, None, 0.1 + 0.2],
        key("Latency", "p99", 300): {0: 7.25, 1: 1e-9},
        key("Requests", dims=()): [3.0],
    })


class TestWriteMetrics:
    @pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
    def test_written_file_loads_back_as_the_same_store(self, tmp_path, suffix):
        """Every datapoint, key and value (to the last bit) survives a write and a load, in each format."""
        original = _store()
        write_metrics(original, tmp_path / f"metrics{suffix}")
        loaded = load_metrics(tmp_path / f"metrics{suffix}")
        assert sorted(loaded.keys) == sorted(original.keys)
        assert loaded.origin == original.origin
        for k in original.keys:
            np.testing.assert_array_equal(loaded.row(k), original.row(k))

    def test_csv_rows_follow_the_design_schema(self, tmp_path):
        """Columns in contract order, UTC 'Z' timestamps, dimensions as Name=Value, empty for none."""
        write_metrics(_store(), tmp_path / "m.csv")
        lines = (tmp_path / "m.csv").read_text().splitlines()
        assert lines[0] == '"timestamp","namespace","metric","dimensions","stat","period","value"'
        assert '"2024-05-01T00:00:00Z","Test","Errors","Service=orders","Sum",60,1' in lines
        assert '"2024-05-01T00:00:00Z","Test","Requests","","Sum",60,3' in lines
        assert len(lines) == 1 + 5

    def test_unknown_format_is_refused_before_writing(self, tmp_path):
        """A suffix that is not .csv, .jsonl or .parquet is an error and writes nothing."""
        with pytest.raises(MetricsFileError, match=r"unknown metrics format '\.xlsx'"):
            write_metrics(_store(), tmp_path / "m.xlsx")
        assert list(tmp_path.iterdir()) == []

    def test_interrupted_write_keeps_the_previous_file(self, tmp_path, monkeypatch):
        """An interrupt before the file is complete leaves the old file and no temporary file."""
        target = tmp_path / "m.csv"
        target.write_text("old\n")

        def interrupted(fd):
            raise KeyboardInterrupt

        monkeypatch.setattr(output_module.os, "fsync", interrupted)
        with pytest.raises(KeyboardInterrupt):
            write_metrics(_store(), target)
        assert target.read_text() == "old\n"
        assert [p.name for p in tmp_path.iterdir()] == ["m.csv"]

    def test_empty_store_writes_a_header_only_file(self, tmp_path):
        """No datapoint: a valid file with no rows."""
        write_metrics(store({}), tmp_path / "m.csv")
        assert load_metrics(tmp_path / "m.csv").keys == ()
