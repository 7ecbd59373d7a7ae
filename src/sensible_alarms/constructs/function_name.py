"""The value of Lambda's ``FunctionName`` metric dimension for a function, an alias or a version.

Lambda publishes every metric by ``FunctionName`` aggregated over all versions and aliases of the
function (AWS Lambda Developer Guide, "Viewing metrics": "By Function Name"). CDK's ``function_name``
of an alias is ``name:alias``, which is no function's name: a metric with it never has data.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_lambda as lambda_

__all__ = ["metric_dimensions", "underlying_function"]


def underlying_function(function: lambda_.IFunction) -> lambda_.IFunction:
    """The function itself for an alias (``alias.version.lambda_``) or a version (``version.lambda_``)."""
    current: Any = function
    for attribute in ("version", "lambda_"):
        try:
            inner = getattr(current, attribute, None)
        except Exception:  # a jsii proxy of another type raises on unknown members
            inner = None
        if inner is not None:
            current = inner
    return current  # type: ignore[no-any-return]


def metric_dimensions(function: lambda_.IFunction) -> dict[str, str]:
    """The dimensions ``function.metric(...)`` gives its metrics (aws-cdk-lib 2.275), read once:
    ``FunctionName`` and, for an alias made in this app, ``Resource`` as CDK writes it. (A version's
    own ``Resource`` is lost in CDK: its ``dimensions`` lose to the base class's ``dimensionsMap``, so
    a version gets ``FunctionName`` = ``name:version``, as any other function its ``function_name``.)"""
    if isinstance(function, lambda_.Alias):
        name = function.lambda_.function_name
        return {"FunctionName": name, "Resource": f"{name}:{function.alias_name}"}
    return {"FunctionName": function.function_name}
