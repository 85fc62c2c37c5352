"""Signed calls to one Azure Table, shared by the stores kept in it (state, approvals, budgets).

Every request carries the Table service version, its date and the no-metadata JSON format, so
an entity reads back as plain properties. Conditional writes are the caller's: an Insert Entity
answers 409 when the row exists, a Replace under `If-Match: <ETag>` 412 when the row changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from costplane.adapters.rest import RestClient, body_of
from costplane.engine.ports import Clock

TABLE_API_VERSION = "2019-02-02"


class TableClient:
    """The table at `table_url` (`https://{account}.table…/{table}`)."""

    def __init__(self, rest: RestClient, table_url: str, clock: Clock) -> None:
        self.rest = rest
        self.table_url = table_url
        self.clock = clock

    def call(
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

    def insert(self, entity: Mapping[str, Any]) -> bool:
        """Insert Entity; False when the row already exists (409)."""
        response = self.call(
            "POST",
            self.table_url,
            body=entity,
            headers={"Prefer": "return-no-content"},
            expect=(409,),
        )
        return response.status_code != 409

    def entity_url(self, partition: str, row: str) -> str:
        return f"{self.table_url}(PartitionKey='{partition}',RowKey='{row}')"

    def query(self, condition: str) -> list[dict[str, Any]]:
        """Every entity matching the OData `condition`, following the continuation headers."""
        rows: list[dict[str, Any]] = []
        following: dict[str, str] = {}
        while True:
            query = urlencode({"$filter": condition, **following}, quote_via=quote)
            response = self.call("GET", f"{self.table_url}()?{query}")
            rows.extend(body_of(response).get("value", []))
            following = continuation(response.headers)
            if not following:
                return rows


def continuation(headers: httpx.Headers) -> dict[str, str]:
    """The query parameters that fetch the next page, empty after the last one."""
    partition = headers.get("x-ms-continuation-NextPartitionKey")
    row = headers.get("x-ms-continuation-NextRowKey")
    if partition is None:
        return {}
    return {"NextPartitionKey": partition, **({"NextRowKey": row} if row else {})}
