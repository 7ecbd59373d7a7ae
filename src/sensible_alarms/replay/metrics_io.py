"""Metrics files for replay: CSV, JSON Lines and Parquet in the DESIGN.md schema.

One row per datapoint: ``timestamp`` (ISO-8601 UTC, the start of the period), ``namespace``,
``metric``, ``dimensions`` (``Name=Value`` pairs joined by ``,``, sorted by name; empty for
none), ``stat``, ``period`` (seconds), ``value``. Other columns are ignored.

Validation is strict and names the file and the row (``line N`` of a CSV or JSON Lines file,
counting the header, for CSV files with one row per line and no blank lines; ``row N`` of a
Parquet file): a timestamp that is not ISO-8601, has no UTC
offset (naive), or has an offset other than ``Z``/``+00:00`` (refused, not converted); an unknown
statistic; a period that is not a positive multiple of 60 seconds; dimensions not sorted by name
or malformed; a value that is not a finite number; the same series and timestamp twice.
Validation is vectorised (pyarrow compute, numpy) so month-long files load in seconds.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from .exceptions import MetricsFileError
from .statistics import is_statistic
from .store import Dimensions, MetricStore, SeriesKey

__all__ = ["COLUMNS", "COUNT_METRICS", "FORMATS", "load_metrics", "parse_dimensions"]

#: The columns every metrics file has.
COLUMNS = ("timestamp", "namespace", "metric", "dimensions", "stat", "period", "value")
#: File suffixes by format.
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}

_ISO = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
_HAS_OFFSET = r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
_UTC_OFFSET = r"(?:[Zz]|\+00(?::?00)?)$"
_STRICT = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.0+)?(?:[Zz]|\+00(?::?00)?)$"
_FLOAT = r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$"

RowLabel = Callable[[int], str]

#: AWS service metrics that count events or messages (or age them): every statistic of them is at
#: least zero, so a negative value in a file is a mistake. Custom metrics may be negative.
COUNT_METRICS: dict[str, frozenset[str]] = {
    "AWS/ApiGateway": frozenset({"Count", "4XXError", "5XXError", "4xx", "5xx"}),
    "AWS/Lambda": frozenset({"Invocations", "Errors", "Throttles", "DeadLetterErrors",
                             "DestinationDeliveryFailures", "ConcurrentExecutions", "IteratorAge"}),
    "AWS/SQS": frozenset({"NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted",
                          "NumberOfEmptyReceives", "ApproximateNumberOfMessagesVisible",
                          "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
                          "ApproximateAgeOfOldestMessage"}),
    "AWS/SNS": frozenset({"NumberOfMessagesPublished", "NumberOfNotificationsDelivered",
                          "NumberOfNotificationsFailed"}),
    "AWS/Events": frozenset({"Invocations", "FailedInvocations", "TriggeredRules", "MatchedEvents"}),
}


def parse_dimensions(text: str) -> Dimensions:
    """``'A=1,B=2'`` as ``(('A', '1'), ('B', '2'))``; ValueError when malformed or not sorted."""
    if text == "":
        return ()
    pairs = []
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep or not name or not value:
            raise ValueError(f"dimension {part!r} is not Name=Value (in {text!r})")
        pairs.append((name, value))
    names = [n for n, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError(f"a dimension name appears twice in {text!r}")
    if names != sorted(names):
        fixed = ",".join(f"{n}={v}" for n, v in sorted(pairs))
        raise ValueError(f"dimensions are not sorted by name: got {text!r}, expected {fixed!r}")
    return tuple(pairs)


def load_metrics(path: str | Path, *, file_format: str | None = None) -> MetricStore:
    """Read and validate a metrics file; the format follows the suffix (``.csv``, ``.jsonl``/
    ``.ndjson``, ``.parquet``/``.pq``) unless ``file_format`` (``csv``, ``jsonl``, ``parquet``)
    says otherwise. Raises :class:`MetricsFileError` naming the file and the row."""
    file = Path(path)
    name = str(file)
    if file.is_dir():
        raise MetricsFileError("is a directory: give one metrics file (.csv, .jsonl or .parquet)", file=name)
    kind = file_format or FORMATS.get(file.suffix.lower())
    if kind not in ("csv", "jsonl", "parquet"):
        given = repr(file_format) if file_format else (f"suffix {file.suffix!r}" if file.suffix else "no suffix")
        raise MetricsFileError(f"unknown metrics format ({given}): a metrics file ends in .csv, .jsonl, .ndjson, "
                               ".parquet or .pq", file=name)
    if not file.is_file():
        raise MetricsFileError("no such metrics file", file=name)
    try:
        if kind == "csv":
            return _build(_read_csv(file, name), name, _csv_line)
        if kind == "parquet":
            return _build(_read_parquet(file, name), name, _parquet_row)
        table, lines = _read_jsonl(file, name)
    except OSError as err:  # permissions, a file removed while read: not "cannot write"
        raise MetricsFileError(f"cannot read the metrics file: {err.strerror or err}", file=name) from err
    return _build(table, name, lambda i: f"line {lines[i]}")


def _csv_line(i: int) -> str:
    return f"line {i + 2}"  # the header is line 1


def _parquet_row(i: int) -> str:
    return f"row {i + 1}"


# -- readers ------------------------------------------------------------------------------------


def _missing_columns(present: Sequence[str], name: str) -> None:
    missing = [c for c in COLUMNS if c not in present]
    if missing:
        raise MetricsFileError(f"missing column(s) {', '.join(missing)}; a metrics file has {', '.join(COLUMNS)}",
                               file=name)


def _read_csv(file: Path, name: str) -> Any:
    try:
        with file.open("r", encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), [])
        _missing_columns(header, name)
        return pacsv.read_csv(file, convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(COLUMNS, pa.string()), include_columns=list(COLUMNS),
            strings_can_be_null=False))
    except pa.ArrowInvalid as err:
        raise MetricsFileError(f"not a valid CSV file: {err}", file=name) from err
    except UnicodeDecodeError as err:
        raise MetricsFileError(f"not UTF-8 text: {err}", file=name) from err


def _read_parquet(file: Path, name: str) -> Any:
    with file.open("rb"):  # an unreadable file is an OSError here, not an Arrow message about Parquet
        pass
    try:
        schema = pq.read_schema(file)
        _missing_columns(schema.names, name)
        return pq.read_table(file, columns=list(COLUMNS))
    except (pa.ArrowInvalid, OSError) as err:
        raise MetricsFileError(f"not a readable Parquet file: {err}", file=name) from err


def _read_jsonl(file: Path, name: str) -> tuple[Any, list[int]]:
    columns: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    lines: list[int] = []
    with file.open("r", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise MetricsFileError(f"not valid JSON: {err.msg}", file=name, row=where) from err
            if not isinstance(row, dict):
                raise MetricsFileError(f"expected a JSON object (got {type(row).__name__})", file=name, row=where)
            missing = [c for c in COLUMNS if c not in row]
            if missing:
                raise MetricsFileError(f"missing field(s) {', '.join(missing)}", file=name, row=where)
            for column in ("timestamp", "namespace", "metric", "dimensions", "stat"):
                if not isinstance(row[column], str):
                    raise MetricsFileError(f"'{column}' must be a string (got {row[column]!r})", file=name, row=where)
            period, value = row["period"], row["value"]
            if isinstance(period, bool) or not isinstance(period, int):
                raise MetricsFileError(f"'period' must be a whole number of seconds (got {period!r})", file=name,
                                       row=where)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise MetricsFileError(f"'value' must be a number (got {value!r})", file=name, row=where)
            for column in COLUMNS:
                columns[column].append(row[column])
            lines.append(number)
    types = {"period": pa.int64(), "value": pa.float64()}
    table = pa.table({c: pa.array(columns[c], type=types.get(c, pa.string())) for c in COLUMNS})
    return table, lines


# -- validation -----------------------------------------------------------------------------------


def _fail_at(mask: Any, message: Callable[[int], str], name: str, label: RowLabel) -> None:
    """Raise for the first row where the boolean arrow/numpy ``mask`` is true."""
    flags = np.asarray(mask.to_numpy(zero_copy_only=False) if hasattr(mask, "to_numpy") else mask, dtype=bool)
    bad = np.flatnonzero(flags)
    if bad.size:
        i = int(bad[0])
        raise MetricsFileError(message(i), file=name, row=label(i))


def _timestamps(column: Any, name: str, label: RowLabel) -> npt.NDArray[np.int64]:
    kind = column.type
    if pa.types.is_timestamp(kind):
        if kind.tz is None:
            raise MetricsFileError("naive timestamps (a timestamp column without time zone): store them as UTC",
                                   file=name, row=label(0))
        if kind.tz not in ("UTC", "Etc/UTC", "+00:00", "Z"):
            raise MetricsFileError(f"timestamps in time zone {kind.tz}: store them as UTC", file=name, row=label(0))
        _fail_at(pc.is_null(column), lambda i: "timestamp is empty", name, label)
        nanos = np.asarray(column.cast(pa.timestamp("ns", tz="UTC")).cast(pa.int64()).to_numpy(zero_copy_only=False))
        _fail_at(nanos % 1_000_000_000 != 0, lambda i: "timestamp has a fraction of a second", name, label)
        return nanos // 1_000_000_000
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_dictionary(kind)):
        raise MetricsFileError(f"column 'timestamp' must hold ISO-8601 strings or UTC timestamps (got {kind})",
                               file=name)
    text = column.cast(pa.string())

    def raw(i: int) -> str:
        return str(text[i].as_py())

    _fail_at(pc.invert(pc.match_substring_regex(text, _ISO)),
             lambda i: f"not an ISO-8601 timestamp: {raw(i)!r}", name, label)
    _fail_at(pc.invert(pc.match_substring_regex(text, _HAS_OFFSET)),
             lambda i: f"naive timestamp {raw(i)!r} (no UTC offset): write it in UTC with 'Z', "
                       "e.g. 2024-05-01T12:00:00Z", name, label)
    _fail_at(pc.invert(pc.match_substring_regex(text, _UTC_OFFSET)),
             lambda i: f"non-UTC offset in {raw(i)!r}: timestamps must be UTC ('Z' or '+00:00'); convert them rather "
                       "than relying on the offset", name, label)
    _fail_at(pc.invert(pc.match_substring_regex(text, _STRICT)),
             lambda i: f"timestamp {raw(i)!r} must be written YYYY-MM-DDTHH:MM:SSZ (whole seconds)", name, label)
    parsed = pc.strptime(pc.utf8_slice_codeunits(text, 0, 19), format="%Y-%m-%dT%H:%M:%S", unit="s",
                         error_is_null=True)
    _fail_at(pc.is_null(parsed), lambda i: f"not a valid date and time: {raw(i)!r}", name, label)
    return np.asarray(parsed.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _encoded(column: Any) -> tuple[npt.NDArray[np.int64], list[Any]]:
    """Dictionary codes per row, and the distinct values."""
    encoded = column.dictionary_encode() if not pa.types.is_dictionary(column.type) else column
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.unify_dictionaries().combine_chunks() if encoded.num_chunks else pa.array(
            [], type=pa.dictionary(pa.int32(), column.type))
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return codes, encoded.dictionary.to_pylist()


def _check_distinct(codes: npt.NDArray[np.int64], distinct: list[Any], check: Callable[[Any], str | None],
                    name: str, label: RowLabel) -> None:
    """Validate each distinct value once; report the first row holding a bad one."""
    bad = [i for i, v in enumerate(distinct) if check(v) is not None]
    if bad:
        rows = np.flatnonzero(np.isin(codes, bad))
        i = int(rows[0])
        raise MetricsFileError(check(distinct[int(codes[i])]) or "invalid value", file=name, row=label(i))


def _period_problem(value: Any) -> str | None:
    text = str(value).strip()
    if not re.fullmatch(r"\d+", text):
        return f"period must be a whole number of seconds (got {value!r})"
    period = int(text)
    if period <= 0 or period % 60:
        return (f"period must be a positive multiple of 60 seconds (got {period}); sub-minute (high-resolution) "
                "rows are not supported yet: aggregate them to 60 s")
    return None


def _constant(message: str) -> Callable[[int], str]:
    return lambda _: message


def _empty_problem(column: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value else f"{column} must not be empty"
    return check


def _stat_problem(value: Any) -> str | None:
    if value is not None and is_statistic(str(value)):
        return None
    return (f"unknown statistic {value!r}: expected SampleCount, Average, Sum, Minimum, Maximum or an extended "
            "statistic such as p99, tm90, IQM, TM(10%:90%) or PR(:300)")


def _dimensions_problem(value: Any) -> str | None:
    try:
        parse_dimensions(str(value))
    except ValueError as err:
        return str(err)
    return None


def _values(column: Any, name: str, label: RowLabel) -> npt.NDArray[np.float64]:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        _fail_at(pc.invert(pc.match_substring_regex(column, _FLOAT)),
                 lambda i: f"value must be a number (got {column[i].as_py()!r})", name, label)
        column = pc.cast(pc.utf8_trim_whitespace(column), pa.float64())
    elif not (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)):
        raise MetricsFileError(f"column 'value' must hold numbers (got {column.type})", file=name)
    _fail_at(pc.is_null(column), lambda i: "value is empty", name, label)
    return np.asarray(column.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _counts_statistic(stat: str) -> bool:
    """Statistics that count datapoints (or give the percentage of them below a bound): never negative."""
    return stat == "SampleCount" or stat.startswith(("tc", "TC(", "PR("))


def _check_counts(parts: dict[str, tuple[npt.NDArray[np.int64], list[Any]]], values: npt.NDArray[np.float64],
                  name: str, label: RowLabel) -> None:
    """Refuse a negative value where CloudWatch cannot produce one: a counting statistic of any metric,
    or any statistic of an AWS service metric that counts events (:data:`COUNT_METRICS`). Other values
    may be negative: PutMetricData accepts negative values for custom metrics."""
    negative = np.flatnonzero(values < 0)
    if not negative.size:
        return
    stat_codes, stats = parts["stat"]
    ns_codes, namespaces = parts["namespace"]
    metric_codes, metrics = parts["metric"]
    counting = np.array([_counts_statistic(str(s)) for s in stats], dtype=bool)[stat_codes[negative]]
    pairs, where = np.unique(np.stack((ns_codes[negative], metric_codes[negative]), axis=1), axis=0,
                             return_inverse=True)
    counted = np.array([str(metrics[m]) in COUNT_METRICS.get(str(namespaces[n]), ()) for n, m in pairs.tolist()],
                       dtype=bool)[where.ravel()]
    bad = np.flatnonzero(counting | counted)
    if not bad.size:
        return
    i = int(negative[bad[0]])
    stat = str(stats[stat_codes[i]])
    why = (f"{stat} counts datapoints and is never negative" if _counts_statistic(stat)
           else f"the {stat} of {namespaces[ns_codes[i]]} {metrics[metric_codes[i]]}, which counts events, is never "
                "negative")
    raise MetricsFileError(f"'value' must not be negative: {why} (got {values[i]:g})", file=name, row=label(i))


def _build(table: Any, name: str, label: RowLabel) -> MetricStore:
    if table.num_rows == 0:
        return MetricStore([], 0, np.empty((0, 0)), source=name)
    col = {c: table.column(c) for c in COLUMNS}
    for c in ("namespace", "metric", "dimensions", "stat"):
        if not (pa.types.is_string(col[c].type) or pa.types.is_large_string(col[c].type)
                or pa.types.is_dictionary(col[c].type)):
            raise MetricsFileError(f"column {c!r} must hold strings (got {col[c].type})", file=name)
        _fail_at(pc.is_null(col[c]), _constant(f"{c} is empty"), name, label)
    timestamps = _timestamps(col["timestamp"], name, label)
    parts = {c: _encoded(col[c]) for c in ("namespace", "metric", "dimensions", "stat", "period")}
    for c in ("namespace", "metric"):
        _check_distinct(*parts[c], _empty_problem(c), name, label)
    _check_distinct(*parts["stat"], _stat_problem, name, label)
    _check_distinct(*parts["dimensions"], _dimensions_problem, name, label)
    _check_distinct(*parts["period"], _period_problem, name, label)
    values = _values(col["value"], name, label)
    _check_counts(parts, values, name, label)

    sizes = [len(parts[c][1]) for c in ("namespace", "metric", "dimensions", "stat", "period")]
    if math.prod(sizes) < 2**62:
        code = np.zeros(table.num_rows, dtype=np.int64)
        for c, size in zip(("namespace", "metric", "dimensions", "stat", "period"), sizes, strict=True):
            if size > 1:  # a column with one distinct value adds nothing to the code
                code *= size
                code += parts[c][0]
        distinct, inverse = _unique(code, math.prod(sizes))
    else:  # pragma: no cover - needs billions of distinct names
        stacked = np.stack([parts[c][0] for c in ("namespace", "metric", "dimensions", "stat", "period")], axis=1)
        rows, inverse = np.unique(stacked, axis=0, return_inverse=True)
        distinct = rows @ np.array([math.prod(sizes[i + 1:]) for i in range(5)], dtype=np.int64)
    keys = []
    for value in distinct.tolist():
        idx = []
        for size in reversed(sizes):
            idx.append(value % size)
            value //= size
        ns, metric, dims, stat, period = reversed(idx)
        keys.append(SeriesKey(parts["namespace"][1][ns], parts["metric"][1][metric],
                              parse_dimensions(str(parts["dimensions"][1][dims])), str(parts["stat"][1][stat]),
                              int(str(parts["period"][1][period]).strip())))
    return MetricStore.from_columns(keys, inverse, timestamps, values, source=name, row_label=label)


def _unique(code: npt.NDArray[np.int64], space: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Distinct codes (sorted) and each row's index among them; O(n) with a lookup table when the
    code space is small, else a sort."""
    if space <= 1 << 26:
        seen = np.zeros(space, dtype=bool)
        seen[code] = True
        distinct = np.flatnonzero(seen)
        position = np.cumsum(seen, dtype=np.int64)
        position -= 1
        return distinct.astype(np.int64), position[code]
    distinct, inverse = np.unique(code, return_inverse=True)
    return distinct.astype(np.int64), inverse.astype(np.int64)


