"""Small FOCUS-shaped bills for allocation tests: only the columns the engine reads."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from costplane.billing.focus.columns import DECIMAL, TAGS_MAP, TIMESTAMP

COLUMNS = {
    "BillingPeriodStart": TIMESTAMP,
    "ChargePeriodStart": TIMESTAMP,
    "BillingCurrency": pa.string(),
    "EffectiveCost": DECIMAL,
    "BilledCost": DECIMAL,
    "ConsumedQuantity": DECIMAL,
    "ProviderName": pa.string(),
    "ServiceCategory": pa.string(),
    "ServiceName": pa.string(),
    "SubAccountId": pa.string(),
    "x_TagsMap": TAGS_MAP,
}


def line(
    cost: str | Decimal,
    *,
    period: str = "2024-09",
    day: int = 1,
    currency: str = "USD",
    category: str = "Compute",
    service: str = "Amazon EC2",
    account: str = "111111111111",
    provider: str = "AWS",
    quantity: str | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    start = datetime.strptime(period, "%Y-%m").replace(tzinfo=UTC)
    return {
        "BillingPeriodStart": start,
        "ChargePeriodStart": start.replace(day=day),
        "BillingCurrency": currency,
        "EffectiveCost": Decimal(cost),
        "BilledCost": Decimal(cost),
        "ConsumedQuantity": Decimal(quantity) if quantity is not None else None,
        "ProviderName": provider,
        "ServiceCategory": category,
        "ServiceName": service,
        "SubAccountId": account,
        "x_TagsMap": list((tags or {}).items()) if tags is not None else None,
    }


def bill(*lines: dict[str, Any]) -> pa.Table:
    return pa.Table.from_pylist(list(lines), schema=pa.schema(COLUMNS))
