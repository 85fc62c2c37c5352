"""Rows and costs per billing period and currency: what an ingest reports and reconciles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict

GROUP = ["BillingPeriodStart", "BillingCurrency"]


class PeriodTotal(BaseModel):
    """Exact sums (Decimal, never float) so they reconcile to the cent with the source bill."""

    model_config = ConfigDict(frozen=True)

    billing_period_start: datetime
    billing_currency: str
    rows: int
    billed_cost: Decimal
    effective_cost: Decimal


class Totals:
    """Accumulates PeriodTotal over record batches, one vectorised group-by per batch."""

    def __init__(self) -> None:
        self._sums: dict[tuple[datetime, str], tuple[int, Decimal, Decimal]] = {}

    def add(self, batch: pa.RecordBatch) -> None:
        grouped = (
            pa.Table.from_batches([batch])
            .group_by(GROUP)
            .aggregate([("BilledCost", "sum"), ("EffectiveCost", "sum"), ([], "count_all")])
        )
        for row in grouped.to_pylist():
            self._add(
                (row["BillingPeriodStart"], row["BillingCurrency"]),
                (row["count_all"], row["BilledCost_sum"], row["EffectiveCost_sum"]),
            )

    def merge(self, totals: Iterable[PeriodTotal]) -> None:
        for t in totals:
            self._add(
                (t.billing_period_start, t.billing_currency),
                (t.rows, t.billed_cost, t.effective_cost),
            )

    def result(self) -> list[PeriodTotal]:
        return [
            PeriodTotal(
                billing_period_start=period,
                billing_currency=currency,
                rows=rows,
                billed_cost=billed,
                effective_cost=effective,
            )
            for (period, currency), (rows, billed, effective) in sorted(self._sums.items())
        ]

    def _add(self, group: tuple[datetime, str], sums: tuple[int, Decimal, Decimal]) -> None:
        rows, billed, effective = self._sums.get(group, (0, Decimal(0), Decimal(0)))
        self._sums[group] = (rows + sums[0], billed + sums[1], effective + sums[2])