# -- writing ----------------------------------------------------------------------------------------


def metrics_table(store: MetricStore) -> Any:
    """Every datapoint of ``store`` as a pyarrow table in the DESIGN.md schema, series by series in
    key order, each in time order; timestamps as ``YYYY-MM-DDTHH:MM:SSZ`` strings."""
    stamps: list[npt.NDArray[np.int64]] = []
    values: list[npt.NDArray[np.float64]] = []
    counts: list[int] = []
    order = sorted(range(len(store.keys)), key=lambda i: store.keys[i])
    for i in order:
        row = store.values[i]
        present = np.flatnonzero(~np.isnan(row))
        stamps.append(store.origin + 60 * present.astype(np.int64))
        values.append(row[present])
        counts.append(int(present.size))
    seconds = np.concatenate(stamps) if stamps else np.empty(0, dtype=np.int64)
    text = np.char.add(np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s"), "Z")

    def repeat(get: Callable[[SeriesKey], Any]) -> list[Any]:
        out: list[Any] = []
        for i, count in zip(order, counts, strict=True):
            out.extend([get(store.keys[i])] * count)
        return out

    return pa.table({
        "timestamp": pa.array(text.tolist(), type=pa.string()),
        "namespace": pa.array(repeat(lambda k: k.namespace), type=pa.string()),
        "metric": pa.array(repeat(lambda k: k.metric), type=pa.string()),
        "dimensions": pa.array(repeat(lambda k: ",".join(f"{n}={v}" for n, v in k.dimensions)), type=pa.string()),
        "stat": pa.array(repeat(lambda k: k.stat), type=pa.string()),
        "period": pa.array(repeat(lambda k: k.period), type=pa.int64()),
        "value": pa.array(np.concatenate(values) if values else np.empty(0), type=pa.float64()),
    })


def write_metrics(store: MetricStore, path: str | Path, *, file_format: str | None = None) -> None:
    """Write every datapoint of ``store`` to a metrics file that :func:`load_metrics` reads back
    (the format follows the suffix unless ``file_format`` says otherwise). The write is atomic:
    readers see the old file or the whole new one."""
    from .output import atomic_file  # output imports the engine; keep loading metrics light

    file = Path(path)
    kind = file_format or FORMATS.get(file.suffix.lower())
    if kind not in ("csv", "jsonl", "parquet"):
        raise MetricsFileError(f"unknown metrics format {file.suffix or file_format!r}: use .csv, .jsonl or .parquet",
                               file=str(file))
    table = metrics_table(store)
    if kind == "jsonl":
        with atomic_file(file) as handle:
            for row in table.to_pylist():
                handle.write(json.dumps(row, allow_nan=False) + "\n")
        return
    with atomic_file(file, binary=True) as handle:
        if kind == "csv":
            pacsv.write_csv(table, handle)
        else:
            pq.write_table(table, handle)
