"""Composite alarms: AlarmRule parsing and evaluation, and actions suppression.

The suppression examples are those of the CloudWatch user guide, "Suppressing composite alarm
actions" (WaitPeriod 2 time units, ExtensionPeriod 3; here one unit is one minute).
"""

from __future__ import annotations

import numpy as np
import pytest
from replay_support import T0, alarm, at, key, store

from sensible_alarms.model import And, Constant, Not, Or, StateCheck
from sensible_alarms.replay import AlarmRuleError, CompositeAlarmDef, ReplayError, parse_alarm_rule, replay
from sensible_alarms.replay.composite import evaluate_rule, rule_references, suppress_actions
from sensible_alarms.replay.evaluation import ALARM, INSUFFICIENT_DATA, OK

ARN = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:"


class TestParseAlarmRule:
    def test_names_and_arns_quoted_or_not(self):
        """ALARM("name"), ALARM(name) and ALARM("arn:...:alarm:name") all name the alarm 'name'."""
        for text in ('ALARM("api-5xx")', "ALARM(api-5xx)", f'ALARM("{ARN}api-5xx")', f"ALARM({ARN}api-5xx)"):
            assert rule_references(parse_alarm_rule(text)) == {"api-5xx"}

    def test_not_binds_tighter_than_and_and_and_tighter_than_or(self):
        """'NOT a AND b OR c' is ((NOT a) AND b) OR c."""
        tree = parse_alarm_rule('NOT ALARM("a") AND OK("b") OR INSUFFICIENT_DATA("c")')
        assert tree == Or((And((Not(StateCheck("ALARM", "a", "a")), StateCheck("OK", "b", "b"))),
                           StateCheck("INSUFFICIENT_DATA", "c", "c")))

    def test_parentheses_and_constants(self):
        """Parentheses group; TRUE and FALSE are constants."""
        tree = parse_alarm_rule('ALARM("a") AND (TRUE OR FALSE)')
        assert tree == And((StateCheck("ALARM", "a", "a"), Or((Constant(True), Constant(False)))))

    def test_names_with_spaces_and_parentheses_inside_quotes(self):
        """A quoted name may hold spaces and parentheses."""
        assert rule_references(parse_alarm_rule('ALARM("Orders (prod) 5xx") OR OK("b")')) == {"Orders (prod) 5xx", "b"}

    @pytest.mark.parametrize(("text", "message"), [
        ('AT_LEAST(2, ALARM, ("a", "b"))', r"unsupported function AT_LEAST\(\)"),
        ('ALARM("a"', "expected '\\)'"),
        ('ALARM("a") AND', "expected ALARM"),
        ('ALARM("a") XOR ALARM("b")', "expected AND, OR or the end"),
        ('ALARM("arn:aws:sns:eu-west-1:1:topic")', "not a CloudWatch alarm ARN"),
        ('ALARM("")', "expected an alarm name or ARN"),
    ])
    def test_malformed_rule_says_what_is_wrong(self, text, message):
        """Rules that do not parse give the reason and position."""
        with pytest.raises(AlarmRuleError, match=message):
            parse_alarm_rule(text)


class TestEvaluateRule:
    def test_and_or_of_three_operands_is_evaluated_over_all_of_them(self):
        """The model's tree holds AND/OR with any number of operands; each one counts."""
        states = {n: np.array(v, dtype=np.int8) for n, v in
                  {"a": [ALARM, ALARM, OK], "b": [ALARM, OK, OK], "c": [ALARM, ALARM, ALARM]}.items()}
        assert evaluate_rule(parse_alarm_rule('ALARM(a) AND ALARM(b) AND ALARM(c)'), states, 3).tolist() == \
            [True, False, False]
        assert evaluate_rule(parse_alarm_rule('OK(a) OR OK(b) OR OK(c)'), states, 3).tolist() == [False, True, True]

    def test_state_functions_compare_each_alarms_state(self):
        """ALARM/OK/INSUFFICIENT_DATA test the referenced alarm's state at each evaluation."""
        states = {"a": np.array([OK, ALARM, INSUFFICIENT_DATA], dtype=np.int8)}
        assert evaluate_rule(parse_alarm_rule('ALARM("a")'), states, 3).tolist() == [False, True, False]
        assert evaluate_rule(parse_alarm_rule('OK("a")'), states, 3).tolist() == [True, False, False]
        assert evaluate_rule(parse_alarm_rule('INSUFFICIENT_DATA("a")'), states, 3).tolist() == [False, False, True]
        assert evaluate_rule(parse_alarm_rule('NOT ALARM("a")'), states, 3).tolist() == [True, False, True]


