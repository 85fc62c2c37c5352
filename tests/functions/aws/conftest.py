"""The Lambda function as Lambda runs it: a fresh module per test (a cold start), the
environment and DynamoDB tables the SAM template defines, created in the moto server, and real
CloudTrail payloads from events/aws in the envelopes EventBridge and SQS wrap them in.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from costplane.adapters.aws import clients
from tests.functions.aws.sam_template import of_type, resource, template
from tests.support.modules import fresh_module

REPO = Path(__file__).resolve().parents[3]
APP = REPO / "functions" / "aws" / "tag_enforcer" / "app.py"
EVENTS = REPO / "events" / "aws"
ACCOUNT = "123456789012"  # moto's account; the example taxonomy has defaults for it
REGION = "us-east-1"
AMI = "ami-12c6146b"  # one of moto's bundled images
FUNCTION = "TagEnforcerFunction"


@dataclass
class LambdaContext:
    """What the Lambda runtime passes as `context`, as Powertools reads it."""

    function_name: str = "costplane-TagEnforcerFunction"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = (
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:costplane-TagEnforcerFunction"
    )
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/costplane-TagEnforcerFunction"
    log_stream_name: str = "2026/11/27/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 25_000


@cache
def _client(service: str, endpoint: str) -> Any:
    """Our own clients, independent of the adapters', kept for the session's moto server."""
    import boto3

    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


class Stack:
    """The deployed stack in moto: physical names by logical id, and clients to inspect it."""

    def __init__(self, endpoint: str) -> None:
        self.names: dict[str, str] = {}
        self.ec2 = _client("ec2", endpoint)
        self.s3 = _client("s3", endpoint)
        self.dynamodb = _client("dynamodb", endpoint)
        self.sns = _client("sns", endpoint)
        self.sqs = _client("sqs", endpoint)
        self.events = _client("events", endpoint)

    def create(self, logical_id: str) -> str:
        """Create the template's table or topic `logical_id`; its name (or ARN) for `Ref`."""
        body = resource(logical_id)
        if body["Type"] == "AWS::SNS::Topic":
            self.names[logical_id] = self.sns.create_topic(Name=logical_id)["TopicArn"]
        else:
            self._create_table(logical_id, body["Properties"])
            self.names[logical_id] = logical_id
        return self.names[logical_id]

    def _create_table(self, name: str, properties: dict[str, Any]) -> None:
        keys = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
        self.dynamodb.create_table(
            TableName=name, **{k: properties[k] for k in keys if k in properties}
        )
        if ttl := properties.get("TimeToLiveSpecification"):
            self.dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )

    def route(self, source: str, detail_type: str, detail: dict[str, Any]) -> list[dict[str, Any]]:
        """Put an event on the default bus with the template's rules in place; the records
        the function's queue received, as the SQS event source mapping hands them over."""
        if "EnforcerQueue" not in self.names:
            self._deploy_rules()
        self.events.put_events(
            Entries=[
                {
                    "Source": source,
                    "DetailType": detail_type,
                    "Detail": orjson.dumps(detail).decode(),
                }
            ]
        )
        url = self.names["EnforcerQueue"]
        messages = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        return [sqs_record(m["Body"], m["MessageId"]) for m in messages.get("Messages", [])]

    def _deploy_rules(self) -> None:
        url = self.sqs.create_queue(QueueName="EnforcerQueue")["QueueUrl"]
        self.names["EnforcerQueue"] = url
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        for name, rule in of_type("AWS::Events::Rule").items():
            self.events.put_rule(
                Name=name, EventPattern=orjson.dumps(rule["Properties"]["EventPattern"]).decode()
            )
            self.events.put_targets(
                Rule=name, Targets=[{"Id": "EnforcerQueue", "Arn": arn["Attributes"]["QueueArn"]}]
            )

    def items(self, logical_id: str) -> list[dict[str, Any]]:
        return self.dynamodb.scan(TableName=self.names[logical_id])["Items"]

    def decisions(self) -> list[dict[str, Any]]:
        return [orjson.loads(item["body"]["S"]) for item in self.items("DecisionsTable")]

    def run_instance(self) -> str:
        reservation = self.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)
        return str(reservation["Instances"][0]["InstanceId"])

    def instance(self, instance_id: str) -> tuple[str, dict[str, str]]:
        """The instance's state name and tags, read back with a client of our own."""
        found = self.ec2.describe_instances(InstanceIds=[instance_id])
        instance = found["Reservations"][0]["Instances"][0]
        tags = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
        return instance["State"]["Name"], tags


