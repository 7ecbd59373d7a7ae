"""One reader, one answer: check, review, replay and the snapshot summary agree, over a corpus of
templates, on which alarms notify, at what urgency, and with which runbook.

Each tool is asked through its own output (check through the policy's facts, review through its
JSON, replay through the definitions it evaluates, the summary through its text). A tool that read
templates its own way again would disagree on some entry of the corpus and fail here.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reader_corpus import (
    DESCRIPTION,
    YAML_SHORT_TAGS,
    assembly,
    empty_assembly,
    metrics_form,
    odd_actions,
    other_entrypoints,
    queue_consumer,
    write,
)
from sensible_alarms.cli import app
from sensible_alarms.errors import SensibleAlarmsError
from sensible_alarms.model import load
from sensible_alarms.policy.catalogue import facts
from sensible_alarms.replay.from_templates import alarm_set_from_templates
from sensible_alarms.testing import alarm_summary

Key = tuple[str, str]
"""(stack name, logical id) of an alarm."""
View = dict[Key, tuple[str | None, str | None]]
"""Each notifying alarm -> (urgency, runbook); a tool that does not show runbooks gives None."""


def _check_view(path: Path) -> View:
    """What `check` decides: the policy's notifying alarms, with the urgency and runbook it reads."""
    view: View = {}
    for stack in load(path).stacks:
        for alarm in facts(stack).notifiers:
            runbook = alarm.metadata.runbook if alarm.metadata and alarm.metadata.runbook else alarm.fields.runbook
            view[(stack.name, alarm.logical_id)] = (alarm.urgency, runbook)
    return view


