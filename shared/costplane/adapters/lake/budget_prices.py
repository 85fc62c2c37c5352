"""Prices learned from the lake: the hourly price of each SKU in each region, from the bills'
compute rows, for the budgets' price book (`costplane.budgets.prices.PriceTable`)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from costplane.adapters.lake.reads import query, scan
from costplane.billing.focus.services import provider_keys
from costplane.billing.lake.table import Lake
from costplane.budgets.prices import PriceRow, PriceTable

PRICE_HISTORY = timedelta(days=92)
"""How far back prices are learned: a quarter of bills covers the SKUs in use."""
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


def learned_prices(lake: Lake, now: datetime) -> PriceTable:
    """The prices of the last `PRICE_HISTORY` of bills, as of `now`."""
    return learn_prices(lake, now - PRICE_HISTORY, now)


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
