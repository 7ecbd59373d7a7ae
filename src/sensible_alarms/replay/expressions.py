"""CloudWatch metric math, for the subset alarms use: a tokenizer, a recursive-descent parser and
a numpy evaluator.

An alarm evaluation at minute t looks at the datapoints of its *evaluation range*: the newest R
datapoints, t - (R-1)P ... t. The evaluator works on all evaluations at once: a time series is
a ``(T, R)`` array (row = evaluation minute, column = position in that evaluation's range,
oldest first, NaN = missing), so functions that look along a series (FILL REPEAT/LINEAR, DIFF,
RATE, MAX(m1), ...) see exactly the range CloudWatch queries for that evaluation.

Semantics follow the CloudWatch user guide ("Using metric math"):

- between two time series, a datapoint missing in one is 0 when the other has it, and missing
  when both lack it; between a series and a scalar a missing datapoint stays missing;
- a datapoint whose computation divides by zero (or is otherwise not finite) is dropped;
- comparisons and AND/OR give 1 or 0; IF follows the documented tables;
- MIN/MAX/SUM/AVG/STDDEV of one series is a scalar over the range; of an array of series it is
  a series, per timestamp;
- METRICS() is every metric of the alarm (not the expressions), METRICS('x') those whose id
  contains 'x'.

An unknown or unsupported function is an :class:`~sensible_alarms.replay.exceptions.ExpressionError`
that names it: never a silent zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .exceptions import ExpressionError
from .windows import FloatArray

__all__ = [
    "SUPPORTED_FUNCTIONS",
    "Array",
    "Binary",
    "Call",
    "Evaluator",
    "Keyword",
    "Node",
    "Number",
    "Ref",
    "Scalar",
    "Series",
    "SeriesArray",
    "String",
    "Unary",
    "evaluate_query",
    "parse_expression",
    "references",
]

# ---------------------------------------------------------------------------------------------
# Syntax tree


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class String:
    value: str


@dataclass(frozen=True)
class Keyword:
    """``REPEAT`` or ``LINEAR``, the fill modes of FILL."""

    name: str


@dataclass(frozen=True)
class Ref:
    """The id of another query of the alarm."""

    id: str


@dataclass(frozen=True)
class Unary:
    op: str  # "-", "+", "NOT"
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / ^ == != < <= > >= AND OR
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Array:
    """``[m1, m2, ...]``."""

    items: tuple[Node, ...]


Node = Number | String | Keyword | Ref | Unary | Binary | Call | Array

#: Functions the engine evaluates, with their arity (min, max).
SUPPORTED_FUNCTIONS: Mapping[str, tuple[int, int]] = {
    "ABS": (1, 1), "CEIL": (1, 1), "FLOOR": (1, 1), "LOG": (1, 1), "LOG10": (1, 1),
    "DIFF": (1, 1), "RATE": (1, 1), "FILL": (2, 2), "IF": (2, 3),
    "MIN": (1, 1), "MAX": (1, 1), "SUM": (1, 1), "AVG": (1, 1), "STDDEV": (1, 1),
    "METRICS": (0, 1), "METRIC_COUNT": (1, 1), "PERIOD": (1, 1), "TIME_SERIES": (1, 1),
}

# ---------------------------------------------------------------------------------------------
# Tokenizer

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<string>"[^"]*"|'[^']*'|“[^”]*”)
  | (?P<op>&&|\|\||==|!=|<=|>=|[-+*/^<>!(),\[\]])
""", re.VERBOSE)


