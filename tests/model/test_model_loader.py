"""Loading cloud assemblies and templates: what is read, what is carried, and one clear error for
input that cannot be read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sensible_alarms.errors import SensibleAlarmsError
from sensible_alarms.model import (
    ModelLoadError,
    Unresolved,
    load,
    load_assembly,
    load_templates,
)

ALARM = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
    "AlarmName": "orders-errors", "Namespace": "AWS/Lambda", "MetricName": "Errors", "Statistic": "Sum",
    "Period": 60, "EvaluationPeriods": 3, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold",
    "Dimensions": [{"Name": "FunctionName", "Value": "orders-fn"}]}}


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _assembly(root: Path, stacks: dict[str, dict[str, Any]], nested: dict[str, str] | None = None) -> Path:
    artifacts: dict[str, Any] = {}
    for name, template in stacks.items():
        _write(root / f"{name}.template.json", template)
        artifacts[name] = {"type": "aws:cloudformation:stack", "displayName": name,
                           "properties": {"templateFile": f"{name}.template.json"}}
    for artifact, directory in (nested or {}).items():
        artifacts[artifact] = {"type": "cdk:cloud-assembly", "properties": {"directoryName": directory}}
    _write(root / "manifest.json", {"version": "55.0.0", "artifacts": artifacts})
    return root


class TestAssemblies:
    def test_a_nested_stage_assembly_is_read_with_the_root_stacks(self, tmp_path: Path):
        """A stage's stacks live in a nested assembly the root manifest names; both are read."""
        root = _assembly(tmp_path / "cdk.out", {"Root": {"Resources": {"A": ALARM}}},
                         {"assembly-Prod": "assembly-Prod"})
        _assembly(root / "assembly-Prod", {"ProdOrders": {"Resources": {"B": ALARM}}})
        model = load(root)
        assert [s.name for s in model.stacks] == ["Root", "ProdOrders"]
        assert model.stacks[1].template_path == root / "assembly-Prod" / "ProdOrders.template.json"

    def test_the_manifest_file_itself_can_be_given(self, tmp_path: Path):
        """Pointing at manifest.json reads its assembly."""
        root = _assembly(tmp_path / "cdk.out", {"Root": {"Resources": {"A": ALARM}}})
        assert [s.name for s in load(root / "manifest.json").stacks] == ["Root"]

    def test_a_template_inside_an_assembly_gets_its_stack_name_and_construct_paths(self, orders_assembly: Path):
        """A template file given alone still gets the display name and construct paths from the manifest beside it."""
        stack = load_templates(orders_assembly / "OrdersService.template.json").stacks[0]
        assert stack.name == "OrdersService"
        assert all(a.construct_path for a in stack.alarms)

    def test_templates_of_one_assembly_read_its_manifest_once(self, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
        """Every template of an assembly given at once (as the policy plugin does) reads manifest.json once,
        and each still gets its own stack name."""
        from sensible_alarms.model import loader

        root = _assembly(tmp_path / "cdk.out", {f"Svc{n}": {"Resources": {"A": ALARM}} for n in range(5)})
        reads: list[Path] = []
        manifest = loader._manifest
        monkeypatch.setattr(loader, "_manifest", lambda where: reads.append(where) or manifest(where))
        model = load_templates(*(root / f"Svc{n}.template.json" for n in range(5)))
        assert [s.name for s in model.stacks] == [f"Svc{n}" for n in range(5)]
        assert reads == [root]

    def test_load_assembly_reads_a_directory_only(self, tmp_path: Path):
        """load_assembly refuses a file, naming it."""
        file = _write(tmp_path / "x.json", {"Resources": {}})
        with pytest.raises(ModelLoadError, match=r"x\.json: is not a cloud assembly directory"):
            load_assembly(file)


class TestTemplates:
    def test_a_yaml_template_with_short_form_intrinsics_is_read(self, tmp_path: Path):
        """!Ref, !GetAtt, !Sub and !Join read as their long forms; the template version stays a string."""
        file = _write(tmp_path / "orders.yaml", """
AWSTemplateFormatVersion: 2010-09-09
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Handler: index.handler, Runtime: python3.12, Code: {ZipFile: "x"}, Role: !GetAtt Role.Arn}
  Topic:
    Type: AWS::SNS::Topic
  Errors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: !Sub "Customer impact: orders fail in ${AWS::Region}\\nUrgency: HIGH"
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions: [{Name: FunctionName, Value: !Ref Fn}]
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 3
      Threshold: 1
      ComparisonOperator: GreaterThanThreshold
      AlarmActions: [!Ref Topic]
  Notify:
    Type: AWS::CloudWatch::CompositeAlarm
    Properties:
      AlarmRule: !Join ["", ["ALARM(", !GetAtt Errors.Arn, ")"]]
""")
        stack = load(file).stacks[0]
        assert stack.name == "orders"
        assert stack.resources["Fn"].type == "AWS::Lambda::Function"
        errors = stack.alarm("Errors")
        assert errors is not None
        assert errors.urgency == "HIGH"
        assert errors.alarm_actions[0].target == "Topic"
        assert errors.alarm_actions[0].kind == "sns"
        notify = stack.alarm("Notify")
        assert notify is not None
        assert getattr(notify, "members", ()) == ("Errors",)

    def test_unknown_types_and_intrinsics_are_carried(self, tmp_path: Path):
        """A custom resource and a threshold from a parameter do not stop the load; they are carried as written."""
        alarm = json.loads(json.dumps(ALARM))
        alarm["Properties"]["Threshold"] = {"Ref": "ErrorBudget"}
        alarm["Properties"]["EvaluationPeriods"] = {"Fn::FindInMap": ["Env", "prod", "periods"]}
        alarm["Properties"]["AlarmActions"] = [{"Fn::ImportValue": "PagerTopic"}]
        file = _write(tmp_path / "custom.template.json", {
            "Parameters": {"ErrorBudget": {"Type": "Number"}},
            "Resources": {"Thing": {"Type": "Custom::Thing", "Properties": {"X": {"Fn::Magic": 1}}}, "A": alarm,
                          "Odd": "not an object"}})
        stack = load(file).stacks[0]
        assert stack.name == "custom"
        assert stack.resources["Thing"].properties == {"X": {"Fn::Magic": 1}}
        assert stack.resources["Odd"].type == ""
        loaded = stack.alarm("A")
        assert loaded is not None
        assert loaded.threshold == Unresolved({"Ref": "ErrorBudget"}, "${ErrorBudget}")
        assert isinstance(loaded.evaluation_periods, Unresolved)
        assert loaded.notifies
        assert loaded.alarm_actions[0].text == "{Fn::ImportValue PagerTopic}"

    def test_a_composite_rule_that_is_not_valid_is_kept_with_the_reason(self, tmp_path: Path):
        """A rule CloudWatch would reject is carried as Unparsed, not raised."""
        file = _write(tmp_path / "t.json", {"Resources": {"C": {"Type": "AWS::CloudWatch::CompositeAlarm",
                                                                "Properties": {"AlarmRule": "ALARM(a) AND"}}}})
        composite = load(file).stacks[0].alarm("C")
        assert composite is not None
        assert "expected ALARM(...)" in composite.rule.error


def _bad_manifest(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "cdk.out"
    _write(root / "manifest.json", '{"version": "55.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack"')
    return root, "manifest.json: is not valid JSON"


def _manifest_without_version(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "cdk.out"
    _write(root / "manifest.json", {"artifacts": {}})
    return root, "manifest.json: is not a cloud assembly manifest (no 'version')"


def _missing_template(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "cdk.out"
    _write(root / "manifest.json", {"version": "55.0.0", "artifacts": {
        "S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "S.template.json"}}}})
    return root, "S.template.json: no such file (the template of stack 'S'"


def _truncated_template_in_assembly(tmp_path: Path) -> tuple[Path, str]:
    root = _assembly(tmp_path / "cdk.out", {"S": {"Resources": {"A": ALARM}}})
    text = (root / "S.template.json").read_text()
    (root / "S.template.json").write_text(text[: len(text) // 2])
    return root, "S.template.json: is not valid JSON"


def _truncated_template(tmp_path: Path) -> tuple[Path, str]:
    return _write(tmp_path / "t.json", json.dumps({"Resources": {"A": ALARM}})[:40]), "t.json: is not valid JSON"


def _json_array(tmp_path: Path) -> tuple[Path, str]:
    return (_write(tmp_path / "t.json", "[1, 2]"),
            "t.json: is not a CloudFormation template (its top level is not an object)")


def _not_cloudformation(tmp_path: Path) -> tuple[Path, str]:
    return (_write(tmp_path / "package.json", {"name": "x", "version": "1.0.0"}),
            "package.json: is not a CloudFormation template (no 'Resources' object)")


def _bad_yaml(tmp_path: Path) -> tuple[Path, str]:
    return _write(tmp_path / "t.yaml", "Resources:\n  A: [unclosed\n"), "t.yaml: is not valid YAML"


def _directory_without_manifest(tmp_path: Path) -> tuple[Path, str]:
    (tmp_path / "empty").mkdir()
    return tmp_path / "empty", "empty: is not a cloud assembly (no manifest.json)"


def _nothing_there(tmp_path: Path) -> tuple[Path, str]:
    return tmp_path / "nope.json", "nope.json: no such file or directory"


def _unexpanded_sam(tmp_path: Path) -> tuple[Path, str]:
    path = _write(tmp_path / "sam.yaml", """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties: {Handler: index.handler, Runtime: python3.12, InlineCode: "x",
                 Events: {Api: {Type: Api, Properties: {Path: /orders, Method: get}}}}
""")
    return path, "sam.yaml: has SAM resources that are not expanded (Orders)"


def _binary(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "t.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    return path, "t.json: is not valid JSON"


class TestMalformedInput:
    @pytest.mark.parametrize("make", [
        pytest.param(_bad_manifest, id="a manifest that is not JSON"),
        pytest.param(_manifest_without_version, id="a manifest without a version"),
        pytest.param(_missing_template, id="a manifest naming a template that is missing"),
        pytest.param(_truncated_template_in_assembly, id="a truncated template inside an assembly"),
        pytest.param(_truncated_template, id="a truncated template file"),
        pytest.param(_json_array, id="a JSON file that is not an object"),
        pytest.param(_not_cloudformation, id="a JSON object that is not CloudFormation"),
        pytest.param(_bad_yaml, id="a YAML file that does not parse"),
        pytest.param(_directory_without_manifest, id="a directory that is not a cloud assembly"),
        pytest.param(_nothing_there, id="a path that does not exist"),
        pytest.param(_binary, id="a binary file"),
        pytest.param(_unexpanded_sam, id="a SAM template whose API function would be read as no entrypoint"),
    ])
    def test_gives_one_error_that_names_the_file(self, tmp_path: Path, make):
        """Each unreadable input raises ModelLoadError (a SensibleAlarmsError) whose message names the file."""
        path, expected = make(tmp_path)
        with pytest.raises(ModelLoadError) as raised:
            load(path)
        assert expected in str(raised.value)
        assert isinstance(raised.value, SensibleAlarmsError)
        assert str(raised.value).startswith(str(tmp_path))


def test_importing_the_model_and_policy_never_starts_jsii():
    """The read side imports without aws-cdk-lib or jsii (a fresh interpreter checks sys.modules)."""
    code = ("import sys, sensible_alarms.model, sensible_alarms.policy, sensible_alarms.cli; "
            "print(sorted(m for m in ('jsii', 'aws_cdk', 'constructs') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
