"""Alarm definitions read from synthesized templates, as the engine evaluates them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sensible_alarms.replay import ReplayError
from sensible_alarms.replay.from_templates import alarm_set_from_templates, load_names


def _alarm(**props: Any) -> dict[str, Any]:
    base = {"Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage", "Statistic": "Maximum",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Queue1", "QueueName"]}}],
            "Period": 60, "EvaluationPeriods": 3, "Threshold": 900, "ComparisonOperator": "GreaterThanThreshold"}
    base.update(props)
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": base}


def _write(tmp_path: Path, resources: dict[str, Any]) -> Path:
    path = tmp_path / "Stack.template.json"
    path.write_text(json.dumps({"Resources": resources}))
    return path


class TestAlarmSetFromTemplates:
    def test_the_orders_example_gives_every_alarm_and_composite(self, orders_assembly: Path,
                                                                  orders_template: dict[str, Any]):
        """Every alarm resource of the example becomes one definition, named by its AlarmName."""
        alarm_set = alarm_set_from_templates(orders_assembly)
        types = [r["Type"] for r in orders_template["Resources"].values()]
        assert len(alarm_set.alarms) == types.count("AWS::CloudWatch::Alarm")
        assert len(alarm_set.composites) == types.count("AWS::CloudWatch::CompositeAlarm")
        names = {r["Properties"].get("AlarmName") or r["Properties"].get("CompositeAlarmName")
                 for r in orders_template["Resources"].values() if r["Type"].startswith("AWS::CloudWatch::")
                 and "Alarm" in r["Type"]}
        assert {a.name for a in alarm_set.alarms} | {c.name for c in alarm_set.composites} == names

    def test_composite_rules_name_their_members(self, orders_assembly: Path):
        """A rule built with Fn::Join and Fn::GetAtt reads as ALARM("member name") terms."""
        alarm_set = alarm_set_from_templates(orders_assembly)
        member_names = {a.name for a in alarm_set.alarms}
        for composite in alarm_set.composites:
            assert "Fn::" not in composite.alarm_rule
            quoted = [part.split('"')[1] for part in composite.alarm_rule.split("ALARM(")[1:]]
            assert quoted
            assert set(quoted) <= member_names

    def test_only_composites_can_notify_in_the_example(self, orders_assembly: Path):
        """Members have no actions; each notifier composite has one, as the engine needs to count
        notifications, and the composites that only confirm or suppress have none."""
        alarm_set = alarm_set_from_templates(orders_assembly)
        assert not any(a.has_actions for a in alarm_set.alarms)
        assert {c.name: c.has_actions for c in alarm_set.composites} == {
            c.name: c.name.endswith("Urgency") for c in alarm_set.composites}

    def test_the_low_composite_is_suppressed_by_its_confirmation(self, orders_assembly: Path):
        """The API's LOW notification names its confirmation composite as actions suppressor."""
        alarm_set = alarm_set_from_templates(orders_assembly)
        low = next(c for c in alarm_set.composites if c.name.endswith("OrdersApiAlarms-LowUrgency"))
        assert low.actions_suppressor == low.name.replace("LowUrgency", "LowUrgencyUnconfirmed")
        assert (low.actions_suppressor_wait_period, low.actions_suppressor_extension_period) == (1800, 7200)

    def test_deploy_time_values_become_logical_id_placeholders(self, tmp_path: Path):
        """A GetAtt dimension value reads as ${Logical.Attr}; a names mapping replaces it."""
        path = _write(tmp_path, {"Age": _alarm(AlarmName="age")})
        (query,) = alarm_set_from_templates(path).alarms[0].queries
        assert query.dimensions == (("QueueName", "${Queue1.QueueName}"),)  # type: ignore[union-attr]
        mapped = alarm_set_from_templates(path, names={"${Queue1.QueueName}": "orders"})
        assert mapped.alarms[0].queries[0].dimensions == (("QueueName", "orders"),)  # type: ignore[union-attr]

    def test_an_alarm_without_a_name_is_named_by_stack_and_logical_id(self, tmp_path: Path):
        """CloudFormation names unnamed alarms at deploy time; the replay calls them Stack/LogicalId."""
        path = _write(tmp_path, {"Age": _alarm()})
        assert alarm_set_from_templates(path).alarms[0].name == "Stack/Age"

    def test_disabled_actions_do_not_notify(self, tmp_path: Path):
        """An alarm with actions but ActionsEnabled false has no notifying actions."""
        path = _write(tmp_path, {"Topic": {"Type": "AWS::SNS::Topic"},
                                 "Age": _alarm(AlarmActions=[{"Ref": "Topic"}], ActionsEnabled=False),
                                 "Age2": _alarm(AlarmActions=[{"Ref": "Topic"}])})
        by_name = {a.name: a.has_actions for a in alarm_set_from_templates(path).alarms}
        assert by_name == {"Stack/Age": False, "Stack/Age2": True}

    @pytest.mark.parametrize(("resources", "message"), [
        pytest.param({"A": _alarm(Threshold=None)}, "'Threshold' must be a number", id="a threshold that is null"),
        pytest.param({"A": _alarm(Statistic=None)}, "no Statistic", id="an alarm with no statistic"),
        pytest.param({"A": _alarm(AlarmName="x"), "B": _alarm(AlarmName="x")}, "used twice",
                     id="two alarms with one name"),
    ])
    def test_unusable_alarms_are_refused_with_where_they_are(self, tmp_path: Path, resources: dict[str, Any],
                                                              message: str):
        """A definition the engine cannot evaluate raises ReplayError naming the file and resource."""
        path = _write(tmp_path, resources)
        with pytest.raises(ReplayError, match=message) as caught:
            alarm_set_from_templates(path)
        assert str(path) in str(caught.value)

    def test_a_file_that_is_not_a_template_is_refused(self, tmp_path: Path):
        """A JSON file without Resources is named in the error."""
        path = tmp_path / "x.json"
        path.write_text("[]")
        with pytest.raises(ReplayError, match=r"x\.json"):
            alarm_set_from_templates(path)


class TestLoadNames:
    def test_a_mapping_of_strings_loads(self, tmp_path: Path):
        """A JSON object of strings is the mapping."""
        path = tmp_path / "names.json"
        path.write_text('{"${Queue1.QueueName}": "orders"}')
        assert load_names(path) == {"${Queue1.QueueName}": "orders"}

    def test_anything_else_is_refused(self, tmp_path: Path):
        """A list is not a mapping."""
        path = tmp_path / "names.json"
        path.write_text("[1]")
        with pytest.raises(ReplayError, match="names mapping"):
            load_names(path)
