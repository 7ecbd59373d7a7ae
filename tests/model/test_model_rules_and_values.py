"""Composite rules as trees, template values as text, and alarm descriptions as fields."""

from __future__ import annotations

import pytest

from sensible_alarms.model import (
    And,
    Constant,
    DescriptionFields,
    Not,
    Or,
    StateCheck,
    Unparsed,
    build_stack,
    parse_description,
    parse_rule,
    render,
    rule_text,
    sufficient_alarms,
)
from sensible_alarms.model.values import as_bool, as_int, as_number, referenced_ids

KNOWN = {"a": "A1", "b": "B1", "c": "C1"}


def _resolve(text: str) -> str | None:
    return KNOWN.get(text)


class TestParseRule:
    @pytest.mark.parametrize(("rule", "tree"), [
        pytest.param('ALARM("a")', StateCheck("ALARM", "a", "A1"), id="one state check with a quoted name"),
        pytest.param("OK(b)", StateCheck("OK", "b", "B1"), id="an unquoted name"),
        pytest.param("ALARM(a) OR ALARM(b) AND ALARM(c)",
                     Or((StateCheck("ALARM", "a", "A1"),
                         And((StateCheck("ALARM", "b", "B1"), StateCheck("ALARM", "c", "C1"))))),
                     id="AND binds tighter than OR"),
        pytest.param("NOT ALARM(a) AND TRUE",
                     And((Not(StateCheck("ALARM", "a", "A1")), Constant(True))), id="NOT binds tighter than AND"),
        pytest.param("(ALARM(a) OR FALSE) AND INSUFFICIENT_DATA(c)",
                     And((Or((StateCheck("ALARM", "a", "A1"), Constant(False))),
                          StateCheck("INSUFFICIENT_DATA", "c", "C1"))), id="parentheses group"),
        pytest.param('ALARM("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:other")',
                     StateCheck("ALARM", "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:other", None),
                     id="an alarm of another stack stays unresolved"),
    ])
    def test_reads_the_rule_into_a_tree(self, rule, tree):
        """The rule's tree follows CloudWatch's grammar and precedence."""
        assert parse_rule(rule, _resolve) == tree

    @pytest.mark.parametrize("rule", ["ALARM(a) AND", "ALARM(a", "SOMETIMES(a)", "", 'ALARM("a) OR OK(b)'])
    def test_a_malformed_rule_is_unparsed_with_a_reason(self, rule):
        """A rule that does not parse is kept as text with the parser's reason; nothing is raised."""
        node = parse_rule(rule, _resolve)
        assert isinstance(node, Unparsed)
        assert node.text == rule
        assert node.error.startswith("expected")

    def test_writes_the_rule_back_with_names(self):
        """rule_text groups nested terms in parentheses and names alarms as asked."""
        node = parse_rule("ALARM(a) OR (ALARM(b) AND NOT OK(c))", _resolve)
        assert rule_text(node, lambda check: f"n-{check.alarm}") == \
            'ALARM("n-a") OR (ALARM("n-b") AND NOT OK("n-c"))'

    def test_sufficient_alarms_are_the_ones_that_alone_trigger_the_composite(self):
        """OR-terms trigger alone; AND-terms need each other; NOT and OK never trigger."""
        node = parse_rule("ALARM(a) OR (ALARM(b) AND ALARM(c)) OR NOT ALARM(c) OR (ALARM(b) AND TRUE)", _resolve)
        assert sufficient_alarms(node) == {"A1", "B1"}


