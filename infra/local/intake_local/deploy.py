"""Deploying ``template.yaml`` into a running moto server, as CloudFormation would.

The template is translated offline (aws-sam-translator, as ``sam package`` and the SAM transform
would) and created as a stack; what moto's CloudFormation does not wire up is then done through
the API: the state machines (so they land in the executing Step Functions backend), the intake
bucket's EventBridge notifications, versioning, layers, the clearinghouse secret, the SQS
event sources and the liaison API's local server.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake_local import lambda_runtime
from intake_local.http_api import LocalHttpApi
from intake_local.template import PROJECT_ROOT, load_template, translate

SANDBOX = Path(__file__).parent / "sandbox"

REGION = "us-east-1"
ARTIFACTS_BUCKET = "intake-local-artifacts"
# The pharmacy's trading-partner login at the sandbox clearinghouse (local only).
SANDBOX_LOGIN = {
    "username": "lakeside-infusion",
    "password": "local-sandbox-only",
    "sender_id": "LAKESIDE01",
    "receiver_id": "SANDBOXCH",
}
# Locally, waits that are minutes or hours in AWS are seconds; the pharmacy's identity (a
# required parameter: no deployment gets a default one) is the sandbox's own.
LOCAL_PARAMETERS = {
    "PayerRetryIntervalSeconds": "1",
    "OcrEngine": "tesseract",
    "ReadTimeBudgetSeconds": "100",
    "PaPollIntervalSeconds": "1",
    "CallAttemptSpacingSeconds": "2",
    "PharmacyName": "Lakeside Home Infusion (local sandbox)",
    "PharmacyNpi": "1609876549",
    "PharmacyPhone": "3125550190",
    "PharmacyFax": "3125550191",
    # Required in AWS; locally nothing is mailed and the web app is served by the API's server.
    "AlarmEmail": "intake-ops@example.invalid",
    "WebDomainName": "intake.local.invalid",
    "WebCertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/local-only",
}

# The SQS event sources deliver one record per invocation locally: a handful of warm workers
# serve every queue, and a record waits for the ones before it in its batch (AWS scales the
# pollers out instead).
LOCAL_MAX_BATCH_SIZE = 1


def concurrency_limits(translated: dict[str, Any], functions: dict[str, str]) -> dict[str, int]:
    """Each function's cap by its physical name: its reserved concurrency, or its SQS event
    source's ``ScalingConfig.MaximumConcurrency`` (the ingest function's)."""
    limits: dict[str, int] = {}
    for logical, resource in translated["Resources"].items():
        props = resource.get("Properties") or {}
        if logical in functions and "ReservedConcurrentExecutions" in props:
            limits[functions[logical]] = int(props["ReservedConcurrentExecutions"])
        target = props.get("FunctionName")
        maximum = (props.get("ScalingConfig") or {}).get("MaximumConcurrency")
        if resource["Type"] == "AWS::Lambda::EventSourceMapping" and maximum is not None:
            name = target.get("Ref") if isinstance(target, dict) else target
            if name in functions:
                limits[functions[name]] = int(maximum)
    return limits


@dataclass
class StackOptions:
    stage: str = "local"
    parameters: dict[str, str] = field(default_factory=dict)
    definition_overrides: dict[str, str] = field(default_factory=dict)
    work_dir: Path | None = None
    moto_port: int = 0
    api_port: int = 0
    # The authorization poller's schedule: every 15 minutes in AWS, a fast clock here (None: off;
    # then call ``poll_authorizations()`` on demand).
    poll_every_seconds: float | None = 1.0
    # Warm execution environments per function before the stack is ready (capped by the
    # function's reserved concurrency and the local pool's limit); more start on demand, with
    # their init inside the invocation that needed them. A load test warms them all.
    prewarm_workers: int = 1
    # Run the dose sweep on the poller's thread too, every ``sweep_every_seconds`` (its hourly
    # schedule in AWS; not every tick: one Lambda invocation a second is load the stack feels).
    sweep_doses: bool = True
    sweep_every_seconds: float = 15.0


LOCAL_ONLY_ABSENT = frozenset(
    {
        "AWS::CloudFront::Distribution",
        "AWS::CloudFront::OriginAccessControl",
        "AWS::CloudFront::ResponseHeadersPolicy",
    }
)


LOCAL_ONLY_NAMES = frozenset({"WebDomainName"})
"""Parameters that name the CloudFront address: locally they read the API server's ``/app/``."""


