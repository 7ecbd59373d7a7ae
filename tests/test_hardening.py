"""The notification path is hardened, on the synthesized orders example: topics encrypted with a
customer-managed key CloudWatch may use; topic policies that let only CloudWatch alarms of this
account publish and refuse every request without TLS (checked by evaluating the policies on
requests, not by matching their text); cdk-nag's AwsSolutions pack finds nothing on what
sensible_alarms creates (the example's own findings are acknowledged in the example, each with a
reason, and the whole report is a reviewed snapshot); and no secret is ever written to a template."""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns
from cdk_nag import AwsSolutionsChecks
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from cdk_support import resources_of, synth
from sensible_alarms import AlarmRouting, EntrypointAlarms, ServiceDashboard, SlackChannel, Urgency

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
REGION = "us-east-1"
CLOUDWATCH = "cloudwatch.amazonaws.com"


# -- evaluating resource policies -------------------------------------------------------------------

def _resolve(value: Any) -> Any:
    """A template value with the pseudo parameters of ACCOUNT in REGION filled in."""
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    if not isinstance(value, dict):
        return value
    if list(value) == ["Ref"] and value["Ref"].startswith("AWS::"):
        return {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": "aws"}[value["Ref"]]
    if list(value) == ["Fn::Join"]:
        separator, parts = value["Fn::Join"]
        return separator.join(str(_resolve(p)) for p in parts)
    return {k: _resolve(v) for k, v in value.items()}


@dataclass(frozen=True)
class Request:
    """One request to a resource: who makes it, for what, and the context AWS gives it."""

    principal: dict[str, str]  # {"Service": "..."} or {"AWS": "arn:aws:iam::<account>:role/..."}
    action: str
    tls: bool = True
    source_account: str | None = None
    source_arn: str | None = None

    def context(self) -> dict[str, str]:
        keys = {"aws:SecureTransport": "true" if self.tls else "false"}
        if "Service" in self.principal:
            keys["aws:PrincipalServiceName"] = self.principal["Service"]
        if self.source_account is not None:
            keys["aws:SourceAccount"] = self.source_account
        if self.source_arn is not None:
            keys["aws:SourceArn"] = self.source_arn
        return keys


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _principal_matches(statement: dict[str, Any], request: Request) -> bool:
    principal = statement["Principal"]
    if principal == "*" or principal == {"AWS": "*"}:
        return True
    return any(request.principal.get(kind) in _as_list(value) for kind, value in principal.items())


def _condition_holds(operator: str, key: str, values: Any, context: dict[str, str]) -> bool:
    """IAM's semantics for the operators these policies use; a negated operator holds when the key
    is absent, the others do not."""
    wanted = [str(v) for v in _as_list(values)]
    present = context.get(key)
    if operator in ("StringEquals", "Bool"):
        return present is not None and present in wanted
    if operator == "StringNotEquals":
        return present is None or present not in wanted
    if operator == "ArnLike":
        return present is not None and any(fnmatch.fnmatchcase(present, w) for w in wanted)
    if operator == "ArnNotLike":
        return present is None or not any(fnmatch.fnmatchcase(present, w) for w in wanted)
    raise NotImplementedError(f"condition operator {operator} is not evaluated by this test")


def _statement_applies(statement: dict[str, Any], request: Request) -> bool:
    actions = _as_list(statement["Action"])
    if not any(fnmatch.fnmatch(request.action.lower(), a.lower()) for a in actions):
        return False
    if not _principal_matches(statement, request):
        return False
    context = request.context()
    return all(_condition_holds(operator, key, values, context)
               for operator, pairs in statement.get("Condition", {}).items() for key, values in pairs.items())


def _decide(statements: list[dict[str, Any]], request: Request, *, identity_allows: bool = False) -> str:
    """'allowed' or 'denied': an explicit deny wins; else an allow of the resource policy, or, for a
    principal of the resource's own account, an allow in its identity policy."""
    if any(s["Effect"] == "Deny" and _statement_applies(s, request) for s in statements):
        return "denied"
    if any(s["Effect"] == "Allow" and _statement_applies(s, request) for s in statements):
        return "allowed"
    own_account = f":iam::{ACCOUNT}:" in request.principal.get("AWS", "")
    return "allowed" if own_account and identity_allows else "denied"


def _topic_policies(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The resolved statements of each topic's policy, by topic logical id."""
    found: dict[str, list[dict[str, Any]]] = {}
    for policy in resources_of(template, "AWS::SNS::TopicPolicy").values():
        for topic in policy["Properties"]["Topics"]:
            found.setdefault(topic["Ref"], []).extend(_resolve(policy["Properties"]["PolicyDocument"]["Statement"]))
    return found


ALARM_ARN = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:OrdersService-OrderQueueAlarms-HighUrgency"
OWN_ROLE = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/deployer"}

#: (request, whether this account's IAM policies allow it, expected decision), by what it shows.
TOPIC_REQUESTS = {
    "a CloudWatch alarm of this account publishing over TLS is allowed": (
        Request({"Service": CLOUDWATCH}, "sns:Publish", source_account=ACCOUNT, source_arn=ALARM_ARN),
        False, "allowed"),
    "a CloudWatch alarm of another account is denied": (
        Request({"Service": CLOUDWATCH}, "sns:Publish", source_account=OTHER_ACCOUNT,
                source_arn=ALARM_ARN.replace(ACCOUNT, OTHER_ACCOUNT)),
        False, "denied"),
    "CloudWatch publishing for something of this account that is not an alarm is denied": (
        Request({"Service": CLOUDWATCH}, "sns:Publish", source_account=ACCOUNT,
                source_arn=f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:metric-stream/orders"),
        False, "denied"),
    "CloudWatch naming this account's alarm on behalf of another account is denied": (
        Request({"Service": CLOUDWATCH}, "sns:Publish", source_account=OTHER_ACCOUNT, source_arn=ALARM_ARN),
        False, "denied"),
    "another AWS service of this account is denied": (
        Request({"Service": "events.amazonaws.com"}, "sns:Publish", source_account=ACCOUNT,
                source_arn=f"arn:aws:events:{REGION}:{ACCOUNT}:rule/orders"),
        False, "denied"),
    "an IAM role of this account whose own policy lets it publish is denied": (
        Request(OWN_ROLE, "sns:Publish"), True, "denied"),
    "an IAM role of another account is denied": (
        Request({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:role/intruder"}, "sns:Publish"), False, "denied"),
    "a CloudWatch alarm of this account publishing without TLS is denied": (
        Request({"Service": CLOUDWATCH}, "sns:Publish", tls=False, source_account=ACCOUNT, source_arn=ALARM_ARN),
        False, "denied"),
    "subscribing without TLS is denied, even to this account's own role": (
        Request(OWN_ROLE, "sns:Subscribe", tls=False), True, "denied"),
    "changing the topic's attributes without TLS is denied, even to this account's own role": (
        Request(OWN_ROLE, "sns:SetTopicAttributes", tls=False), True, "denied"),
    "this account's own role may still subscribe over TLS": (
        Request(OWN_ROLE, "sns:Subscribe"), True, "allowed"),
}


class TestTopicEncryption:
    def test_every_topic_is_encrypted_with_a_customer_managed_key_of_the_stack(self, orders_template):
        """Each topic's KmsMasterKeyId is the Arn of an AWS::KMS::Key in the same template, never the
        AWS-managed alias/aws/sns (which CloudWatch cannot use)."""
        topics = resources_of(orders_template, "AWS::SNS::Topic")
        keys = resources_of(orders_template, "AWS::KMS::Key")
        assert len(topics) == 2
        for topic_id, topic in topics.items():
            key = topic["Properties"].get("KmsMasterKeyId")
            assert isinstance(key, dict), f"{topic_id} is not encrypted with a key of the stack: {key!r}"
            assert list(key) == ["Fn::GetAtt"], f"{topic_id}: {key!r}"
            assert key["Fn::GetAtt"][0] in keys, f"{topic_id} uses a key outside the stack"

    def test_the_key_rotates_and_cloudwatch_may_encrypt_and_decrypt_with_it(self, orders_template):
        """The key has rotation on, and its policy lets CloudWatch generate data keys and decrypt:
        what publishing an alarm to an encrypted topic needs."""
        for key_id, key in resources_of(orders_template, "AWS::KMS::Key").items():
            assert key["Properties"]["EnableKeyRotation"] is True, key_id
            statements = _resolve(key["Properties"]["KeyPolicy"]["Statement"])
            for action in ("kms:GenerateDataKey", "kms:Decrypt"):
                request = Request({"Service": CLOUDWATCH}, action)
                assert _decide(statements, request) == "allowed", f"{key_id}: CloudWatch may not {action}"

    def test_no_one_but_the_account_and_cloudwatch_may_use_the_key(self, orders_template):
        """Every principal the key policy allows is this account's root or CloudWatch: another
        service or account may not decrypt."""
        for key_id, key in resources_of(orders_template, "AWS::KMS::Key").items():
            statements = _resolve(key["Properties"]["KeyPolicy"]["Statement"])
            principals = [s["Principal"] for s in statements if s["Effect"] == "Allow"]
            assert principals, key_id
            assert all(p in ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, {"Service": CLOUDWATCH}) for p in principals), \
                f"{key_id} allows {principals}"
            for request in (Request({"Service": "events.amazonaws.com"}, "kms:Decrypt"),
                            Request({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}, "kms:Decrypt")):
                assert _decide(statements, request) == "denied", f"{key_id}: {request}"


class TestTopicPolicy:
    def test_each_topic_has_one_policy(self, orders_template):
        """Both the HIGH and the LOW topic have their policy; no topic is left with the default one."""
        assert set(_topic_policies(orders_template)) == set(resources_of(orders_template, "AWS::SNS::Topic"))

    @pytest.mark.parametrize(("request_", "identity_allows", "expected"), list(TOPIC_REQUESTS.values()),
                             ids=list(TOPIC_REQUESTS))
    def test_requests_to_a_topic(self, orders_template, request_, identity_allows, expected):
        """The topic policy, evaluated on a request (explicit deny wins; cross-account and service
        requests need its allow), decides as the notification path requires."""
        for topic_id, statements in _topic_policies(orders_template).items():
            assert _decide(statements, request_, identity_allows=identity_allows) == expected, topic_id


# -- cdk-nag ----------------------------------------------------------------------------------------

class NagReportExtension(SingleFileSnapshotExtension):
    """The cdk-nag report as one readable text file per snapshot."""

    _write_mode = WriteMode.TEXT
    file_extension = "nag.txt"

    def serialize(self, data: Any, **kwargs: Any) -> str:
        return str(data)


@dataclass(frozen=True)
class NagFinding:
    rule: str
    path: str
    level: str
    acknowledged_at: str | None
    reason: str | None


@dataclass(frozen=True)
class NagRun:
    conclusion: str
    findings: list[NagFinding]
    #: Construct paths of what sensible_alarms created: routing, entrypoint constructs, dashboard.
    library_paths: list[str]
    #: Construct path -> rule ids acknowledged there (construct metadata), wherever they are.
    acknowledgments: dict[str, list[str]]


def _run_cdk_nag(outdir: Path) -> NagRun:
    """The orders example synthesized with cdk-nag's AwsSolutions pack as CDK policy-validation plugin."""
    from app import build

    app = build(str(outdir))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    try:
        app.synth()
    except RuntimeError as error:  # the report is written either way, and is what the tests read
        if "ValidationFailed" not in str(error):
            raise
    report = json.loads((outdir / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    findings = [NagFinding(v["ruleName"], c["constructPath"], v["severity"], None, None)
                for v in plugin["violations"] for c in v["violatingConstructs"]]
    findings += [NagFinding(v["ruleName"], c["constructPath"], v["severity"], v["acknowledgedAt"], v["reason"])
                 for v in plugin.get("suppressedViolations", []) for c in v["violatingConstructs"]]
    library = [c.node.path for c in app.node.find_all()
               if isinstance(c, AlarmRouting | EntrypointAlarms | ServiceDashboard)]
    acknowledgments: dict[str, list[str]] = {}
    for construct in app.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == "aws:cdk:acknowledged-rules":
                acknowledgments.setdefault(construct.node.path, []).extend(entry.data)
    return NagRun(plugin["conclusion"], sorted(findings, key=lambda f: (f.path, f.rule)), sorted(library),
                  acknowledgments)


def _nag_report_text(run: NagRun) -> str:
    unsuppressed = [f for f in run.findings if f.acknowledged_at is None]
    lines = [f"cdk-nag AwsSolutions on the orders example: {run.conclusion}, "
             f"{len(unsuppressed)} unsuppressed and {len(run.findings) - len(unsuppressed)} acknowledged findings",
             f"sensible_alarms constructs checked: {', '.join(run.library_paths)}", ""]
    for path in dict.fromkeys(f.path for f in run.findings):
        lines.append(path)
        for f in (f for f in run.findings if f.path == path):
            status = "UNSUPPRESSED" if f.acknowledged_at is None else f"acknowledged at {f.acknowledged_at}: {f.reason}"
            lines.append(f"  {f.rule} ({f.level}) {status}")
    return "\n".join(lines) + "\n"


def _within(path: str, scope: str) -> bool:
    return path == scope or path.startswith(scope + "/")


@pytest.fixture(scope="module")
def nag_run(tmp_path_factory: pytest.TempPathFactory) -> NagRun:
    return _run_cdk_nag(tmp_path_factory.mktemp("nag") / "cdk.out")


class TestCdkNag:
    def test_the_aws_solutions_report_of_the_orders_example_matches_its_snapshot(
            self, nag_run: NagRun, snapshot: SnapshotAssertion):
        """Every finding (rule, resource path, level, acknowledged or not, and why) is the reviewed one."""
        assert _nag_report_text(nag_run) == snapshot.use_extension(NagReportExtension)

    def test_nothing_sensible_alarms_creates_has_a_finding(self, nag_run: NagRun):
        """No finding, acknowledged or not, falls on the routing, an entrypoint construct or the dashboard."""
        assert {"OrdersService/Routing", "OrdersService/Dashboard", "OrdersService/OrderQueueAlarms"} <= set(
            nag_run.library_paths)
        on_library = [f for f in nag_run.findings if any(_within(f.path, lib) for lib in nag_run.library_paths)]
        assert not on_library

    def test_no_acknowledgment_covers_a_sensible_alarms_construct(self, nag_run: NagRun):
        """Acknowledgments sit on the example's own resources: none on the app, the stack or a library
        construct, where it would hide a future finding of the library."""
        covering = {path: rules for path, rules in nag_run.acknowledgments.items()
                    if any(_within(lib, path) or _within(path, lib) for lib in nag_run.library_paths)}
        assert nag_run.acknowledgments
        assert not covering

    def test_the_example_has_no_unsuppressed_finding_and_each_acknowledgment_gives_a_reason(self, nag_run: NagRun):
        """The validation succeeds, the pack did find the example's stand-ins, and every acknowledged
        finding carries a written reason."""
        assert nag_run.conclusion == "success"
        assert [f for f in nag_run.findings if f.acknowledged_at is None] == []
        assert nag_run.findings, "cdk-nag found nothing at all: did the pack run?"
        assert all(f.reason and len(f.reason.split()) >= 5 for f in nag_run.findings)


# -- secrets ----------------------------------------------------------------------------------------

#: What a secret written into a template looks like: chat webhooks, tokens, keys.
SECRET_PATTERNS = {
    "Slack webhook URL": re.compile(r"hooks\.slack\.com/", re.I),
    "Microsoft Teams webhook URL": re.compile(r"webhook\.office\.com|logic\.azure\.com", re.I),
    "Amazon Chime webhook URL": re.compile(r"hooks\.chime\.aws", re.I),
    "Discord webhook URL": re.compile(r"discord(app)?\.com/api/webhooks", re.I),
    "any URL with a webhook in it": re.compile(r"https?://\S*webhook", re.I),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "bearer token": re.compile(r"\bBearer\s+[A-Za-z0-9._~+/=-]{20,}"),
}
#: Property names whose literal value would be a secret.
SECRET_KEYS = re.compile(r"(password|secret|token|api_?key|webhook)", re.I)


def _secrets(template: dict[str, Any]) -> list[str]:
    """Where `template` holds something that looks like a secret: a pattern above in any string, or a
    literal string under a secret-sounding property name."""
    found = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if SECRET_KEYS.search(key) and isinstance(item, str):
                    found.append(f"{path}/{key}: a literal value under a secret-sounding name")
                walk(item, f"{path}/{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")
        elif isinstance(value, str):
            found.extend(f"{path}: {name}" for name, pattern in SECRET_PATTERNS.items() if pattern.search(value))

    walk(template, "")
    return found


def _slack_routing_template() -> dict[str, Any]:
    app = cdk.App()
    stack = cdk.Stack(app, "SlackRouting")
    AlarmRouting(stack, "Routing", high_emails=["oncall@example.com"],
                 slack=SlackChannel(workspace_id="T0123ABCD", channel_id="C0123ABCD",
                                    configuration_name="orders-alarms", urgencies=(Urgency.HIGH,)))
    return synth(stack)


class TestNoSecretsInTemplates:
    def test_no_template_of_the_orders_example_holds_a_secret(self, orders_assembly: Path):
        """Every template in the example's cloud assembly is free of webhook URLs, tokens and keys."""
        templates = sorted(orders_assembly.glob("*.template.json"))
        assert templates
        found = {t.name: _secrets(json.loads(t.read_text())) for t in templates}
        assert found == {t.name: [] for t in templates}

    def test_chat_delivery_names_the_slack_channel_by_its_ids_only(self):
        """A Slack channel is reached through AWS Chatbot by workspace and channel id, which are not
        secrets: no webhook URL or token enters the template."""
        template = _slack_routing_template()
        assert resources_of(template, "AWS::Chatbot::SlackChannelConfiguration")
        assert _secrets(template) == []

    @pytest.mark.parametrize("planted", [
        "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "xoxb-123456789012-123456789012-abcdefghijklmnop",
        "AKIAIOSFODNN7EXAMPLE",
        "https://example.webhook.office.com/webhookb2/abc",
    ], ids=["a Slack webhook URL", "a Slack bot token", "an AWS access key id", "a Teams webhook URL"])
    def test_the_scan_finds_a_secret_planted_in_a_template(self, planted: str):
        """The scan is not vacuous: a secret in any property of a synthesized template is found."""
        app = cdk.App()
        stack = cdk.Stack(app, "Planted")
        topic = sns.Topic(stack, "Topic")
        topic.node.default_child.add_property_override("DisplayName", planted)  # type: ignore[union-attr]
        assert _secrets(synth(stack))
