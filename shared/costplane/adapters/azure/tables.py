"""Records in one Azure Table, for every store the Azure plane keeps there (claims, decisions,
approvals, budgets), through signed REST calls.

Every request carries the Table service version, its date and the no-metadata JSON format, so
an entity reads back as plain properties. A record is an entity:

    PartitionKey  the kind, after `partition_prefix`: claim, approval, budget-rate, …
    RowKey        the SHA-256 of the key (keys hold `/`, `:` and `#`, which RowKeys forbid),
                  or the key itself where keys are ids we made (`hashed=False`)
    properties    the fields, capitalised: strings, Edm.Boolean, Edm.DateTime for timestamps

Creating is an Insert Entity (409 when the row exists); a conditional write a Replace Entity
under `If-Match: <ETag read>` (412 when another instance wrote first, 404 when it deleted the
row); an unconditional one an Insert Or Replace (PUT without If-Match); deleting a Delete under
`If-Match: *`. The pending and running records are one filtered query each.

Table storage has no TTL: a claim carries its `Expires`, an expired one is free to take (a
Replace under the ETag read), and `expired` / `discard` let a sweep delete those nobody took
(one query in the minimal-metadata format, whose entities carry their `odata.etag`, then a
Delete under each ETag, so a claim taken again since the query stays). The decisions are
the `decision` partition, their RowKeys sorting newest first (Table storage only sorts
ascending), so the latest are one query away. The identity needs the data role Storage Table
Data Contributor on the table; the table is created by the deployment.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from costplane.adapters.records import (
    EXPIRES,
    PENDING,
    RUNNING,
    STATUS,
    Fields,
    Record,
    capitalised,
    sha256_id,
    uncapitalised,
    utc_stamp,
)
from costplane.adapters.rest import RestClient, body_of
from costplane.domain.decisions import Decision
from costplane.engine.ports import Clock

TABLE_API_VERSION = "2019-02-02"
MINIMAL_METADATA = "application/json;odata=minimalmetadata"
DECISIONS = "decision"
PAGE_SIZE = 1000
_NEWEST_FIRST = 10**17 - 1
_SYSTEM = frozenset({"PartitionKey", "RowKey", "Timestamp"})


class AzureTableRecords:
    """Records in the table at `table_url` (`https://{account}.table…/{table}`)."""

    def __init__(
        self,
        rest: RestClient,
        table_url: str,
        clock: Clock,
        *,
        partition_prefix: str = "",
        hashed: bool = True,
    ) -> None:
        self.rest = rest
        self.table_url = table_url
        self.clock = clock
        self.partition_prefix = partition_prefix
        self.hashed = hashed

    def read(self, kind: str, key: str) -> Record | None:
        response = self._call("GET", self._url(kind, key), expect=(404,))
        if response.status_code == 404:
            return None
        return Record(_fields(body_of(response)), response.headers["ETag"])

    def create(self, kind: str, key: str, fields: Fields) -> bool:
        return self._insert(self._entity(kind, key, fields))

    def replace(self, kind: str, key: str, fields: Fields, version: str) -> bool:
        replaced = self._call(
            "PUT",
            self._url(kind, key),
            body=self._entity(kind, key, fields),
            headers={"If-Match": version},
            expect=(404, 412),
        )
        return replaced.is_success

    def put(self, kind: str, key: str, fields: Fields) -> None:
        self._call("PUT", self._url(kind, key), body=self._entity(kind, key, fields))

    def delete(self, kind: str, key: str) -> bool:
        url = self._url(kind, key)
        deleted = self._call("DELETE", url, headers={"If-Match": "*"}, expect=(404,))
        return deleted.status_code != 404

    def pending(self, kind: str, due_by: datetime | None) -> list[Fields]:
        condition = f"{self._in(kind)} and {capitalised(STATUS)} eq '{PENDING}'"
        if due_by is not None:
            condition += f" and {capitalised(EXPIRES)} le datetime'{utc_stamp(due_by)}'"
        return [_fields(row) for row in self._query(condition)]

    def expired(self, kind: str, before: datetime) -> list[Record]:
        condition = f"{self._in(kind)} and {capitalised(EXPIRES)} lt datetime'{utc_stamp(before)}'"
        rows = self._query(condition, accept=MINIMAL_METADATA)
        return [Record(_fields(row), row["odata.etag"]) for row in rows]

    def discard(self, kind: str, key: str, version: str) -> bool:
        url = self._url(kind, key)
        return self._call(
            "DELETE", url, headers={"If-Match": version}, expect=(404, 412)
        ).is_success

    def running(self, kind: str) -> list[Fields]:
        condition = f"{self._in(kind)} and {capitalised(RUNNING)} eq true"
        return [_fields(row) for row in self._query(condition)]

    def append(self, decision: Decision) -> None:
        micros = int(decision.decided_at.timestamp() * 1_000_000)
        fields: Fields = {
            "decisionId": decision.decision_id,
            "decidedAt": decision.decided_at,
            "body": decision.model_dump_json(),
        }
        row = f"{_NEWEST_FIRST - micros:017d}-{decision.decision_id}"
        entity = {"PartitionKey": DECISIONS, "RowKey": row, **_properties(fields)}
        self._call("POST", self.table_url, body=entity, headers={"Prefer": "return-no-content"})

    def newest(self, limit: int, now: datetime) -> list[str]:
        return [row["Body"] for row in self._query(f"PartitionKey eq '{DECISIONS}'", limit)]

    def _call(
        self,
        method: str,
        url: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        expect: tuple[int, ...] = (),
    ) -> httpx.Response:
        sent = {
            "x-ms-version": TABLE_API_VERSION,
            "x-ms-date": format_datetime(self.clock.now(), usegmt=True),
            "Accept": "application/json;odata=nometadata",
            **(headers or {}),
        }
        return self.rest.call(
            method,
            url,
            resource=url,
            body=body,
            headers=sent,
            expect=expect,
            missing_is_gone=False,
        )

    def _insert(self, entity: Mapping[str, Any]) -> bool:
        """Insert Entity; False when the row already exists (409)."""
        response = self._call(
            "POST",
            self.table_url,
            body=entity,
            headers={"Prefer": "return-no-content"},
            expect=(409,),
        )
        return response.status_code != 409

    def _query(
        self, condition: str, limit: int | None = None, accept: str | None = None
    ) -> list[dict[str, Any]]:
        """The entities matching the OData `condition` (the first `limit` of them if given),
        following the continuation headers; `accept` another JSON format (with ETags)."""
        rows: list[dict[str, Any]] = []
        following: dict[str, str] = {}
        while limit is None or len(rows) < limit:
            params = {"$filter": condition}
            if limit is not None:
                params["$top"] = str(min(limit - len(rows), PAGE_SIZE))
            query = urlencode({**params, **following}, quote_via=quote)  # spaces as %20, not +
            headers = {"Accept": accept} if accept else None
            response = self._call("GET", f"{self.table_url}()?{query}", headers=headers)
            rows.extend(body_of(response).get("value", []))
            following = _continuation(response.headers)
            if not following:
                break
        return rows

    def _in(self, kind: str) -> str:
        return f"PartitionKey eq '{self.partition_prefix}{kind}'"

    def _row(self, key: str) -> str:
        return sha256_id(key) if self.hashed else key

    def _url(self, kind: str, key: str) -> str:
        row = quote(self._row(key).replace("'", "''"), safe="")
        return f"{self.table_url}(PartitionKey='{self.partition_prefix}{kind}',RowKey='{row}')"

    def _entity(self, kind: str, key: str, fields: Fields) -> dict[str, Any]:
        partition = self.partition_prefix + kind
        return {"PartitionKey": partition, "RowKey": self._row(key), **_properties(fields)}


def _continuation(headers: httpx.Headers) -> dict[str, str]:
    """The query parameters that fetch the next page, empty after the last one."""
    partition = headers.get("x-ms-continuation-NextPartitionKey")
    row = headers.get("x-ms-continuation-NextRowKey")
    if partition is None:
        return {}
    return {"NextPartitionKey": partition, **({"NextRowKey": row} if row else {})}


def _properties(fields: Fields) -> dict[str, Any]:
    """The entity properties of `fields`: capitalised, timestamps typed Edm.DateTime."""
    properties: dict[str, Any] = {}
    for field, value in fields.items():
        name = capitalised(field)
        if isinstance(value, datetime):
            properties |= {name: utc_stamp(value), f"{name}@odata.type": "Edm.DateTime"}
        else:
            properties[name] = value
    return properties


def _fields(entity: Mapping[str, Any]) -> Fields:
    return {
        uncapitalised(name): value
        for name, value in entity.items()
        if name not in _SYSTEM and not name.startswith("odata.") and "@odata." not in name
    }
