"""AI spend from the lake: tokens and money per owner, model, project or token type, with the
cache hit rate (cache reads / (uncached input + cache reads)).

One DuckDB aggregation groups the AI rows by what the dimensions and attribution need
(vendor, account, model, token type, API key, principal, resource, the owner tag); each
distinct group is attributed once (`RowOwners`), then added into its line in Python.
Tokens count once (`ai_rows`); money is EffectiveCost, which a usage row whose cost a
vendor's cost report carries has at zero, so nothing is counted twice either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from costplane.adapters.lake.ai_rows import (
    CACHE_READS,
    TOKENS_SQL,
    UNCACHED_INPUTS,
    ai_resource_type,
    has_ai_columns,
    tokens_of,
)
from costplane.adapters.lake.budget_actuals import CANONICAL_KEY_SQL
from costplane.adapters.lake.reads import query, scan
from costplane.adapters.lake.row_owners import RowOwners
from costplane.billing.lake.table import Lake
from costplane.domain.ai import VENDOR_PROVIDER, AiVendor, CostBasis
from costplane.domain.tag_keys import canonical

Dimension = Literal["team", "model", "project", "token-type"]
DIMENSIONS: tuple[Dimension, ...] = ("team", "model", "project", "token-type")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
COLUMNS = (
    "ProviderName",
    "SubAccountId",
    "RegionId",
    "ResourceId",
    "BillingCurrency",
    "ChargePeriodStart",
    "EffectiveCost",
    "x_TagsMap",
    "x_AiVendor",
    "x_AiModel",
    "x_AiTokenType",
    "x_AiApiKeyId",
    "x_AiUserId",
    "x_AiCostBasis",
    "ConsumedQuantity",
)


@dataclass
class AiSpendLine:
    """One line of `costplane ai spend`: its key's tokens and money."""

    key: str
    tokens: Decimal = Decimal(0)
    uncached_input: Decimal = Decimal(0)
    cache_read: Decimal = Decimal(0)
    cost: dict[str, Decimal] = field(default_factory=dict)
    unpriced_rows: int = 0

    @property
    def cache_hit_rate(self) -> Decimal | None:
        """Cache reads over all input that could have been read from cache; None without any."""
        read = self.uncached_input + self.cache_read
        return self.cache_read / read if read else None

    def add(self, row: dict[str, Any]) -> None:
        self.tokens += row["tokens"] or 0
        self.uncached_input += row["uncached_input"] or 0
        self.cache_read += row["cache_read"] or 0
        currency = row["currency"]
        self.cost[currency] = self.cost.get(currency, Decimal(0)) + (row["cost"] or 0)
        self.unpriced_rows += row["unpriced_rows"]


def ai_spend(
    lake: Lake,
    by: Dimension,
    owners: RowOwners,
    start: datetime = EARLIEST,
    end: datetime = LATEST,
) -> list[AiSpendLine]:
    """The lake's AI rows charged in [start, end), one line per `by`, most tokens first."""
    if not has_ai_columns(lake):
        return []
    team_keys = _spellings(owners)
    rows = query(scan(lake, COLUMNS, start, end), _SQL, {"team_keys": team_keys}).to_pylist()
    lines: dict[str, AiSpendLine] = {}
    for row in rows:
        key = _key(row, by, owners)
        lines.setdefault(key, AiSpendLine(key)).add(row)
    return sorted(lines.values(), key=lambda line: (-line.tokens, line.key))


def _spellings(owners: RowOwners) -> list[str]:
    """The canonical spellings of the taxonomy's team key (its name and aliases)."""
    taxonomy = owners.attribution.taxonomy
    name = taxonomy.attribution.team
    key = next((k for k in taxonomy.keys if k.key == name), None)
    return sorted({canonical(s) for s in (name, *(key.aliases if key else ()))})


def _key(row: dict[str, Any], by: Dimension, owners: RowOwners) -> str:
    if by == "model":
        return str(row["model"] or "-")
    if by == "token-type":
        return str(row["token_type"] or "-")
    provider = VENDOR_PROVIDER[AiVendor(row["vendor"])].value
    if by == "project":
        return f"{provider}:{row['account'] or '-'}"
    if row["team_tag"]:
        return str(row["team_tag"])
    api_key = row["api_key"] or ""
    resource_type = ai_resource_type(provider, api_key, None) if provider else ""
    owner = owners.owner(
        provider,
        row["account"] or "",
        row["region"] or "",
        resource_type,
        row["resource"] or api_key,
        row["principal"] or "",
    )
    return owner.label


_SQL = f"""
    SELECT x_AiVendor AS vendor, SubAccountId AS account, RegionId AS region,
           x_AiModel AS model, x_AiTokenType AS token_type, x_AiApiKeyId AS api_key,
           x_AiUserId AS principal, ResourceId AS resource,
           lower(list_filter(map_entries(x_TagsMap),
                 lambda e: list_contains($team_keys, {CANONICAL_KEY_SQL}))[1].value) AS team_tag,
           BillingCurrency AS currency,
           sum(EffectiveCost) AS cost,
           {TOKENS_SQL} AS tokens,
           {tokens_of(UNCACHED_INPUTS)} AS uncached_input,
           {tokens_of(CACHE_READS)} AS cache_read,
           count(*) FILTER (WHERE x_AiCostBasis = '{CostBasis.UNPRICED}') AS unpriced_rows
    FROM focus
    WHERE x_AiVendor IS NOT NULL
    GROUP BY ALL
"""


def totals(lines: Sequence[AiSpendLine]) -> AiSpendLine:
    """Every line added up."""
    total = AiSpendLine("total")
    for line in lines:
        total.tokens += line.tokens
        total.uncached_input += line.uncached_input
        total.cache_read += line.cache_read
        for currency, amount in line.cost.items():
            total.cost[currency] = total.cost.get(currency, Decimal(0)) + amount
        total.unpriced_rows += line.unpriced_rows
    return total