def _review_view(path: Path) -> View:
    result = CliRunner().invoke(app, ["review", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    view: View = {}
    for stack in json.loads(result.stdout)["stacks"]:
        alarms = [a for e in stack["entrypoints"] for a in e["alarms"]] + stack["other_alarms"]
        for alarm in alarms:
            if alarm["notifying"]:
                view[(stack["name"], alarm["logical_id"])] = (alarm["urgency"], alarm["runbook"])
    return view


def _replay_view(path: Path) -> View:
    alarm_set = alarm_set_from_templates(path)
    notifying = [d.name for d in alarm_set.alarms if d.has_actions] + \
        [c.name for c in alarm_set.composites if c.has_actions]
    return {alarm_set.origin[name]: (alarm_set.urgencies.get(name), None) for name in notifying}


_HEAD = re.compile(r"^- (?:alarm|composite) (?P<name>.+?)(?: \((?P<urgency>[A-Z]+)\b[^)]*\))?$")


def _summary_view(path: Path) -> View:
    # The summary names alarms by AlarmName (else logical id) within each "Stack <name>" section.
    ids = {(s.name, a.physical_name or a.logical_id): a.logical_id for s in load(path).stacks for a in s.alarms}
    view: View = {}
    stack = ""
    current: dict[str, Any] = {}

    def close() -> None:
        if current.get("notifying"):
            view[(stack, ids[(stack, current["name"])])] = (current.get("urgency"), current.get("runbook"))

    for line in alarm_summary(path).splitlines():
        if line.startswith("Stack "):
            close()
            stack, current = line.removeprefix("Stack "), {}
        elif (head := _HEAD.match(line)) is not None:
            close()
            current = {"name": head.group("name"), "urgency": head.group("urgency")}
        elif line.startswith("    actions: "):
            current["notifying"] = "on ALARM ->" in line and "actions disabled" not in line
        elif line.startswith("    runbook: "):
            current["runbook"] = line.removeprefix("    runbook: ")
    close()
    return view


def _staged(root: Path) -> Path:
    """The orders example inside a CDK Stage: its stack lives in a nested assembly."""
    import aws_cdk as cdk
    from orders_stack import OrdersStack

    outdir = root / "cdk.out"
    app_ = cdk.App(outdir=str(outdir))
    OrdersStack(cdk.Stage(app_, "Prod"), "Orders",
                synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    app_.synth()
    return outdir


def _payments(root: Path) -> Path:
    """The payments example, every entrypoint kind, each covered by its construct (and one stack bare)."""
    import aws_cdk as cdk

    example = Path(__file__).resolve().parents[1] / "examples" / "payments_service"
    sys.path.insert(0, str(example))
    try:
        from payments_stack import PaymentsStack
    finally:
        sys.path.remove(str(example))
    outdir = root / "cdk.out"
    app_ = cdk.App(outdir=str(outdir))
    for alarms in ("explicit", "none"):
        PaymentsStack(app_, f"Payments{alarms.title()}", alarms=alarms,
                      synthesizer=cdk.DefaultStackSynthesizer(generate_bootstrap_version_rule=False))
    app_.synth()
    return outdir


def _hand_written(tmp: Path) -> Path:
    """Hand-written stacks in one assembly: ActionsEnabled as bool and string, Metrics form, documented
    descriptions, entrypoints the library does not make."""
    return assembly(tmp / "cdk.out", {
        # Unnamed alarms: CloudFormation names them per stack, so the stacks can share logical ids.
        "Documented": queue_consumer(AlarmName=None, AlarmDescription=DESCRIPTION),
        "DisabledBool": queue_consumer(AlarmName=None, ActionsEnabled=False, AlarmDescription=DESCRIPTION),
        "DisabledString": queue_consumer(AlarmName=None, ActionsEnabled="false", AlarmDescription=DESCRIPTION),
        "EnabledString": queue_consumer(AlarmName=None, ActionsEnabled="true", AlarmDescription=DESCRIPTION),
        "MetricsForm": metrics_form(AlarmName=None),
        "OtherEntrypoints": other_entrypoints(),
    })


CORPUS: dict[str, Callable[[Path, pytest.FixtureRequest], Path]] = {
    "the orders example": lambda tmp, request: request.getfixturevalue("orders_assembly"),
    "the per-resource baseline": lambda tmp, request: request.getfixturevalue("baseline_assembly"),
    "YAML with short tags": lambda tmp, request: write(tmp / "orders.yaml", YAML_SHORT_TAGS),
    "ActionsEnabled false as a bool": lambda tmp, request: write(
        tmp / "t.json", queue_consumer(ActionsEnabled=False, AlarmDescription=DESCRIPTION)),
    "ActionsEnabled false as a string": lambda tmp, request: write(
        tmp / "t.json", queue_consumer(ActionsEnabled="false", AlarmDescription=DESCRIPTION)),
    "a Metrics-form alarm": lambda tmp, request: write(tmp / "t.json", metrics_form()),
    "documented description lines": lambda tmp, request: write(
        tmp / "t.json", queue_consumer(AlarmDescription=DESCRIPTION)),
    "hand-written stacks in one assembly": lambda tmp, request: _hand_written(tmp),
    "actions written other ways (OK or INSUFFICIENT_DATA only, Fn::If, a list parameter)": lambda tmp, request: write(
        tmp / "t.json", odd_actions()),
    "nested stages": lambda tmp, request: _staged(tmp),
    "the payments example (every entrypoint kind)": lambda tmp, request: _payments(tmp),
}


@pytest.mark.parametrize("entry", list(CORPUS))
def test_check_review_replay_and_the_summary_agree(entry: str, tmp_path: Path, request: pytest.FixtureRequest):
    """The same notifying alarms, urgencies and runbooks from every tool."""
    path = CORPUS[entry](tmp_path, request)
    check, review, replay, summary = (_check_view(path), _review_view(path), _replay_view(path),
                                      _summary_view(path))
    assert set(review) == set(check)
    assert set(replay) == set(check)
    assert set(summary) == set(check)
    assert review == check
    assert summary == check
    assert {key: urgency for key, (urgency, _) in replay.items()} == {k: u for k, (u, _) in check.items()}


def test_the_corpus_has_notifying_and_silent_alarms_with_urgencies_and_runbooks(tmp_path: Path):
    """The hand-written corpus exercises every answer: notifying or not, urgency and runbook stated."""
    view = _check_view(_hand_written(tmp_path))
    stacks = {stack for stack, _ in view}
    assert stacks == {"Documented", "EnabledString", "MetricsForm"}
    assert view[("Documented", "Age")] == ("HIGH", "https://runbooks.example.com/orders/queue")
    assert view[("MetricsForm", "Age")] == (None, None)


class TestEmptyAssembly:
    def test_every_tool_refuses_it_with_the_same_error(self, tmp_path: Path):
        """check, review, explain, replay and the summary raise or exit 2 with one message."""
        root = empty_assembly(tmp_path / "cdk.out")
        messages = set()
        for reader in (load, alarm_set_from_templates, alarm_summary):
            with pytest.raises(SensibleAlarmsError) as raised:
                reader(root)
            messages.add(str(raised.value))
        metrics = write(tmp_path / "m.csv", "timestamp,namespace,metric,dimensions,stat,period,value\n"
                                            "2026-11-02T00:00:00Z,AWS/SQS,X,,Sum,60,1\n")
        for command in (["check"], ["review"], ["explain"], ["replay", "--metrics", str(metrics)]):
            result = CliRunner().invoke(app, [command[0], str(root), *command[1:]])
            assert result.exit_code == 2, command
            messages.add(result.stderr.strip().removeprefix("sensible-alarms: error: "))
        assert len(messages) == 1, messages
        assert "holds no CloudFormation stack" in messages.pop()
