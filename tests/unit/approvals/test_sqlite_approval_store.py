"""The SQLite approval store: a request is stored once and decided once, across threads and
processes; pending requests list soonest expiry first."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from costplane.approvals.model import ApprovalStatus
from costplane.approvals.ports import ApprovalStore
from tests.support.stores import sqlite_approvals
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import pending_request


def decided(request_id: str, by: str):
    return pending_request(
        request_id, status=ApprovalStatus.APPROVED, decided_by=by, decided_at=NOW
    )


def test_the_store_is_an_approval_store():
    assert isinstance(sqlite_approvals(":memory:"), ApprovalStore)


def test_a_request_reads_back_as_stored():
    store = sqlite_approvals(":memory:")
    request = pending_request()
    assert store.add(request)
    assert store.get(request.id) == request


def test_a_second_request_with_the_same_id_is_refused():
    store = sqlite_approvals(":memory:")
    store.add(pending_request())
    assert not store.add(pending_request(on_expiry="approve"))
    assert store.get("req-1").on_expiry == "deny"


def test_an_unknown_request_reads_as_none():
    assert sqlite_approvals(":memory:").get("nope") is None


def test_a_pending_request_is_settled_once():
    store = sqlite_approvals(":memory:")
    store.add(pending_request())

    assert store.settle(decided("req-1", "U1"))
    assert not store.settle(decided("req-1", "U2"))
    assert store.get("req-1").decided_by == "U1"


def test_pending_lists_soonest_expiry_first_and_omits_decided_requests():
    store = sqlite_approvals(":memory:")
    store.add(pending_request("late", expires=NOW + timedelta(hours=8)))
    store.add(pending_request("soon", expires=NOW + timedelta(hours=1)))
    store.add(pending_request("done"))
    store.settle(decided("done", "U1"))

    assert [r.id for r in store.pending()] == ["soon", "late"]


def test_pending_due_by_lists_only_requests_expiring_by_then():
    store = sqlite_approvals(":memory:")
    store.add(pending_request("late", expires=NOW + timedelta(hours=8)))
    store.add(pending_request("soon", expires=NOW + timedelta(hours=1)))

    assert [r.id for r in store.pending(due_by=NOW + timedelta(hours=1))] == ["soon"]


def test_concurrent_threads_settle_a_request_exactly_once(tmp_path: Path):
    store = sqlite_approvals(tmp_path / "state.db")
    store.add(pending_request())
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda n: store.settle(decided("req-1", f"U{n}")), range(64)))
    assert wins.count(True) == 1


def _settle_in_process(arguments: tuple[str, int]) -> bool:
    path, n = arguments
    return sqlite_approvals(path).settle(decided("req-1", f"U{n}"))


def test_concurrent_processes_settle_a_request_exactly_once(tmp_path: Path):
    path = str(tmp_path / "state.db")
    sqlite_approvals(path).add(pending_request())
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        wins = pool.map(_settle_in_process, [(path, n) for n in range(16)])
    assert wins.count(True) == 1
    assert sqlite_approvals(path).get("req-1").status is ApprovalStatus.APPROVED
