"""Daily cost series read from the lake's FOCUS table (its current snapshot)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from costplane.billing.forecast.errors import ForecastError
from costplane.billing.forecast.series import Scope, daily_costs
from costplane.billing.lake.table import Lake

if TYPE_CHECKING:
    import pandas as pd


def lake_daily_costs(lake: Lake, scope: Scope, cost_column: str = "EffectiveCost") -> pd.DataFrame:
    """Daily `cost_column` per scope value and currency, over every period the lake holds."""
    table = lake.focus.refresh()
    if table.current_snapshot() is None:
        raise ForecastError("no_data", "the lake holds no bills yet")
    columns = scope.columns(cost_column)
    if missing := sorted(columns - set(table.schema().column_names)):
        raise ForecastError("unknown_scope", f"the FOCUS table has no column {', '.join(missing)}")
    reader = table.scan(selected_fields=tuple(sorted(columns))).to_arrow_batch_reader()
    return daily_costs(reader, scope, cost_column)
