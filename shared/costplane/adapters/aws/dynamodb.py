"""Records in one DynamoDB table, for every store the AWS plane keeps (claims, decisions,
approvals, budgets: a table each, on-demand capacity).

A record is an item:

    id        its key (S, HASH), prefixed `<kind>#` in a table several kinds share
              (`kinds=True`: the budgets table, `rate#…`, `signal#…`, `ledger#…`, …)
    fields    one attribute each: S, BOOL, and timestamps as ISO 8601 UTC text with
              microseconds (S, sorts in time order), but `expires` as epoch seconds (N) in the
              attribute `expiry_attr` where one is named: the table's TTL attribute
    version   (S) a token every write renews; items written before it had none
    queue     (S) "pending" while a record's status is pending, for the sparse GSI `pending`
              (queue HASH, expires RANGE, projection ALL): it holds exactly the pending records,
              so listing them is one Query, never a Scan

Creating is a PutItem conditional on `attribute_not_exists(id)`, a conditional write a PutItem
conditional on the version read: of two racing writers exactly one succeeds, the other gets
ConditionalCheckFailed. The running records are one consistent Scan filtered on `running`
(the budgets table has no index; a sparse GSI as `pending` would make it a Query).

The claims table's names are Powertools' DynamoDBPersistenceLayer defaults (key attribute
`id`, expiry attribute `expiration`), so the handler's Powertools idempotency may share it:
its keys (`<function>#<hash>`) never collide with ours.

The decisions table is a log instead: key `decision_id` (S, HASH), GSI `by_day` (day S HASH,
decided_at S RANGE, projection ALL), items {decision_id, day: "YYYY-MM-DD", decided_at,
outcome, resource_id (when known), body: the Decision JSON}, no TTL (enable point-in-time
recovery). The latest decisions are one Query per day, newest first, today then earlier days
for at most `lookback_days` days: one day is one GSI partition (~1,000 writes/s, far above
tag-event rates); GSI reads are eventually consistent, so a decision appears there a moment
after it is written.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from costplane.adapters.aws.clients import client
from costplane.adapters.records import EXPIRES, PENDING, RUNNING, Fields, Record, due, utc_stamp
from costplane.approvals.model import stamp
from costplane.domain.decisions import Decision

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

PENDING_INDEX = "pending"
BY_DAY_INDEX = "by_day"
TTL_ATTRIBUTE = "expiration"
_OWN = frozenset({"id", "version", "queue"})


class DynamoDbRecords:
    """Records in `table`."""

    def __init__(
        self,
        table: str,
        *,
        region: str | None = None,
        kinds: bool = False,
        expiry_attr: str | None = None,
        lookback_days: int = 7,
    ) -> None:
        self.table = table
        self.region = region
        self.kinds = kinds
        self.expiry_attr = expiry_attr
        self.lookback_days = lookback_days

    @property
    def _db(self) -> DynamoDBClient:
        return client("dynamodb", self.region)

    def read(self, kind: str, key: str) -> Record | None:
        item = self._db.get_item(
            TableName=self.table, Key=self._key(kind, key), ConsistentRead=True
        ).get("Item")
        if item is None:
            return None
        return Record(self._fields(item), item.get("version", {}).get("S", ""))

    def create(self, kind: str, key: str, fields: Fields) -> bool:
        return self._put(kind, key, fields, ConditionExpression="attribute_not_exists(id)")

    def replace(self, kind: str, key: str, fields: Fields, version: str) -> bool:
        if not version:  # written before items had versions
            condition = "attribute_exists(id) AND attribute_not_exists(#version)"
            return self._put(
                kind,
                key,
                fields,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#version": "version"},
            )
        return self._put(
            kind,
            key,
            fields,
            ConditionExpression="#version = :version",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={":version": {"S": version}},
        )

    def put(self, kind: str, key: str, fields: Fields) -> None:
        self._put(kind, key, fields)

    def delete(self, kind: str, key: str) -> bool:
        deleted = self._db.delete_item(
            TableName=self.table, Key=self._key(kind, key), ReturnValues="ALL_OLD"
        )
        return "Attributes" in deleted

    def pending(self, kind: str, due_by: datetime | None) -> list[Fields]:
        condition = "#queue = :pending"
        names = {"#queue": "queue"}
        values: dict[str, Any] = {":pending": {"S": PENDING}}
        if due_by is not None:
            condition += " AND #expires <= :due"
            names["#expires"] = EXPIRES
            values[":due"] = {"S": stamp(due_by)}
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table,
            IndexName=PENDING_INDEX,
            KeyConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ScanIndexForward=True,
        )
        return [self._fields(item) for page in pages for item in page["Items"]]

    def running(self, kind: str) -> list[Fields]:
        pages = self._db.get_paginator("scan").paginate(
            TableName=self.table,
            FilterExpression="begins_with(id, :kind) AND #running = :true",
            ExpressionAttributeNames={"#running": RUNNING},
            ExpressionAttributeValues={":kind": {"S": self._id(kind, "")}, ":true": {"BOOL": True}},
            ConsistentRead=True,
        )
        return [self._fields(item) for page in pages for item in page["Items"]]

    def append(self, decision: Decision) -> None:
        decided_at = decision.decided_at.astimezone(UTC)
        item: dict[str, AttributeValueTypeDef] = {
            "decision_id": {"S": decision.decision_id},
            "day": {"S": decided_at.date().isoformat()},
            "decided_at": {"S": stamp(decided_at)},
            "outcome": {"S": decision.outcome.value},
            "body": {"S": decision.model_dump_json()},
        }
        if decision.resource_id:
            item["resource_id"] = {"S": decision.resource_id}
        self._db.put_item(TableName=self.table, Item=item)

    def newest(self, limit: int, now: datetime) -> list[str]:
        """The latest `limit` decisions of the last `lookback_days` days."""
        bodies: list[str] = []
        day = now.astimezone(UTC).date()
        for _ in range(self.lookback_days):
            if len(bodies) >= limit:
                break
            bodies.extend(self._newest_of(day, limit - len(bodies)))
            day -= timedelta(days=1)
        return bodies

    def _newest_of(self, day: date, limit: int) -> list[str]:
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table,
            IndexName=BY_DAY_INDEX,
            KeyConditionExpression="#day = :day",
            ExpressionAttributeNames={"#day": "day", "#body": "body"},
            ExpressionAttributeValues={":day": {"S": day.isoformat()}},
            ProjectionExpression="#body",
            ScanIndexForward=False,
            PaginationConfig={"MaxItems": limit, "PageSize": min(limit, 100)},
        )
        return [item["body"]["S"] for page in pages for item in page["Items"]]

    def _put(self, kind: str, key: str, fields: Fields, **condition: Any) -> bool:
        """PutItem; False when its condition failed."""
        db = self._db
        try:
            db.put_item(TableName=self.table, Item=self._item(kind, key, fields), **condition)
        except db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _id(self, kind: str, key: str) -> str:
        return f"{kind}#{key}" if self.kinds else key

    def _key(self, kind: str, key: str) -> dict[str, AttributeValueTypeDef]:
        return {"id": {"S": self._id(kind, key)}}

    def _item(self, kind: str, key: str, fields: Fields) -> dict[str, AttributeValueTypeDef]:
        item: dict[str, AttributeValueTypeDef] = {
            **self._key(kind, key),
            "version": {"S": uuid.uuid4().hex},
        }
        for name, value in fields.items():
            if isinstance(value, bool):
                item[name] = {"BOOL": value}
            elif not isinstance(value, datetime):
                item[name] = {"S": value}
            elif name == EXPIRES and self.expiry_attr:
                item[self.expiry_attr] = {"N": str(int(value.timestamp()))}
            else:
                item[name] = {"S": stamp(value)}
        if due(fields) is not None:
            item["queue"] = {"S": PENDING}
        return item

    def _fields(self, item: dict[str, Any]) -> Fields:
        fields: Fields = {}
        for name, value in item.items():
            if name == self.expiry_attr:
                expires = datetime.fromtimestamp(int(value["N"]), UTC)
                fields[EXPIRES] = utc_stamp(expires)
            elif name not in _OWN:
                fields[name] = value["BOOL"] if "BOOL" in value else str(value["S"])
        return fields
