"""Calls to one Firestore database over REST, shared by the stores kept in it.

Writes are commits guarded by a precondition: `exists: false` (ALREADY_EXISTS when the
document is there) or the `updateTime` read (FAILED_PRECONDITION when it changed since), which
is how every store here stays correct across function instances.
"""

from __future__ import annotations

from typing import Any

from costplane.adapters.rest import CloudApiError, RestClient, body_of, error_code

FIRESTORE = "https://firestore.googleapis.com/v1"
REFUSED = frozenset({"ALREADY_EXISTS", "FAILED_PRECONDITION"})


class FirestoreClient:
    """The documents of `projects/{project}/databases/{database}`."""

    def __init__(self, rest: RestClient, *, project: str, database: str = "(default)") -> None:
        self.rest = rest
        self.documents = f"projects/{project}/databases/{database}/documents"

    def name(self, collection: str, document_id: str) -> str:
        return f"{self.documents}/{collection}/{document_id}"

    def get(self, name: str, *, resource: str) -> dict[str, Any] | None:
        """The document at `name` (already URL-escaped), with its `updateTime`; None if absent."""
        response = self.rest.call("GET", f"{FIRESTORE}/{name}", resource=resource, expect=(404,))
        return None if response.status_code == 404 else body_of(response)

    def commit(
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
        url = f"{FIRESTORE}/{self.documents}:commit"
        name = document["name"]
        response = self.rest.call(
            "POST",
            url,
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

    def run_query(self, query: dict[str, Any], *, resource: str) -> list[dict[str, Any]]:
        """The documents a structured query finds, in its order."""
        url = f"{FIRESTORE}/{self.documents}:runQuery"
        response = self.rest.call(
            "POST", url, resource=resource, body={"structuredQuery": query}, missing_is_gone=False
        )
        results: list[dict[str, Any]] = response.json()
        return [r["document"] for r in results if "document" in r]
