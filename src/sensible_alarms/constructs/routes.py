"""Nearly every request of one route fails: an outage of a single route of an API, read from the
Lambda function behind the route, so a quiet route is not drowned in the rest of the API's traffic.

API Gateway publishes per-method metrics only with detailed metrics (paid, per metric); Lambda
publishes ``Errors`` and ``Invocations`` per function for free. One member alarm watches up to
``ROUTES_PER_ALARM`` routes as the metric-math MAX of their guarded failed shares (CloudWatch reads
at most 10 metrics in one alarm, two a route), and feeds the entrypoint's HIGH rule and hold; a busy
API's outage, which trips it and ``Outage5m``, notifies once, from the outage notifier (the HIGH
notifier stays quiet while an outage member is in ALARM).

With two routes or more, ``OneRouteDown3m`` (one a group, from the same two metrics a route) keeps the
outage notifier quiet while one route is down and another serves: the API's own outage windows then
show that one route's outage, which the HIGH notifier told.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from .._durations import words
from ..slo import AvailabilitySlo
from ..urgency import Urgency
from .function_name import metric_dimensions
from .metrics import MathExpression, Metric
from .request_burn_rates import OUTAGE_FAILED_SHARE, window_tag

if TYPE_CHECKING:
    from .entrypoint import EntrypointAlarms

__all__ = [
    "ROUTES_PER_ALARM",
    "ROUTE_DOWN_PERIODS",
    "ROUTE_DOWN_SECONDS",
    "ROUTE_MIN_FAILED",
    "ROUTE_OUTAGE_WINDOWS_SECONDS",
    "ROUTE_SIGNAL",
    "ROUTE_TROUBLE_MIN",
    "ROUTE_TROUBLE_SHARE",
    "Route",
    "add_route_outages",
    "discover_routes",
    "route_functions_argument",
]

#: The members' signal id (alarm metadata): the policy reads it as a customer signal of the API.
ROUTE_SIGNAL = "route-outage"
#: Two metrics a route (errors, invocations); CloudWatch reads at most 10 in one alarm.
ROUTES_PER_ALARM = 5
#: The route's windows: 5 minutes finds a burst or outage of one route within minutes.
ROUTE_OUTAGE_WINDOWS_SECONDS = (300,)
#: At least this many failed invocations of one route within the window: one more than
#: ``Outage5m``'s 3, because a route is quieter than its API, and a transient error of 3 invocations
#: (a connection reset its callers retried) fills a quiet route's 5 minutes. Measured on the fleet
#: benchmark (docs/concepts.md, "One route fails"): 3 told 6 more of 63 bursts at 50 services and
#: sent 22 more false notifications; 4 sent none more than the API-level signals.
ROUTE_MIN_FAILED = 4
#: "One route down while another serves" (``OneRouteDown3m``), which keeps the outage notifier quiet:
#: within each of the last ``ROUTE_DOWN_PERIODS`` windows of ``ROUTE_DOWN_SECONDS``, one route failed
#: (``ROUTE_TROUBLE_MIN`` or more of its requests, at least ``OUTAGE_FAILED_SHARE`` of them), no other
#: route had trouble (as many failed, and at least ``ROUTE_TROUBLE_SHARE`` of its requests), and another
#: served (a request or more succeeded, under ``ROUTE_TROUBLE_SHARE`` failed). Measured on the fleet
#: benchmark (docs/concepts.md, "One route fails"):
#: - two windows, not one: a burst of a few minutes on the busiest route trips the API's own outage
#:   member before the route's, and one window then silenced the outage notifier before it told
#:   (2 bursts lost at 100 services);
#: - 3 minute windows, and 2 failed requests each, not 5 minutes and ``ROUTE_MIN_FAILED``: the route
#:   is down after 6 minutes instead of 10, before most of the API's outage windows first cross half;
#: - "no other route had trouble": a second route failing during a route outage is a new incident,
#:   which the outage notifier told before (1 burst lost without it).
ROUTE_DOWN_SECONDS = 180
ROUTE_DOWN_PERIODS = 2
ROUTE_TROUBLE_MIN = 2
ROUTE_TROUBLE_SHARE = 0.1
#: A route's name in texts is cut to this many characters, so a description stays within 1,024.
_MAX_ROUTE_NAME = 60


@dataclass(frozen=True)
class Route:
    """A route and the Lambda function (or alias) that serves it; routes served by one function share it."""

    name: str
    function: lambda_.IFunction


def route_functions_argument(owner: EntrypointAlarms, value: object) -> list[Route] | None:
    """`route_functions` typed: None (discover), or a mapping of route name -> Lambda function;
    raises, naming `owner`'s path, the field and the value, otherwise."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise owner._fail(f"'route_functions' must be a mapping of route name to Lambda function, or None to "
                          f"discover them (got {type(value).__name__})", "route_functions", value)
    routes = []
    for name, function in value.items():
        if not isinstance(name, str) or not name.strip():
            raise owner._fail(f"'route_functions' keys must be non-empty route names such as 'GET /orders' "
                              f"(got {name!r})", "route_functions", name)
        if not isinstance(function, lambda_.FunctionBase):
            raise owner._fail(f"'route_functions[{name!r}]' must be an aws_lambda function, alias or version "
                              f"(got {type(function).__name__})", "route_functions", function)
        routes.append(Route(name.strip(), function))
    return routes


