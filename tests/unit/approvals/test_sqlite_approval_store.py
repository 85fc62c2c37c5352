"""The SQLite approval store: a request is stored once and decided once, across threads and
processes; pending requests list soonest expiry first."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from costplane.adapters.local.approvals_store import SqliteApprovalStore
from costplane.approvals.model import ApprovalStatus
from costplane.approvals.ports import ApprovalStore
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import pending_request


def decided(request_id: str, by: str):
    return pending_request(
        request_id, status=ApprovalStatus.APPROVED, decided_by=by, decided_at=NOW
    )


def test_the_store_is_an_approval_store():
    assert isinstance(SqliteApprovalStore(":memory:"), ApprovalStore)


def test_a_request_reads_back_as_stored():
    store = SqliteApprovalStore(":memory:")
    request = pending_request()
    assert store.add(request)
    assert store.get(request.id) == request


def test_a_second_request_with_the_same_id_is_refused():
    store = SqliteApprovalStore(":memory:")
    store.add(pending_request())
    assert not store.add(pending_request(on_expiry="approve"))
    assert store.get("req-1").on_expiry == "deny"


def test_an_unknown_request_reads_as_none():
    assert SqliteApprovalStore(":memory:").get("nope") is None


def test_a_pending_request_is_settled_once():
    store = SqliteApprovalStore(":memory:")
    store.add(pending_request())

    assert store.settle(decided("req-1", "U1"))
    assert not store.settle(decided("req-1", "U2"))
    assert store.get("req-1").decided_by == "U1"


def test_pending_lists_soonest_expiry_first_and_omits_decided_requests():
    store = SqliteApprovalStore(":memory:")
    store.add(pending_request("late", expires=NOW + timedelta(hours=8)))
    store.add(pending_request("soon", expires=NOW + timedelta(hours=1)))
    store.add(pending_request("done"))
    store.settle(decided("done", "U1"))

    assert [r.id for r in store.pending()] == ["soon", "late"]


def test_pending_due_by_lists_only_requests_expiring_by_then():
    store = SqliteApprovalStore(":memory:")
    store.add(pending_request("late", expires=NOW + timedelta(hours=8)))
    store.add(pending_request("soon", expires=NOW + timedelta(hours=1)))

    assert [r.id for r in store.pending(due_by=NOW + timedelta(hours=1))] == ["soon"]


def test_concurrent_threads_settle_a_request_exactly_once(tmp_path: Path):
    store = SqliteApprovalStore(tmp_path / "state.db")
    store.add(pending_request())
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda n: store.settle(decided("req-1", f"U{n}")), range(64)))
    assert wins.count(True) == 1


def _settle_in_process(arguments: tuple[str, int]) -> bool:
    path, n = arguments
    return SqliteApprovalStore(path).settle(decided("req-1", f"U{n}"))


def test_concurrent_processes_settle_a_request_exactly_once(tmp_path: Path):
    path = str(tmp_path / "state.db")
    SqliteApprovalStore(path).add(pending_request())
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        wins = pool.map(_settle_in_process, [(path, n) for n in range(16)])
    assert wins.count(True) == 1
    assert SqliteApprovalStore(path).get("req-1").status is ApprovalStatus.APPROVED
