"""Google Cloud billing export (BigQuery standard or detailed usage cost) as FOCUS.

Reads the export as NDJSON (as `bq extract` writes it), Parquet (nested columns) or CSV
(flattened with dotted headers, `service.description`; `labels`/`credits` as JSON text).

Credits follow FOCUS: each element of a row's `credits[]` becomes its own row with
ChargeCategory Credit (BilledCost = EffectiveCost = the credit's negative amount) that copies
the usage row's dimensions and source row number; committed-use-discount credits carry the
commitment. The usage row keeps its full cost, so BilledCost sums to cost + credits (the
invoice total) and nothing is netted away.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus import tags
from costplane.billing.focus.ai_rows import apply_ai_columns, tokens_of, vertex_meters
from costplane.billing.focus.batch import Columns, Lineage, constant, finish
from costplane.billing.focus.columns import STRING
from costplane.billing.focus.convert import Where, parse_json_objects, to_decimal
from costplane.billing.focus.dates import month_of, month_start, next_month_start
from costplane.billing.focus.readers import Bill, SourceBatch, open_bill
from costplane.billing.focus.registry import register_normaliser
from costplane.billing.focus.sources.base import TabularNormaliser, lookup_values
from costplane.billing.focus.units import normalise_units
from costplane.domain.ai import AiVendor

PROVIDER = "Google Cloud"
INVOICE_ISSUER = "Google"
AI_SERVICES = ("Vertex AI", "Gemini API")
"""Billing services whose SKUs are model calls (Gemini on Vertex AI and on the Gemini API)."""
CUD_CREDITS: dict[str, str | None] = {
    "COMMITTED_USAGE_DISCOUNT": "Usage",
    "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE": "Spend",
}
COST_TYPES: dict[str, str | None] = {
    "regular": "Usage",
    "tax": "Tax",
    "adjustment": "Adjustment",
    "rounding_error": "Adjustment",
}
FREQUENCIES: dict[str, str | None] = {"Usage": "Usage-Based", "Purchase": "Recurring"}
REQUIRED = (
    "billing_account_id",
    "cost",
    "currency",
    "service.description",
    "usage_start_time",
    "usage_end_time",
)
CLEARED_ON_CREDITS = (
    "ListCost",
    "ListUnitPrice",
    "ContractedUnitPrice",
    "PricingQuantity",
    "PricingUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
)
KEY_VALUE = pa.list_(pa.struct([("key", STRING), ("value", STRING)]))


def _credit_type(number: pa.DataType) -> pa.DataType:
    fields = [("name", STRING), ("amount", number), ("full_name", STRING), ("id", STRING)]
    return pa.list_(pa.struct([*fields, ("type", STRING)]))


def export_schema(first: dict[str, object]) -> pa.Schema:
    """The export's NDJSON schema. Numbers are read as JSON strings or JSON numbers, whichever
    the first record uses (an export writes them one way throughout)."""
    number = STRING if isinstance(first.get("cost"), str) else pa.float64()
    usage = [
        ("amount", number),
        ("unit", STRING),
        ("amount_in_pricing_units", number),
        ("pricing_unit", STRING),
    ]
    return pa.schema(
        [
            ("billing_account_id", STRING),
            ("service", pa.struct([("id", STRING), ("description", STRING)])),
            ("sku", pa.struct([("id", STRING), ("description", STRING)])),
            ("usage_start_time", STRING),
            ("usage_end_time", STRING),
            ("project", pa.struct([("id", STRING), ("name", STRING), ("labels", KEY_VALUE)])),
            ("labels", KEY_VALUE),
            ("location", pa.struct([("region", STRING), ("zone", STRING)])),
            ("resource", pa.struct([("name", STRING), ("global_name", STRING)])),
            ("cost", number),
            ("cost_at_list", number),
            ("currency", STRING),
            ("usage", pa.struct(usage)),
            ("price", pa.struct([("effective_price", number)])),
            ("credits", _credit_type(number)),
            ("invoice", pa.struct([("month", STRING)])),
            ("cost_type", STRING),
            ("seller_name", STRING),
        ]
    )


def _flat_schema(schema: pa.Schema) -> pa.Schema:
    """Nested struct fields as dotted top-level fields (`service.description`)."""
    fields: list[pa.Field] = []
    for field in schema:
        if pa.types.is_struct(field.type):
            inner = _flat_schema(pa.schema(list(field.type)))
            fields.extend(f.with_name(f"{field.name}.{f.name}") for f in inner)
        else:
            fields.append(field)
    return pa.schema(fields)


def _flat(batch: pa.RecordBatch) -> pa.RecordBatch:
    table = pa.Table.from_batches([batch])
    while any(pa.types.is_struct(field.type) for field in table.schema):
        table = table.flatten()
    return pa.RecordBatch.from_arrays(
        [column.combine_chunks() for column in table.columns], names=table.column_names
    )


def _as_list(source: SourceBatch, name: str, kind: pa.DataType) -> pa.Array:
    """A list column as `kind`, parsed from JSON text when the bill is a CSV."""
    column = source.raw(name)
    if pa.types.is_list(column.type):
        return column.cast(kind)
    if not pa.types.is_string(column.type):
        return pa.nulls(len(column), kind)
    wrapped = pc.binary_join_element_wise('{"v":', source.text(name), "}", "")
    parsed = parse_json_objects(wrapped, name, source.where, pa.schema([("v", kind)]))
    return parsed.column("v").combine_chunks()


def _credit_number(source: SourceBatch) -> pa.DataType:
    """How credit amounts are written: JSON strings or numbers (CSV exports hold JSON text)."""
    column = source.raw("credits")
    if pa.types.is_list(column.type):
        return column.type.value_type.field("amount").type
    if pa.types.is_string(column.type):
        quoted = pc.match_substring_regex(column, r'"amount"\s*:\s*"')
        if not pc.any(quoted).as_py():
            return pa.float64()
    return STRING


def _tags(source: SourceBatch) -> tags.Entries:
    labels = tags.from_entry_lists(_as_list(source, "labels", KEY_VALUE))
    project = tags.from_entry_lists(_as_list(source, "project.labels", KEY_VALUE))
    return tags.merge(labels, project)


def _vertex(source: SourceBatch, columns: Columns) -> None:
    """Gemini token SKUs of Vertex AI and the Gemini API are AI rows (credits on them too)."""
    in_service = pc.is_in(source.text("service.description"), value_set=pa.array(AI_SERVICES))
    if not pc.any(in_service).as_py():
        return
    meters = vertex_meters(source.text("sku.description"), in_service)
    tokens = tokens_of(source.decimal("usage.amount"), source.text("usage.unit"))
    apply_ai_columns(columns, AiVendor.GCP_VERTEX, meters, tokens)


def _with_credit_rows(
    columns: Columns, credits: pa.Array, where: Where, entries: tags.Entries
) -> tuple[Columns, Where, tags.Entries]:
    """The usage rows followed by one Credit row per credit, copying its usage row."""
    parents = pc.list_parent_indices(credits)
    if not len(parents):
        return columns, where, entries
    credit = pc.list_flatten(credits)
    credit_where = Where(where.file, where.rows.take(parents))
    amount = to_decimal(credit.field("amount"), "credits.amount", credit_where)
    none = pa.scalar(None, STRING)
    commitment = lookup_values(credit.field("type"), CUD_CREDITS)
    is_commitment = pc.is_valid(commitment)
    rows: Columns = {name: values.take(parents) for name, values in columns.items()}
    for name in CLEARED_ON_CREDITS:
        rows[name] = pa.nulls(len(parents), columns[name].type)
    rows.update(
        {
            "ChargeCategory": constant("Credit", len(parents)),
            "ChargeFrequency": constant("Usage-Based", len(parents)),
            "PricingCategory": pc.if_else(is_commitment, "Committed", "Other"),
            "ChargeDescription": pc.coalesce(credit.field("full_name"), credit.field("name")),
            "BilledCost": amount,
            "EffectiveCost": amount,
            "CommitmentDiscountId": pc.if_else(is_commitment, credit.field("id"), none),
            "CommitmentDiscountType": pc.if_else(is_commitment, "Committed Use Discount", none),
            "CommitmentDiscountCategory": commitment,
        }
    )
    merged: Columns = {}
    for name, tail in rows.items():
        head = columns.get(name, pa.nulls(len(where.rows), tail.type))
        merged[name] = pa.concat_arrays([head, tail.cast(head.type)])
    credit_entries = tags.take(entries, parents)
    combined = tags.Entries(
        *(
            pa.concat_arrays([getattr(entries, part), getattr(credit_entries, part)])
            for part in ("counts", "keys", "values")
        )
    )
    rows_where = Where(where.file, pa.concat_arrays([where.rows, credit_where.rows]))
    return merged, rows_where, combined


class GcpBillingNormaliser(TabularNormaliser):
    """Google Cloud billing export, NDJSON / Parquet / CSV."""

    name = "gcp-billing"
    required = REQUIRED

    def open(self, path: Path, batch_rows: int) -> Bill:
        bill = open_bill(path, batch_rows=batch_rows, rename=self.rename, json_schema=export_schema)
        flattened = (SourceBatch(_flat(b.data), b.file, b.rows) for b in bill.batches)
        return Bill(_flat_schema(bill.schema), flattened)

    def normalise(self, source: SourceBatch, lineage: Lineage) -> pa.RecordBatch:
        length = source.num_rows
        cost_type = source.text("cost_type")
        stated = pc.coalesce(lookup_values(cost_type, COST_TYPES), cost_type)
        commitment_fee = pc.fill_null(
            pc.starts_with(source.text("sku.description"), "Commitment"), False
        )
        category = pc.coalesce(stated, pa.scalar("Usage"))
        category = pc.if_else(
            pc.and_(commitment_fee, pc.equal(category, "Usage")), "Purchase", category
        )
        start = source.timestamp("usage_start_time")
        period_start = pc.coalesce(month_of(source.text("invoice.month")), month_start(start))
        project = source.text("project.id")
        publisher = pc.coalesce(source.text("seller_name"), pa.scalar(PROVIDER))
        cost = source.decimal("cost")
        columns: Columns = {
            "BilledCost": cost,
            "EffectiveCost": cost,
            "ListCost": source.decimal("cost_at_list"),
            "BillingAccountId": source.text("billing_account_id"),
            "BillingAccountType": constant("Billing Account", length),
            "BillingCurrency": source.text("currency"),
            "BillingPeriodStart": period_start,
            "BillingPeriodEnd": next_month_start(period_start),
            "ChargePeriodStart": start,
            "ChargePeriodEnd": source.timestamp("usage_end_time"),
            "ChargeCategory": category,
            "ChargeFrequency": pc.coalesce(
                lookup_values(category, FREQUENCIES), pa.scalar("One-Time")
            ),
            "ChargeDescription": source.text("sku.description"),
            "PricingCategory": pc.if_else(
                pc.is_in(category, value_set=pa.array(["Usage", "Purchase"])),
                "Standard",
                pa.scalar(None, STRING),
            ),
            "PricingQuantity": source.decimal("usage.amount_in_pricing_units"),
            "PricingUnit": normalise_units(source.raw("usage.pricing_unit")),
            "ConsumedQuantity": source.decimal("usage.amount"),
            "ConsumedUnit": normalise_units(source.raw("usage.unit")),
            "ListUnitPrice": pa.nulls(length, cost.type),
            "ContractedUnitPrice": source.decimal("price.effective_price"),
            "InvoiceIssuerName": constant(INVOICE_ISSUER, length),
            "ProviderName": constant(PROVIDER, length),
            "PublisherName": publisher,
            "ServiceProviderName": publisher,
            "HostProviderName": constant(PROVIDER, length),
            "RegionId": source.text("location.region"),
            "RegionName": source.text("location.region"),
            "AvailabilityZone": source.text("location.zone"),
            "ResourceId": source.text("resource.global_name"),
            "ResourceName": source.text("resource.name"),
            "ServiceName": source.text("service.description"),
            "SkuId": source.text("sku.id"),
            "SkuMeter": source.text("sku.description"),
            "SubAccountId": project,
            "SubAccountName": source.text("project.name"),
            "SubAccountType": pc.if_else(pc.is_valid(project), "Project", pa.scalar(None, STRING)),
        }
        _vertex(source, columns)
        credits = _as_list(source, "credits", _credit_type(_credit_number(source)))
        columns, where, entries = _with_credit_rows(columns, credits, source.where, _tags(source))
        return finish(
            columns,
            where=where,
            lineage=lineage,
            providers=constant("gcp", len(where.rows)),
            entries=entries,
            origins={
                "ServiceName": "service.description",
                "BillingCurrency": "currency",
                "ChargeCategory": "cost_type",
            },
        )


register_normaliser(GcpBillingNormaliser())
