"""Hourly unit prices per SKU and region: learned from the FOCUS lake, else the shipped sheet.

The lake knows what *this* customer pays (negotiated rates, their regions); the sheet knows
public on-demand list prices for common SKUs. A price found in neither is unknown (None),
never guessed. When the event does not say which region (Azure Event Grid), or the region
has no price, the highest price known for the SKU in any region is used: a budget guard should
over- rather than under-estimate what a new resource will cost.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import NamedTuple, Protocol

from costplane.budgets.sizing import price_region, sizing
from costplane.budgets.timed import TimedCache
from costplane.domain.events import ResourceEvent

FALLBACK_SHEET = Path(__file__).parents[1] / "data" / "prices.fallback.csv"
SHEET_COLUMNS = ("provider", "service", "region", "sku", "unit_price", "currency", "source")


class Quote(NamedTuple):
    """One hourly price; `source` is `lake` or `sheet`, `exact` False for an any-region price."""

    price: Decimal
    currency: str
    source: str
    exact: bool = True


class PriceRow(NamedTuple):
    provider: str
    region: str
    sku: str
    price: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Prices by (provider, sku), then by region."""

    source: str
    prices: Mapping[tuple[str, str], Mapping[str, tuple[Decimal, str]]] = field(
        default_factory=dict
    )

    @classmethod
    def of(cls, source: str, rows: Iterable[PriceRow]) -> PriceTable:
        table: dict[tuple[str, str], dict[str, tuple[Decimal, str]]] = defaultdict(dict)
        for row in rows:
            table[(row.provider, row.sku)][row.region] = (row.price, row.currency)
        return cls(source, dict(table))

    def quote(self, provider: str, sku: str, region: str | None) -> Quote | None:
        by_region = self.prices.get((provider, sku))
        if not by_region:
            return None
        if region is not None and region in by_region:
            return Quote(*by_region[region], self.source)
        price, currency = max(by_region.values())
        return Quote(price, currency, self.source, exact=False)


RELEARN_AFTER = timedelta(hours=6)
"""Bills land every few hours (CUR several times a day); prices older than that go stale."""


class Prices(Protocol):
    def quote(self, provider: str, sku: str, region: str | None) -> Quote | None: ...


class LearnedPrices:
    """Prices learned from the bills, learned again once `ttl` has passed: a warm function runs
    for days while the bills bring new SKUs and prices every few hours, so prices learned at a
    cold start would go stale."""

    def __init__(
        self,
        learn: Callable[[datetime], PriceTable],
        clock: Callable[[], datetime],
        ttl: timedelta = RELEARN_AFTER,
    ) -> None:
        self._learn = learn
        self._clock = clock
        self._table = TimedCache[PriceTable](ttl)

    def quote(self, provider: str, sku: str, region: str | None) -> Quote | None:
        now = self._clock()
        return self._table.get(now, lambda: self._learn(now)).quote(provider, sku, region)


class PriceBook:
    """The lake's prices first, then the sheet's; exact regions before any-region prices."""

    def __init__(self, learned: Prices, sheet: Prices) -> None:
        self.tables = (learned, sheet)

    def unit_price(self, provider: str, sku: str, region: str | None) -> Quote | None:
        quotes = [q for t in self.tables if (q := t.quote(provider, sku, region)) is not None]
        return next((q for q in quotes if q.exact), quotes[0] if quotes else None)

    def quote(self, event: ResourceEvent) -> Quote | None:
        """What the resource the event created costs per hour (all its instances)."""
        size = sizing(event)
        if size is None:
            return None
        unit = self.unit_price(event.provider.value, size.sku, price_region(event))
        if unit is None:
            return None
        return unit._replace(price=unit.price * size.units)

    def hourly_cost(self, event: ResourceEvent) -> Decimal | None:
        quote = self.quote(event)
        return None if quote is None else quote.price


@cache
def fallback_sheet(path: Path = FALLBACK_SHEET) -> PriceTable:
    """The shipped sheet; lines starting with `#` are its sources and notes."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        reader = csv.DictReader(lines)
        if tuple(reader.fieldnames or ()) != SHEET_COLUMNS:
            raise ValueError(f"{path}: columns must be {', '.join(SHEET_COLUMNS)}")
        rows = [
            PriceRow(r["provider"], r["region"], r["sku"], Decimal(r["unit_price"]), r["currency"])
            for r in reader
        ]
    return PriceTable.of("sheet", rows)