def deploy_environment(stack: Stack, logical_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The function's environment as the template writes it, each referenced table and topic
    created in `stack` (values under conditions are left to the test)."""
    variables = resource(logical_id)["Properties"]["Environment"]["Variables"]
    for name, value in variables.items():
        if isinstance(value, str):
            monkeypatch.setenv(name, value)
        elif value.get("Ref") in template()["Resources"]:
            monkeypatch.setenv(name, stack.create(value["Ref"]))


@pytest.fixture
def stack(aws_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Stack:
    """The function's environment from the template, with every referenced resource created."""
    clients.reset()  # clients cached by earlier tests may point elsewhere
    deployed = Stack(aws_env)
    deploy_environment(deployed, FUNCTION, monkeypatch)
    monkeypatch.setenv("COSTPLANE_MODE", "enforce")
    monkeypatch.setenv("COSTPLANE_LAKE", str(tmp_path))
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", LambdaContext.function_name)
    return deployed


@pytest.fixture
def load_function(stack: Stack) -> Callable[[], ModuleType]:
    """Import app.py as a new module, as a new Lambda execution environment would."""

    def load() -> ModuleType:
        # Named `app` as Lambda names it (Handler: app.sqs_handler): Powertools idempotency
        # keys include the module name, so every execution environment shares them.
        return fresh_module(APP)

    return load


@pytest.fixture
def app(load_function: Callable[[], ModuleType]) -> ModuleType:
    return load_function()


def payload(name: str) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads((EVENTS / name).read_bytes())
    return document


def run_instances_record(instance_id: str, event_id: str | None = None) -> dict[str, Any]:
    """The real RunInstances record (events/aws), retargeted at an instance moto launched."""
    record = copy.deepcopy(payload("aws-cloudtrail-ec2-runinstances-iamuser-record.json"))
    item = record["responseElements"]["instancesSet"]["items"][0]
    item["instanceId"] = instance_id
    record["eventID"] = event_id or str(uuid.uuid4())
    record["eventTime"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    record["recipientAccountId"] = record["userIdentity"]["accountId"] = ACCOUNT
    record["awsRegion"] = REGION
    return record


def create_bucket_event() -> dict[str, Any]:
    """The real CreateBucket EventBridge event (events/aws), moved into moto's account, where
    the example taxonomy's defaults apply: its remediation tags the bucket."""
    event = payload("aws-cloudtrail-s3-createbucket-eventbridge.json")
    event["account"] = ACCOUNT
    return event


def eventbridge(record: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """A CloudTrail record in the envelope EventBridge delivers it in."""
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws." + record["eventSource"].split(".")[0],
        "account": record.get("recipientAccountId", ACCOUNT),
        "time": record["eventTime"],
        "region": record["awsRegion"],
        "resources": [],
        "detail": record,
    }


def sqs_record(body: str | dict[str, Any], message_id: str | None = None) -> dict[str, Any]:
    """One SQS record as the event source mapping delivers it to Lambda."""
    text = body if isinstance(body, str) else orjson.dumps(body).decode()
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": "AQEB" + uuid.uuid4().hex,
        "body": text,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1764223200000",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1764223200001",
        },
        "messageAttributes": {},
        "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:costplane-EnforcerQueue",
        "awsRegion": REGION,
    }


def sqs_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}
