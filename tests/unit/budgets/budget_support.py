"""Builders for budget specifications: budgets, real events, a service over an in-memory store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

import costplane.adapters.aws.events
import costplane.adapters.azure.events
import costplane.adapters.gcp.events  # noqa: F401  (they register the envelopes events use)
from costplane.adapters.budget_records import RecordBudgetState
from costplane.budgets.ports import LakeSpend
from costplane.budgets.prices import PriceBook, PriceRow, PriceTable, fallback_sheet
from costplane.budgets.service import BudgetService
from costplane.domain.budgets import Budget, BudgetsFile
from costplane.domain.events import ResourceEvent
from costplane.engine.envelopes import parse_payload
from tests.conftest import EVENTS
from tests.support.placeholders import filled_bytes
from tests.support.stores import sqlite_budgets

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def budgets(*documents: Mapping[str, Any]) -> list[Budget]:
    return BudgetsFile.model_validate({"budgets": list(documents)}).budgets


def real_events(relative: str, **changes: Any) -> list[ResourceEvent]:
    """The events a payload under events/ parses into, with `changes` applied to each."""
    parsed = parse_payload(filled_bytes(EVENTS / relative))
    assert not parsed.rejected, parsed.rejected
    return [e.model_copy(update=changes) for e in parsed.events]


def real_document(path: Path) -> Any:
    return orjson.loads(filled_bytes(path))


def learned(*rows: tuple[str, str, str, str]) -> PriceTable:
    """Lake prices as (provider, region, sku, price) in USD."""
    return PriceTable.of("lake", [PriceRow(p, r, s, Decimal(v), "USD") for p, r, s, v in rows])


def make_service(
    found: list[Budget],
    *,
    lake: LakeSpend | None = None,
    prices: PriceBook | None = None,
    store: RecordBudgetState | None = None,
) -> BudgetService:
    store = store or sqlite_budgets(":memory:")
    spend = lake or LakeSpend({})
    return BudgetService(
        found,
        prices or PriceBook(PriceTable("lake"), fallback_sheet()),
        store,
        store,
        lambda now: spend,
        store,
    )
