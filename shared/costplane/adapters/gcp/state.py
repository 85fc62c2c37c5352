"""StateStore on Firestore (REST): idempotency claims and the decisions audit log.

A claim is a commit of one write with the precondition `exists: false`: Firestore answers 409
ALREADY_EXISTS when the document is there, which makes the claim atomic across instances. An
expired claim is taken over with the precondition `updateTime` of the document we read, so two
racing deliveries cannot both win. A Firestore TTL policy on `expires` may delete old claims,
but correctness does not depend on it. Decisions are documents ordered by `decidedAt` (a
single-field index, automatic). The service account needs roles/datastore.user.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from costplane.adapters.rest import (
    CloudApiError,
    RestClient,
    body_of,
    error_code,
    parse_utc,
    utc_stamp,
)
from costplane.domain.decisions import Decision
from costplane.ports import Clock

FIRESTORE = "https://firestore.googleapis.com/v1"
REFUSED = frozenset({"ALREADY_EXISTS", "FAILED_PRECONDITION"})


class FirestoreStateStore:
    """Claims in `<prefix>_claims`, decisions in `<prefix>_decisions`."""

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
        self.clock = clock
        self.documents = f"projects/{project}/databases/{database}/documents"
        self.claims = f"{prefix}_claims"
        self.decisions = f"{prefix}_decisions"

    def claim(self, key: str, ttl_seconds: int) -> bool:
        now = self.clock.now()
        document = {
            "name": f"{self.documents}/{self.claims}/{_doc_id(key)}",
            "fields": {
                "key": {"stringValue": key},
                "expires": {"timestampValue": utc_stamp(now + timedelta(seconds=ttl_seconds))},
            },
        }
        if self._commit(document, {"exists": False}, refusable=True):
            return True
        current = self.rest.call(
            "GET", f"{FIRESTORE}/{document['name']}", resource=key, expect=(404,)
        )
        if current.status_code == 404:  # released between our commit and our read
            return self._commit(document, {"exists": False}, refusable=True)
        held = body_of(current)
        if parse_utc(held["fields"]["expires"]["timestampValue"]) > now:
            return False
        precondition = {"updateTime": held["updateTime"]}
        return self._commit(document, precondition, refusable=True)

    def release(self, key: str) -> None:
        name = f"{self.documents}/{self.claims}/{_doc_id(key)}"
        self.rest.call("DELETE", f"{FIRESTORE}/{name}", resource=key, expect=(404,))

    def append_decision(self, decision: Decision) -> None:
        document = {
            "name": f"{self.documents}/{self.decisions}/{decision.decision_id}",
            "fields": {
                "decidedAt": {"timestampValue": utc_stamp(decision.decided_at)},
                "body": {"stringValue": decision.model_dump_json()},
            },
        }
        self._commit(document, {"exists": False})

    def recent_decisions(self, limit: int) -> list[Decision]:
        query = {
            "structuredQuery": {
                "from": [{"collectionId": self.decisions}],
                "orderBy": [{"field": {"fieldPath": "decidedAt"}, "direction": "DESCENDING"}],
                "limit": limit,
            }
        }
        url = f"{FIRESTORE}/{self.documents}:runQuery"
        response = self.rest.call(
            "POST", url, resource=self.decisions, body=query, missing_is_gone=False
        )
        results: list[dict[str, Any]] = response.json()
        bodies = [
            r["document"]["fields"]["body"]["stringValue"] for r in results if "document" in r
        ]
        return [Decision.model_validate_json(body) for body in reversed(bodies)]

    def _commit(
        self, document: dict[str, Any], precondition: dict[str, Any], *, refusable: bool = False
    ) -> bool:
        """Commit one write. A refused precondition is False if `refusable`, else an error."""
        body = {"writes": [{"update": document, "currentDocument": precondition}]}
        url = f"{FIRESTORE}/{self.documents}:commit"
        name = document["name"]
        response = self.rest.call(
            "POST", url, resource=name, body=body, expect=(400, 409), missing_is_gone=False
        )
        if response.is_success:
            return True
        if refusable and error_code(response) in REFUSED:
            return False
        raise CloudApiError(name, response)


def _doc_id(key: str) -> str:
    """Idempotency keys hold `/`, which document ids forbid; their SHA-256 does not."""
    return hashlib.sha256(key.encode()).hexdigest()