def _states(text: str) -> np.ndarray:
    """'OOAAAO' -> OK, OK, ALARM, ALARM, ALARM, OK (one character per minute)."""
    return np.array([{"O": OK, "A": ALARM, "I": INSUFFICIENT_DATA}[c] for c in text], dtype=np.int8)


def _suppress(composite: str, suppressor: str | None):
    times = np.arange(len(composite), dtype=np.int64) * 60
    return suppress_actions(_states(composite), _states(suppressor) if suppressor else None, times,
                            wait_period=120, extension_period=180)


class TestSuppression:
    def test_example_1_actions_run_when_the_wait_period_ends(self):
        """Composite ALARM at t2, suppressor stays OK: actions at t4 (end of the 2-unit wait)."""
        [outcome] = _suppress("OOAAAAAAAA", "OOOOOOOOOO")
        assert (outcome.alarm_at, outcome.notified_at) == (120, 240)

    def test_example_2_suppressor_alarming_within_the_wait_suppresses(self):
        """Suppressor ALARM at t3, inside the wait that started at t2: no actions."""
        [outcome] = _suppress("OOAAAAAAAA", "OOOAAAAAAA")
        assert outcome.notified_at is None
        assert "suppressor" in (outcome.reason or "")

    def test_example_3_composite_back_to_ok_within_the_wait_discards_it(self):
        """Composite ALARM at t2 and OK at t3: the wait is discarded, no actions."""
        [outcome] = _suppress("OOAOOOOOOO", "OOOOOOOOOO")
        assert outcome.notified_at is None
        assert "wait period" in (outcome.reason or "")

    def test_example_4_suppressor_already_in_alarm_suppresses(self):
        """Suppressor already in ALARM when the composite goes into ALARM: no actions."""
        [outcome] = _suppress("OOAAAAAOOO", "AAAAAAAAAA")
        assert outcome.notified_at is None

    def test_example_5_actions_run_when_the_extension_period_ends(self):
        """Suppressor ALARM t3..t5 and OK at t6; the extension ends at t9 with the composite in ALARM: act at t9."""
        [outcome] = _suppress("OOAAAAAAAAAA", "OOOAAAOOOOOO")
        assert (outcome.alarm_at, outcome.notified_at) == (120, 540)

    def test_example_6_composite_ok_within_the_extension_discards_it(self):
        """As example 5, but the composite is OK at t7, inside the extension: no actions."""
        [outcome] = _suppress("OOAAAAAOOOOO", "OOOAAAOOOOOO")
        assert outcome.notified_at is None
        assert "extension period" in (outcome.reason or "")

    def test_suppressor_alarming_again_within_the_extension_keeps_suppressing(self):
        """Suppressor OK at t6 and ALARM again at t8 (inside the extension): still suppressed."""
        [outcome] = _suppress("OOAAAAAAAAAA", "OOOAAAOOAAAA")
        assert outcome.notified_at is None

    def test_without_suppressor_every_entry_into_alarm_notifies_at_once(self):
        """No suppressor: each OK -> ALARM and INSUFFICIENT_DATA -> ALARM notifies immediately."""
        outcomes = _suppress("AAOOAO", None)
        assert [(o.alarm_at, o.notified_at) for o in outcomes] == [(0, 0), (240, 240)]

    def test_period_ending_after_the_replay_is_reported_not_counted(self):
        """A wait that ends after the last evaluation is not a notification; the reason says why."""
        [outcome] = _suppress("OOOOAA", "OOOOOO")
        assert outcome.notified_at is None
        assert outcome.reason == "the wait period ends after the replay"


