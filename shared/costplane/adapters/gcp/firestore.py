"""Records in one Firestore collection over REST, for every store the GCP plane keeps there
(`<prefix>_claims`, `_decisions`, `_approvals`, `_budgets`).

A record is a document:

    name    <collection>/<id>: the SHA-256 of the key (keys hold `/`, which ids forbid), or the
            key itself where keys are ids we made (`hashed=False`); prefixed `<kind>-` in a
            collection several kinds share (`kinds=True`)
    fields  the fields (capitalised where `capitalised`, as the budget documents were first
            written): stringValue, booleanValue, timestampValue

Creating is a commit with the precondition `exists: false` (ALREADY_EXISTS when the document
is there); a conditional write a commit under the `updateTime` read (FAILED_PRECONDITION when
another instance wrote first); an unconditional one a commit without precondition; deleting a
DELETE with `currentDocument.exists=true` (404 when there was none). A pending record also
holds `pendingUntil` (its expiry), and Firestore leaves documents without the ordered field
out of a query, so the pending ones are one range query on a single-field index (automatic),
never a scan of decided ones; the running ones are one query, `running == true`. Decisions
are documents ordered by `decidedAt`. A Firestore TTL policy on `expires` may delete old
claims, but correctness does not depend on it. The service account needs roles/datastore.user.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from costplane.adapters.records import (
    RUNNING,
    Fields,
    Record,
    Value,
    capitalised,
    due,
    sha256_id,
    uncapitalised,
    utc_stamp,
)
from costplane.adapters.rest import CloudApiError, RestClient, body_of, error_code
from costplane.domain.decisions import Decision

FIRESTORE = "https://firestore.googleapis.com/v1"
REFUSED = frozenset({"ALREADY_EXISTS", "FAILED_PRECONDITION"})
PENDING_UNTIL = "pendingUntil"
DECIDED_AT = "decidedAt"


class FirestoreRecords:
    """Records in `collection` of `projects/{project}/databases/{database}`."""

    def __init__(
        self,
        rest: RestClient,
        collection: str,
        *,
        project: str,
        database: str = "(default)",
        hashed: bool = True,
        kinds: bool = False,
        capitalised: bool = False,
    ) -> None:
        self.rest = rest
        self.collection = collection
        self.documents = f"projects/{project}/databases/{database}/documents"
        self.hashed = hashed
        self.kinds = kinds
        self.capitalised = capitalised

    def read(self, kind: str, key: str) -> Record | None:
        response = self.rest.call("GET", self._url(kind, key), resource=key, expect=(404,))
        if response.status_code == 404:
            return None
        held = body_of(response)
        return Record(self._fields(held), held["updateTime"])

    def create(self, kind: str, key: str, fields: Fields) -> bool:
        return self._commit(self._document(kind, key, fields), {"exists": False}, refusable=True)

    def replace(self, kind: str, key: str, fields: Fields, version: str) -> bool:
        document = self._document(kind, key, fields)
        return self._commit(document, {"updateTime": version}, refusable=True)

    def put(self, kind: str, key: str, fields: Fields) -> None:
        self._commit(self._document(kind, key, fields), None)

    def delete(self, kind: str, key: str) -> bool:
        deleted = self.rest.call(
            "DELETE",
            self._url(kind, key),
            resource=key,
            params={"currentDocument.exists": "true"},
            expect=(404,),
        )
        return deleted.status_code != 404

    def pending(self, kind: str, due_by: datetime | None) -> list[Fields]:
        query: dict[str, Any] = {
            "from": [{"collectionId": self.collection}],
            "orderBy": [
                {"field": {"fieldPath": PENDING_UNTIL}, "direction": "ASCENDING"},
                {"field": {"fieldPath": "__name__"}, "direction": "ASCENDING"},
            ],
        }
        if due_by is not None:
            query["where"] = _where(PENDING_UNTIL, "LESS_THAN_OR_EQUAL", due_by)
        return [self._fields(found) for found in self._query(query)]

    def running(self, kind: str) -> list[Fields]:
        query = {
            "from": [{"collectionId": self.collection}],
            "where": _where(self._field(RUNNING), "EQUAL", True),
        }
        return [self._fields(found) for found in self._query(query)]

    def append(self, decision: Decision) -> None:
        document = {
            "name": self._name(decision.decision_id),
            "fields": {
                DECIDED_AT: _value(decision.decided_at),
                "body": _value(decision.model_dump_json()),
            },
        }
        self._commit(document, {"exists": False})

    def newest(self, limit: int, now: datetime) -> list[str]:
        query = {
            "from": [{"collectionId": self.collection}],
            "orderBy": [{"field": {"fieldPath": DECIDED_AT}, "direction": "DESCENDING"}],
            "limit": limit,
        }
        return [str(found["fields"]["body"]["stringValue"]) for found in self._query(query)]

    def _commit(
        self,
        document: dict[str, Any],
        precondition: dict[str, Any] | None,
        *,
        refusable: bool = False,
    ) -> bool:
        """Commit one write. A refused precondition is False if `refusable`, else an error."""
        write: dict[str, Any] = {"update": document}
        if precondition is not None:
            write["currentDocument"] = precondition
        name = document["name"]
        response = self.rest.call(
            "POST",
            f"{FIRESTORE}/{self.documents}:commit",
            resource=name,
            body={"writes": [write]},
            expect=(400, 409),
            missing_is_gone=False,
        )
        if response.is_success:
            return True
        if refusable and error_code(response) in REFUSED:
            return False
        raise CloudApiError(name, response)

    def _query(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """The documents a structured query finds, in its order."""
        response = self.rest.call(
            "POST",
            f"{FIRESTORE}/{self.documents}:runQuery",
            resource=self.collection,
            body={"structuredQuery": query},
            missing_is_gone=False,
        )
        results: list[dict[str, Any]] = response.json()
        return [r["document"] for r in results if "document" in r]

    def _id(self, kind: str, key: str) -> str:
        found = sha256_id(key) if self.hashed else key
        return f"{kind}-{found}" if self.kinds else found

    def _name(self, document_id: str) -> str:
        return f"{self.documents}/{self.collection}/{document_id}"

    def _url(self, kind: str, key: str) -> str:
        return f"{FIRESTORE}/{self._name(quote(self._id(kind, key), safe=''))}"

    def _field(self, name: str) -> str:
        return capitalised(name) if self.capitalised else name

    def _document(self, kind: str, key: str, fields: Fields) -> dict[str, Any]:
        values = {self._field(name): _value(value) for name, value in fields.items()}
        if (until := due(fields)) is not None:
            values[PENDING_UNTIL] = _value(until)
        return {"name": self._name(self._id(kind, key)), "fields": values}

    def _fields(self, document: dict[str, Any]) -> Fields:
        return {
            uncapitalised(name) if self.capitalised else name: _read(value)
            for name, value in document.get("fields", {}).items()
            if name != PENDING_UNTIL
        }


def _where(field: str, op: str, value: Value) -> dict[str, Any]:
    return {"fieldFilter": {"field": {"fieldPath": field}, "op": op, "value": _value(value)}}


def _value(value: Value) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, datetime):
        return {"timestampValue": utc_stamp(value)}
    return {"stringValue": value}


def _read(value: dict[str, Any]) -> Value:
    if "booleanValue" in value:
        return bool(value["booleanValue"])
    return str(value.get("stringValue", value.get("timestampValue")))