@dataclass(frozen=True)
class _Token:
    kind: str  # number ident string op end
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ExpressionError(f"unexpected character {text[pos]!r} at position {pos + 1} in {text!r}")
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(_Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


# ---------------------------------------------------------------------------------------------
# Parser (recursive descent; lowest precedence first)

_COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def _take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _at(self, *texts: str) -> bool:
        return self.tok.kind in ("op", "ident") and self.tok.text in texts

    def _fail(self, expected: str) -> ExpressionError:
        found = repr(self.tok.text) if self.tok.kind != "end" else "the end"
        return ExpressionError(f"expected {expected} at position {self.tok.pos + 1} but found {found} in {self.text!r}")

    def _expect(self, text: str) -> None:
        if not (self.tok.kind == "op" and self.tok.text == text):
            raise self._fail(repr(text))
        self.i += 1

    def parse(self) -> Node:
        node = self._or()
        if self.tok.kind != "end":
            raise self._fail("an operator or the end of the expression")
        return node

    def _or(self) -> Node:
        node = self._and()
        while self._at("OR", "||"):
            self._take()
            node = Binary("OR", node, self._and())
        return node

    def _and(self) -> Node:
        node = self._not()
        while self._at("AND", "&&"):
            self._take()
            node = Binary("AND", node, self._not())
        return node

    def _not(self) -> Node:
        if self._at("NOT", "!"):
            self._take()
            return Unary("NOT", self._not())
        return self._comparison()

    def _comparison(self) -> Node:
        node = self._additive()
        while self.tok.kind == "op" and self.tok.text in _COMPARISONS:
            op = self._take().text
            node = Binary(op, node, self._additive())
        return node

    def _additive(self) -> Node:
        node = self._multiplicative()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            op = self._take().text
            node = Binary(op, node, self._multiplicative())
        return node

    def _multiplicative(self) -> Node:
        node = self._unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/"):
            op = self._take().text
            node = Binary(op, node, self._unary())
        return node

    def _unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text in ("-", "+"):
            op = self._take().text
            return Unary(op, self._unary())
        return self._power()

    def _power(self) -> Node:
        base = self._primary()
        if self.tok.kind == "op" and self.tok.text == "^":
            self._take()
            return Binary("^", base, self._unary())  # right-associative, binds tighter than unary minus
        return base

    def _primary(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            self._take()
            return Number(float(tok.text))
        if tok.kind == "string":
            self._take()
            return String(tok.text[1:-1])
        if tok.kind == "op" and tok.text == "(":
            self._take()
            node = self._or()
            self._expect(")")
            return node
        if tok.kind == "op" and tok.text == "[":
            self._take()
            items = self._list("]")
            if not items:
                raise ExpressionError(f"an array needs at least one item in {self.text!r}")
            return Array(tuple(items))
        if tok.kind == "ident":
            self._take()
            if self.tok.kind == "op" and self.tok.text == "(":
                self._take()
                args = self._list(")")
                return self._call(tok, args)
            if tok.text in ("REPEAT", "LINEAR"):
                return Keyword(tok.text)
            if tok.text in ("AND", "OR", "NOT"):
                raise ExpressionError(f"{tok.text} needs an operand at position {tok.pos + 1} in {self.text!r}")
            return Ref(tok.text)
        raise self._fail("a number, an id, a function or '('")

    def _list(self, close: str) -> list[Node]:
        items: list[Node] = []
        if self.tok.kind == "op" and self.tok.text == close:
            self._take()
            return items
        while True:
            items.append(self._or())
            if self.tok.kind == "op" and self.tok.text == ",":
                self._take()
                continue
            self._expect(close)
            return items

    def _call(self, tok: _Token, args: list[Node]) -> Call:
        name = tok.text
        if name not in SUPPORTED_FUNCTIONS:
            hint = " (functions are written in uppercase)" if name.upper() in SUPPORTED_FUNCTIONS else ""
            raise ExpressionError(
                f"unsupported function {name}() in {self.text!r}{hint}: replay evaluates "
                f"{', '.join(sorted(SUPPORTED_FUNCTIONS))}")
        low, high = SUPPORTED_FUNCTIONS[name]
        if not low <= len(args) <= high:
            count = str(low) if low == high else f"{low} to {high}"
            raise ExpressionError(f"{name}() takes {count} argument(s), got {len(args)} in {self.text!r}")
        return Call(name, tuple(args))


@lru_cache(maxsize=4096)
def parse_expression(text: str) -> Node:
    """The syntax tree of a metric math expression; :class:`ExpressionError` on a syntax error or an
    unsupported function (named in the message)."""
    return _Parser(text).parse()


def references(node: Node) -> set[str]:
    """Every query id the expression refers to."""
    if isinstance(node, Ref):
        return {node.id}
    if isinstance(node, Unary):
        return references(node.operand)
    if isinstance(node, Binary):
        return references(node.left) | references(node.right)
    if isinstance(node, Call | Array):
        out: set[str] = set()
        for item in (node.args if isinstance(node, Call) else node.items):
            out |= references(item)
        return out
    return set()


# ---------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Scalar:
    """A number; shape ``()`` for a constant, ``(T, 1)`` when it differs per evaluation (MAX(m1))."""

    value: FloatArray


@dataclass(frozen=True)
class Series:
    """A time series over each evaluation's range: shape ``(T, R)``."""

    value: FloatArray


@dataclass(frozen=True)
class SeriesArray:
    """An array of time series: shape ``(k, T, R)``."""

    value: FloatArray


Value = Scalar | Series | SeriesArray

_KIND = {Scalar: "a scalar", Series: "a time series", SeriesArray: "an array of time series"}


def _finite(values: FloatArray) -> FloatArray:
    """Drop (make missing) every non-finite result: division by zero, overflow, log of zero."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 0:
        return values if np.isfinite(values) else np.asarray(np.nan)
    out = values.copy()
    out[~np.isfinite(out)] = np.nan
    return out


def _truthy(values: FloatArray) -> FloatArray:
    """1 where non-zero, 0 where zero, NaN where missing."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(values), np.nan, (values != 0).astype(np.float64))


_BINARY: dict[str, Callable[[FloatArray, FloatArray], FloatArray]] = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power,
    "==": lambda a, b: (a == b).astype(np.float64), "!=": lambda a, b: (a != b).astype(np.float64),
    "<": lambda a, b: (a < b).astype(np.float64), "<=": lambda a, b: (a <= b).astype(np.float64),
    ">": lambda a, b: (a > b).astype(np.float64), ">=": lambda a, b: (a >= b).astype(np.float64),
    "AND": lambda a, b: ((a != 0) & (b != 0)).astype(np.float64),
    "OR": lambda a, b: ((a != 0) | (b != 0)).astype(np.float64),
}


def _apply(op: str, a: FloatArray, b: FloatArray, *, union: bool) -> FloatArray:
    """``a op b``. With ``union`` (two series), a datapoint missing on one side counts as 0 where
    the other side has it; otherwise missing propagates."""
    with np.errstate(all="ignore"):
        if union:
            a_missing, b_missing = np.isnan(a), np.isnan(b)
            out = _BINARY[op](np.where(a_missing, 0.0, a), np.where(b_missing, 0.0, b))
            out = np.where(a_missing & b_missing, np.nan, out)
        else:
            out = _BINARY[op](a, b)
            out = np.where(np.isnan(a) | np.isnan(b), np.nan, out)
    return _finite(out)


# ---------------------------------------------------------------------------------------------
# Evaluator


class Evaluator:
    """Evaluates the expressions of one alarm over ``(T, R)`` datapoint ranges.

    ``metrics`` maps each metric query id to its datapoints, in query order (METRICS() keeps it);
    ``expressions`` maps each expression id to its tree; ``period`` is the alarm's period in
    seconds (RATE divides by it); ``where`` names the alarm in errors.
    """

    def __init__(self, metrics: Mapping[str, FloatArray], expressions: Mapping[str, Node], *, period: int,
                 metric_periods: Mapping[str, int], shape: tuple[int, int], where: str) -> None:
        self.metrics = dict(metrics)
        self.expressions = dict(expressions)
        self.period = period
        self.metric_periods = dict(metric_periods)
        self.where = where
        self._memo: dict[str, Value] = {}
        self._active: list[str] = []
        self.shape = shape

    def _error(self, message: str) -> ExpressionError:
        expr = f" in expression {self._active[-1]!r}" if self._active else ""
        return ExpressionError(f"{message}{expr}", path=self.where)

    def series(self, query_id: str) -> FloatArray:
        """The values of one query, which must be a single time series (what an alarm watches)."""
        value = self.value(query_id)
        if isinstance(value, Series):
            return value.value
        raise ExpressionError(
            f"query {query_id!r} gives {_KIND[type(value)]}, but an alarm watches a single time series",
            path=self.where)

    def value(self, query_id: str) -> Value:
        if query_id in self.metrics:
            return Series(self.metrics[query_id])
        if query_id in self._memo:
            return self._memo[query_id]
        if query_id not in self.expressions:
            known = ", ".join(sorted([*self.metrics, *self.expressions]))
            raise self._error(f"unknown id {query_id!r} (this alarm's ids: {known})")
        if query_id in self._active:
            cycle = " -> ".join([*self._active[self._active.index(query_id):], query_id])
            raise ExpressionError(f"expressions refer to each other in a cycle: {cycle}", path=self.where)
        self._active.append(query_id)
        try:
            result = self._eval(self.expressions[query_id])
        finally:
            self._active.pop()
        self._memo[query_id] = result
        return result

    # -- nodes --------------------------------------------------------------------------------
    def _eval(self, node: Node) -> Value:
        if isinstance(node, Number):
            return Scalar(np.asarray(node.value))
        if isinstance(node, Ref):
            return self.value(node.id)
        if isinstance(node, Unary):
            return self._unary(node)
        if isinstance(node, Binary):
            return self._binary(node.op, self._eval(node.left), self._eval(node.right))
        if isinstance(node, Array):
            return self._array(node)
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, String):
            raise self._error(f"a string ({node.value!r}) is only valid as the argument of METRICS()")
        raise self._error(f"{node.name} is only valid as the second argument of FILL()")

    def _unary(self, node: Unary) -> Value:
        operand = self._eval(node.operand)
        if node.op == "+":
            return operand
        if node.op == "-":
            return _same_kind(operand, -operand.value)
        return _same_kind(operand, np.where(np.isnan(operand.value), np.nan, (operand.value == 0).astype(np.float64)))

    def _binary(self, op: str, left: Value, right: Value) -> Value:
        if isinstance(left, SeriesArray) and isinstance(right, SeriesArray):
            raise self._error(f"'{op}' between two arrays of time series is not supported")
        union = not isinstance(left, Scalar) and not isinstance(right, Scalar)
        a, b = left.value, right.value
        if isinstance(left, SeriesArray) and isinstance(right, Scalar) and b.ndim:
            b = b[np.newaxis]
        if isinstance(right, SeriesArray) and isinstance(left, Scalar) and a.ndim:
            a = a[np.newaxis]
        out = _apply(op, a, b, union=union)
        if isinstance(left, SeriesArray) or isinstance(right, SeriesArray):
            return SeriesArray(out)
        if isinstance(left, Series) or isinstance(right, Series):
            return Series(out)
        return Scalar(out)

    def _array(self, node: Array) -> SeriesArray:
        parts: list[FloatArray] = []
        for item in node.items:
            value = self._eval(item)
            if isinstance(value, Series):
                parts.append(value.value[np.newaxis])
            elif isinstance(value, SeriesArray):
                parts.append(value.value)
            else:
                raise self._error("an array [...] holds time series, not scalars")
        return SeriesArray(np.concatenate(parts, axis=0))

    # -- functions ----------------------------------------------------------------------------
    def _call(self, node: Call) -> Value:
        name = node.name
        if name == "METRICS":
            return self._metrics(node)
        if name == "PERIOD":
            target = node.args[0]
            if not isinstance(target, Ref) or target.id not in self.metric_periods:
                raise self._error("PERIOD() takes the id of a metric of this alarm (not an expression)")
            return Scalar(np.asarray(float(self.metric_periods[target.id])))
        if name == "FILL":
            return self._fill(node)
        if name == "IF":
            return self._if(node)
        args = [self._eval(a) for a in node.args]
        arg = args[0]
        if name in ("ABS", "CEIL", "FLOOR", "LOG", "LOG10"):
            fn = {"ABS": np.abs, "CEIL": np.ceil, "FLOOR": np.floor, "LOG": np.log, "LOG10": np.log10}[name]
            with np.errstate(all="ignore"):
                return _same_kind(arg, _finite(fn(arg.value)))
        if name in ("DIFF", "RATE"):
            if isinstance(arg, Scalar):
                raise self._error(f"{name}() takes a time series or an array of time series, not a scalar")
            return _same_kind(arg, _diff(arg.value, self.period if name == "RATE" else None))
        if name in ("MIN", "MAX", "SUM", "AVG", "STDDEV"):
            return self._aggregate(name, arg)
        if name == "METRIC_COUNT":
            if not isinstance(arg, SeriesArray):
                raise self._error("METRIC_COUNT() takes an array of time series")
            return Scalar(np.asarray(float(arg.value.shape[0])))
        # TIME_SERIES
        if not isinstance(arg, Scalar):
            raise self._error("TIME_SERIES() takes a scalar")
        return Series(np.broadcast_to(arg.value, self.shape).astype(np.float64))

    def _metrics(self, node: Call) -> SeriesArray:
        needle = ""
        if node.args:
            arg = node.args[0]
            if not isinstance(arg, String):
                raise self._error("METRICS() takes an optional string, such as METRICS('errors')")
            needle = arg.value
        chosen = [v for k, v in self.metrics.items() if needle in k]
        if not chosen:
            return SeriesArray(np.empty((0, *self.shape)))
        return SeriesArray(np.stack(chosen))

    def _fill(self, node: Call) -> Value:
        target = self._eval(node.args[0])
        if isinstance(target, Scalar):
            raise self._error("FILL() fills a time series or an array of time series, not a scalar")
        how = node.args[1]
        if isinstance(how, Keyword):
            values = target.value
            filled = _fill_repeat(values) if how.name == "REPEAT" else _fill_linear(values)
            return _same_kind(target, filled)
        filler = self._eval(how)
        if isinstance(filler, SeriesArray):
            raise self._error("FILL() fills with a scalar, a time series, REPEAT or LINEAR")
        fill_values = filler.value
        if isinstance(target, SeriesArray) and fill_values.ndim:
            fill_values = fill_values[np.newaxis]
        return _same_kind(target, np.where(np.isnan(target.value), fill_values, target.value))

    def _if(self, node: Call) -> Value:
        cond, yes = self._eval(node.args[0]), self._eval(node.args[1])
        no = self._eval(node.args[2]) if len(node.args) == 3 else None
        for arg in (cond, yes, no):
            if isinstance(arg, SeriesArray):
                raise self._error("IF() takes scalars and single time series, not arrays")
        truthy = _truthy(cond.value)
        if isinstance(cond, Series):
            # Documented: TRUE with the true-series missing gives 0; FALSE with the false-series
            # missing, or no false value, drops the datapoint; a missing condition drops it.
            yes_values = np.where(np.isnan(yes.value), 0.0, yes.value) if isinstance(yes, Series) else yes.value
            no_values = no.value if no is not None else np.asarray(np.nan)
        else:
            yes_values = yes.value
            no_values = no.value if no is not None else np.asarray(np.nan)
        out = np.where(np.isnan(truthy), np.nan, np.where(truthy == 1.0, yes_values, no_values))
        if isinstance(cond, Scalar) and isinstance(yes, Scalar) and (no is None or isinstance(no, Scalar)):
            return Scalar(np.asarray(out, dtype=np.float64))
        return Series(np.asarray(np.broadcast_to(out, self.shape), dtype=np.float64))

    def _aggregate(self, name: str, arg: Value) -> Value:
        with np.errstate(all="ignore"):
            if isinstance(arg, Series):
                values = arg.value
                present = ~np.isnan(values)
                count = present.sum(axis=-1, keepdims=True)
                out = _REDUCE[name](np.where(present, values, _EMPTY[name]), count)
                return Scalar(np.where(count > 0, out, np.nan))
            if isinstance(arg, SeriesArray):
                values = arg.value
                if values.shape[0] == 0:
                    return Series(np.full(self.shape, np.nan))
                present = ~np.isnan(values)
                any_present = present.any(axis=0)
                filled = np.where(present, values, 0.0)  # missing counts as 0 across an array
                count = np.full(any_present.shape, float(values.shape[0]))
                out = _REDUCE[name](np.moveaxis(filled, 0, -1), count[..., np.newaxis])[..., 0]
                return Series(_finite(np.where(any_present, out, np.nan)))
        raise self._error(f"{name}() takes a time series or an array of time series, not a scalar")


