"""Entrypoints found in hand-written templates: HTTP APIs, APIs staged by their deployment,
functions behind aliases, and the components a function uses."""

from __future__ import annotations

from sensible_alarms.model import build_stack

FUNCTION = {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}}


def test_an_http_api_stage_knows_the_function_behind_its_integration():
    """An HTTP API's stage is an entrypoint; its integrations lead to the function (through an alias)."""
    stack = build_stack("S", {"Resources": {
        "Fn": FUNCTION,
        "Live": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"}, "Name": "live"}},
        "Http": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "carts", "ProtocolType": "HTTP"}},
        "Default": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"ApiId": {"Ref": "Http"},
                                                                      "StageName": "$default"}},
        "Integration": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
            "ApiId": {"Ref": "Http"}, "IntegrationType": "AWS_PROXY", "IntegrationUri": {"Ref": "Live"}}},
    }})
    (api,) = stack.entrypoints
    assert (api.kind, api.logical_id, api.title, api.functions) == ("api", "Default", "HTTP API carts, stage $default",
                                                                    ("Fn",))
    assert api.resources == ("Default", "Http")


def test_a_websocket_api_stage_is_an_entrypoint_of_its_own_kind():
    """A WebSocket API's stage is a websocket_api entrypoint, not an api one: its signals are connections
    and messages, not request/response ones."""
    stack = build_stack("S", {"Resources": {
        "Ws": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "chat", "ProtocolType": "WEBSOCKET"}},
        "Prod": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"ApiId": {"Ref": "Ws"}, "StageName": "prod"}},
    }})
    (stage,) = stack.entrypoints
    assert (stage.kind, stage.logical_id, stage.title) == ("websocket_api", "Prod", "WebSocket API chat, stage prod")


def test_a_rest_api_staged_by_its_deployment_is_an_entrypoint():
    """A plain CloudFormation REST API whose Deployment names the stage has that deployment as entrypoint."""
    stack = build_stack("S", {"Resources": {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "legacy"}},
        "Deploy": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Api"},
                                                                         "StageName": "v1"}},
    }})
    (api,) = stack.entrypoints
    assert (api.logical_id, api.title, api.functions) == ("Deploy", "REST API legacy, stage v1", ())


def test_components_are_the_resources_a_function_uses_through_its_role_and_environment():
    """IAM policies of the function's role and its environment variables name the resources behind it."""
    stack = build_stack("S", {"Resources": {
        "Fn": {**FUNCTION, "Properties": {**FUNCTION["Properties"], "Environment": {"Variables": {
            "BUCKET": {"Ref": "Uploads"}}}}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": [{"Ref": "Role"}], "PolicyDocument": {
            "Statement": [{"Resource": [{"Fn::GetAtt": ["Orders", "Arn"]}, {"Fn::GetAtt": ["Key", "Arn"]}]}]}}},
        "Orders": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Uploads": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Nightly": {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "rate(1 day)", "Targets": [
            {"Id": "1", "Arn": {"Fn::GetAtt": ["Fn", "Arn"]},
             "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["Dlq", "Arn"]}}}]}},
        "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {}},
    }})
    (job,) = stack.entrypoints
    assert job.kind == "scheduled_job"
    assert job.components == ("Fn", "Orders", "Uploads")
    assert job.failure_destination is not None
    assert job.failure_destination.logical_id == "Dlq"
    assert [(d.logical_id, d.owner, d.kind) for d in stack.failure_destinations] == [("Dlq", "Nightly", "rule_target")]
