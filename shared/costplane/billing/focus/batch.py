"""Turn the columns a normaliser derived into one record batch with exactly the FOCUS schema.

The FOCUS rules that hold for every source live here, once: cost fallbacks the spec defines,
one ServiceCategory per ServiceName, nulls where the spec forbids a value, enumerations in
their canonical spelling, required columns present, and the `x_` lineage columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus import tags
from costplane.billing.focus.columns import (
    COLUMNS_BY_NAME,
    DECIMAL,
    FOCUS_COLUMNS,
    STRING,
    TIMESTAMP,
    focus_arrow_schema,
)
from costplane.billing.focus.convert import (
    Where,
    first_true,
    multiply,
    to_decimal,
    to_text,
    to_timestamp,
)
from costplane.billing.focus.services import categorise
from costplane.billing.focus.units import map_distinct

Columns = dict[str, pa.Array]


@dataclass(frozen=True, slots=True)
class Lineage:
    """Where the rows of one ingestion come from (the `x_` lineage columns)."""

    source: str
    file: str
    ingestion_id: str


def constant(value: str | None, length: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, STRING), length)


def _null_where(mask: pa.Array, values: pa.Array) -> pa.Array:
    return pc.if_else(mask, pa.scalar(None, values.type), values)


def _fill(columns: Columns, name: str, *candidates: pa.Array | None) -> None:
    current = columns.get(name)
    present = [c for c in (current, *candidates) if c is not None]
    if present:
        columns[name] = pc.coalesce(*present) if len(present) > 1 else present[0]


def _cost_fallbacks(columns: Columns) -> None:
    """ListCost/ContractedCost: unit price x PricingQuantity, else BilledCost (the spec's rule
    for charges without a unit price); EffectiveCost defaults to BilledCost."""
    billed = columns["BilledCost"]
    quantity = columns.get("PricingQuantity")
    for cost, price in (("ListCost", "ListUnitPrice"), ("ContractedCost", "ContractedUnitPrice")):
        unit_price = columns.get(price)
        computed = (
            multiply(unit_price, quantity)
            if unit_price is not None and quantity is not None
            else None
        )
        _fill(columns, cost, computed, billed)
    _fill(columns, "EffectiveCost", billed)


def _spec_nulls(columns: Columns) -> None:
    """Nulls the spec demands: consumption only on Usage rows that are not unused commitment,
    no PricingUnit/PricingQuantity on Tax rows."""
    category = columns["ChargeCategory"]
    status = columns.get("CommitmentDiscountStatus")
    not_consumed = pc.fill_null(pc.not_equal(category, "Usage"), True)
    if status is not None:
        not_consumed = pc.or_(not_consumed, pc.fill_null(pc.equal(status, "Unused"), False))
    for name in ("ConsumedQuantity", "ConsumedUnit"):
        if name in columns:
            columns[name] = _null_where(not_consumed, columns[name])
    is_tax = pc.fill_null(pc.equal(category, "Tax"), False)
    for name in ("PricingQuantity", "PricingUnit"):
        if name in columns:
            columns[name] = _null_where(is_tax, columns[name])


def _pricing_currency(columns: Columns) -> None:
    """Every source here prices in its billing currency unless it states otherwise, so
    PricingCurrency defaults to BillingCurrency; where the two are equal, the PricingCurrency*
    columns equal the billing-currency ones."""
    pricing = pc.coalesce(
        *(c for c in (columns.get("PricingCurrency"), columns["BillingCurrency"]) if c is not None)
    )
    columns["PricingCurrency"] = pricing
    same = pc.fill_null(pc.equal(pricing, columns["BillingCurrency"]), False)
    for target, source in (
        ("PricingCurrencyEffectiveCost", "EffectiveCost"),
        ("PricingCurrencyListUnitPrice", "ListUnitPrice"),
        ("PricingCurrencyContractedUnitPrice", "ContractedUnitPrice"),
    ):
        if source in columns:
            copied = pc.if_else(same, columns[source], pa.scalar(None, DECIMAL))
            _fill(columns, target, copied)


def _region_name(columns: Columns) -> None:
    """RegionName must not be null when RegionId is not; the id is the fallback name."""
    if "RegionId" in columns:
        _fill(columns, "RegionName", columns["RegionId"])


def _providers(columns: Columns) -> None:
    provider = columns["ProviderName"]
    for name in ("PublisherName", "ServiceProviderName", "HostProviderName"):
        _fill(columns, name, provider)


def _canonical_spelling(allowed: tuple[str, ...]) -> Callable[[str], str]:
    canonical = {v.lower(): v for v in allowed}
    return lambda value: canonical.get(value.lower(), value)


def _canonical_enumerations(columns: Columns, where: Where, origins: Mapping[str, str]) -> None:
    """Enumerated columns in the spec's spelling ("Usage-based" -> "Usage-Based"); a value
    that is none of the allowed ones is refused at its row."""
    for name, values in list(columns.items()):
        column = COLUMNS_BY_NAME.get(name)
        if column is None or not column.allowed_values or name == "ServiceCategory":
            continue
        allowed = pa.array(column.allowed_values)
        if pc.all(pc.is_in(pc.drop_null(values), value_set=allowed)).as_py():
            continue
        fixed = map_distinct(values, _canonical_spelling(column.allowed_values))
        unknown = pc.invert(pc.is_in(fixed, value_set=allowed))
        index = first_true(pc.and_(pc.is_valid(fixed), unknown))
        if index is not None:
            message = f"{fixed[index].as_py()!r} is not one of {', '.join(column.allowed_values)}"
            raise where.error(origins.get(name, name), index, message, "bad_value")
        columns[name] = fixed


def _typed(name: str, values: pa.Array, where: Where) -> pa.Array:
    kind = COLUMNS_BY_NAME[name].arrow_type
    if values.type == kind:
        return values
    if kind == DECIMAL:
        return to_decimal(values, name, where)
    if kind == TIMESTAMP:
        return to_timestamp(values, name, where)
    if kind == STRING:
        return to_text(values)
    return values.cast(kind)


def finish(
    derived: Columns,
    *,
    where: Where,
    lineage: Lineage,
    providers: pa.Array,
    entries: tags.Entries,
    origins: Mapping[str, str] | None = None,
) -> pa.RecordBatch:
    """The FOCUS batch for `derived` (FOCUS column -> array; absent columns are null).

    `providers` holds the mapping-table family per row (aws/azure/gcp/oci); `origins` names
    the source column behind a FOCUS column, for errors about required values.
    """
    length = len(where.rows)
    columns = {name: _typed(name, values, where) for name, values in derived.items()}
    origins = origins or {}
    _canonical_enumerations(columns, where, origins)
    _cost_fallbacks(columns)
    _spec_nulls(columns)
    _pricing_currency(columns)
    _region_name(columns)
    _providers(columns)
    columns["ServiceCategory"], columns["ServiceSubcategory"] = categorise(
        providers,
        columns["ServiceName"],
        (columns.get("ServiceCategory"), columns.get("ServiceSubcategory")),
    )
    columns["Tags"], columns["x_TagsMap"] = tags.to_columns(entries)
    columns["x_SourceName"] = constant(lineage.source, length)
    columns["x_SourceFile"] = constant(lineage.file, length)
    columns["x_IngestionId"] = constant(lineage.ingestion_id, length)
    columns["x_SourceRow"] = where.rows
    arrays = []
    for column in FOCUS_COLUMNS:
        values = columns.get(column.name)
        if values is None:
            values = pa.nulls(length, column.arrow_type)
        if column.required and values.null_count:
            index = first_true(pc.is_null(values))
            origin = origins.get(column.name, column.name)
            message = f"no value for the required FOCUS column {column.name}"
            raise where.error(origin, index or 0, message, "missing_value")
        arrays.append(values)
    return pa.RecordBatch.from_arrays(arrays, schema=focus_arrow_schema())
