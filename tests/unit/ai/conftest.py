"""An admission service over a SQLite ledger in a temp dir."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from costplane.adapters.admission_scopes import ScopedBudgets
from costplane.adapters.local.admission_ledger import SqliteAdmissionLedger
from costplane.ai.admission import AdmissionService
from costplane.domain.ai import bundled_price_book
from costplane.domain.budgets import Budget
from tests.unit.ai.admission_support import Clock, budget

Build = Callable[..., AdmissionService]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[SqliteAdmissionLedger]:
    store = SqliteAdmissionLedger(tmp_path / "state.db")
    yield store
    store.close()


@pytest.fixture
def service(ledger: SqliteAdmissionLedger, clock: Clock) -> Build:
    def build(*budgets: Budget, ttl: timedelta = timedelta(minutes=15)) -> AdmissionService:
        scoped = ScopedBudgets(budgets or (budget("openai", "1.00", provider="openai"),))
        return AdmissionService(ledger, scoped, bundled_price_book(), clock.now, ttl)

    return build
