"""Metrics files: the three formats, and a clear error naming file and row for each malformed case."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from replay_support import T0, alarm, at

from sensible_alarms.replay import MetricsFileError, SeriesKey, load_metrics, replay
from sensible_alarms.replay.metrics_io import COLUMNS, parse_dimensions

HEADER = ",".join(COLUMNS)
GOOD = [
    "2024-05-01T00:00:00Z,Test,Errors,Service=orders,Sum,60,1",
    "2024-05-01T00:01:00Z,Test,Errors,Service=orders,Sum,60,2.5",
    "2024-05-01T00:01:00+00:00,Test,Latency,Service=orders,p99,300,120",
]
ERRORS = SeriesKey("Test", "Errors", (("Service", "orders"),), "Sum", 60)


def _csv(tmp_path, *rows, header=HEADER):
    path = tmp_path / "metrics.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def _jsonl(tmp_path, rows):
    path = tmp_path / "metrics.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def _row(line: str) -> dict:
    values = dict(zip(COLUMNS, line.split(","), strict=True))
    return {**values, "period": int(values["period"]), "value": float(values["value"])}


class TestFormats:
    def test_csv_rows_land_on_the_minute_grid(self, tmp_path):
        """A CSV gives one series per (metric, dimensions, stat, period), values at their minute."""
        metrics = load_metrics(_csv(tmp_path, *GOOD))
        assert len(metrics) == 2
        np.testing.assert_array_equal(metrics.row(ERRORS), [1.0, 2.5])
        assert metrics.origin == int(T0.timestamp())

    def test_json_lines_and_parquet_give_the_same_store_as_csv(self, tmp_path):
        """The three formats read the same rows into the same series and values."""
        from_csv = load_metrics(_csv(tmp_path, *GOOD))
        from_jsonl = load_metrics(_jsonl(tmp_path, [_row(r) for r in GOOD]))
        table = pa.table({c: [_row(r)[c] for r in GOOD] for c in COLUMNS})
        pq.write_table(table, tmp_path / "metrics.parquet")
        from_parquet = load_metrics(tmp_path / "metrics.parquet")
        for other in (from_jsonl, from_parquet):
            assert set(other.keys) == set(from_csv.keys)
            for k in from_csv.keys:
                np.testing.assert_array_equal(other.row(k), from_csv.row(k))

    def test_parquet_with_a_utc_timestamp_column(self, tmp_path):
        """Parquet may store timestamps as a UTC timestamp type instead of strings."""
        stamps = pa.array([datetime(2024, 5, 1, 0, m, tzinfo=UTC) for m in range(2)], type=pa.timestamp("s", "UTC"))
        table = pa.table({"timestamp": stamps, "namespace": ["Test"] * 2, "metric": ["Errors"] * 2,
                          "dimensions": ["Service=orders"] * 2, "stat": ["Sum"] * 2, "period": [60, 60],
                          "value": [1.0, 2.0]})
        pq.write_table(table, tmp_path / "m.parquet")
        np.testing.assert_array_equal(load_metrics(tmp_path / "m.parquet").row(ERRORS), [1.0, 2.0])

    def test_extra_columns_are_ignored_and_dimensions_may_be_empty(self, tmp_path):
        """Other columns (a label, a unit) are ignored; an empty dimensions field means none."""
        path = _csv(tmp_path, "2024-05-01T00:00:00Z,Test,Errors,,Sum,60,1,extra", header=HEADER + ",label")
        assert load_metrics(path).keys == (SeriesKey("Test", "Errors", (), "Sum", 60),)

    def test_a_metric_no_alarm_uses_is_a_warning_not_an_error(self, tmp_path):
        """Unused series are listed as warnings by the replay."""
        metrics = load_metrics(_csv(tmp_path, *GOOD))
        result = replay([alarm(threshold=5)], [], metrics, T0, at(2))
        assert result.warnings == ("Test Latency {Service=orders} p99 at 300 s is used by no alarm",)


class TestMalformedRows:
    @pytest.mark.parametrize(("row", "message"), [
        ("yesterday,Test,Errors,Service=orders,Sum,60,1", "not an ISO-8601 timestamp: 'yesterday'"),
        ("2024-05-01T00:02:00,Test,Errors,Service=orders,Sum,60,1", "naive timestamp"),
        ("2024-05-01T02:02:00+02:00,Test,Errors,Service=orders,Sum,60,1", "non-UTC offset"),
        ("2024-13-01T00:02:00Z,Test,Errors,Service=orders,Sum,60,1", "not a valid date and time"),
        ("2024-05-01T00:02:30Z,Test,Errors,Service=orders,Sum,60,1", "not on a whole minute"),
        ("2024-05-01T00:02:00Z,Test,Errors,Service=orders,Total,60,1", "unknown statistic 'Total'"),
        ("2024-05-01T00:02:00Z,Test,Errors,Service=orders,Sum,90,1", "positive multiple of 60 seconds"),
        ("2024-05-01T00:02:00Z,Test,Errors,Service=orders,Sum,10,1", "sub-minute .* not supported"),
        ("2024-05-01T00:02:00Z,Test,Errors,Service=orders,Sum,60,lots", "value must be a number"),
        ("2024-05-01T00:02:00Z,Test,Errors,Service=orders,Sum,60,nan", "value must be a number \\(got 'nan'\\)"),
        ('2024-05-01T00:02:00Z,Test,Errors,"Stage=prod,Api=orders",Sum,60,1',
         "dimensions are not sorted by name: got 'Stage=prod,Api=orders', expected 'Api=orders,Stage=prod'"),
        ("2024-05-01T00:02:00Z,Test,Errors,Service,Sum,60,1", "not Name=Value"),
        ("2024-05-01T00:02:00Z,,Errors,Service=orders,Sum,60,1", "namespace must not be empty"),
    ])
    def test_csv_error_names_the_file_and_line(self, tmp_path, row, message):
        """Each malformed row fails with its reason, the file and 'line 4' (header is line 1)."""
        path = _csv(tmp_path, *GOOD[:2], row)
        with pytest.raises(MetricsFileError, match=message) as err:
            load_metrics(path)
        assert err.value.file == str(path)
        assert err.value.row == "line 4"
        assert str(err.value).startswith(f"{path}, line 4: ")

    def test_duplicated_datapoint_names_both_rows(self, tmp_path):
        """The same series and timestamp twice is an error naming the first row and the repeat."""
        path = _csv(tmp_path, *GOOD, "2024-05-01T00:01:00Z,Test,Errors,Service=orders,Sum,60,7")
        with pytest.raises(MetricsFileError, match=r"line 3: duplicated datapoint: Test Errors \{Service=orders\} "
                                                   r"Sum at 60 s at 2024-05-01T00:01:00Z appears again at line 5"):
            load_metrics(path)

    def test_same_timestamp_in_another_statistic_is_not_a_duplicate(self, tmp_path):
        """Sum and SampleCount rows of one metric at one minute are two series, not a duplicate."""
        path = _csv(tmp_path, GOOD[0], "2024-05-01T00:00:00Z,Test,Errors,Service=orders,SampleCount,60,1")
        assert len(load_metrics(path)) == 2

    def test_missing_column_is_named(self, tmp_path):
        """A file without 'stat' says which columns are missing."""
        path = _csv(tmp_path, "2024-05-01T00:00:00Z,Test,Errors,,60,1",
                    header="timestamp,namespace,metric,dimensions,period,value")
        with pytest.raises(MetricsFileError, match="missing column\\(s\\) stat"):
            load_metrics(path)

    def test_json_lines_error_names_the_line(self, tmp_path):
        """A JSON Lines row with a string value fails at its own line number (blank lines counted)."""
        rows = [_row(GOOD[0]), {**_row(GOOD[1]), "value": "2"}]
        path = tmp_path / "m.jsonl"
        path.write_text(json.dumps(rows[0]) + "\n\n" + json.dumps(rows[1]) + "\n")
        with pytest.raises(MetricsFileError, match="line 3: 'value' must be a number"):
            load_metrics(path)

    def test_json_lines_infinite_value_names_the_line(self, tmp_path):
        """JSON's Infinity parses, but a datapoint must be finite."""
        path = tmp_path / "m.jsonl"
        path.write_text(json.dumps(_row(GOOD[0])) + "\n" + json.dumps({**_row(GOOD[1]), "value": float("inf")}) + "\n")
        with pytest.raises(MetricsFileError, match="line 2: value must be a finite number"):
            load_metrics(path)

    def test_json_lines_naive_timestamp_names_the_line(self, tmp_path):
        """Vectorised checks map back to JSON Lines line numbers too."""
        path = _jsonl(tmp_path, [_row(GOOD[0]), {**_row(GOOD[1]), "timestamp": "2024-05-01T00:01:00"}])
        with pytest.raises(MetricsFileError, match="line 2: naive timestamp"):
            load_metrics(path)

    def test_parquet_naive_timestamp_column_is_refused(self, tmp_path):
        """A Parquet timestamp column without a time zone is naive: refused, not assumed UTC."""
        table = pa.table({"timestamp": pa.array([datetime(2024, 5, 1)], type=pa.timestamp("s")),
                          "namespace": ["Test"], "metric": ["Errors"], "dimensions": [""], "stat": ["Sum"],
                          "period": [60], "value": [1.0]})
        pq.write_table(table, tmp_path / "m.parquet")
        with pytest.raises(MetricsFileError, match="row 1: naive timestamps"):
            load_metrics(tmp_path / "m.parquet")

    def test_parquet_error_names_the_row(self, tmp_path):
        """Parquet rows are numbered from 1."""
        table = pa.table({c: [_row(r)[c] for r in GOOD] for c in COLUMNS})
        table = table.set_column(4, "stat", pa.array(["Sum", "Sum", "p1000"]))
        pq.write_table(table, tmp_path / "m.parquet")
        with pytest.raises(MetricsFileError, match="row 3: unknown statistic 'p1000'"):
            load_metrics(tmp_path / "m.parquet")

    def test_unknown_suffix_and_missing_file(self, tmp_path):
        """The format comes from the suffix; a missing file is said to be missing."""
        with pytest.raises(MetricsFileError, match=r"unknown metrics format \(suffix '\.txt'\)"):
            load_metrics(tmp_path / "m.txt")
        with pytest.raises(MetricsFileError, match="no such metrics file"):
            load_metrics(tmp_path / "absent.csv")


class TestParseDimensions:
    def test_pairs_in_name_order(self):
        """'A=1,B=x=y' splits on the first '=' of each pair."""
        assert parse_dimensions("A=1,B=x=y") == (("A", "1"), ("B", "x=y"))

    def test_duplicate_name_is_refused(self):
        """A name twice is ambiguous."""
        with pytest.raises(ValueError, match="appears twice"):
            parse_dimensions("A=1,A=2")
