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

from costplane.adapters.gcp.firestore import FIRESTORE, FirestoreClient
from costplane.adapters.records import parse_utc, utc_stamp
from costplane.adapters.rest import RestClient
from costplane.domain.decisions import Decision
from costplane.engine.ports import Clock


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
        self.firestore = FirestoreClient(rest, project=project, database=database)
        self.clock = clock
        self.claims = f"{prefix}_claims"
        self.decisions = f"{prefix}_decisions"

    def claim(self, key: str, ttl_seconds: int) -> bool:
        now = self.clock.now()
        name = self.firestore.name(self.claims, _doc_id(key))
        document = {
            "name": name,
            "fields": {
                "key": {"stringValue": key},
                "expires": {"timestampValue": utc_stamp(now + timedelta(seconds=ttl_seconds))},
            },
        }
        if self.firestore.commit(document, {"exists": False}, refusable=True):
            return True
        held = self.firestore.get(name, resource=key)
        if held is None:  # released between our commit and our read
            return self.firestore.commit(document, {"exists": False}, refusable=True)
        if parse_utc(held["fields"]["expires"]["timestampValue"]) > now:
            return False
        precondition = {"updateTime": held["updateTime"]}
        return self.firestore.commit(document, precondition, refusable=True)

    def release(self, key: str) -> None:
        name = self.firestore.name(self.claims, _doc_id(key))
        self.firestore.rest.call("DELETE", f"{FIRESTORE}/{name}", resource=key, expect=(404,))

    def append_decision(self, decision: Decision) -> None:
        document = {
            "name": self.firestore.name(self.decisions, decision.decision_id),
            "fields": {
                "decidedAt": {"timestampValue": utc_stamp(decision.decided_at)},
                "body": {"stringValue": decision.model_dump_json()},
            },
        }
        self.firestore.commit(document, {"exists": False})

    def recent_decisions(self, limit: int) -> list[Decision]:
        query = {
            "from": [{"collectionId": self.decisions}],
            "orderBy": [{"field": {"fieldPath": "decidedAt"}, "direction": "DESCENDING"}],
            "limit": limit,
        }
        found = self.firestore.run_query(query, resource=self.decisions)
        bodies = [document["fields"]["body"]["stringValue"] for document in found]
        return [Decision.model_validate_json(body) for body in reversed(bodies)]


def _doc_id(key: str) -> str:
    """Idempotency keys hold `/`, which document ids forbid; their SHA-256 does not."""
    return hashlib.sha256(key.encode()).hexdigest()
