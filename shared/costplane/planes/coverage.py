"""The coverage table of every cloud, and the share of each provider's bill it governs.

A resource type is governed when a row names it: some event sees it created and tagged, and
the plane can at least tag it. The share is EffectiveCost on governed types over the
provider's resource spend in the lake, per BillingCurrency. Charges that belong to no
resource (tax, credits, adjustments, support, commitment purchases, fees without a resource:
`spend_by_type.NOT_RESOURCE_SQL`) are shown apart, for no tag can reach them. Resource spend
with no type (a service's usage without ResourceId) counts as ungoverned. Refunds on
resources (a negative total for a service and type) are listed but left out of both sides,
so the share stays a share of what was charged.
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
class NotResource:
    charge: str
    service: str
    cost: Decimal


@dataclass(slots=True)
class ProviderShare:
    """One provider's bill in one BillingCurrency: amounts in different currencies never add."""

    provider: str
    currency: str
    total: Decimal = Decimal(0)
    governed: Decimal = Decimal(0)
    not_resource_total: Decimal = Decimal(0)
    ungoverned: list[Ungoverned] = field(default_factory=list)
    not_resource: list[NotResource] = field(default_factory=list)

    @property
    def governed_share(self) -> float | None:
        """Governed over resource spend; None when the bill has no resource spend at all."""
        return float(self.governed / self.total) if self.total else None


def governed_shares(rows: list[CoverageRow], spend: list[Spend]) -> list[ProviderShare]:
    """Per provider and currency in the bill: its resource spend, the part on governed types,
    the rest by service and type, and the charges that belong to no resource, largest first
    (charges that come to nothing are left out of both lists)."""
    shares: dict[tuple[str, str], ProviderShare] = {}
    rest: dict[tuple[str, str], dict[tuple[str, str], Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    apart: dict[tuple[str, str], dict[tuple[str, str], Decimal]] = defaultdict(
        lambda: defaultdict(Decimal)
    )
    for item in spend:
        key = (item.provider, item.currency)
        share = shares.setdefault(key, ProviderShare(*key))
        if item.charge is not None:
            share.not_resource_total += item.cost
            apart[key][(item.charge, item.service)] += item.cost
            continue
        governed = is_governed(rows, item.provider, item.resource_type)
        if item.cost > 0:
            share.total += item.cost
            share.governed += item.cost if governed else 0
        if not governed:
            rest[key][(item.service, item.resource_type or NO_RESOURCE)] += item.cost
    for key, share in shares.items():
        share.ungoverned = sorted(
            (
                Ungoverned(service, kind, cost)
                for (service, kind), cost in rest[key].items()
                if cost
            ),
            key=lambda u: (-u.cost, u.service, u.resource_type),
        )
        share.not_resource = sorted(
            (
                NotResource(charge, service, cost)
                for (charge, service), cost in apart[key].items()
                if cost
            ),
            key=lambda n: (-abs(n.cost), n.charge, n.service),
        )
    return sorted(shares.values(), key=lambda s: (s.provider, s.currency))
