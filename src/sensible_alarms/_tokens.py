"""Whether a string is (or holds) a CDK token, answered in Python.

``cdk.Token.is_unresolved`` is a jsii round trip; construct code asks it of every account, Region,
stack name and URL it checks. A string token is text with a ``${Token[...]}`` marker in it (CDK's
``TokenString``; a ``#{Token[...]}`` list marker makes only a list unresolved, not a string), so
looking for the marker gives CDK's answer for a string.
"""

from __future__ import annotations

__all__ = ["unresolved"]

_MARKER = "${Token["


def unresolved(value: str | None) -> bool:
    """Whether the string `value` holds a token (a value CloudFormation knows only at deploy time)."""
    return value is not None and _MARKER in str(value)
