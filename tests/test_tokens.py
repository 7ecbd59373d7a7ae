"""sensible_alarms._tokens.unresolved answers in Python what cdk.Token.is_unresolved answers by a jsii call."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from sensible_alarms._tokens import unresolved


def _values() -> list[tuple[str, str]]:
    app = cdk.App()
    agnostic = cdk.Stack(app, "Agnostic")
    concrete = cdk.Stack(app, "Concrete", env=cdk.Environment(account="123456789012", region="eu-west-1"))
    listed = cdk.Token.as_list(cdk.Fn.split(",", cdk.Fn.import_value("Names")))
    return [
        ("agnostic account", agnostic.account), ("agnostic region", agnostic.region),
        ("concrete account", concrete.account), ("concrete region", concrete.region),
        ("stack name", agnostic.stack_name), ("pseudo parameter", cdk.Aws.ACCOUNT_ID),
        ("ref", cdk.Fn.ref("Param")), ("joined", f"https://{cdk.Aws.URL_SUFFIX}/runbook"),
        ("list marker", listed[0]), ("selected", cdk.Fn.select(0, listed)), ("import", cdk.Fn.import_value("Url")),
        ("url", "https://example.com/runbook"), ("empty", ""), ("dollar text", "${not a token}"),
    ]


@pytest.mark.parametrize(("what", "value"), _values(), ids=[what for what, _ in _values()])
def test_unresolved_agrees_with_cdk(what: str, value: str) -> None:
    """A token, a string with a token inside, and plain text are told apart as CDK tells them apart."""
    assert unresolved(value) is cdk.Token.is_unresolved(value)