_EMPTY = {"MIN": np.inf, "MAX": -np.inf, "SUM": 0.0, "AVG": 0.0, "STDDEV": 0.0}


def _stddev(values: FloatArray, count: FloatArray) -> FloatArray:
    """Population standard deviation along the last axis (values padded with 0 where absent)."""
    total = values.sum(axis=-1, keepdims=True)
    mean = total / count
    present_sq = (values ** 2).sum(axis=-1, keepdims=True)
    var = np.maximum(present_sq / count - mean ** 2, 0.0)
    return np.asarray(np.sqrt(var), dtype=np.float64)


_REDUCE: dict[str, Callable[[FloatArray, FloatArray], FloatArray]] = {
    "MIN": lambda v, c: v.min(axis=-1, keepdims=True),
    "MAX": lambda v, c: v.max(axis=-1, keepdims=True),
    "SUM": lambda v, c: v.sum(axis=-1, keepdims=True),
    "AVG": lambda v, c: v.sum(axis=-1, keepdims=True) / c,
    "STDDEV": _stddev,
}


def _same_kind(like: Value, values: FloatArray) -> Value:
    return type(like)(np.asarray(values, dtype=np.float64))


def _previous_present_index(values: FloatArray) -> np.ndarray:
    """For each position, the index of the nearest present datapoint strictly before it (-1 if none)."""
    positions = np.arange(values.shape[-1])
    marked = np.where(~np.isnan(values), positions, -1)
    last = np.maximum.accumulate(marked, axis=-1)
    previous = np.full(values.shape, -1, dtype=np.int64)
    previous[..., 1:] = last[..., :-1]
    return previous