class TestCompositeReplay:
    def _children(self):
        errors = alarm("errors", metric="Errors", threshold=5, has_actions=False)
        latency = alarm("latency", metric="Latency", stat="Maximum", threshold=1000, has_actions=False)
        metrics = store({key("Errors"): [0, 9, 9, 9, 0, 0, 9, 9, 0, 0],
                         key("Latency", "Maximum"): [0, 0, 2000, 2000, 2000, 0, 0, 2000, 0, 0]})
        return [errors, latency], metrics

    def test_composite_follows_its_rule_and_only_it_notifies(self):
        """ALARM(errors) AND ALARM(latency) is ALARM exactly while both are; only the composite notifies."""
        children, metrics = self._children()
        composite = CompositeAlarmDef(name="customers", alarm_rule=f'ALARM("errors") AND ALARM("{ARN}latency")',
                                      has_actions=True)
        result = replay(children, [composite], metrics, T0, at(10))
        assert [(c.timestamp, c.state) for c in result.timelines["customers"].changes] == [
            (at(1), "OK"), (at(3), "ALARM"), (at(5), "OK"), (at(8), "ALARM"), (at(9), "OK")]
        assert [(n.alarm, n.timestamp) for n in result.notifications] == [("customers", at(3)), ("customers", at(8))]

    def test_composite_of_composites_is_evaluated_after_its_children(self):
        """A composite referring to another composite sees that composite's state of the same minute."""
        children, metrics = self._children()
        inner = CompositeAlarmDef(name="inner", alarm_rule='ALARM("errors")', has_actions=False)
        outer = CompositeAlarmDef(name="outer", alarm_rule='ALARM("inner") AND NOT ALARM("latency")', has_actions=True)
        result = replay(children, [outer, inner], metrics, T0, at(10))
        assert [(n.alarm, n.timestamp) for n in result.notifications] == [("outer", at(2)), ("outer", at(7))]

    def test_suppressed_composite_is_listed_with_its_reason(self):
        """A composite suppressed by an alarm that is in ALARM reports the suppressed entry."""
        children, metrics = self._children()
        composite = CompositeAlarmDef(name="customers", alarm_rule='ALARM("errors")', has_actions=True,
                                      actions_suppressor="latency", actions_suppressor_wait_period=60,
                                      actions_suppressor_extension_period=60)
        result = replay(children, [composite], metrics, T0, at(10))
        # errors ALARM at 2 (latency OK until 3): wait ends at 3 when latency goes ALARM -> suppressed;
        # errors ALARM again at 7 with latency OK: wait ends at 8 when latency is ALARM -> suppressed.
        assert result.notifications == ()
        assert [(s.alarm, s.alarm_at) for s in result.suppressed] == [("customers", at(2)), ("customers", at(7))]

    def test_wait_period_delays_the_notification_to_its_end(self):
        """With a suppressor (named by ARN) that stays OK, the notification comes when the 2-minute wait ends."""
        children, metrics = self._children()
        composite = CompositeAlarmDef(name="customers", alarm_rule='ALARM("errors")', has_actions=True,
                                      actions_suppressor=f"{ARN}quiet", actions_suppressor_wait_period=120)
        quiet = alarm("quiet", metric="Errors", threshold=1e9, has_actions=False)
        result = replay([*children, quiet], [composite], metrics, T0, at(10))
        assert [(n.alarm_at, n.timestamp) for n in result.notifications] == [(at(2), at(4))]
        # The second entry (ALARM at 7, OK at 9) leaves ALARM as its wait ends: discarded, not notified.
        assert [(s.alarm_at, s.reason) for s in result.suppressed] == [
            (at(7), "the composite left ALARM within the wait period")]

    def test_rule_naming_an_unknown_alarm_is_refused(self):
        """A rule that refers to an alarm not in the replay names it."""
        children, metrics = self._children()
        composite = CompositeAlarmDef(name="c", alarm_rule='ALARM("nope")', has_actions=True)
        with pytest.raises(ReplayError, match=r"^c: refers to alarm\(s\) not in the replay: nope"):
            replay(children, [composite], metrics, T0, at(2))

    def test_composites_in_a_cycle_are_refused(self):
        """c1 -> c2 -> c1 is named as a cycle."""
        children, metrics = self._children()
        c1 = CompositeAlarmDef(name="c1", alarm_rule='ALARM("c2")', has_actions=True)
        c2 = CompositeAlarmDef(name="c2", alarm_rule='ALARM("c1")', has_actions=True)
        with pytest.raises(ReplayError, match="cycle: c1 -> c2 -> c1"):
            replay(children, [c1, c2], metrics, T0, at(2))

    def test_malformed_rule_names_the_composite(self):
        """A parse error carries the composite's name."""
        children, metrics = self._children()
        composite = CompositeAlarmDef(name="broken", alarm_rule='ALARM("errors") AND', has_actions=True)
        with pytest.raises(AlarmRuleError, match=r"^broken: "):
            replay(children, [composite], metrics, T0, at(2))
