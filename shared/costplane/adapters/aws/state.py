"""StateStore on DynamoDB: idempotency claims and the decisions audit log.

Plain conditional writes: a claim is one PutItem that succeeds only when the key is free or
its claim expired, so concurrent deliveries of one event race safely and exactly one wins.

Tables (on-demand capacity):

claims
    key schema      id (S, HASH)
    TTL attribute   expiration (N, epoch seconds)
    item            {id: "<provider>:<event id>:<resource id>", expiration}
    The names are Powertools' DynamoDBPersistenceLayer defaults (key_attr "id", expiry_attr
    "expiration"), so the handler's Powertools idempotency may share this table: its keys
    (`<function>#<hash>`) never collide with ours.

decisions
    key schema      decision_id (S, HASH)
    GSI by_day      day (S, HASH), decided_at (S, RANGE), projection ALL
    item            {decision_id, day: "YYYY-MM-DD", decided_at: ISO 8601 UTC with microseconds
                     (sorts as text), outcome, resource_id (when known), body: the Decision JSON}
    No TTL: the audit log is kept (enable point-in-time recovery).

`recent_decisions` queries `by_day` newest first, today then earlier days, for at most
`lookback_days` days: one day is one GSI partition, so reads stay a single Query per day and
no Scan ever runs. That partition takes ~1,000 writes/s, far above tag-event rates; GSI reads
are eventually consistent, so a decision appears there a moment after it is written.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING

from costplane.adapters.aws.clients import client
from costplane.adapters.local.plane import SystemClock
from costplane.domain.decisions import Decision
from costplane.engine.ports import Clock

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

BY_DAY_INDEX = "by_day"


class DynamoDbStateStore:
    def __init__(
        self,
        claims_table: str,
        decisions_table: str,
        *,
        clock: Clock | None = None,
        region: str | None = None,
        lookback_days: int = 7,
    ) -> None:
        self.claims_table = claims_table
        self.decisions_table = decisions_table
        self.clock = clock or SystemClock()
        self.region = region
        self.lookback_days = lookback_days

    @property
    def _db(self) -> DynamoDBClient:
        return client("dynamodb", self.region)

    def claim(self, key: str, ttl_seconds: int) -> bool:
        now = int(self.clock.now().timestamp())
        db = self._db
        try:
            db.put_item(
                TableName=self.claims_table,
                Item={"id": {"S": key}, "expiration": {"N": str(now + ttl_seconds)}},
                ConditionExpression="attribute_not_exists(#id) OR #expiration < :now",
                ExpressionAttributeNames={"#id": "id", "#expiration": "expiration"},
                ExpressionAttributeValues={":now": {"N": str(now)}},
            )
        except db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release(self, key: str) -> None:
        self._db.delete_item(TableName=self.claims_table, Key={"id": {"S": key}})

    def append_decision(self, decision: Decision) -> None:
        decided_at = decision.decided_at.astimezone(UTC)
        item: dict[str, AttributeValueTypeDef] = {
            "decision_id": {"S": decision.decision_id},
            "day": {"S": decided_at.date().isoformat()},
            "decided_at": {"S": decided_at.isoformat(timespec="microseconds")},
            "outcome": {"S": decision.outcome.value},
            "body": {"S": decision.model_dump_json()},
        }
        if decision.resource_id:
            item["resource_id"] = {"S": decision.resource_id}
        self._db.put_item(TableName=self.decisions_table, Item=item)

    def recent_decisions(self, limit: int) -> list[Decision]:
        """The latest `limit` decisions of the last `lookback_days` days, oldest first."""
        bodies: list[str] = []
        day = self.clock.now().astimezone(UTC).date()
        for _ in range(self.lookback_days):
            if len(bodies) >= limit:
                break
            bodies.extend(self._newest_of(day, limit - len(bodies)))
            day -= timedelta(days=1)
        return [Decision.model_validate_json(body) for body in reversed(bodies)]

    def _newest_of(self, day: date, limit: int) -> list[str]:
        pages = self._db.get_paginator("query").paginate(
            TableName=self.decisions_table,
            IndexName=BY_DAY_INDEX,
            KeyConditionExpression="#day = :day",
            ExpressionAttributeNames={"#day": "day", "#body": "body"},
            ExpressionAttributeValues={":day": {"S": day.isoformat()}},
            ProjectionExpression="#body",
            ScanIndexForward=False,
            PaginationConfig={"MaxItems": limit, "PageSize": min(limit, 100)},
        )
        return [item["body"]["S"] for page in pages for item in page["Items"]]
