"""ApprovalStore on DynamoDB: deciding a request is one conditional UpdateItem.

The update succeeds only while the item's status is `pending`, so of two deliveries of one
click (or a click and the expiry sweep) exactly one decides; the other gets
ConditionalCheckFailed and acts on nothing.

Table (on-demand capacity):

approvals
    key schema      id (S, HASH)
    GSI pending     queue (S, HASH), expires (S, RANGE), projection ALL
    item            {id, status, expires: ISO 8601 UTC with microseconds (sorts as text),
                     body: the ApprovalRequest JSON, queue: "pending" while pending}
    `queue` is removed when a request is decided, so the index is sparse: it holds exactly the
    pending requests, and listing or sweeping them is one Query, never a Scan. One partition
    takes ~1,000 writes/s, far above approval rates. No TTL: decided requests are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from costplane.adapters.aws.clients import client
from costplane.approvals.model import ApprovalRequest, ApprovalStatus, stamp

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

PENDING_INDEX = "pending"
_PENDING = ApprovalStatus.PENDING.value


class DynamoDbApprovalStore:
    def __init__(self, table: str, *, region: str | None = None) -> None:
        self.table = table
        self.region = region

    @property
    def _db(self) -> DynamoDBClient:
        return client("dynamodb", self.region)

    def add(self, request: ApprovalRequest) -> bool:
        db = self._db
        try:
            db.put_item(
                TableName=self.table,
                Item={
                    "id": {"S": request.id},
                    "status": {"S": request.status.value},
                    "expires": {"S": stamp(request.expires)},
                    "body": {"S": request.model_dump_json()},
                    "queue": {"S": _PENDING},
                },
                ConditionExpression="attribute_not_exists(#id)",
                ExpressionAttributeNames={"#id": "id"},
            )
        except db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def get(self, request_id: str) -> ApprovalRequest | None:
        item = self._db.get_item(
            TableName=self.table,
            Key={"id": {"S": request_id}},
            ProjectionExpression="#body",
            ExpressionAttributeNames={"#body": "body"},
            ConsistentRead=True,
        ).get("Item")
        return ApprovalRequest.model_validate_json(item["body"]["S"]) if item else None

    def settle(self, decided: ApprovalRequest) -> bool:
        db = self._db
        try:
            db.update_item(
                TableName=self.table,
                Key={"id": {"S": decided.id}},
                UpdateExpression="SET #status = :status, #body = :body REMOVE #queue",
                ConditionExpression="#status = :pending",
                ExpressionAttributeNames={"#status": "status", "#body": "body", "#queue": "queue"},
                ExpressionAttributeValues={
                    ":status": {"S": decided.status.value},
                    ":body": {"S": decided.model_dump_json()},
                    ":pending": {"S": _PENDING},
                },
            )
        except db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def pending(self, due_by: datetime | None = None) -> list[ApprovalRequest]:
        condition = "#queue = :pending"
        names = {"#queue": "queue"}
        values: dict[str, Any] = {":pending": {"S": _PENDING}}
        if due_by is not None:
            condition += " AND #expires <= :due"
            names["#expires"] = "expires"
            values[":due"] = {"S": stamp(due_by)}
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table,
            IndexName=PENDING_INDEX,
            KeyConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ScanIndexForward=True,
        )
        return [
            ApprovalRequest.model_validate_json(item["body"]["S"])
            for page in pages
            for item in page["Items"]
        ]
