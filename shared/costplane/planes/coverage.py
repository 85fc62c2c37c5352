"""The coverage table of every cloud, and the share of each provider's bill it governs.

A resource type is governed when a row names it: some event sees it created and tagged, and
the plane can at least tag it. The share is EffectiveCost on governed types over the
provider's charges in the lake: tax, support and fees (rows with no ResourceId and no service
that bills one resource type) count as ungoverned, for they are what tags cannot reach.
Credits and refunds (a negative total for a service and type) are listed but left out of
both sides, so the share stays a share of what was charged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from costplane.adapters.aws import coverage as aws
from costplane.adapters.azure import coverage as azure
from costplane.adapters.coverage import CoverageRow
from costplane.adapters.gcp import coverage as gcp
from costplane.adapters.lake.spend_by_type import Spend

NO_RESOURCE = "(no resource id)"


def coverage_rows() -> list[CoverageRow]:
    return [*aws.rows(), *gcp.rows(), *azure.rows()]


def is_governed(rows: list[CoverageRow], provider: str, resource_type: str | None) -> bool:
    return resource_type is not None and any(
        row.provider == provider and "tag" in row.actions and row.covers(resource_type)
        for row in rows
    )


@dataclass(slots=True)
class Ungoverned:
    service: str
    resource_type: str
    cost: Decimal


@dataclass(slots=True)
class ProviderShare:
    provider: str
    total: Decimal = Decimal(0)
    governed: Decimal = Decimal(0)
    ungoverned: list[Ungoverned] = field(default_factory=list)

    @property
    def governed_share(self) -> float:
        return float(self.governed / self.total) if self.total else 0.0


def governed_shares(rows: list[CoverageRow], spend: list[Spend]) -> list[ProviderShare]:
    """Per provider in the bill: its total, the part on governed types, and the rest by
    service and type, largest first."""
    shares: dict[str, ProviderShare] = {}
    rest: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for item in spend:
        share = shares.setdefault(item.provider, ProviderShare(item.provider))
        governed = is_governed(rows, item.provider, item.resource_type)
        if item.cost > 0:
            share.total += item.cost
            share.governed += item.cost if governed else 0
        if not governed:
            rest[item.provider][(item.service, item.resource_type or NO_RESOURCE)] += item.cost
    for provider, share in shares.items():
        share.ungoverned = sorted(
            (Ungoverned(service, kind, cost) for (service, kind), cost in rest[provider].items()),
            key=lambda u: (-u.cost, u.service, u.resource_type),
        )
    return sorted(shares.values(), key=lambda s: s.provider)
