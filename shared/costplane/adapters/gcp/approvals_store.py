"""ApprovalStore on Firestore (REST): requests any function instance can decide, once.

Requests are documents of `<prefix>_approvals`, written with `FirestoreClient` commits. Adding
is a commit with the precondition `exists: false` (ALREADY_EXISTS when the id exists).
Deciding reads the document, refuses unless it is pending, and commits under the `updateTime`
it read: of two instances deciding at once, the second gets FAILED_PRECONDITION and acts on
nothing. `pendingUntil` (the expiry) is written only while a request is pending, and Firestore
leaves documents without the ordered field out of a query, so listing the pending requests is
one range query on a single-field index (automatic), never a scan of decided ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from costplane.adapters.gcp.firestore import FirestoreClient
from costplane.adapters.records import utc_stamp
from costplane.adapters.rest import RestClient
from costplane.approvals.model import ApprovalRequest, ApprovalStatus

_PENDING = ApprovalStatus.PENDING.value
PENDING_UNTIL = "pendingUntil"


class FirestoreApprovalStore:
    """Approval requests in `<prefix>_approvals`, one document per request id."""

    def __init__(
        self,
        rest: RestClient,
        *,
        project: str,
        database: str = "(default)",
        prefix: str = "costplane",
    ) -> None:
        self.firestore = FirestoreClient(rest, project=project, database=database)
        self.approvals = f"{prefix}_approvals"

    def add(self, request: ApprovalRequest) -> bool:
        return self.firestore.commit(self._document(request), {"exists": False}, refusable=True)

    def get(self, request_id: str) -> ApprovalRequest | None:
        held = self._read(request_id)
        if held is None:
            return None
        return ApprovalRequest.model_validate_json(held["fields"]["body"]["stringValue"])

    def settle(self, decided: ApprovalRequest) -> bool:
        held = self._read(decided.id)
        if held is None or held["fields"]["status"]["stringValue"] != _PENDING:
            return False
        precondition = {"updateTime": held["updateTime"]}
        return self.firestore.commit(self._document(decided), precondition, refusable=True)

    def pending(self, due_by: datetime | None = None) -> list[ApprovalRequest]:
        query: dict[str, Any] = {
            "from": [{"collectionId": self.approvals}],
            "orderBy": [
                {"field": {"fieldPath": PENDING_UNTIL}, "direction": "ASCENDING"},
                {"field": {"fieldPath": "__name__"}, "direction": "ASCENDING"},
            ],
        }
        if due_by is not None:
            query["where"] = {
                "fieldFilter": {
                    "field": {"fieldPath": PENDING_UNTIL},
                    "op": "LESS_THAN_OR_EQUAL",
                    "value": {"timestampValue": utc_stamp(due_by)},
                }
            }
        found = self.firestore.run_query(query, resource=self.approvals)
        return [
            ApprovalRequest.model_validate_json(document["fields"]["body"]["stringValue"])
            for document in found
        ]

    def _read(self, request_id: str) -> dict[str, Any] | None:
        name = self.firestore.name(self.approvals, quote(request_id, safe=""))
        return self.firestore.get(name, resource=request_id)

    def _name(self, request_id: str) -> str:
        return self.firestore.name(self.approvals, request_id)

    def _document(self, request: ApprovalRequest) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "status": {"stringValue": request.status.value},
            "expires": {"timestampValue": utc_stamp(request.expires)},
            "body": {"stringValue": request.model_dump_json()},
        }
        if request.status is ApprovalStatus.PENDING:
            fields[PENDING_UNTIL] = {"timestampValue": utc_stamp(request.expires)}
        return {"name": self._name(request.id), "fields": fields}