class TestRulesBuiltWithIntrinsics:
    @pytest.mark.parametrize("rule", [
        pytest.param({"Fn::Join": ["", ["ALARM(\"", {"Fn::GetAtt": ["Member", "Arn"]}, "\") OR OK(\"",
                                         {"Ref": "Other"}, "\")"]]}, id="Fn::Join with Fn::GetAtt and Ref"),
        pytest.param({"Fn::Sub": "ALARM(${Member.Arn}) OR OK(${Other})"}, id="Fn::Sub with placeholders"),
        pytest.param({"Fn::Sub": ["ALARM(${m}) OR OK(${o})",
                                   {"m": {"Fn::GetAtt": "Member.Arn"}, "o": {"Ref": "Other"}}]},
                     id="Fn::Sub with a variable map"),
        pytest.param('ALARM("member-alarm") OR OK("arn:aws:cloudwatch:us-east-1:111122223333:alarm:other-alarm")',
                     id="literal names and ARNs"),
    ])
    def test_member_references_resolve_to_logical_ids(self, rule):
        """However the rule is written, its members resolve to the alarms of the stack."""
        alarm = {"Type": "AWS::CloudWatch::Alarm", "Properties": {}}
        stack = build_stack("S", {"Resources": {
            "Member": {**alarm, "Properties": {"AlarmName": "member-alarm"}},
            "Other": {**alarm, "Properties": {"AlarmName": "other-alarm"}},
            "C": {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {"AlarmRule": rule}},
        }})
        composite = stack.alarm("C")
        assert composite is not None
        assert composite.members == ("Member", "Other")
        assert stack.composites_of == {"Member": ("C",), "Other": ("C",)}


class TestValues:
    @pytest.mark.parametrize(("value", "text"), [
        pytest.param({"Ref": "Queue"}, "${Queue}", id="Ref"),
        pytest.param({"Fn::GetAtt": ["Queue", "QueueName"]}, "${Queue.QueueName}", id="Fn::GetAtt as a list"),
        pytest.param({"Fn::GetAtt": "Queue.Arn"}, "${Queue.Arn}", id="Fn::GetAtt as a string"),
        pytest.param({"Fn::Join": ["-", ["a", {"Ref": "AWS::Region"}]]}, "a-${AWS::Region}", id="Fn::Join"),
        pytest.param({"Fn::Select": [0, ["x"]]}, "{Fn::Select [0, [x]]}", id="an unknown intrinsic"),
        pytest.param(3, "3", id="a number"),
        pytest.param(None, "", id="nothing"),
    ])
    def test_renders_template_values_as_text(self, value, text):
        """Intrinsics become placeholders made of logical ids; unknown ones are shown as written."""
        assert render(value) == text

    def test_references_are_collected_everywhere_except_pseudo_parameters_and_sub_variables(self):
        """Ref, GetAtt and Sub placeholders anywhere in a value name logical ids."""
        value = {"Statement": [{"Resource": [{"Fn::GetAtt": ["Table", "Arn"]},
                                             {"Fn::Sub": ["${Bucket.Arn}/${key}", {"key": "k"}]},
                                             {"Ref": "AWS::AccountId"}]}]}
        assert referenced_ids(value) == {"Table", "Bucket"}

    def test_numbers_and_booleans_as_cloudformation_accepts_them(self):
        """Numeric strings are numbers, 'false' is false; anything else is Unresolved."""
        assert as_number("1.5") == 1.5
        assert as_int("3") == 3
        assert as_bool("false", True) is False
        assert as_int(2.5).text == "2.5"  # type: ignore[union-attr]
        assert as_bool(None, True) is True


class TestDescriptions:
    def test_reads_the_four_lines_of_the_contract(self):
        """Customer impact, urgency (first word), SLO and runbook are read; 'none given' is no runbook."""
        text = ("Customer impact: Orders fail.\nUrgency: LOW - a problem if it continues\nSLO: 99%\n"
                "Runbook: none given")
        assert parse_description(text) == DescriptionFields("Orders fail.", "LOW", "99%", None)

    def test_a_free_text_description_has_no_fields(self):
        """cdk-monitoring-constructs' 'Fault count is too high.' states neither impact nor urgency."""
        assert parse_description("Fault count is too high.") == DescriptionFields()
