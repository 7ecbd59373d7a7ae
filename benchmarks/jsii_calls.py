"""Counts the requests a Python CDK app sends to jsii's Node.js kernel, in-process.

Every Python→Node round trip of jsii's Python runtime goes through one method,
``jsii._kernel.providers.process._NodeProcess.send(request, response_type)``: object creation
(``CreateRequest``), method calls (``InvokeRequest``, ``StaticInvokeRequest``), property reads and
writes (``GetRequest``, ``SetRequest``, ``StaticGetRequest``, ...), and the answer Python sends back
when Node.js calls into Python (``CompleteRequest``, "callback"). :class:`JsiiCalls` wraps that
method while it is active and files each request under

* its kind (create, invoke, get, set, static-invoke, static-get, static-set, callback, ...);
* what it names: the class created, or the class and member read, written or called;
* the sensible_alarms code that made it: ``owner``, the outermost sensible_alarms frame on the
  Python stack (the construct class, such as ``ApiAlarms``, or the module function), and ``site``,
  the innermost one (``constructs/entrypoint.py:_add_member``); ``app`` when no sensible_alarms
  code is on the stack (the app's own resources).

Walking the stack costs microseconds a request against milliseconds for the round trip, but runs
that are timed do not use it.
"""

from __future__ import annotations

import functools
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from jsii._kernel.providers import process

import sensible_alarms

LIBRARY = Path(sensible_alarms.__file__).resolve().parent
APP = "app"

_KINDS = {
    "CreateRequest": "create",
    "InvokeRequest": "invoke",
    "GetRequest": "get",
    "SetRequest": "set",
    "StaticInvokeRequest": "static-invoke",
    "StaticGetRequest": "static-get",
    "StaticSetRequest": "static-set",
    "CompleteRequest": "callback",
}


@dataclass(frozen=True)
class Call:
    kind: str
    name: str
    owner: str
    site: str


def _target(objref: Any) -> str:
    """The class of a jsii object reference ("aws-cdk-lib.aws_sqs.Queue@10023" -> "aws_sqs.Queue")."""
    ref = getattr(objref, "ref", "") or ""
    return _short(ref.rsplit("@", 1)[0])


def _short(fqn: str) -> str:
    return fqn.removeprefix("aws-cdk-lib.")


def _name(request: Any) -> str:
    kind = type(request).__name__
    if kind == "CreateRequest":
        return _short(request.fqn)
    if kind in ("InvokeRequest",):
        return f"{_target(request.objref)}.{request.method}"
    if kind in ("GetRequest", "SetRequest"):
        return f"{_target(request.objref)}.{request.property}"
    if kind == "StaticInvokeRequest":
        return f"{_short(request.fqn)}.{request.method}"
    if kind in ("StaticGetRequest", "StaticSetRequest"):
        return f"{_short(request.fqn)}.{request.property}"
    return ""


@functools.cache
def _module(filename: str) -> str | None:
    """A source file relative to the sensible_alarms package, or None outside it."""
    path = Path(filename).resolve()
    return path.relative_to(LIBRARY).as_posix() if path.is_relative_to(LIBRARY) else None


def _attribution(frame: FrameType | None) -> tuple[str, str]:
    """(owner, site) of the sensible_alarms frames on the stack from `frame` outwards."""
    owner = site = None
    while frame is not None:
        module = _module(frame.f_code.co_filename)
        if module is not None:
            if site is None:
                site = f"{module}:{frame.f_code.co_name}"
            this = frame.f_locals.get("self")
            if this is not None and type(this).__module__.startswith("sensible_alarms."):
                owner = type(this).__name__
            else:
                owner = f"{module}:{frame.f_code.co_name}"
        frame = frame.f_back
    return (owner or APP, site or APP)


class JsiiCalls:
    """While active (``with JsiiCalls() as calls:``), counts every request sent to jsii's kernel."""

    def __init__(self) -> None:
        self.calls: Counter[Call] = Counter()
        self._original = process._NodeProcess.send

    def __enter__(self) -> JsiiCalls:
        original, calls = self._original, self.calls

        def send(node: Any, request: Any, response_type: Any) -> Any:
            kind = type(request).__name__
            owner, site = _attribution(sys._getframe(1))
            calls[Call(_KINDS.get(kind, kind), _name(request), owner, site)] += 1
            return original(node, request, response_type)

        process._NodeProcess.send = send  # type: ignore[method-assign]
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        process._NodeProcess.send = self._original  # type: ignore[method-assign]

    def total(self, *, library_only: bool = False) -> int:
        return sum(n for call, n in self.calls.items() if not library_only or call.owner != APP)

    def by(self, field: str, *, library_only: bool = False) -> dict[str, int]:
        """Counts grouped by one field of :class:`Call`, largest first."""
        grouped: Counter[str] = Counter()
        for call, n in self.calls.items():
            if not library_only or call.owner != APP:
                grouped[getattr(call, field)] += n
        return dict(grouped.most_common())

    def by_owner_and_kind(self) -> dict[str, dict[str, int]]:
        """{owner: {kind: count}}, owners with the most calls first."""
        table: dict[str, Counter[str]] = {}
        for call, n in self.calls.items():
            table.setdefault(call.owner, Counter())[call.kind] += n
        ordered = sorted(table.items(), key=lambda item: -sum(item[1].values()))
        return {owner: dict(kinds.most_common()) for owner, kinds in ordered}