def _without_cloudfront(translated: dict[str, Any], api_port: int) -> None:
    """moto's CloudFormation has no CloudFront and refuses a template that reads a CloudFront
    attribute. Locally the web app is served by the liaison API's server under ``/app/``: the
    CloudFront resources go, and whatever named them (the functions' ``WEB_URL``, CORS, the
    web bucket's policy, outputs) reads the local address instead (with a fixed API port) or
    nothing at all."""
    gone = {k for k, v in translated["Resources"].items() if v["Type"] in LOCAL_ONLY_ABSENT}
    if not gone:
        return
    gone |= LOCAL_ONLY_NAMES
    local = f"http://127.0.0.1:{api_port}/app/" if api_port else ""

    def names_gone(value: Any) -> bool:
        text = json.dumps(value)
        return any(f'"{g}"' in text or "${" + g in text for g in gone)

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1 and next(iter(value)) in ("Ref", "Fn::GetAtt", "Fn::Sub"):
                return local if names_gone(value) else value
            return {k: scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    for name in gone - LOCAL_ONLY_NAMES:
        del translated["Resources"][name]
    for name, resource in list(translated["Resources"].items()):
        if resource["Type"] == "AWS::S3::BucketPolicy" and names_gone(resource):
            del translated["Resources"][name]  # CloudFront's read grant: nothing to grant locally
    translated["Resources"] = scrub(translated["Resources"])
    for name in [k for k, v in translated.get("Outputs", {}).items() if names_gone(v)]:
        del translated["Outputs"][name]


@dataclass
class StackOutputs:
    endpoint_url: str
    api_url: str
    clearinghouse_url: str
    intake_bucket: str
    documents_bucket: str
    table_name: str
    state_machine_arn: str
    call_task_queue_url: str
    liaison_topic_arn: str
    functions: dict[str, str]
    work_dir: str
    web_url: str = ""
    dose_check_state_machine_arn: str = ""


class Deployment:
    """One deployment of the template into the moto server behind ``client``; ``deploy()``
    returns where things are, and leaves the liaison API (``api``) and the SQS pollers
    (``queue_sources``) running for the stack to stop."""

    def __init__(
        self,
        client: Callable[..., Any],
        options: StackOptions,
        endpoint_url: str,
        clearinghouse_url: str,
        work_dir: Path,
    ) -> None:
        self.client = client
        self.options = options
        self.endpoint_url = endpoint_url
        self.clearinghouse_url = clearinghouse_url
        self.work_dir = work_dir
        self.api: LocalHttpApi | None = None
        self.queue_sources: lambda_runtime.SqsEventSources | None = None
        self._parameters: dict[str, str] = {}
        self._template: dict[str, Any] = {}

    def deploy(self) -> StackOutputs:
        template = load_template()
        self._template = template
        uris = self._upload_artifacts(template)
        translated = translate(template, uris, region=REGION)
        _without_cloudfront(translated, self.options.api_port)
        machines = _take_state_machines(translated)
        stage = self.options.stage
        parameters = {
            "Stage": stage,
            "ClearinghouseEndpoint": self.clearinghouse_url,
            **LOCAL_PARAMETERS,
            **self.options.parameters,
        }
        self._parameters = {k: str(v) for k, v in parameters.items()}
        cfn = self.client("cloudformation")
        warnings.filterwarnings("ignore", message="Tried to parse AWS::", category=UserWarning)
        stack_name = f"infusion-intake-{stage}"
        cfn.create_stack(
            StackName=stack_name,
            TemplateBody=json.dumps(translated),
            Parameters=[
                {"ParameterKey": k, "ParameterValue": str(v)} for k, v in parameters.items()
            ],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
        status = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
        if status != "CREATE_COMPLETE":
            raise RuntimeError(f"local stack did not deploy: {status}")
        # moto lists the resource types it cannot create (alarms, Cognito, API Gateway v2,
        # policies) without ids; locally those are either not enforced or served by us.
        physical = {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in cfn.describe_stack_resources(StackName=stack_name)["StackResources"]
            if "LogicalResourceId" in r and "PhysicalResourceId" in r
        }
        types = {k: v["Type"] for k, v in translated["Resources"].items()}
        self._attach_layers(translated, physical)
        sfn = self.client("stepfunctions")
        arns: dict[str, str] = {}
        for logical, state_machine in machines.items():
            definition = self._definition(state_machine, physical, types)
            role_arn = self.client("iam").get_role(
                RoleName=physical[state_machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]]
            )["Role"]["Arn"]
            name = state_machine["Properties"]["StateMachineName"]
            if isinstance(name, dict):  # !Sub infusion-<what>-${Stage}
                name = name["Fn::Sub"].replace("${Stage}", stage)
            arns[logical] = sfn.create_state_machine(
                name=name, definition=definition, roleArn=role_arn, type="STANDARD"
            )["stateMachineArn"]
        state_machine_arn = arns["ReferralStateMachine"]
        self._seed_secret(
            translated,
            physical,
            "ClearinghouseSecret",
            f"infusion-intake-{self.options.stage}/clearinghouse",
            json.dumps(SANDBOX_LOGIN),
        )
        self._seed_secret(  # the patient search key: random per local stack, as in AWS
            translated,
            physical,
            "SearchKeySecret",
            f"infusion-intake-{self.options.stage}/search-key",
            secrets.token_urlsafe(48),
        )
        for bucket in ("IntakeBucket", "DocumentsBucket"):  # moto's CloudFormation skips versioning
            self.client("s3").put_bucket_versioning(
                Bucket=physical[bucket], VersioningConfiguration={"Status": "Enabled"}
            )
        self.client("s3").put_bucket_notification_configuration(
            Bucket=physical["IntakeBucket"],
            NotificationConfiguration={"EventBridgeConfiguration": {}},
        )
        functions = {
            logical: physical[logical]
            for logical, kind in types.items()
            if kind == "AWS::Lambda::Function"
        }
        reserved = concurrency_limits(translated, functions)
        lambda_runtime.prewarm(
            "123456789012",
            REGION,
            list(functions.values()),
            {
                name: min(self.options.prewarm_workers, reserved.get(name, 1000))
                for name in functions.values()
            },
        )
        self._start_queue_sources(translated, physical, functions)
        self._load_roster(physical["IntakeTable"])
        # Served as the API's $default stage: paths carry no stage prefix locally.
        self.api = LocalHttpApi(
            self.client("lambda", caller="apigateway"),
            functions["LiaisonApiFunction"],
            self.options.api_port,
            web_root=PROJECT_ROOT / "web",
            frame_sources=(self.endpoint_url,),  # signed document links point at moto's S3
        )
        return StackOutputs(
            endpoint_url=self.endpoint_url,
            api_url=self.api.url,
            clearinghouse_url=self.clearinghouse_url,
            intake_bucket=physical["IntakeBucket"],
            documents_bucket=physical["DocumentsBucket"],
            table_name=physical["IntakeTable"],
            state_machine_arn=state_machine_arn,
            call_task_queue_url=self._queue_url(physical["CallTaskQueue"]),
            liaison_topic_arn=physical["LiaisonTopic"],
            functions=functions,
            work_dir=str(self.work_dir),
            web_url=f"{self.api.url}/app/",
            dose_check_state_machine_arn=arns.get("DoseCheckStateMachine", ""),
        )

    def _load_roster(self, table: str) -> None:
        """The pharmacy's nurse roster for the local run (``sandbox/nurse_roster.json``), as
        ``intake roster load`` would write it (one item: ``ROSTER`` / ``NURSES``)."""
        from intake.visit.roster import Roster

        roster = Roster.model_validate_json((SANDBOX / "nurse_roster.json").read_text("utf-8"))
        self.client("dynamodb").put_item(
            TableName=table,
            Item={
                "pk": {"S": "ROSTER"},
                "sk": {"S": "NURSES"},
                "roster": {"S": roster.model_dump_json()},
            },
        )

    def _start_queue_sources(
        self, translated: dict[str, Any], physical: dict[str, str], functions: dict[str, str]
    ) -> None:
        """Run the SQS-triggered functions as AWS does: pollers apart from ``SendMessage``, with
        at most the function's reserved concurrency (and the local pool's limit)."""
        sqs = self.client("sqs", caller="lambda-esm")
        queue_urls = {}
        for logical, resource in translated["Resources"].items():
            if resource["Type"] == "AWS::SQS::Queue" and logical in physical:
                url = self._queue_url(physical[logical])
                arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
                queue_urls[arn["Attributes"]["QueueArn"]] = url
        concurrency = concurrency_limits(translated, functions)
        self.queue_sources = lambda_runtime.SqsEventSources(
            sqs, self.client("lambda", caller="lambda-esm"), "123456789012", REGION
        )
        self.queue_sources.start(queue_urls, concurrency, max_batch_size=LOCAL_MAX_BATCH_SIZE)

    def _seed_secret(
        self,
        translated: dict[str, Any],
        physical: dict[str, str],
        logical_id: str,
        name: str,
        value: str,
    ) -> None:
        """moto's CloudFormation cannot create ``AWS::SecretsManager::Secret`` (and drops the
        variables that refer to it): create the secret ``logical_id`` holding ``value`` (the
        sandbox login, the search key), and give each function that refers to it its ARN, as
        CloudFormation's ``!Ref`` would."""
        arn = self.client("secretsmanager").create_secret(Name=name, SecretString=value)["ARN"]
        lam = self.client("lambda")
        for logical, resource in translated["Resources"].items():
            variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
            names = [k for k, v in variables.items() if v == {"Ref": logical_id}]
            if resource["Type"] != "AWS::Lambda::Function" or not names:
                continue
            env = lam.get_function(FunctionName=physical[logical])["Configuration"]["Environment"][
                "Variables"
            ]
            lam.update_function_configuration(
                FunctionName=physical[logical],
                Environment={
                    "Variables": {
                        **{k: str(v) for k, v in env.items()},
                        **dict.fromkeys(names, arn),
                    }
                },
            )

    def _attach_layers(self, translated: dict[str, Any], physical: dict[str, str]) -> None:
        """moto's CloudFormation drops a function's ``Layers`` (and gives layer versions no
        physical id); find the versions by name and set them through the API."""
        lam = self.client("lambda")
        versions = {
            layer["LayerName"]: layer["LatestMatchingVersion"]["LayerVersionArn"]
            for layer in lam.list_layers()["Layers"]
        }

        def version_of(logical: str) -> str:
            return str(next(arn for name, arn in versions.items() if f"-{logical}-" in name))

        for logical, resource in translated["Resources"].items():
            if resource["Type"] != "AWS::Lambda::Function":
                continue
            layers = [version_of(ref["Ref"]) for ref in resource["Properties"].get("Layers", [])]
            if layers:
                lam.update_function_configuration(FunctionName=physical[logical], Layers=layers)

    def _upload_artifacts(self, template: dict[str, Any]) -> dict[str, str]:
        """Zip each CodeUri/ContentUri as ``sam package`` would and upload it to moto's S3."""
        s3 = self.client("s3")
        s3.create_bucket(Bucket=ARTIFACTS_BUCKET)
        uris: dict[str, str] = {}
        for resource in template["Resources"].values():
            props = resource.get("Properties", {})
            for key in ("CodeUri", "ContentUri", "DefinitionUri"):
                local = props.get(key)
                if not isinstance(local, str) or local in uris:
                    continue
                path = PROJECT_ROOT / local
                body = path.read_bytes() if path.is_file() else _zip_dir(path)
                s3_key = (
                    f"{local.strip('/').replace('/', '-')}.{'json' if path.is_file() else 'zip'}"
                )
                s3.put_object(Bucket=ARTIFACTS_BUCKET, Key=s3_key, Body=body)
                uris[local] = f"s3://{ARTIFACTS_BUCKET}/{s3_key}"
        return uris

    def _definition(
        self, state_machine: dict[str, Any], physical: dict[str, str], types: dict[str, str]
    ) -> str:
        props = state_machine["Properties"]
        location = props["DefinitionS3Location"]
        body = (
            self.client("s3")
            .get_object(Bucket=location["Bucket"], Key=location["Key"])["Body"]
            .read()
        )
        values = {
            name: self._resolve(value, physical, types)
            for name, value in props.get("DefinitionSubstitutions", {}).items()
        }
        values.update(self.options.definition_overrides)
        text = body.decode("utf-8")
        missing = sorted(set(re.findall(r"\$\{(\w+)\}", text)) - set(values))
        if missing:
            raise RuntimeError(f"state machine substitutions missing: {missing}")
        return re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], text)

    def _resolve(self, value: Any, physical: dict[str, str], types: dict[str, str]) -> str:
        if isinstance(value, str):
            return value
        if "Fn::GetAtt" in value:
            logical, attribute = value["Fn::GetAtt"]
            if types[logical] == "AWS::Lambda::Function" and attribute == "Arn":
                arn: str = self.client("lambda").get_function(FunctionName=physical[logical])[
                    "Configuration"
                ]["FunctionArn"]
                return arn
        if "Ref" in value and value["Ref"] in self._parameters:
            return self._parameters[value["Ref"]]
        if "Ref" in value and value["Ref"] in template_defaults(self._template):
            return template_defaults(self._template)[value["Ref"]]
        if "Ref" in value:
            logical = value["Ref"]
            if types.get(logical) == "AWS::SQS::Queue":
                return self._queue_url(physical[logical])
            return physical[logical]
        raise RuntimeError(f"cannot resolve substitution {value!r} locally")

    def _queue_url(self, physical_id: str) -> str:
        if physical_id.startswith("http"):
            return physical_id
        url: str = self.client("sqs").get_queue_url(QueueName=physical_id.rsplit(":", 1)[-1])[
            "QueueUrl"
        ]
        return url


