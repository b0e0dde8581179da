"""moto fixtures in a chain: credentials → mock_aws → resources built from template.yaml."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from intake.core.ids import referral_id_for
from intake_local.pipeline import LiaisonClient
from intake_local.sandbox.payer import SandboxPayer
from intake_local.sandbox.server import SandboxAccount, SandboxClearinghouse
from intake_local.stack import SANDBOX_LOGIN
from intake_local.template import load_template
from tests.conftest import load_handler

REGION = "us-east-1"


def reset_process_caches() -> None:
    """Clients, settings and services are cached per Lambda process; each test is a new one."""
    from intake import wiring
    from intake.adapters import search_key
    from intake.api import directory, routes, workspace
    from intake.directory import runtime

    wiring.reset()
    directory._directory.cache_clear()
    runtime.reset()
    routes._deps.cache_clear()
    routes._access_log.cache_clear()
    workspace._workspace.cache_clear()
    workspace._access_log.cache_clear()
    search_key.forget()


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def aws(aws_credentials: None) -> Iterator[None]:
    reset_process_caches()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield
    reset_process_caches()


def table_from_template(name: str, logical_id: str = "IntakeTable") -> dict[str, Any]:
    """``create_table`` arguments from the template's table, so tests cannot drift."""
    props = load_template()["Resources"][logical_id]["Properties"]
    args = {
        "TableName": name,
        "BillingMode": props["BillingMode"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
    }
    if props.get("GlobalSecondaryIndexes"):
        args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    return args


@dataclass
class IntakeResources:
    table_name: str
    intake_bucket: str
    documents_bucket: str
    topic_arn: str
    inbox_url: str  # an SQS queue subscribed to the liaison topic, to see notifications
    state_machine_arn: str
    call_queue_url: str

    def notifications(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs", region_name=REGION)
        found: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.inbox_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not batch:
                return found
            for message in batch:
                envelope = json.loads(message["Body"])
                found.append(
                    {"subject": envelope.get("Subject"), **json.loads(envelope["Message"])}
                )
                sqs.delete_message(QueueUrl=self.inbox_url, ReceiptHandle=message["ReceiptHandle"])


WAIT_FOR_CALL = {
    "StartAt": "QueueCall",
    "States": {
        "QueueCall": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {
                "QueueUrl": "CALL_QUEUE_URL",
                "MessageBody": {
                    "task_token.$": "$$.Task.Token",
                    "referral_id.$": "$.referral_id",
                    "task_type": "welcome_call",
                    "round": 1,
                    "due_at": "2030-01-01T00:00:00Z",
                },
            },
            "ResultPath": "$.welcome_call",
            "End": True,
        }
    },
}


@pytest.fixture
def resources(aws: None, monkeypatch: pytest.MonkeyPatch) -> IntakeResources:
    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.create_table(**table_from_template("intake-table"))
    ddb.create_table(**table_from_template("access-log", "AccessLogTable"))
    search_key = boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="search-key", SecretString="k" * 48
    )["ARN"]
    s3 = boto3.client("s3", region_name=REGION)
    for bucket in ("intake-bucket", "documents-bucket"):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="liaison-topic")["TopicArn"]
    sqs = boto3.client("sqs", region_name=REGION)
    inbox = sqs.create_queue(QueueName="liaison-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn)
    call_queue = sqs.create_queue(QueueName="call-tasks")["QueueUrl"]
    definition = json.dumps(WAIT_FOR_CALL).replace("CALL_QUEUE_URL", call_queue)
    machine = boto3.client("stepfunctions", region_name=REGION).create_state_machine(
        name="infusion-referral-test",
        definition=definition,
        roleArn="arn:aws:iam::123456789012:role/states",
    )["stateMachineArn"]
    env = {
        "TABLE_NAME": "intake-table",
        "ACCESS_LOG_TABLE": "access-log",
        "SEARCH_KEY_SECRET_ID": search_key,
        "INTAKE_BUCKET": "intake-bucket",
        "DOCUMENTS_BUCKET": "documents-bucket",
        "LIAISON_TOPIC_ARN": topic,
        "STATE_MACHINE_ARN": machine,
        "WELCOME_CALL_SLA_HOURS": "48",
        "ESCALATION_REPEAT_SECONDS": "3600",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return IntakeResources(
        "intake-table", "intake-bucket", "documents-bucket", topic, inbox, machine, call_queue
    )


@pytest.fixture
def clearinghouse() -> Iterator[SandboxClearinghouse]:
    account = SandboxAccount(
        SANDBOX_LOGIN["username"], SANDBOX_LOGIN["password"], SANDBOX_LOGIN["sender_id"]
    )
    with SandboxClearinghouse(SandboxPayer(), [account]) as server:
        yield server


@pytest.fixture
def check(
    resources: IntakeResources, clearinghouse: SandboxClearinghouse, monkeypatch: pytest.MonkeyPatch
) -> Any:
    secret = boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="clearinghouse", SecretString=json.dumps(SANDBOX_LOGIN)
    )["ARN"]
    for key, value in {
        "CLEARINGHOUSE_ENDPOINT": clearinghouse.url,
        "CLEARINGHOUSE_SECRET_ID": secret,
        "CLEARINGHOUSE_READ_TIMEOUT_SECONDS": "5",
        "CLEARINGHOUSE_BACKOFF_SECONDS": "0.01",
        "PHARMACY_NAME": "Lakeside Home Infusion",
        "PHARMACY_NPI": "1609876549",
    }.items():
        monkeypatch.setenv(key, value)
    return load_handler("check_benefits").lambda_handler


@pytest.fixture
def ingest(resources: IntakeResources) -> Any:
    """The ingest_referral handler, on the moto resources."""
    return load_handler("ingest_referral").lambda_handler


@pytest.fixture
def verified(resources: IntakeResources, check: Any, lambda_context: Any) -> Callable[[str], str]:
    """Given a sample referral ingested and its benefits checked (verified, as the samples
    used with it are): its referral id."""

    def given(sample: str) -> str:
        referral_id = ingested(resources, sample, lambda_context)
        assert check({"referral_id": referral_id}, lambda_context)["outcome"] == "verified"
        return referral_id

    return given


@pytest.fixture
def api(local_stack: Any, request: pytest.FixtureRequest) -> LiaisonClient:
    """The liaison API of the session's local stack, as the test module's ``LIAISON``."""
    return LiaisonClient(local_stack.outputs.api_url, request.module.LIAISON)


def ingested(resources: IntakeResources, sample: str, ctx: Any) -> str:
    """A sample referral uploaded and ingested by the real handler; its referral id."""
    from tests.integration.test_ingest_handler import upload_event

    event, body = upload_event(resources, sample)
    load_handler("ingest_referral").lambda_handler(event, ctx)
    return referral_id_for(body)
