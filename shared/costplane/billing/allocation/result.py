"""What an allocation produced: chargeback lines that add up, to the cent, to the source."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from costplane.billing.allocation.errors import AllocationWarning

UNALLOCATED = "(unallocated)"
"""The cost object holding cost that no rule could place; always shown, never dropped."""


@dataclass(frozen=True, slots=True)
class Share:
    """How a split arrived at one line (FOCUS 1.3 AllocatedMethodDetails): the fraction of
    the pool, and the usage it was weighed by."""

    ratio: Decimal
    quantity: Decimal | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class ChargebackLine:
    """Cost charged to one cost object in one period and currency, by one rule."""

    period: date
    currency: str
    cost_object: str
    amount: Decimal
    rule: str
    step: str
    method: str
    share: Share | None = None

    @property
    def unallocated(self) -> bool:
        return self.cost_object == UNALLOCATED


@dataclass(frozen=True, slots=True)
class SourceTotal:
    """The bill's own total for a period and currency: exact, and rounded to the minor unit."""

    period: date
    currency: str
    exact: Decimal
    rounded: Decimal


@dataclass
class Allocation:
    rule_set: str
    cost_column: str
    lines: list[ChargebackLine]
    sources: list[SourceTotal]
    rows: int
    warnings: list[AllocationWarning] = field(default_factory=list)

    def totals(self) -> dict[tuple[date, str, str], Decimal]:
        """Amount per (period, currency, cost object), rules summed."""
        totals: dict[tuple[date, str, str], Decimal] = defaultdict(Decimal)
        for line in self.lines:
            totals[(line.period, line.currency, line.cost_object)] += line.amount
        return dict(totals)

    def allocated(self) -> dict[tuple[date, str], Decimal]:
        """Sum of every line per (period, currency), unallocated included."""
        sums: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
        for line in self.lines:
            sums[(line.period, line.currency)] += line.amount
        return dict(sums)

    def unallocated(self) -> dict[tuple[date, str], Decimal]:
        sums: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
        for line in self.lines:
            if line.unallocated:
                sums[(line.period, line.currency)] += line.amount
        return dict(sums)

    def reconciles(self) -> bool:
        """Every period and currency: the lines add up exactly to the rounded source total."""
        allocated = self.allocated()
        return all(
            allocated.get((s.period, s.currency), Decimal(0)) == s.rounded for s in self.sources
        )
