"""The state store in Firestore: claims are commits guarded by preconditions, decisions a query
away."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from costplane.adapters.gcp.firestore import FirestoreRecords
from costplane.adapters.rest import CloudApiError
from costplane.adapters.state_records import RecordStateStore
from costplane.domain.decisions import Decision, Outcome
from tests.integration.azure_adapters.http_script import Exchange, Script, rest
from tests.integration.gcp_adapters.gcp_support import PROJECT, google_error
from tests.support.tagging import FixedClock

DOCUMENTS = f"projects/{PROJECT}/databases/(default)/documents"
V1 = "https://firestore.googleapis.com/v1"
COMMIT = f"{V1}/{DOCUMENTS}:commit"
KEY = "gcp:2b7c1f0e5a9d:projects/p/zones/z/instances/vm-build-01"
CLAIM_NAME = f"{DOCUMENTS}/costplane_claims/{hashlib.sha256(KEY.encode()).hexdigest()}"
CLAIM_DOC = {
    "name": CLAIM_NAME,
    "fields": {
        "key": {"stringValue": KEY},
        "expires": {"timestampValue": "2026-11-27T13:00:00.000000Z"},
    },
}
COMMITTED = {
    "writeResults": [{"updateTime": "2026-11-27T12:00:00.123456Z"}],
    "commitTime": "2026-11-27T12:00:00.123456Z",
}
EXISTS = google_error(409, f"Document already exists: {CLAIM_NAME}", "ALREADY_EXISTS")


def store(script: Script) -> RecordStateStore:
    claims, decisions = (
        FirestoreRecords(rest(script), collection, project=PROJECT)
        for collection in ("costplane_claims", "costplane_decisions")
    )
    return RecordStateStore(claims, decisions, FixedClock())


def commit(precondition: dict[str, Any], status: int = 200, reply: Any = COMMITTED) -> Exchange:
    body = {"writes": [{"update": CLAIM_DOC, "currentDocument": precondition}]}
    return Exchange("POST", COMMIT, body=body, status=status, reply=reply)


def held_claim(expires: str) -> Exchange:
    document = {
        "name": CLAIM_NAME,
        "fields": {"key": {"stringValue": KEY}, "expires": {"timestampValue": expires}},
        "createTime": "2026-11-20T10:00:00.123456Z",
        "updateTime": "2026-11-20T10:00:00.123456Z",
    }
    return Exchange("GET", f"{V1}/{CLAIM_NAME}", reply=document)


def test_a_first_claim_creates_the_document_only_if_absent() -> None:
    script = Script(commit({"exists": False}))
    assert store(script).claim(KEY, 3600) is True
    assert script.done


def test_a_live_claim_is_refused() -> None:
    script = Script(
        commit({"exists": False}, 409, EXISTS), held_claim("2026-11-27T12:30:00.000000001Z")
    )
    assert store(script).claim(KEY, 3600) is False
    assert script.done


def test_an_expired_claim_is_taken_over_under_its_update_time() -> None:
    script = Script(
        commit({"exists": False}, 409, EXISTS),
        held_claim("2026-11-27T11:00:00Z"),
        commit({"updateTime": "2026-11-20T10:00:00.123456Z"}),
    )
    assert store(script).claim(KEY, 3600) is True
    assert script.done


def test_an_expired_claim_taken_over_by_another_delivery_first_is_refused() -> None:
    stale = google_error(400, "the stored version does not match", "FAILED_PRECONDITION")
    script = Script(
        commit({"exists": False}, 409, EXISTS),
        held_claim("2026-11-27T11:00:00Z"),
        commit({"updateTime": "2026-11-20T10:00:00.123456Z"}, 400, stale),
    )
    assert store(script).claim(KEY, 3600) is False


def test_a_malformed_commit_is_an_error_not_a_refusal() -> None:
    invalid = google_error(400, "Invalid JSON payload received.", "INVALID_ARGUMENT")
    script = Script(commit({"exists": False}, 400, invalid))
    with pytest.raises(CloudApiError, match="HTTP 400 INVALID_ARGUMENT"):
        store(script).claim(KEY, 3600)


def test_a_missing_database_is_an_error_not_a_vanished_resource() -> None:
    missing = google_error(404, "The database (default) does not exist", "NOT_FOUND")
    script = Script(commit({"exists": False}, 404, missing))
    with pytest.raises(CloudApiError, match="HTTP 404 NOT_FOUND"):
        store(script).claim(KEY, 3600)


def test_release_deletes_the_claim_document() -> None:
    url = f"{V1}/{CLAIM_NAME}?currentDocument.exists=true"
    script = Script(Exchange("DELETE", url, reply={}))
    store(script).release(KEY)
    assert script.done


def test_releasing_a_claim_that_is_not_there_is_fine() -> None:
    url = f"{V1}/{CLAIM_NAME}?currentDocument.exists=true"
    missing = google_error(404, "No document to update", "NOT_FOUND")
    script = Script(Exchange("DELETE", url, status=404, reply=missing))
    store(script).release(KEY)
    assert script.done


def decision(decision_id: str, at: datetime) -> Decision:
    return Decision(
        decision_id=decision_id, policy="tagging", outcome=Outcome.VIOLATION, decided_at=at
    )


def decision_document(item: Decision) -> dict[str, Any]:
    return {
        "name": f"{DOCUMENTS}/costplane_decisions/{item.decision_id}",
        "fields": {
            "decidedAt": {"timestampValue": item.decided_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
            "body": {"stringValue": item.model_dump_json()},
        },
    }


def test_a_decision_is_created_and_never_overwrites_another() -> None:
    item = decision("c" * 32, datetime(2026, 11, 27, 12, tzinfo=UTC))
    body = {"writes": [{"update": decision_document(item), "currentDocument": {"exists": False}}]}
    script = Script(Exchange("POST", COMMIT, body=body, reply=COMMITTED))
    store(script).append_decision(item)
    assert script.done


def run_query(limit: int, reply: list[dict[str, Any]]) -> Exchange:
    query = {
        "structuredQuery": {
            "from": [{"collectionId": "costplane_decisions"}],
            "orderBy": [{"field": {"fieldPath": "decidedAt"}, "direction": "DESCENDING"}],
            "limit": limit,
        }
    }
    return Exchange("POST", f"{V1}/{DOCUMENTS}:runQuery", body=query, reply=reply)


def test_recent_decisions_are_queried_newest_first_and_returned_oldest_first() -> None:
    first = decision("a" * 32, datetime(2026, 11, 27, 11, tzinfo=UTC))
    second = decision("b" * 32, datetime(2026, 11, 27, 12, tzinfo=UTC))
    script = Script(
        run_query(
            2,
            [
                {"document": decision_document(second), "readTime": "2026-11-27T12:00:01Z"},
                {"document": decision_document(first), "readTime": "2026-11-27T12:00:01Z"},
            ],
        )
    )
    assert store(script).recent_decisions(2) == [first, second]


def test_no_decisions_yet_is_an_empty_list() -> None:
    script = Script(run_query(5, [{"readTime": "2026-11-27T12:00:01Z"}]))
    assert store(script).recent_decisions(5) == []
