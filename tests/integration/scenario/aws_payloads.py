"""Real AWS payloads retargeted at resources the tests create in moto, at the times they choose.

CloudTrail records come from events/aws. No real CreateFunction record is public (see
events/aws/SOURCES.md), so one is shaped from the real Lambda DeleteFunction record: same
envelope and identity, the call and its response as CloudTrail records CreateFunction20150331.
The AWS Budgets notification has no stated licence: it is read in place from ../shared/data and
its `Key: Value` lines rewritten; a test using it is marked
`@pytest.mark.read_in_place(BUDGETS_NOTIFICATION)` (see tests/conftest.py).
"""

from __future__ import annotations

import copy
import re
import uuid
from datetime import datetime
from functools import cache
from typing import Any

import orjson

from tests.conftest import EVENTS, in_place

ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
RUN_INSTANCES = EVENTS / "aws" / "aws-cloudtrail-ec2-runinstances-iamuser-record.json"
LAMBDA_CALLS = (
    EVENTS
    / "aws"
    / "aws-cloudtrail-lambda-getfunction-denied-deletefunction-s3-logfile-records.json"
)
BUDGETS_NOTIFICATION = "events/aws/aws-budgets-notification-sns-lambda-event.json"


@cache
def _read(path: Any) -> Any:
    return orjson.loads(path.read_bytes())


def _load(path: Any) -> Any:
    return copy.deepcopy(_read(path))


def _stamp(record: dict[str, Any], at: datetime, event_id: str | None) -> dict[str, Any]:
    """Move a record into moto's account and region, at `at`, with its own event id."""
    record["eventTime"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    record["eventID"] = event_id or str(uuid.uuid4())
    record["recipientAccountId"] = record["userIdentity"]["accountId"] = ACCOUNT
    record["userIdentity"]["arn"] = re.sub(
        r"::\d{12}:", f"::{ACCOUNT}:", record["userIdentity"]["arn"]
    )
    record["awsRegion"] = REGION
    return record


def run_instances(
    instance_id: str, instance_type: str, at: datetime, event_id: str | None = None
) -> dict[str, Any]:
    """The real RunInstances record, launching `instance_id` as an `instance_type`."""
    record: dict[str, Any] = _load(RUN_INSTANCES)
    record["requestParameters"]["instanceType"] = instance_type
    item = record["responseElements"]["instancesSet"]["items"][0]
    item.update(instanceId=instance_id, instanceType=instance_type)
    return _stamp(record, at, event_id)


def create_function(name: str, at: datetime, event_id: str | None = None) -> dict[str, Any]:
    """CreateFunction20150331 of `name`, shaped from the real DeleteFunction record."""
    record: dict[str, Any] = _load(LAMBDA_CALLS)["Records"][1]
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    record["eventName"] = "CreateFunction20150331"
    record["requestParameters"] = {
        "functionName": name,
        "runtime": "python3.11",
        "handler": "app.handler",
    }
    record["responseElements"] = {
        "functionName": name,
        "functionArn": arn,
        "runtime": "python3.11",
        "handler": "app.handler",
    }
    return _stamp(record, at, event_id)


def budgets_delivery() -> dict[str, Any]:
    """The real AWS Budgets notification as SNS delivers it to Lambda, unchanged."""
    event: dict[str, Any] = _load(in_place(BUDGETS_NOTIFICATION))
    return event


def budgets_notification(
    budget: str, amount: str, actual: str, at: datetime, message_id: str | None = None
) -> dict[str, Any]:
    """The real delivery, its text reporting `actual` of `amount` for `budget` in moto's
    account, published at `at`."""
    event = budgets_delivery()
    sns = event["Records"][0]["Sns"]
    text = sns["Message"]
    for key, value in {
        "Budget Name": budget,
        "Budgeted Amount": amount,
        "ACTUAL Amount": actual,
    }.items():
        text = re.sub(rf"^{key}: .*$", f"{key}: {value}", text, count=1, flags=re.MULTILINE)
    text = re.sub(r"^AWS Account \d{12}$", f"AWS Account {ACCOUNT}", text, flags=re.MULTILINE)
    sns.update(
        Message=text,
        Subject=f"AWS Budgets: {budget} has exceeded your alert threshold",
        MessageId=message_id or str(uuid.uuid4()),
        Timestamp=at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    )
    return event