def _diff(values: FloatArray, period: int | None) -> FloatArray:
    """Each datapoint minus the previous datapoint of the range (per second of gap with ``period``)."""
    previous = _previous_present_index(values)
    prior = np.take_along_axis(values, np.maximum(previous, 0), axis=-1)
    with np.errstate(all="ignore"):
        out = values - prior
        if period is not None:
            gap = (np.arange(values.shape[-1]) - previous) * float(period)
            out = out / gap
    out = np.where((previous < 0) | np.isnan(values), np.nan, out)
    return _finite(out)


def _fill_repeat(values: FloatArray) -> FloatArray:
    """Each missing datapoint takes the last present value before it in the range."""
    positions = np.arange(values.shape[-1])
    last = np.maximum.accumulate(np.where(~np.isnan(values), positions, -1), axis=-1)
    out = np.take_along_axis(values, np.maximum(last, 0), axis=-1)
    return np.where(last < 0, np.nan, out)


def _fill_linear(values: FloatArray) -> FloatArray:
    """Each missing datapoint between two present ones is interpolated linearly; gaps at either end
    of the range stay missing."""
    size = values.shape[-1]
    positions = np.arange(size)
    present = ~np.isnan(values)
    before = np.maximum.accumulate(np.where(present, positions, -1), axis=-1)
    after = np.minimum.accumulate(np.where(present, positions, size)[..., ::-1], axis=-1)[..., ::-1]
    inside = (before >= 0) & (after < size)
    lo = np.take_along_axis(values, np.clip(before, 0, size - 1), axis=-1)
    hi = np.take_along_axis(values, np.clip(after, 0, size - 1), axis=-1)
    with np.errstate(all="ignore"):
        span = np.where(after > before, after - before, 1)
        interpolated = lo + (hi - lo) * (positions - before) / span
    return np.where(present, values, np.where(inside, interpolated, np.nan))


def evaluate_query(metrics: Mapping[str, FloatArray], expressions: Mapping[str, str], returned: str, *,
                   period: int, shape: tuple[int, int] | None = None, where: str = "expression") -> FloatArray:
    """Evaluate ``returned`` (an id in ``metrics`` or ``expressions``) to one ``(T, R)`` series.

    ``metrics`` hold ``(T, R)`` datapoint ranges, all at ``period``; ``shape`` is needed only
    when there is no metric.
    """
    trees = {k: parse_expression(v) for k, v in expressions.items()}
    if shape is None:
        first = next(iter(metrics.values()))
        shape = (int(first.shape[0]), int(first.shape[1]))
    return Evaluator(metrics, trees, period=period, metric_periods=dict.fromkeys(metrics, period), shape=shape,
                     where=where).series(returned)