def discover_routes(api: object) -> list[Route]:
    """The routes of a REST API (``RestApi``/``SpecRestApi`` methods) or an HTTP API (its routes)
    whose integration invokes a Lambda function or alias of the same stack, in construct order.
    Other integrations (HTTP, AWS services, mocks, functions of other stacks or imported) are not
    found: pass them as `route_functions`.

    Each L1's properties are read as one map (``cfn_properties``, not a struct proxy whose fields
    are each a jsii call) and resolved together in one call: about 5 calls a route instead of 22."""
    if isinstance(api, apigw.RestApiBase):
        # ``methods`` is RestApi's (a SpecRestApi's routes are in its OpenAPI body: not found).
        methods: list[apigw.Method] = list(getattr(api, "methods", None) or [])
        if not methods:
            return []
        stack = cdk.Stack.of(api)
        properties = [_properties(_cfn(m)) for m in methods]
        names = [f"{p['httpMethod']} {m.resource.path}" for m, p in zip(methods, properties, strict=True)]
        targets = [_target(t) for t in stack.resolve([p.get("integration") for p in properties])]
    elif isinstance(api, apigwv2.HttpApi):
        stack = cdk.Stack.of(api)
        children = api.node.find_all()
        routes = [_properties(_default_child(c)) for c in children if isinstance(c, apigwv2.HttpRoute)]
        if not routes:
            return []
        names = [str(p["routeKey"]) for p in routes]
        targets = [_target(t) for t in stack.resolve([p.get("target") for p in routes])]
        if not any(targets):
            return []
        # An HTTP route targets an integration of its API; the integration names the function.
        integrations = [c for c in children if isinstance(c, apigwv2.CfnIntegration)]
        ids = stack.resolve([c.logical_id for c in integrations])
        uris = stack.resolve([_properties(c).get("integrationUri") for c in integrations])
        uri_of = {lid: _target(uri) for lid, uri in zip(ids, uris, strict=True)}
        targets = [uri_of.get(t) if t else None for t in targets]
    else:
        return []
    if not any(targets):
        return []
    by_id = _by_logical_id(stack)
    found = []
    for name, target in zip(names, targets, strict=True):
        resource = by_id.get(target) if target else None
        if resource is not None:
            function = resource.node.scope
            if isinstance(function, lambda_.FunctionBase):
                found.append(Route(name, function))
    return found


def _default_child(construct: Construct) -> cdk.CfnResource:
    resource = construct.node.default_child
    assert isinstance(resource, cdk.CfnResource)
    return resource


def _cfn(method: apigw.Method) -> apigw.CfnMethod:
    resource = method.node.default_child
    assert isinstance(resource, apigw.CfnMethod)
    return resource


def _properties(resource: cdk.CfnResource) -> dict[str, Any]:
    """The L1's CloudFormation properties, camelCase, as one map (tokens unresolved)."""
    return dict(resource._cfn_properties)


