"""StateStore on Azure Table storage: idempotency claims and the decisions audit log.

One table, two partitions. A claim is an Insert Entity: Table storage answers 409 Conflict when
the row exists, which makes the claim atomic across function instances. An expired claim is
taken over with a Replace guarded by the row's ETag, so two racing deliveries cannot both win.
Decisions go to one partition with a RowKey that sorts newest first (Table storage only sorts
ascending), so the most recent decisions are one query away. The identity needs the data role
Storage Table Data Contributor on the table; the table is created by the deployment.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

from costplane.adapters.azure.tables import TableClient, continuation
from costplane.adapters.records import parse_utc, utc_stamp
from costplane.adapters.rest import RestClient, body_of
from costplane.domain.decisions import Decision
from costplane.engine.ports import Clock

CLAIMS = "claim"
DECISIONS = "decision"
PAGE_SIZE = 1000
_NEWEST_FIRST = 10**17 - 1


class AzureTableStateStore:
    """Claims and decisions in the table at `table_url` (`https://{account}.table…/{table}`)."""

    def __init__(self, rest: RestClient, table_url: str, clock: Clock) -> None:
        self.table = TableClient(rest, table_url, clock)
        self.table_url = table_url
        self.clock = clock

    def claim(self, key: str, ttl_seconds: int) -> bool:
        now = self.clock.now()
        entity = {
            "PartitionKey": CLAIMS,
            "RowKey": _row_key(key),
            "Key": key,
            "Expires": utc_stamp(now + timedelta(seconds=ttl_seconds)),
            "Expires@odata.type": "Edm.DateTime",
        }
        if self.table.insert(entity):
            return True
        url = self.table.entity_url(CLAIMS, entity["RowKey"])
        current = self.table.call("GET", url, expect=(404,))
        if current.status_code == 404:  # released between our insert and our read
            return self.table.insert(entity)
        if parse_utc(body_of(current)["Expires"]) > now:
            return False
        replaced = self.table.call(
            "PUT",
            url,
            body=entity,
            headers={"If-Match": current.headers["ETag"]},
            expect=(404, 412),
        )
        return replaced.is_success

    def release(self, key: str) -> None:
        url = self.table.entity_url(CLAIMS, _row_key(key))
        self.table.call("DELETE", url, headers={"If-Match": "*"}, expect=(404,))

    def append_decision(self, decision: Decision) -> None:
        micros = int(decision.decided_at.timestamp() * 1_000_000)
        entity = {
            "PartitionKey": DECISIONS,
            "RowKey": f"{_NEWEST_FIRST - micros:017d}-{decision.decision_id}",
            "DecisionId": decision.decision_id,
            "DecidedAt": utc_stamp(decision.decided_at),
            "DecidedAt@odata.type": "Edm.DateTime",
            "Body": decision.model_dump_json(),
        }
        self.table.call(
            "POST", self.table_url, body=entity, headers={"Prefer": "return-no-content"}
        )

    def recent_decisions(self, limit: int) -> list[Decision]:
        rows: list[dict[str, Any]] = []
        following: dict[str, str] = {}
        while len(rows) < limit:
            params = {
                "$filter": f"PartitionKey eq '{DECISIONS}'",
                "$top": str(min(limit - len(rows), PAGE_SIZE)),
                **following,
            }
            query = urlencode(params, quote_via=quote)  # spaces as %20, never a form +
            response = self.table.call("GET", f"{self.table_url}()?{query}")
            rows.extend(body_of(response).get("value", []))
            following = continuation(response.headers)
            if not following:
                break
        return [Decision.model_validate_json(row["Body"]) for row in reversed(rows[:limit])]


def _row_key(key: str) -> str:
    """Idempotency keys hold `/` and `:`, which RowKeys forbid; their SHA-256 does not."""
    return hashlib.sha256(key.encode()).hexdigest()
