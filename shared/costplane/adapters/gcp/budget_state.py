"""Budget state (run rates, signals, reservations) in the GCP plane's Firestore.

The records of costplane.adapters.budget_records are documents of `<prefix>_budgets`:

    name     <prefix>_budgets/<kind>-<SHA-256 of the record's key>  (keys hold `/`)
    fields   the record's fields: stringValue, and Running as booleanValue

Creating is a commit with the precondition `exists: false` (ALREADY_EXISTS when the document
is there); a conditional write is a commit under the `updateTime` read (FAILED_PRECONDITION
when another instance wrote first); an unconditional one is a commit without precondition.
Deleting is a DELETE with `currentDocument.exists=true` (404 when there was none). The running
resources are one query, `Running == true`: only `rate` documents have the field, and a
single-field index (automatic) serves it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from costplane.adapters.budget_records import Fields, Record, RecordBudgetState
from costplane.adapters.gcp.firestore import FIRESTORE, FirestoreClient
from costplane.adapters.rest import RestClient


class FirestoreBudgetRecords:
    """The budget records in `<prefix>_budgets`."""

    def __init__(
        self,
        rest: RestClient,
        *,
        project: str,
        database: str = "(default)",
        prefix: str = "costplane",
    ) -> None:
        self.firestore = FirestoreClient(rest, project=project, database=database)
        self.budgets = f"{prefix}_budgets"

    def read(self, kind: str, key: str) -> Record | None:
        held = self.firestore.get(self._name(kind, key), resource=key)
        if held is None:
            return None
        return Record(_fields(held.get("fields", {})), held["updateTime"])

    def create(self, kind: str, key: str, fields: Fields) -> bool:
        return self.firestore.commit(
            self._document(kind, key, fields), {"exists": False}, refusable=True
        )

    def replace(self, kind: str, key: str, fields: Fields, version: str) -> bool:
        precondition = {"updateTime": version}
        return self.firestore.commit(
            self._document(kind, key, fields), precondition, refusable=True
        )

    def put(self, kind: str, key: str, fields: Fields) -> None:
        self.firestore.commit(self._document(kind, key, fields), None)

    def delete(self, kind: str, key: str) -> bool:
        deleted = self.firestore.rest.call(
            "DELETE",
            f"{FIRESTORE}/{self._name(kind, key)}",
            resource=key,
            params={"currentDocument.exists": "true"},
            expect=(404,),
        )
        return deleted.status_code != 404

    def running(self) -> list[Fields]:
        query = {
            "from": [{"collectionId": self.budgets}],
            "where": {
                "fieldFilter": {
                    "field": {"fieldPath": "Running"},
                    "op": "EQUAL",
                    "value": {"booleanValue": True},
                }
            },
        }
        found = self.firestore.run_query(query, resource=self.budgets)
        return [_fields(document.get("fields", {})) for document in found]

    def _name(self, kind: str, key: str) -> str:
        return self.firestore.name(
            self.budgets, f"{kind}-{hashlib.sha256(key.encode()).hexdigest()}"
        )

    def _document(self, kind: str, key: str, fields: Fields) -> dict[str, Any]:
        return {"name": self._name(kind, key), "fields": {n: _value(v) for n, v in fields.items()}}


def firestore_budget_state(
    rest: RestClient, *, project: str, database: str = "(default)", prefix: str = "costplane"
) -> RecordBudgetState:
    """RunRateStore, SignalStore and ReservationLedger in `<prefix>_budgets`."""
    records = FirestoreBudgetRecords(rest, project=project, database=database, prefix=prefix)
    return RecordBudgetState(records)


def _value(value: str | bool) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"booleanValue": value}
    return {"stringValue": value}


def _fields(fields: dict[str, Any]) -> Fields:
    return {
        name: value["booleanValue"] if "booleanValue" in value else str(value["stringValue"])
        for name, value in fields.items()
    }
