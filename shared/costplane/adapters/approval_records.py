"""ApprovalStore over records: a request is added once and decided once.

Deciding reads the request, refuses unless it is pending, and writes the decided request under
the version it read: of two instances deciding at once (a duplicated callback, a click and the
expiry sweep), the second finds the version changed and acts on nothing.
"""

from __future__ import annotations

from datetime import datetime

from costplane.adapters.records import EXPIRES, PENDING, STATUS, Fields, PendingRecords
from costplane.approvals.model import ApprovalRequest

APPROVAL = "approval"
BODY = "body"


class RecordApprovalStore:
    """ApprovalStore over `records`, one record per request id."""

    def __init__(self, records: PendingRecords) -> None:
        self.records = records

    def add(self, request: ApprovalRequest) -> bool:
        return self.records.create(APPROVAL, request.id, _fields(request))

    def get(self, request_id: str) -> ApprovalRequest | None:
        held = self.records.read(APPROVAL, request_id)
        return None if held is None else _request(held.fields)

    def settle(self, decided: ApprovalRequest) -> bool:
        held = self.records.read(APPROVAL, decided.id)
        if held is None or held.fields[STATUS] != PENDING:
            return False
        return self.records.replace(APPROVAL, decided.id, _fields(decided), held.version)

    def reopen(self, decided: ApprovalRequest, pending: ApprovalRequest) -> bool:
        held = self.records.read(APPROVAL, decided.id)
        if held is None or held.fields[STATUS] != decided.status.value:
            return False
        return self.records.replace(APPROVAL, decided.id, _fields(pending), held.version)

    def pending(self, due_by: datetime | None = None) -> list[ApprovalRequest]:
        found = [_request(fields) for fields in self.records.pending(APPROVAL, due_by)]
        return sorted(found, key=lambda request: (request.expires, request.id))


def _fields(request: ApprovalRequest) -> Fields:
    return {STATUS: request.status.value, EXPIRES: request.expires, BODY: request.model_dump_json()}


def _request(fields: Fields) -> ApprovalRequest:
    return ApprovalRequest.model_validate_json(str(fields[BODY]))
