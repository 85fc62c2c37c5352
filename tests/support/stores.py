"""The stores of the embedded plane, each over its own SQLite file (in memory by default)."""

from __future__ import annotations

from pathlib import Path

from costplane.adapters.approval_records import RecordApprovalStore
from costplane.adapters.budget_records import RecordBudgetState
from costplane.adapters.local.plane import SystemClock
from costplane.adapters.local.sqlite import SqliteRecords
from costplane.adapters.state_records import RecordStateStore


def sqlite_state(path: Path | str = ":memory:") -> RecordStateStore:
    records = SqliteRecords(path)
    return RecordStateStore(records, records, SystemClock())


def sqlite_approvals(path: Path | str = ":memory:") -> RecordApprovalStore:
    return RecordApprovalStore(SqliteRecords(path))


def sqlite_budgets(path: Path | str = ":memory:") -> RecordBudgetState:
    return RecordBudgetState(SqliteRecords(path))
