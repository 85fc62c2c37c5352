"""Budget state (run rates, signals, reservations) in the Azure plane's state table.

The records of costplane.adapters.budget_records are entities, one partition per kind:

    PartitionKey  budget-rate | budget-signal | budget-ledger | budget-reservation
    RowKey        SHA-256 of the record's key (resource keys hold `/`, which RowKeys forbid)
    properties    the record's fields: strings, and Running as Edm.Boolean

Creating is an Insert Entity (409 when the row exists); a conditional write is a Replace
Entity under `If-Match: <ETag read>` (412 when another instance wrote first, 404 when it
deleted the row); an unconditional one is an Insert Or Replace (PUT without If-Match). The
running resources are one query: `PartitionKey eq 'budget-rate' and Running eq true`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from costplane.adapters.azure.tables import TableClient
from costplane.adapters.budget_records import RATE, Fields, Record, RecordBudgetState
from costplane.adapters.rest import RestClient, body_of
from costplane.engine.ports import Clock

PARTITION_PREFIX = "budget-"
_SYSTEM = frozenset({"PartitionKey", "RowKey", "Timestamp"})


class AzureTableBudgetRecords:
    """The budget records in the table at `table_url`."""

    def __init__(self, rest: RestClient, table_url: str, clock: Clock) -> None:
        self.table = TableClient(rest, table_url, clock)

    def read(self, kind: str, key: str) -> Record | None:
        response = self.table.call("GET", self._url(kind, key), expect=(404,))
        if response.status_code == 404:
            return None
        return Record(_fields(body_of(response)), response.headers["ETag"])

    def create(self, kind: str, key: str, fields: Fields) -> bool:
        return self.table.insert(_entity(kind, key, fields))

    def replace(self, kind: str, key: str, fields: Fields, version: str) -> bool:
        replaced = self.table.call(
            "PUT",
            self._url(kind, key),
            body=_entity(kind, key, fields),
            headers={"If-Match": version},
            expect=(404, 412),
        )
        return replaced.is_success

    def put(self, kind: str, key: str, fields: Fields) -> None:
        self.table.call("PUT", self._url(kind, key), body=_entity(kind, key, fields))

    def delete(self, kind: str, key: str) -> bool:
        url = self._url(kind, key)
        deleted = self.table.call("DELETE", url, headers={"If-Match": "*"}, expect=(404,))
        return deleted.status_code != 404

    def running(self) -> list[Fields]:
        condition = f"PartitionKey eq '{PARTITION_PREFIX}{RATE}' and Running eq true"
        return [_fields(row) for row in self.table.query(condition)]

    def _url(self, kind: str, key: str) -> str:
        return self.table.entity_url(PARTITION_PREFIX + kind, row_key(key))


def azure_budget_state(rest: RestClient, table_url: str, clock: Clock) -> RecordBudgetState:
    """RunRateStore, SignalStore and ReservationLedger in the table at `table_url`."""
    return RecordBudgetState(AzureTableBudgetRecords(rest, table_url, clock))


def row_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _entity(kind: str, key: str, fields: Fields) -> dict[str, Any]:
    return {"PartitionKey": PARTITION_PREFIX + kind, "RowKey": row_key(key), **fields}


def _fields(entity: dict[str, Any]) -> Fields:
    return {
        name: value
        for name, value in entity.items()
        if name not in _SYSTEM and not name.startswith("odata.")
    }
