"""Reconcile AI usage with the vendor's cost report: per vendor, day, model and project, the
usage rows' tokens priced by the book against the money the cost report billed.

Usage rows are those whose cost basis is `priced`, `reported` or `unpriced` (their own cost
columns are zero once a report covers the day, so each is priced again here from its
quantity); cost-report and cloud-bill rows are `billed`. A group is `within` when the two
agree to ±0.5% of the billed amount, `differs` otherwise, `no cost report` when only usage
is there (a day no report covers yet) and `no usage` when only the bill is (a cloud bill has
no usage feed beside it). Every group is reported, never dropped; usage the book cannot
price is listed apart, and its group says how many tokens went unpriced. The same comparison
runs per vendor, day and project over all models, for cost reports that do not split by model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from costplane.billing.lake.query import sql
from costplane.billing.lake.table import Lake
from costplane.domain.ai import AiVendor, CostBasis, PriceBook, TokenType

TOLERANCE = Decimal("0.005")
"""The relative difference (of the billed amount) within which usage and bill agree."""

USAGE_BASES = (CostBasis.PRICED, CostBasis.REPORTED, CostBasis.UNPRICED)

_SQL = """
    SELECT x_AiVendor AS vendor, CAST(ChargePeriodStart AS DATE) AS day, x_AiModel AS model,
           SubAccountId AS project, BillingCurrency AS currency, x_AiCostBasis AS basis,
           x_AiTokenType AS token_type, x_AiServiceTier AS tier,
           x_AiContextWindow AS context_window,
           sum(ConsumedQuantity) AS quantity, sum(BilledCost) AS cost
    FROM focus
    WHERE x_AiVendor IS NOT NULL AND x_AiCostBasis IS NOT NULL
    GROUP BY ALL
"""


class Status(StrEnum):
    WITHIN = "within"
    DIFFERS = "differs"
    NO_COST_REPORT = "no cost report"
    NO_USAGE = "no usage"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class GroupKey(_Frozen):
    vendor: str
    day: date
    model: str | None
    project: str | None
    currency: str


class Unpriced(_Frozen):
    """Usage the book has no price for: what it was, and how much."""

    key: GroupKey
    token_type: str | None
    service_tier: str | None
    context_window: str | None
    quantity: Decimal


class Reconciliation(_Frozen):
    """One vendor, day, model and project: usage at book prices against the bill."""

    key: GroupKey
    usage_cost: Decimal | None
    billed_cost: Decimal | None
    unpriced_quantity: Decimal
    status: Status

    @property
    def difference(self) -> Decimal | None:
        """Usage at book prices minus the bill (positive: the book says more than billed)."""
        if self.usage_cost is None or self.billed_cost is None:
            return None
        return self.usage_cost - self.billed_cost

    @property
    def relative(self) -> Decimal | None:
        """The difference as a share of the bill (None when nothing was billed)."""
        difference = self.difference
        if difference is None or not self.billed_cost:
            return None
        return difference / self.billed_cost

    def as_json(self) -> dict[str, Any]:
        return {
            **self.key.model_dump(mode="json"),
            "usage_cost": _text(self.usage_cost),
            "billed_cost": _text(self.billed_cost),
            "difference": _text(self.difference),
            "relative": _text(self.relative),
            "unpriced_quantity": _text(self.unpriced_quantity),
            "status": self.status.value,
        }


class Report(_Frozen):
    """Per model, then per project with every model together (a cost report that names no
    model, or names it otherwise than the usage feed, still reconciles there)."""

    groups: tuple[Reconciliation, ...]
    projects: tuple[Reconciliation, ...]
    unpriced: tuple[Unpriced, ...]
    price_book_version: str


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class _Sums:
    def __init__(self) -> None:
        self.usage: Decimal | None = None
        self.billed: Decimal | None = None
        self.unpriced = Decimal(0)

    def add_usage(self, amount: Decimal) -> None:
        self.usage = (self.usage or Decimal(0)) + amount

    def add_billed(self, amount: Decimal) -> None:
        self.billed = (self.billed or Decimal(0)) + amount


def status(usage: Decimal | None, billed: Decimal | None) -> Status:
    """Where one group stands; a zero bill agrees only with zero usage."""
    if billed is None:
        return Status.NO_COST_REPORT
    if usage is None:
        return Status.NO_USAGE
    within = abs(usage - billed) <= TOLERANCE * abs(billed)
    return Status.WITHIN if within else Status.DIFFERS


def _price(book: PriceBook, row: Mapping[str, Any]) -> Decimal | None:
    """The row's quantity at the book's price, or None when the book has none for it."""
    try:
        vendor, token_type = AiVendor(row["vendor"]), TokenType(row["token_type"])
    except ValueError:
        return None
    if row["model"] is None or row["quantity"] is None:
        return None
    price = book.lookup(vendor, row["model"], token_type, row["tier"], row["context_window"])
    if price is None:
        return None
    return Decimal(row["quantity"]) * price.unit_price


def reconcile_rows(rows: Iterable[Mapping[str, Any]], book: PriceBook) -> Report:
    """The report for grouped AI rows (the columns of `_SQL`)."""
    models: dict[GroupKey, _Sums] = {}
    projects: dict[GroupKey, _Sums] = {}
    unpriced: list[Unpriced] = []
    for row in rows:
        key = GroupKey(
            vendor=row["vendor"],
            day=row["day"],
            model=row["model"],
            project=row["project"],
            currency=row["currency"] or "",
        )
        sums = (
            models.setdefault(key, _Sums()),
            projects.setdefault(key.model_copy(update={"model": None}), _Sums()),
        )
        if row["basis"] == CostBasis.BILLED:
            for group in sums:
                group.add_billed(Decimal(row["cost"] or 0))
            continue
        if row["basis"] not in USAGE_BASES:
            continue
        value = _price(book, row)
        quantity = Decimal(row["quantity"] or 0)
        for group in sums:
            group.add_usage(Decimal(0) if value is None else value)
        if value is None:
            for group in sums:
                group.unpriced += quantity
            unpriced.append(
                Unpriced(
                    key=key,
                    token_type=row["token_type"],
                    service_tier=row["tier"],
                    context_window=row["context_window"],
                    quantity=quantity,
                )
            )
    return Report(
        groups=_reconciliations(models),
        projects=_reconciliations(projects),
        unpriced=tuple(sorted(unpriced, key=lambda u: _order(u.key))),
        price_book_version=book.version,
    )


def _reconciliations(sums: Mapping[GroupKey, _Sums]) -> tuple[Reconciliation, ...]:
    return tuple(
        Reconciliation(
            key=key,
            usage_cost=s.usage,
            billed_cost=s.billed,
            unpriced_quantity=s.unpriced,
            status=status(s.usage, s.billed),
        )
        for key, s in sorted(sums.items(), key=lambda item: _order(item[0]))
    )


def _order(key: GroupKey) -> tuple[str, date, str, str, str]:
    return (key.vendor, key.day, key.model or "", key.project or "", key.currency)


def reconcile(lake: Lake, book: PriceBook) -> Report:
    """The report for every AI row of the lake."""
    return reconcile_rows(sql(lake, _SQL).to_pylist(), book)