def _target(resolved: Any) -> str | None:
    """The logical id a resolved integration URI or route target refers to (``Fn::GetAtt`` or
    ``Ref``, not a pseudo parameter), or None."""
    if isinstance(resolved, dict):
        if "Fn::GetAtt" in resolved:
            return str(resolved["Fn::GetAtt"][0])
        ref = resolved.get("Ref")
        if isinstance(ref, str) and not ref.startswith("AWS::"):
            return ref
        for value in resolved.values():
            found = _target(value)
            if found:
                return found
    if isinstance(resolved, list):
        for value in resolved:
            found = _target(value)
            if found:
                return found
    return None


def _by_logical_id(stack: cdk.Stack) -> dict[str, lambda_.CfnFunction | lambda_.CfnAlias]:
    """The stack's Lambda functions and aliases by logical id (resolved in one call)."""
    resources = [c for c in stack.node.find_all() if isinstance(c, lambda_.CfnFunction | lambda_.CfnAlias)]
    return dict(zip(stack.resolve([c.logical_id for c in resources]), resources, strict=True))


def add_route_outages(owner: EntrypointAlarms, routes: list[Route], slo: AvailabilitySlo) -> None:
    """Add to `owner` one member per group of up to ``ROUTES_PER_ALARM`` functions: in ALARM when at
    least ``OUTAGE_FAILED_SHARE`` of one function's invocations, and ``ROUTE_MIN_FAILED`` or more,
    failed within one of ``ROUTE_OUTAGE_WINDOWS_SECONDS``; each is a HIGH rule and a HIGH hold, and
    keeps the LOW notification quiet while it is in ALARM."""
    # A function that serves several routes is watched once, under all their names.
    served: dict[str, tuple[lambda_.IFunction, list[str]]] = {}
    for route in routes:
        key = route.function.node.path
        served.setdefault(key, (route.function, []))[1].append(route.name)
    watched = list(served.values())
    for seconds in ROUTE_OUTAGE_WINDOWS_SECONDS:
        for start in range(0, len(watched), ROUTES_PER_ALARM):
            alarm = _group_member(owner, watched[start:start + ROUTES_PER_ALARM], start // ROUTES_PER_ALARM + 1,
                                  seconds, slo)
            owner._add_rule(Urgency.HIGH, owner._any_of([alarm]))
            owner._add_hold(Urgency.HIGH, owner._any_of([alarm]))
            # Keeps LOW quiet too: a route's outage moves the API's LOW windows, and notifies once, as HIGH.
            owner._high_longs.append(alarm)
    if owner._outage_notifier_on and len(watched) > 1:
        # One route down while another serves is that route's outage, which the HIGH notifier told: the
        # API's own outage windows cross half as the route's share of the requests comes and goes, and
        # the outage notifier told the same outage again (fleet benchmark, docs/concepts.md).
        for start in range(0, len(watched), ROUTES_PER_ALARM):
            alarm = _one_route_down(owner, watched[start:start + ROUTES_PER_ALARM], start // ROUTES_PER_ALARM + 1, slo)
            owner._add_partial_outage(owner._any_of([alarm]))


def _group_member(owner: EntrypointAlarms, group: list[tuple[lambda_.IFunction, list[str]]], number: int,
                  seconds: int, slo: AvailabilitySlo) -> cw.CfnAlarm:
    window = words(seconds)
    period = seconds
    shares: dict[str, Metric | MathExpression] = {}
    for n, (function, names) in enumerate(group):
        dimensions = metric_dimensions(function)
        errors = Metric("AWS/Lambda", "Errors", dimensions, period=period, statistic="Sum")
        invocations = Metric("AWS/Lambda", "Invocations", dimensions, period=period, statistic="Sum")
        shares[f"route{n}"] = MathExpression(
            expression=f"IF(errors{n} >= {ROUTE_MIN_FAILED}, errors{n} / invocations{n}, 0)",
            using_metrics={f"errors{n}": errors, f"invocations{n}": invocations},
            period=period, label=f"{_short(' and '.join(names))}: failed share over {window}",
        )
    routes = "; ".join(_short(" and ".join(names)) for _, names in group)
    return owner._add_member(
        id=f"RouteOutage{window_tag(seconds)}{'' if number == 1 else number}",
        signal=ROUTE_SIGNAL, title=f"Share of one route's requests failing, {window}", urgency=Urgency.HIGH,
        impact=f"Customers of {owner.entrypoint_name} cannot use one route: at least {OUTAGE_FAILED_SHARE:.0%} of "
               f"its requests failed within {window}, {ROUTE_MIN_FAILED} or more of them. Each route is "
               f"watched on its own through its Lambda function's errors and invocations, so a quiet route's "
               f"outage is not lost in the API's traffic. Routes: {routes}.",
        slo=slo.describe(),
        metric=MathExpression(
            expression=f"MAX([{', '.join(shares)}])",
            using_metrics=shares,
            period=period,
            label=f"Largest failed share of one route over {window}",
        ),
        threshold=OUTAGE_FAILED_SHARE, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    )


def _one_route_down(owner: EntrypointAlarms, group: list[tuple[lambda_.IFunction, list[str]]], number: int,
                    slo: AvailabilitySlo) -> cw.CfnAlarm:
    """The member that keeps the outage notifier quiet while one function of `group` is down and
    another serves (the constants above)."""
    period, window = ROUTE_DOWN_SECONDS, words(ROUTE_DOWN_SECONDS)
    states: dict[str, Metric | MathExpression] = {}
    for n, (function, names) in enumerate(group):
        dimensions = metric_dimensions(function)
        e, i = f"FILL(errors{n}, 0)", f"FILL(invocations{n}, 0)"
        trouble = f"{e} >= {ROUTE_TROUBLE_MIN}"
        # Each route's state as one number (100 down, 10 trouble, 1 serving), so the group's sum
        # counts all three within CloudWatch's 10 expressions an alarm.
        states[f"route{n}"] = MathExpression(
            expression=(f"IF({trouble} AND {e} >= {OUTAGE_FAILED_SHARE:g} * {i}, 100, 0) + "
                        f"IF({trouble} AND {e} >= {ROUTE_TROUBLE_SHARE:g} * {i}, 10, 0) + "
                        f"IF({i} > {e} AND {e} < {ROUTE_TROUBLE_SHARE:g} * {i}, 1, 0)"),
            using_metrics={f"errors{n}": Metric("AWS/Lambda", "Errors", dimensions, period=period, statistic="Sum"),
                           f"invocations{n}": Metric("AWS/Lambda", "Invocations", dimensions, period=period,
                                                     statistic="Sum")},
            period=period, label=f"{_short(' and '.join(names))}: down 100, trouble 10, serving 1",
        )
    routes = "; ".join(_short(" and ".join(names)) for _, names in group)
    total = f"SUM([{', '.join(states)}])"
    return owner._add_member(
        id=f"OneRouteDown{window_tag(period)}{'' if number == 1 else number}",
        signal="confirmation", title=f"One route down while another serves, {window}", urgency=Urgency.HIGH,
        impact=f"One route of {owner.entrypoint_name} is down and another still serves its customers: in each of the "
               f"last {ROUTE_DOWN_PERIODS} windows of {window}, {OUTAGE_FAILED_SHARE:.0%} or more of one route's "
               f"requests failed, {ROUTE_TROUBLE_MIN} or more; no other route had {ROUTE_TROUBLE_MIN} or more, and "
               f"{ROUTE_TROUBLE_SHARE:.0%} or more of its requests, fail; and another route served, under "
               f"{ROUTE_TROUBLE_SHARE:.0%} of its requests failing. The API's outage windows then show that one "
               f"route's outage, which the HIGH notifier tells (RouteOutage5m), so the outage notifier stays quiet. "
               f"Routes: {routes}.",
        slo=slo.describe(),
        # Exactly one route down and in trouble (111 to 119 when no more than 9 routes serve).
        metric=MathExpression(
            expression=f"IF({total} >= 111 AND {total} < 120, 1, 0)",
            using_metrics=states,
            period=period,
            label=f"One route down while another serves, over {window}",
        ),
        threshold=1, comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluation_periods=ROUTE_DOWN_PERIODS, datapoints_to_alarm=ROUTE_DOWN_PERIODS, primary=False,
    )


def _short(name: str) -> str:
    return name if len(name) <= _MAX_ROUTE_NAME else name[:_MAX_ROUTE_NAME - 3] + "..."
