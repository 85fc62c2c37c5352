"""The approval store in Firestore: created once, decided once under the updateTime read,
pending by a sparse `pendingUntil` field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from costplane.adapters.approval_records import RecordApprovalStore
from costplane.adapters.gcp.firestore import FirestoreRecords
from costplane.adapters.rest import RestClient, StaticToken
from costplane.approvals.model import ApprovalRequest, ApprovalStatus
from costplane.approvals.ports import ApprovalStore
from tests.integration.azure_adapters.http_script import TOKEN, Exchange, Script, http, rest
from tests.integration.gcp_adapters.fake_google import FakeGoogle
from tests.integration.gcp_adapters.gcp_support import PROJECT, google_error
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import pending_request

V1 = "https://firestore.googleapis.com/v1"
DOCUMENTS = f"projects/{PROJECT}/databases/(default)/documents"
COMMIT = f"{V1}/{DOCUMENTS}:commit"
RUN_QUERY = f"{V1}/{DOCUMENTS}:runQuery"
NAME = f"{DOCUMENTS}/costplane_approvals/req-1"
UPDATE_TIME = "2026-11-27T11:00:00.123456Z"
COMMITTED = {"writeResults": [{"updateTime": NOW.isoformat()}], "commitTime": NOW.isoformat()}
ORDER = [
    {"field": {"fieldPath": "pendingUntil"}, "direction": "ASCENDING"},
    {"field": {"fieldPath": "__name__"}, "direction": "ASCENDING"},
]


def store(script: Script) -> RecordApprovalStore:
    return approvals(rest(script))


def approvals(client: RestClient) -> RecordApprovalStore:
    return RecordApprovalStore(
        FirestoreRecords(client, "costplane_approvals", project=PROJECT, hashed=False)
    )


def stamp(request: ApprovalRequest) -> str:
    return request.expires.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def document(request: ApprovalRequest) -> dict[str, Any]:
    fields = {
        "status": {"stringValue": request.status.value},
        "expires": {"timestampValue": stamp(request)},
        "body": {"stringValue": request.model_dump_json()},
    }
    if request.status is ApprovalStatus.PENDING:
        fields["pendingUntil"] = {"timestampValue": stamp(request)}
    name = f"{DOCUMENTS}/costplane_approvals/{request.id}"
    return {"name": name, "fields": fields}


def stored(request: ApprovalRequest) -> dict[str, Any]:
    return {**document(request), "createTime": UPDATE_TIME, "updateTime": UPDATE_TIME}


def commit(
    request: ApprovalRequest, precondition: dict[str, Any], status: int = 200, reply: Any = None
) -> Exchange:
    body = {"writes": [{"update": document(request), "currentDocument": precondition}]}
    return Exchange("POST", COMMIT, body=body, status=status, reply=reply or COMMITTED)


def read(request: ApprovalRequest) -> Exchange:
    return Exchange("GET", f"{V1}/{NAME}", reply=stored(request))


def decided(by: str, status: ApprovalStatus = ApprovalStatus.APPROVED) -> ApprovalRequest:
    return pending_request(status=status, decided_by=by, decided_at=NOW)


def test_the_store_is_an_approval_store() -> None:
    assert isinstance(store(Script()), ApprovalStore)


def test_a_new_request_is_created_only_if_absent() -> None:
    request = pending_request()
    script = Script(commit(request, {"exists": False}))
    assert store(script).add(request) is True
    assert script.done


def test_a_second_request_with_the_same_id_is_refused() -> None:
    request = pending_request()
    exists = google_error(409, f"Document already exists: {NAME}", "ALREADY_EXISTS")
    script = Script(commit(request, {"exists": False}, 409, exists))
    assert store(script).add(request) is False


def test_a_request_reads_back_as_stored() -> None:
    request = pending_request()
    assert store(Script(read(request))).get("req-1") == request


def test_an_unknown_request_reads_as_none() -> None:
    missing = google_error(404, f"Document not found: {NAME}", "NOT_FOUND")
    script = Script(Exchange("GET", f"{V1}/{NAME}", status=404, reply=missing))
    assert store(script).get("req-1") is None


def test_an_id_is_quoted_into_the_document_url() -> None:
    url = f"{V1}/{DOCUMENTS}/costplane_approvals/a%2F..%2Fb"
    script = Script(Exchange("GET", url, status=404))
    assert store(script).get("a/../b") is None


def test_settling_commits_the_decided_request_under_the_update_time_read() -> None:
    script = Script(read(pending_request()), commit(decided("U1"), {"updateTime": UPDATE_TIME}))
    assert store(script).settle(decided("U1")) is True
    assert script.done


def test_a_request_decided_already_is_not_settled_again() -> None:
    script = Script(read(decided("U1")))
    assert store(script).settle(decided("U2", ApprovalStatus.DENIED)) is False
    assert script.done


def test_a_request_decided_by_another_instance_after_our_read_is_not_settled() -> None:
    lost = google_error(400, "the stored version does not match", "FAILED_PRECONDITION")
    script = Script(
        read(pending_request()), commit(decided("U1"), {"updateTime": UPDATE_TIME}, 400, lost)
    )
    assert store(script).settle(decided("U1")) is False
    assert script.done


def test_an_unknown_request_cannot_be_settled() -> None:
    script = Script(Exchange("GET", f"{V1}/{NAME}", status=404))
    assert store(script).settle(decided("U1")) is False


def test_a_duplicated_callback_acts_once_across_instances() -> None:
    google = FakeGoogle(TOKEN)

    def instance() -> RecordApprovalStore:
        return approvals(RestClient(http(google), StaticToken(TOKEN)))

    opener, first, second = instance(), instance(), instance()
    assert opener.add(pending_request())
    assert first.settle(decided("U1"))
    assert not second.settle(decided("U1"))
    assert second.get("req-1") == decided("U1")
    assert google.problems == []


def query(where: dict[str, Any] | None = None) -> dict[str, Any]:
    structured: dict[str, Any] = {"from": [{"collectionId": "costplane_approvals"}]}
    structured["orderBy"] = ORDER
    if where is not None:
        structured["where"] = where
    return {"structuredQuery": structured}


def test_pending_requests_are_one_query_ordered_by_expiry() -> None:
    soon = pending_request("soon", expires=NOW + timedelta(hours=1))
    late = pending_request("late", expires=NOW + timedelta(hours=8))
    reply = [
        {"document": stored(soon), "readTime": UPDATE_TIME},
        {"document": stored(late), "readTime": UPDATE_TIME},
    ]
    script = Script(Exchange("POST", RUN_QUERY, body=query(), reply=reply))
    assert store(script).pending() == [soon, late]


def test_pending_due_by_filters_on_the_expiry() -> None:
    due = {
        "fieldFilter": {
            "field": {"fieldPath": "pendingUntil"},
            "op": "LESS_THAN_OR_EQUAL",
            "value": {"timestampValue": "2026-11-27T14:00:00.000000Z"},
        }
    }
    reply = [{"readTime": UPDATE_TIME}]
    script = Script(Exchange("POST", RUN_QUERY, body=query(due), reply=reply))
    assert store(script).pending(NOW + timedelta(hours=2)) == []
    assert script.done
