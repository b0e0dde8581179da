"""Every place the deployed stack writes logs or traces keeps PHI under the data key.

Issue 24 ("no PHI outside the data key"): a scan of the template as AWS would deploy it (the
SAM transform applied offline), so a new function, state machine or API that logs somewhere
undeclared, unencrypted or forever fails here rather than in an audit.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from intake_local.template import load_template, translated_for_lint


@cache
def _resources() -> dict[str, dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = translated_for_lint()["Resources"]
    return resources


def _of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {k: v.get("Properties", {}) for k, v in _resources().items() if v["Type"] == kind}


def _log_group(ref: Any) -> str:
    """The declared log group a ``Ref``/``GetAtt ...Arn`` names (fails on anything else)."""
    name = ref.get("Ref") or ref.get("Fn::GetAtt", [None])[0]
    assert name in _of_type("AWS::Logs::LogGroup"), f"{ref} is not a declared log group"
    return str(name)


def test_every_log_group_is_under_the_data_key_and_expires() -> None:
    groups = _of_type("AWS::Logs::LogGroup")
    assert groups
    for name, props in groups.items():
        assert props.get("KmsKeyId") == {"Fn::GetAtt": ["DataKey", "Arn"]}, name
        assert 0 < props.get("RetentionInDays", 0) <= 2557, name


def test_every_function_logs_to_a_declared_group_and_traces_no_payloads() -> None:
    functions = _of_type("AWS::Lambda::Function")
    assert len(functions) >= 10
    for name, props in functions.items():
        # Then its logs go to a declared, keyed group (not an implicit /aws/lambda/* one)
        _log_group(props["LoggingConfig"]["LogGroup"])
        # And X-Ray keeps no response and no error message (both can hold a patient's values)
        env = props["Environment"]["Variables"]
        assert env["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false", name
        assert env["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false", name


def test_state_machines_log_no_execution_data_to_declared_groups() -> None:
    machines = _of_type("AWS::StepFunctions::StateMachine")
    assert machines
    for name, props in machines.items():
        logging = props["LoggingConfiguration"]
        assert logging["IncludeExecutionData"] is False, name
        for destination in logging["Destinations"]:
            _log_group(destination["CloudWatchLogsLogGroup"]["LogGroupArn"])


def test_the_http_api_access_log_is_a_declared_keyed_group() -> None:
    stages = _of_type("AWS::ApiGatewayV2::Stage")
    assert stages
    for props in stages.values():
        _log_group(props["AccessLogSettings"]["DestinationArn"])


def test_bucket_and_cdn_logs_go_only_to_the_access_log_buckets() -> None:
    # S3 server access logs and CloudFront standard logs hold keys, paths and addresses (no
    # document contents); they go to the two log buckets only, never to a data bucket.
    targets = {
        name: props["LoggingConfiguration"]["DestinationBucketName"]
        for name, props in _of_type("AWS::S3::Bucket").items()
        if "LoggingConfiguration" in props
    }
    assert targets and set(map(str, targets.values())) == {str({"Ref": "AccessLogBucket"})}
    (cdn,) = _of_type("AWS::CloudFront::Distribution").values()
    config = cdn["DistributionConfig"]
    assert config["Logging"]["Bucket"] == {
        "Fn::GetAtt": ["WebAccessLogBucket", "RegionalDomainName"]
    }
    # And viewers connect with TLS 1.2 or later (a named certificate: the default
    # *.cloudfront.net one cannot enforce a minimum)
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert "CloudFrontDefaultCertificate" not in config["ViewerCertificate"]


def test_alarms_have_someone_to_tell() -> None:
    # An alarm nobody receives protects nothing: the address is required, not optional
    parameter = load_template()["Parameters"]["AlarmEmail"]
    assert "Default" not in parameter
    subscriptions = _resources()["OpsAlarmEmail"]
    assert "Condition" not in subscriptions
