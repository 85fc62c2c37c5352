"""The approval store in DynamoDB (the moto server): stored once, decided once by a conditional
write (also under concurrent callbacks), pending requests listed from a sparse index."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from costplane.adapters.approval_records import RecordApprovalStore
from costplane.adapters.aws import clients
from costplane.adapters.aws.dynamodb import DynamoDbRecords
from costplane.approvals.model import ApprovalStatus
from costplane.approvals.ports import ApprovalStore
from tests.integration.approvals.approvals_tables import create_approvals_table
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import pending_request


@pytest.fixture
def store(aws_env: str) -> RecordApprovalStore:
    clients.reset()
    return RecordApprovalStore(DynamoDbRecords(create_approvals_table(aws_env)))


def decided(request_id: str, by: str, status=ApprovalStatus.APPROVED):
    return pending_request(request_id, status=status, decided_by=by, decided_at=NOW)


def test_the_store_is_an_approval_store(store):
    assert isinstance(store, ApprovalStore)


def test_a_request_reads_back_as_stored(store):
    request = pending_request()
    assert store.add(request)
    assert store.get(request.id) == request


def test_a_second_request_with_the_same_id_is_refused(store):
    store.add(pending_request())
    assert not store.add(pending_request(on_expiry="approve"))
    assert store.get("req-1").on_expiry == "deny"


def test_an_unknown_request_reads_as_none(store):
    assert store.get("nope") is None


def test_a_pending_request_is_settled_once(store):
    store.add(pending_request())

    assert store.settle(decided("req-1", "U1"))
    assert not store.settle(decided("req-1", "U2", ApprovalStatus.DENIED))
    assert store.get("req-1") == decided("req-1", "U1")


def test_an_unknown_request_cannot_be_settled(store):
    assert not store.settle(decided("never-stored", "U1"))
    assert store.get("never-stored") is None


def test_concurrent_callbacks_settle_a_request_exactly_once(store):
    store.add(pending_request())
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda n: store.settle(decided("req-1", f"U{n}")), range(24)))
    assert wins.count(True) == 1


def test_pending_lists_soonest_expiry_first_and_omits_decided_requests(store):
    store.add(pending_request("late", expires=NOW + timedelta(hours=8)))
    store.add(pending_request("soon", expires=NOW + timedelta(hours=1)))
    store.add(pending_request("done"))
    store.settle(decided("done", "U1"))

    assert [r.id for r in store.pending()] == ["soon", "late"]


def test_pending_due_by_lists_only_requests_expiring_by_then(store):
    store.add(pending_request("late", expires=NOW + timedelta(hours=8)))
    store.add(pending_request("soon", expires=NOW + timedelta(hours=1)))

    assert [r.id for r in store.pending(due_by=NOW + timedelta(hours=1))] == ["soon"]


def test_a_decided_request_leaves_the_pending_index(store, aws_env):
    import boto3

    store.add(pending_request())
    store.settle(decided("req-1", "U1"))

    item = boto3.client("dynamodb", endpoint_url=aws_env).get_item(
        TableName="approvals", Key={"id": {"S": "req-1"}}
    )["Item"]
    assert "queue" not in item
    assert item["status"] == {"S": "approved"}
