"""ApprovalStore on Firestore (REST): requests any function instance can decide, once.

Requests are documents of `<prefix>_approvals`, written with the commits of `state.py`. Adding
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

from costplane.adapters.gcp.state import FIRESTORE, FirestoreStateStore
from costplane.adapters.rest import RestClient, body_of, utc_stamp
from costplane.approvals.model import ApprovalRequest, ApprovalStatus
from costplane.ports import Clock

_PENDING = ApprovalStatus.PENDING.value
PENDING_UNTIL = "pendingUntil"


class FirestoreApprovalStore:
    """Approval requests in `<prefix>_approvals`, one document per request id."""

    def __init__(
        self,
        rest: RestClient,
        clock: Clock,
        *,
        project: str,
        database: str = "(default)",
        prefix: str = "costplane",
    ) -> None:
        self.rest = rest
        self._state = FirestoreStateStore(
            rest, clock, project=project, database=database, prefix=prefix
        )
        self.approvals = f"{prefix}_approvals"

    def add(self, request: ApprovalRequest) -> bool:
        return self._state._commit(self._document(request), {"exists": False}, refusable=True)

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
        return self._state._commit(self._document(decided), precondition, refusable=True)

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
        url = f"{FIRESTORE}/{self._state.documents}:runQuery"
        response = self.rest.call(
            "POST",
            url,
            resource=self.approvals,
            body={"structuredQuery": query},
            missing_is_gone=False,
        )
        results: list[dict[str, Any]] = response.json()
        return [
            ApprovalRequest.model_validate_json(r["document"]["fields"]["body"]["stringValue"])
            for r in results
            if "document" in r
        ]

    def _read(self, request_id: str) -> dict[str, Any] | None:
        url = f"{FIRESTORE}/{self._state.documents}/{self.approvals}/{quote(request_id, safe='')}"
        response = self.rest.call("GET", url, resource=request_id, expect=(404,))
        return None if response.status_code == 404 else body_of(response)

    def _name(self, request_id: str) -> str:
        return f"{self._state.documents}/{self.approvals}/{request_id}"

    def _document(self, request: ApprovalRequest) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "status": {"stringValue": request.status.value},
            "expires": {"timestampValue": utc_stamp(request.expires)},
            "body": {"stringValue": request.model_dump_json()},
        }
        if request.status is ApprovalStatus.PENDING:
            fields[PENDING_UNTIL] = {"timestampValue": utc_stamp(request.expires)}
        return {"name": self._name(request.id), "fields": fields}