def template_defaults(template: dict[str, Any]) -> dict[str, str]:
    return {
        name: str(p["Default"])
        for name, p in template.get("Parameters", {}).items()
        if "Default" in p
    }


def _take_state_machines(translated: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Remove the state machines, and whatever refers to them (transitively), from the stack
    template; the local stack creates the state machines through the API instead."""
    resources = translated["Resources"]
    ids = [k for k, v in resources.items() if v["Type"] == "AWS::StepFunctions::StateMachine"]
    if "ReferralStateMachine" not in ids:
        raise RuntimeError(f"expected the referral state machine in the template, found {ids}")
    machines: dict[str, dict[str, Any]] = {k: resources.pop(k) for k in ids}
    removed = list(ids)
    while removed:
        names = "|".join(map(re.escape, removed))
        pattern = re.compile(  # Ref / GetAtt, or a ${Name} / ${Name.Attr} inside Fn::Sub
            r'"(Ref|Fn::GetAtt)": (\["|")(' + names + r')[".]|\$\{(' + names + r")[}.]"
        )
        removed = [k for k, v in resources.items() if pattern.search(json.dumps(v))]
        for logical in removed:
            resources.pop(logical)
        outputs = translated.get("Outputs", {})
        for name in [k for k, v in outputs.items() if pattern.search(json.dumps(v))]:
            outputs.pop(name)
    return machines


def _zip_dir(path: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
                archive.write(file, file.relative_to(path).as_posix())
    return buffer.getvalue()
