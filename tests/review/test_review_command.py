"""`sensible-alarms review` on the orders example and on hand-written templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from templates import single_metric_alarm, write_template
from typer.testing import CliRunner

from sensible_alarms.cli import app
from sensible_alarms.review import review_stacks


def _review(*args: str) -> str:
    result = CliRunner().invoke(app, ["review", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


class TestOrdersExample:
    @pytest.mark.parametrize("output_format", ["md", "json", "html"])
    def test_the_review_reads_as_its_snapshot(self, orders_assembly: Path, output_format: str, snapshot):
        """The review of the orders example, in each format, is what the reviewed snapshot says."""
        assert _review(str(orders_assembly), "--format", output_format) == snapshot

    def test_the_api_pages_in_words_built_from_its_burn_rate_pairs(self, orders_assembly: Path):
        """The API's HIGH composite reads as budget burned within the long window, confirmed by the short one."""
        text = _review(str(orders_assembly))
        assert ("Pages when 2% of the 30-day error budget burns within 1 h (failed requests >= 1.44%, and at "
                "least 10 failed requests), confirmed over 5 min") in text
        assert "Notifies: SNS topic RoutingHighTopic: email oncall@example.com" in text

    def test_every_entrypoint_of_the_example_is_covered(self, orders_assembly: Path):
        """The four entrypoints are detected from resources and matched to the constructs that alarm them."""
        (stack,) = review_stacks(orders_assembly).stacks
        assert sorted((e.kind, e.source, e.covered) for e in stack.entrypoints) == [
            ("api", "construct", True), ("queue_consumer", "construct", True),
            ("scheduled_job", "construct", True), ("stream_consumer", "construct", True)]

    def test_output_writes_the_report_to_a_file(self, orders_assembly: Path, tmp_path: Path):
        """--output writes the report to the file instead of stdout."""
        out = tmp_path / "review.json"
        assert _review(str(orders_assembly), "--format", "json", "--output", str(out)) == ""
        # $9.40 before the API's outage notifier: its composite and confirmation ($1.00), Outage1m and
        # the memory of Outage5m and Outage30m ($0.60).
        assert json.loads(out.read_text())["monthly_cost"] == pytest.approx(11.80)


def _queue_consumer(alarm_resources: dict) -> dict:
    return {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "Esm": {"Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {"EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}, "FunctionName": {"Ref": "Fn"}}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        **alarm_resources,
    }


_AGE_DIMS = [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}]


class TestCoverage:
    def test_a_consumer_without_alarms_is_reported_uncovered_first(self, tmp_path: Path):
        """An SQS consumer no alarm watches is listed first, as not covered."""
        resources = _queue_consumer({})
        resources["Api"] = {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "shop"}}
        resources["ApiAlarm"] = single_metric_alarm(Dimensions=[{"Name": "ApiName", "Value": "shop"}],
                                                    AlarmActions=[{"Ref": "Topic"}])
        (stack,) = review_stacks(write_template(tmp_path / "t.json", resources)).stacks
        assert [(e.id, e.covered) for e in stack.entrypoints] == [("Esm", False), ("Api", True)]
        assert stack.entrypoints[0].coverage == "not covered: no notifying alarm watches Esm, Fn, Queue"

    def test_a_notifying_alarm_on_the_queue_covers_the_consumer(self, tmp_path: Path):
        """An alarm with actions whose dimension references the queue covers its consumer."""
        resources = _queue_consumer({"Age": single_metric_alarm(Dimensions=_AGE_DIMS,
                                                                AlarmActions=[{"Ref": "Topic"}])})
        (stack,) = review_stacks(write_template(tmp_path / "t.json", resources)).stacks
        assert stack.entrypoints[0].covered

    def test_an_alarm_with_actions_disabled_does_not_cover(self, tmp_path: Path):
        """Actions that are disabled notify no one, so they do not cover the entrypoint."""
        resources = _queue_consumer({"Age": single_metric_alarm(Dimensions=_AGE_DIMS, ActionsEnabled=False,
                                                                AlarmActions=[{"Ref": "Topic"}])})
        (stack,) = review_stacks(write_template(tmp_path / "t.json", resources)).stacks
        assert not stack.entrypoints[0].covered
        assert stack.entrypoints[0].coverage == "not covered: none of its alarms notifies anyone"

    def test_a_composite_covers_through_its_members(self, tmp_path: Path):
        """A notifying composite covers what its (action-less) members watch."""
        resources = _queue_consumer({
            "Age": single_metric_alarm(Dimensions=_AGE_DIMS),
            "Notify": {"Type": "AWS::CloudWatch::CompositeAlarm",
                       "Properties": {"AlarmActions": [{"Ref": "Topic"}], "AlarmRule": {
                           "Fn::Join": ["", ['ALARM("', {"Fn::GetAtt": ["Age", "Arn"]}, '")']]}}},
        })
        (stack,) = review_stacks(write_template(tmp_path / "t.json", resources)).stacks
        assert stack.entrypoints[0].covered
        assert stack.entrypoints[0].coverage == "covered: notifies through Notify"

    def test_email_and_slack_recipients_are_followed_from_the_topic(self, tmp_path: Path):
        """Who is notified: the topic's email subscriptions and its Slack channel configuration."""
        resources = _queue_consumer({"Age": single_metric_alarm(Dimensions=_AGE_DIMS,
                                                                AlarmActions=[{"Ref": "Topic"}])})
        resources["Mail"] = {"Type": "AWS::SNS::Subscription", "Properties": {
            "Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": {"Ref": "Topic"}}}
        resources["Chat"] = {"Type": "AWS::Chatbot::SlackChannelConfiguration", "Properties": {
            "ConfigurationName": "ops", "SlackWorkspaceId": "T1", "SlackChannelId": "C1",
            "SnsTopicArns": [{"Ref": "Topic"}], "IamRoleArn": "arn:aws:iam::1:role/x"}}
        (stack,) = review_stacks(write_template(tmp_path / "t.json", resources)).stacks
        (route,) = stack.entrypoints[0].alarms[0].routes
        assert route.words == "SNS topic Topic: email ops@example.com, slack ops (workspace T1, channel C1)"


class TestBadInput:
    @pytest.mark.parametrize(("make", "message"), [
        (lambda p: p / "missing", "no such file or directory"),
        (lambda p: (p / "x.json").write_text("{") and p / "x.json", "is not valid JSON"),
        (lambda p: (p / "y.json").write_text("{}") and p / "y.json", "is not a CloudFormation template"),
        (lambda p: p, "is not a cloud assembly (no manifest.json)"),
    ], ids=["a missing path", "a file that is not JSON", "JSON that is not a template", "a directory without manifest"])
    def test_bad_input_exits_2_with_one_error_line(self, tmp_path: Path, make, message: str):
        """Unreadable input gives one line on stderr naming the problem, and exit code 2."""
        result = CliRunner().invoke(app, ["review", str(make(tmp_path))])
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith("sensible-alarms: error: ")
        assert message in result.stderr

    def test_an_unknown_format_exits_2(self, orders_assembly: Path):
        """--format must be md, html or json."""
        result = CliRunner().invoke(app, ["review", str(orders_assembly), "--format", "pdf"])
        assert result.exit_code == 2
        assert "--format must be one of md, html, json (got 'pdf')" in result.stderr
