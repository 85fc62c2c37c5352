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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa

from costplane.budgets.lake_reads import query, scan
from costplane.budgets.sizing import price_region, sizing
from costplane.domain.events import ResourceEvent
from costplane.focus.services import provider_keys
from costplane.lake.table import Lake

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


class PriceBook:
    """The lake's prices first, then the sheet's; exact regions before any-region prices."""

    def __init__(self, learned: PriceTable, sheet: PriceTable) -> None:
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


HOURS = "('Hours', 'Hour')"
LEARN_SQL = rf"""
WITH hourly AS (
  SELECT ProviderName AS provider_name, RegionId AS region, BillingCurrency AS currency,
         ChargePeriodStart AS charged_at,
         CASE WHEN PricingUnit IN {HOURS} AND ContractedUnitPrice > 0
              THEN ContractedUnitPrice END AS contracted,
         CASE WHEN PricingUnit IN {HOURS} AND ListUnitPrice > 0 THEN ListUnitPrice END AS list,
         CASE WHEN ConsumedUnit IN {HOURS} AND ConsumedQuantity > 0 AND EffectiveCost > 0
              THEN EffectiveCost END AS effective,
         ConsumedQuantity AS quantity,
         list_filter(
           [regexp_extract(ChargeDescription,
                           'On Demand Linux ([a-z0-9-]+\.[a-z0-9]+) Instance Hour', 1),
            regexp_extract(ChargeDescription, 'per RDS (db\.[a-z0-9-]+\.[a-z0-9]+) ', 1),
            regexp_extract(ChargeDescription, '(ml\.[a-z0-9-]+\.[a-z0-9]+)', 1)]
           || CASE WHEN ChargeDescription LIKE 'Virtual Machines%'
                    AND NOT regexp_matches(
                      ChargeDescription || ' ' || coalesce(SkuMeter, ''),
                      'Windows|Spot|Low Priority')
                   THEN list_transform(
                     string_split(coalesce(SkuMeter,
                                           regexp_extract(ChargeDescription, ' - ([^-]+) - ', 1)),
                                  '/'),
                     lambda part: 'Standard_' || replace(trim(part), ' ', '_'))
                   ELSE [] END,
           lambda sku: sku <> '' AND sku <> 'Standard_') AS skus
  FROM focus
  WHERE ChargeCategory = 'Usage' AND RegionId IS NOT NULL
)
SELECT provider_name, region, sku, currency,
       arg_max({{'contracted': contracted, 'list': list, 'effective': effective,
                 'quantity': quantity}}, charged_at) AS latest
FROM hourly, unnest(skus) AS u(sku)
WHERE coalesce(contracted, list, effective) IS NOT NULL
GROUP BY ALL
"""
LEARN_COLUMNS = (
    "ProviderName",
    "RegionId",
    "BillingCurrency",
    "ChargeCategory",
    "ChargeDescription",
    "ChargePeriodStart",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedUnitPrice",
    "EffectiveCost",
    "ListUnitPrice",
    "PricingUnit",
    "SkuMeter",
)


def learn_prices(lake: Lake, start: datetime, end: datetime) -> PriceTable:
    """Hourly prices per SKU and region from compute rows charged in [start, end).

    Per row: the contracted unit price, else the list unit price, else EffectiveCost /
    ConsumedQuantity; per SKU and region, the latest row's. SKUs are read from the charge
    description (EC2 'On Demand Linux <type> Instance Hour', RDS 'db.*', SageMaker 'ml.*')
    and Azure VM meters ('D2s v3/D2 v3' -> Standard_D2s_v3, Standard_D2_v3; not Windows,
    Spot or Low Priority). GCP bills compute per vCPU and GB, not per machine type, so GCE
    machine types are priced from the sheet.
    """
    rows = query(scan(lake, LEARN_COLUMNS, start, end), LEARN_SQL)
    return PriceTable.of("lake", _price_rows(rows))


def _price_rows(rows: pa.Table) -> list[PriceRow]:
    providers = provider_keys(rows["provider_name"].combine_chunks()).to_pylist()
    learned = []
    for provider, row in zip(providers, rows.to_pylist(), strict=True):
        latest = row["latest"]
        price = latest["contracted"] or latest["list"]
        if price is None:
            price = latest["effective"] / latest["quantity"]
        if provider:
            learned.append(PriceRow(provider, row["region"], row["sku"], price, row["currency"]))
    return learned
