"""Suppressing a rule for one construct, with a written reason, in the template's metadata.

Like cdk-nag's ``NagSuppressions``: the suppression is written into the CloudFormation ``Metadata``
of the construct's resource, so it survives synthesis and every reader of the template (the CDK
plugin, ``sensible-alarms check``, the review) sees it and lists the finding as suppressed, with
the reason. No jsii import: the construct is used through its own methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import SensibleAlarmsError
from ..model import SUPPRESSIONS_KEY
from .rules import ALL_RULES

if TYPE_CHECKING:
    from constructs import IConstruct

__all__ = ["SUPPRESSIONS_KEY", "suppress"]


def _is_cfn_resource(node: Any) -> bool:
    try:
        return isinstance(getattr(node, "cfn_resource_type", None), str) and callable(node.add_metadata)
    except Exception:
        return False


def _path(construct: Any) -> str | None:
    try:
        return str(construct.node.path)
    except Exception:
        return None


def suppress(construct: IConstruct, rule_id: str, reason: str, *, apply_to_children: bool = False) -> None:
    """Switch ``rule_id`` off for ``construct``, saying why.

    The suppression is written to the construct's CloudFormation resource (its default child, or the
    construct itself when it is a ``CfnResource``); with ``apply_to_children``, to every CloudFormation
    resource under it instead (a whole monitoring construct, a whole stack).

    :raises SensibleAlarmsError: when the rule id is unknown, the reason is empty, or there is no
        CloudFormation resource to write to.
    """
    path = _path(construct)
    known = [rule.id for rule in ALL_RULES]
    if rule_id not in known:
        raise SensibleAlarmsError(f"'rule_id' must be one of {', '.join(known)} (got {rule_id!r})",
                                  path=path, prop="rule_id", value=rule_id)
    if not isinstance(reason, str) or not reason.strip():
        raise SensibleAlarmsError(
            f"'reason' must say why {rule_id} does not apply here, in words (got {reason!r}); a suppression "
            "without a reason is not accepted", path=path, prop="reason", value=reason)
    targets: list[Any]
    if apply_to_children:
        targets = [node for node in construct.node.find_all() if _is_cfn_resource(node)]
    elif _is_cfn_resource(construct):
        targets = [construct]
    else:
        child = construct.node.default_child
        targets = [child] if child is not None and _is_cfn_resource(child) else []
    if not targets:
        raise SensibleAlarmsError(
            "the construct has no CloudFormation resource to carry the suppression (no default child); pass "
            "the construct that owns the resource, or apply_to_children=True", path=path, prop="construct",
            value=path)
    entry = {"id": rule_id, "reason": reason.strip()}
    for resource in targets:
        existing = resource.get_metadata(SUPPRESSIONS_KEY)
        entries = [e for e in existing if isinstance(e, dict) and e.get("id") != rule_id] \
            if isinstance(existing, list) else []
        resource.add_metadata(SUPPRESSIONS_KEY, [*entries, entry])
