"""The cost of AI usage rows: priced from the price book, unpriced (0) when the book has no
price, or reported (0, quantities kept) when a cost report of the vendor holds the money.

Usage arrives from usage APIs without cost; its cost is an estimate until the vendor's cost
report covers its day, and then is the cost report's alone (never counted twice). One
function decides it, for rows as they are normalised and for the lake's rows again when a
cost report lands later (`costplane.billing.ai`).
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus.columns import DECIMAL, STRING
from costplane.billing.focus.convert import multiply, per_distinct
from costplane.domain.ai import AiVendor, CostBasis, PriceBook, TokenType, bundled_price_book

CURRENCY = "USD"
"""The currency OpenAI and Anthropic usage is priced and billed in."""
USAGE_BASES = (CostBasis.PRICED.value, CostBasis.UNPRICED.value, CostBasis.REPORTED.value)
_SEPARATOR = "\x1f"
_COST_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
_PRICE_COLUMNS = (
    "ListUnitPrice",
    "ContractedUnitPrice",
    "PricingCurrencyListUnitPrice",
    "PricingCurrencyContractedUnitPrice",
)


def _unit_price(key: str, book: PriceBook) -> Decimal | None:
    vendor, model, token_type, tier, window = key.split(_SEPARATOR)
    try:
        price = book.lookup(AiVendor(vendor), model, TokenType(token_type), tier, window)
    except ValueError:
        return None
    if price is None or price.currency != CURRENCY:
        return None
    return price.unit_price


def unit_prices(
    vendor: pa.Array,
    model: pa.Array,
    token_type: pa.Array,
    tier: pa.Array,
    window: pa.Array,
    book: PriceBook | None = None,
) -> pa.Array:
    """The book's price of one unit per row (null: no price), looked up once per distinct
    vendor, model, token type, tier and context window."""
    book = book or bundled_price_book()
    parts = [
        pc.fill_null(pc.cast(a, STRING), "") for a in (vendor, model, token_type, tier, window)
    ]
    keys = pc.binary_join_element_wise(*parts, _SEPARATOR)

    def prices(distinct: pa.Array) -> pa.Array:
        return pa.array([_unit_price(k, book) for k in distinct.to_pylist()], DECIMAL)

    return per_distinct(keys, prices)


def usage_costs(
    unit: pa.Array, quantity: pa.Array, reported: pa.Array
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(cost, unit price kept, x_AiCostBasis) of usage rows: reported rows cost 0 and keep no
    price, priced rows cost quantity x price, unpriced rows 0."""
    reported = pc.fill_null(reported, False)
    priced = pc.and_(pc.invert(reported), pc.is_valid(unit))
    none = pa.scalar(None, DECIMAL)
    kept = pc.if_else(priced, unit, none)
    cost = pc.coalesce(multiply(kept, quantity), pa.scalar(Decimal(0), DECIMAL))
    basis = pc.if_else(
        reported,
        CostBasis.REPORTED.value,
        pc.if_else(priced, CostBasis.PRICED.value, CostBasis.UNPRICED.value),
    )
    return pc.cast(cost, DECIMAL), kept, basis


def is_usage(batch: pa.RecordBatch) -> pa.Array:
    """The AI usage rows of a FOCUS batch (not cost-report rows, not other rows)."""
    return pc.fill_null(pc.is_in(batch["x_AiCostBasis"], pa.array(USAGE_BASES)), False)


def rebase(batch: pa.RecordBatch, reported: pa.Array) -> pa.RecordBatch:
    """The FOCUS batch with its usage rows costed again: `reported` ones at 0, the others
    from the price book; every other row unchanged."""
    usage = is_usage(batch)
    if not pc.any(usage).as_py():
        return batch
    unit = unit_prices(
        batch["x_AiVendor"],
        batch["x_AiModel"],
        batch["x_AiTokenType"],
        batch["x_AiServiceTier"],
        batch["x_AiContextWindow"],
    )
    cost, kept, basis = usage_costs(unit, batch["ConsumedQuantity"], reported)
    columns = dict.fromkeys((*_COST_COLUMNS, "PricingCurrencyEffectiveCost"), cost)
    columns |= dict.fromkeys(_PRICE_COLUMNS, kept)
    columns["x_AiCostBasis"] = basis
    arrays = [
        pc.if_else(usage, columns[field.name], column) if field.name in columns else column
        for field, column in zip(batch.schema, batch.columns, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=batch.schema)
