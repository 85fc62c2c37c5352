"""ApprovalStore on Azure Table storage: requests any function instance can decide, once.

The requests live in their own partition of the plane's state table, through the signed calls
of `TableClient`. Adding is an Insert Entity (409 when the id exists). Deciding reads
the entity, refuses unless it is pending, and replaces it under the ETag it read: of two
instances deciding at once, the second gets 412 Precondition Failed and acts on nothing.
Listing the pending requests is a query on the partition filtered by status (and expiry),
sorted here, because Table storage returns rows in key order only.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from costplane.adapters.azure.tables import TableClient
from costplane.adapters.records import utc_stamp
from costplane.adapters.rest import RestClient, body_of
from costplane.approvals.model import ApprovalRequest, ApprovalStatus
from costplane.engine.ports import Clock

APPROVALS = "approval"
_PENDING = ApprovalStatus.PENDING.value


class AzureTableApprovalStore:
    """Approval requests in the `approval` partition of the table at `table_url`."""

    def __init__(self, rest: RestClient, table_url: str, clock: Clock) -> None:
        self.table_url = table_url
        self.table = TableClient(rest, table_url, clock)

    def add(self, request: ApprovalRequest) -> bool:
        return self.table.insert(_entity(request))

    def get(self, request_id: str) -> ApprovalRequest | None:
        response = self.table.call("GET", self._entity_url(request_id), expect=(404,))
        if response.status_code == 404:
            return None
        return ApprovalRequest.model_validate_json(body_of(response)["Body"])

    def settle(self, decided: ApprovalRequest) -> bool:
        url = self._entity_url(decided.id)
        current = self.table.call("GET", url, expect=(404,))
        if current.status_code == 404 or body_of(current)["Status"] != _PENDING:
            return False
        replaced = self.table.call(
            "PUT",
            url,
            body=_entity(decided),
            headers={"If-Match": current.headers["ETag"]},
            expect=(404, 412),
        )
        return replaced.is_success

    def pending(self, due_by: datetime | None = None) -> list[ApprovalRequest]:
        condition = f"PartitionKey eq '{APPROVALS}' and Status eq '{_PENDING}'"
        if due_by is not None:
            condition += f" and Expires le datetime'{utc_stamp(due_by)}'"
        rows = self.table.query(condition)
        found = [ApprovalRequest.model_validate_json(row["Body"]) for row in rows]
        return sorted(found, key=lambda request: (request.expires, request.id))

    def _entity_url(self, request_id: str) -> str:
        row = quote(request_id.replace("'", "''"), safe="")
        return self.table.entity_url(APPROVALS, row)


def _entity(request: ApprovalRequest) -> dict[str, str]:
    return {
        "PartitionKey": APPROVALS,
        "RowKey": request.id,
        "Status": request.status.value,
        "Expires": utc_stamp(request.expires),
        "Expires@odata.type": "Edm.DateTime",
        "Body": request.model_dump_json(),
    }
