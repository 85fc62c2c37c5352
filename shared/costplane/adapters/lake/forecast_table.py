"""The `budget_forecasts` table: each budget's period end projection (statsforecast over the
lake's daily history), written after ingest and read by the deployed budgets.

Fitting takes seconds per budget, too slow for the event path, so the side that writes the lake
(cost ingest, after each delivery and each scheduled rescan) fits and stores the projections,
and the policy runners read them as rows, read-only. A row is for one budget, period and
currency; a projection for another period (a stale one, across a month end) is not used, and
the budgets fall back to their run-rate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.table import Table, Transaction

from costplane.adapters.lake.budget_actuals import OwnerTags
from costplane.adapters.lake.budget_forecasts import lake_forecasts
from costplane.billing.focus.columns import DECIMAL
from costplane.billing.lake.catalog import ensure_table
from costplane.billing.lake.commit import commit_with_retry, quiet_empty_deletes
from costplane.billing.lake.table import Lake
from costplane.budgets.periods import window
from costplane.domain.budgets import Budget, BudgetsFile, Projection

FORECAST_TABLE = "budget_forecasts"


def forecast_arrow_schema() -> pa.Schema:
    string = pa.string()
    return pa.schema(
        [
            pa.field("budget", string, nullable=False),
            pa.field("period", string, nullable=False),
            pa.field("currency", string, nullable=False),
            pa.field("point", DECIMAL, nullable=False),
            pa.field("lo", DECIMAL, nullable=False),
            pa.field("hi", DECIMAL, nullable=False),
            pa.field("as_of", pa.timestamp("us", tz="UTC"), nullable=False),
            pa.field("source_snapshot_id", pa.int64()),
        ]
    )


def write_forecasts(
    lake: Lake, budgets: BudgetsFile, now: datetime, owners: OwnerTags | None = None
) -> int:
    """Fit each budget's period end projection on the lake's daily history and replace the
    table's rows with them, in one commit; how many budgets have one."""
    focus = lake.focus.refresh()
    snapshot = focus.current_snapshot()
    if snapshot is None:
        return 0
    projections = lake_forecasts(budgets, lake, now, owners)
    by_name = {b.name: b for b in budgets.budgets}
    rows = [
        {
            "budget": name,
            "period": window(by_name[name].period, now).key,
            "currency": by_name[name].currency,
            "point": projection.point,
            "lo": projection.lo,
            "hi": projection.hi,
            "as_of": now.astimezone(UTC),
            "source_snapshot_id": snapshot.snapshot_id,
        }
        for name, projection in sorted(projections.items())
    ]
    arrow = pa.Table.from_pylist(rows, schema=forecast_arrow_schema())

    def stage(_: Table, transaction: Transaction) -> None:
        with quiet_empty_deletes():
            transaction.overwrite(arrow)

    commit_with_retry(_forecast_table(lake.catalog, lake.namespace), stage)
    return len(rows)


def stored_forecasts(lake: Lake, budgets: Sequence[Budget], now: datetime) -> dict[str, Projection]:
    """The stored projection of each budget's current period, in its currency; none where the
    table, the budget's row or its period's row is missing. Creates nothing."""
    name = (lake.namespace, FORECAST_TABLE)
    if not lake.catalog.table_exists(name):
        return {}
    rows = lake.catalog.load_table(name).scan().to_arrow().to_pylist()
    stored: Mapping[tuple[str, str, str], Projection] = {
        (r["budget"], r["period"], r["currency"]): Projection(
            Decimal(r["point"]), Decimal(r["lo"]), Decimal(r["hi"])
        )
        for r in rows
    }
    found = {}
    for budget in budgets:
        key = (budget.name, window(budget.period, now).key, budget.currency)
        if key in stored:
            found[budget.name] = stored[key]
    return found


def _forecast_table(catalog: Catalog, namespace: str) -> Table:
    """Load the table, creating it on first use (safe when two writers race)."""
    identifier = (namespace, FORECAST_TABLE)
    return ensure_table(
        catalog, identifier, lambda: catalog.create_table(identifier, forecast_arrow_schema())
    )
