"""Who an alarm notifies: its actions, followed to the SNS topics of the template and on to their
subscriptions (``AWS::SNS::Subscription`` and a topic's inline ``Subscription``) and chat channels
(``AWS::Chatbot::SlackChannelConfiguration`` / ``MicrosoftTeamsChannelConfiguration``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from .model import Recipient, Route
from .references import short_id, target_id

__all__ = ["action_routes", "topic_routes"]

_CHAT = {
    "AWS::Chatbot::SlackChannelConfiguration": ("slack", "SlackWorkspaceId", "SlackChannelId"),
    "AWS::Chatbot::MicrosoftTeamsChannelConfiguration": ("teams", "TeamId", "TeamsChannelId"),
}


def _topic_label(lid: str, props: dict[str, Any]) -> str:
    name = props.get("TopicName")
    return f"SNS topic {name if isinstance(name, str) else short_id(lid)}"


def topic_routes(resources: dict[str, Any], render: Callable[[Any], str]) -> dict[str, Route]:
    """Every SNS topic of the template, by logical id, with its recipients sorted."""
    recipients: dict[str, set[Recipient]] = defaultdict(set)
    topics: dict[str, dict[str, Any]] = {}
    for lid, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        kind = resource.get("Type")
        props = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
        assert isinstance(props, dict)
        if kind == "AWS::SNS::Topic":
            topics[lid] = props
            for sub in props.get("Subscription") or []:
                if isinstance(sub, dict):
                    recipients[lid].add(Recipient(str(sub.get("Protocol")), render(sub.get("Endpoint"))))
        elif kind == "AWS::SNS::Subscription":
            topic = target_id(props.get("TopicArn"))
            if topic:
                recipients[topic].add(Recipient(str(props.get("Protocol")), render(props.get("Endpoint"))))
        elif isinstance(kind, str) and kind in _CHAT:
            chat, workspace, channel = _CHAT[kind]
            text = (f"{render(props.get('ConfigurationName'))} (workspace {render(props.get(workspace))}, "
                    f"channel {render(props.get(channel))})")
            for arn in props.get("SnsTopicArns") or []:
                topic = target_id(arn)
                if topic:
                    recipients[topic].add(Recipient(chat, text))
    return {lid: Route(_topic_label(lid, props), tuple(sorted(recipients[lid], key=lambda r: (r.kind, r.target))))
            for lid, props in topics.items()}


def action_routes(actions: list[Any], topics: dict[str, Route], render: Callable[[Any], str]) -> tuple[Route, ...]:
    """The routes of an alarm's actions, in the order the template lists them."""
    out: list[Route] = []
    for action in actions:
        lid = target_id(action)
        out.append(topics[lid] if lid in topics else Route(render(action), ()))
    return tuple(out)
