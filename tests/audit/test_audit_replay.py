"""`audit --replay`: the assembly's sensible_alarms constructs replayed over the audited period on
metrics fetched with GetMetricData from a moto_server process (the replay's own fetch), and what
is reported when the assembly has no such constructs.

moto has no DescribeAlarmHistory (the report says the history was not read) and no extended
statistics, so the replayed construct is a queue consumer's (Maximum of the message age, Sum of
dead letters), and its queues have literal names (no CloudFormation deployment on moto to ask).
"""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs

from sensible_alarms import AlarmRouting, FreshnessSlo, QueueConsumerAlarms
from sensible_alarms.audit import audit, client_config
from sensible_alarms.audit.replay import NEEDS_CONSTRUCTS

QUEUE = "audit-replay-orders"


@pytest.fixture(scope="module")
def queue_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A queue consumer with a dead-letter queue, alarmed with QueueConsumerAlarms (15 min freshness)."""
    outdir = tmp_path_factory.mktemp("queue") / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "AuditReplay")
    dead = sqs.Queue(stack, "Dead", queue_name=f"{QUEUE}-dlq")
    queue = sqs.Queue(stack, "Queue", queue_name=QUEUE,
                      dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dead))
    function = lambda_.Function(stack, "Consumer", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                code=lambda_.Code.from_inline("def handler(e, c): pass"))
    function.add_event_source(sources.SqsEventSource(queue))
    QueueConsumerAlarms(stack, "QueueAlarms", queue=queue, dead_letter_queue=dead,
                        routing=AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"]),
                        freshness=FreshnessSlo(max_age=cdk.Duration.minutes(15)))
    app.synth()
    return outdir


@pytest.fixture
def cloudwatch(moto_endpoint):
    """A CloudWatch client on moto_server, emptied first."""
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass
    return boto3.client("cloudwatch", endpoint_url=moto_endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing", config=client_config())


@pytest.fixture
def cloudformation(moto_endpoint):
    return boto3.client("cloudformation", endpoint_url=moto_endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing", config=client_config())


class TestAuditReplay:
    def test_the_constructs_notify_once_for_an_hour_of_old_messages(self, cloudwatch, cloudformation,
                                                                    queue_assembly):
        """Messages waiting 40 minutes for an hour: the replayed queue consumer alarm notifies once,
        reported under the queue consumer's entrypoint."""
        end = datetime.now(UTC).replace(second=0, microsecond=0)
        data = [{"MetricName": "ApproximateAgeOfOldestMessage", "Dimensions": [{"Name": "QueueName", "Value": QUEUE}],
                 "Timestamp": end - timedelta(minutes=m, seconds=-10), "Value": v}
                for m, v in [(m, 2400.0 if 30 <= m < 90 else 5.0) for m in range(1, 180)]]
        for first in range(0, len(data), 500):
            cloudwatch.put_metric_data(Namespace="AWS/SQS", MetricData=data[first:first + 500])
        report, _ = audit(cloudwatch=cloudwatch, cloudformation=cloudformation, region="us-east-1",
                          assembly=queue_assembly, end=end, days=1, replay=True)
        assert report.replay_problem is None
        not_deployed = "ListStackResources (stack AuditReplay): ValidationError"
        assert any(p.words.startswith(not_deployed) for p in report.problems)
        assert report.replay is not None
        sent = report.replay.notifications
        assert list(sent) == [next(t for t in sent if t.startswith("SQS queue Queue -> Lambda"))]
        assert len(next(iter(sent.values()))) == 1

    def test_an_assembly_without_constructs_says_what_the_replay_needs(self, cloudwatch, tmp_path):
        """A template with no sensible_alarms alarm: no replay, and the report says what it needs."""
        template = tmp_path / "plain.template.json"
        template.write_text('{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {}}}}')
        report, _ = audit(cloudwatch=cloudwatch, region="us-east-1", assembly=template, days=1, replay=True)
        assert report.replay is None
        assert report.replay_problem is not None
        assert report.replay_problem.startswith(NEEDS_CONSTRUCTS)
