"""Entrypoint constructs know their construct path and id without asking jsii (the stack's path and
the id, sanitized as constructs sanitizes it): the alarms' metadata, names and texts use the same
path and id that constructs' Node reports, under a stack, a stage and a nested scope."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk_support import cfn_lint_errors, resources_of
from sensible_alarms import AlarmRouting, FreshnessSlo, QueueConsumerAlarms
from sensible_alarms.metadata import METADATA_KEY


@pytest.mark.parametrize("where", ["stack", "stage", "nested"])
@pytest.mark.parametrize("id", ["Orders", "Orders/Queue", "Orders\nQueue"], ids=["plain", "slash", "newline"])
def test_metadata_and_names_use_the_nodes_path_and_id(where: str, id: str) -> None:
    """The member's metadata names Node.path, and texts the entrypoint by Node.id, whatever the id holds."""
    app = cdk.App()
    stack = cdk.Stack(cdk.Stage(app, "Prod") if where == "stage" else app, "Service")
    scope: Construct = Construct(stack, "Team") if where == "nested" else stack
    routing = AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"])
    dlq = sqs.Queue(stack, "Dlq")
    queue = sqs.Queue(stack, "Queue", dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dlq))
    consumer = QueueConsumerAlarms(scope, id, queue=queue, routing=routing,
                                   freshness=FreshnessSlo(max_age=cdk.Duration.minutes(10)))
    stage = cdk.Stage.of(stack)
    assert stage is not None
    template = stage.synth().get_stack_artifact(stack.artifact_id).template
    assert not cfn_lint_errors(template)
    alarms = resources_of(template, "AWS::CloudWatch::Alarm")
    assert alarms
    entrypoints = {a["Metadata"][METADATA_KEY]["entrypoint"] for a in alarms.values()}
    assert entrypoints == {consumer.node.path}
    assert consumer.entrypoint_name == consumer.node.id
    relative = consumer.node.path[len(stack.node.path) + 1:].replace("/", "-")
    assert all(a["Properties"]["AlarmName"].startswith(f"{stack.stack_name}-{relative}".replace("\n", "-"))
               for a in alarms.values())
