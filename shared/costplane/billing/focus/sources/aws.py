"""AWS Cost and Usage Reports: legacy CUR (`lineItem/UnblendedCost` CSV, or its snake_case
Parquet) and CUR 2.0 (snake_case Parquet or CSV, `resource_tags` map or flattened
`resource_tags_user_*` columns) share one mapping, written against CUR 2.0 names; legacy
headers are renamed to them (`lineItem/UnblendedCost` -> `line_item_unblended_cost`).

Amortisation per line-item type follows the FinOps Foundation converter (EffectiveCost):
SavingsPlanCoveredUsage -> SavingsPlanEffectiveCost; SavingsPlanRecurringFee -> the unused
commitment (TotalCommitmentToDate - UsedCommitment); SavingsPlanNegation and upfront fees ->
0; DiscountedUsage -> reservation EffectiveCost; RIFee -> unused upfront + recurring fee.
BilledCost is the unblended cost, except that Savings-Plan-covered usage and its negation
(which cancel each other) are both 0, as in AWS's own FOCUS export.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus import tags
from costplane.billing.focus.ai_rows import apply_ai_columns, bedrock_meters, tokens_of
from costplane.billing.focus.batch import Columns, Lineage, constant, finish
from costplane.billing.focus.convert import add, subtract, to_text, zeros
from costplane.billing.focus.mappings import lookup
from costplane.billing.focus.readers import SourceBatch
from costplane.billing.focus.registry import register_normaliser
from costplane.billing.focus.sources.base import TabularNormaliser, choose, lookup_values
from costplane.billing.focus.units import normalise_units
from costplane.domain.ai import AiVendor

PROVIDER = "AWS"
BEDROCK_CODES = ("AmazonBedrock", "AmazonBedrockService")
"""Product codes of Bedrock's model charges (AWS bills newer Claude models under the second)."""
TAG_PREFIX = "resource_tags/"

# line item type -> (ChargeCategory, ChargeFrequency, PricingCategory)
LINE_ITEM_TYPES: dict[str, tuple[str, str, str | None]] = {
    "Usage": ("Usage", "Usage-Based", "Standard"),
    "DiscountedUsage": ("Usage", "Usage-Based", "Committed"),
    "SavingsPlanCoveredUsage": ("Usage", "Usage-Based", "Committed"),
    "SavingsPlanNegation": ("Usage", "Usage-Based", "Committed"),
    "Fee": ("Purchase", "One-Time", "Standard"),
    "RIFee": ("Purchase", "Recurring", "Standard"),
    "SavingsPlanRecurringFee": ("Purchase", "Recurring", "Standard"),
    "SavingsPlanUpfrontFee": ("Purchase", "One-Time", "Standard"),
    "Tax": ("Tax", "One-Time", None),
    "Credit": ("Credit", "One-Time", "Other"),
    "Refund": ("Credit", "One-Time", "Other"),
    "Discount": ("Credit", "Usage-Based", "Other"),
    "BundledDiscount": ("Credit", "Usage-Based", "Other"),
    "EdpDiscount": ("Credit", "Usage-Based", "Other"),
    "PrivateRateDiscount": ("Credit", "Usage-Based", "Other"),
    "DistributorDiscount": ("Credit", "Usage-Based", "Other"),
    "SppDiscount": ("Credit", "Usage-Based", "Other"),
}
SAVINGS_PLAN_TYPES = (
    "SavingsPlanCoveredUsage",
    "SavingsPlanNegation",
    "SavingsPlanRecurringFee",
    "SavingsPlanUpfrontFee",
)
RESERVATION_TYPES = ("DiscountedUsage", "RIFee")
CHARGE_CATEGORIES = {kind: charge for kind, (charge, _, _) in LINE_ITEM_TYPES.items()}
CHARGE_FREQUENCIES = {kind: frequency for kind, (_, frequency, _) in LINE_ITEM_TYPES.items()}
PRICING_CATEGORIES = {kind: pricing for kind, (_, _, pricing) in LINE_ITEM_TYPES.items()}

USED = frozenset(
    {
        "bill_billing_entity",
        "bill_billing_period_end_date",
        "bill_billing_period_start_date",
        "bill_invoice_id",
        "bill_invoicing_entity",
        "bill_payer_account_id",
        "bill_payer_account_name",
        "line_item_availability_zone",
        "line_item_currency_code",
        "line_item_iam_principal",
        "line_item_legal_entity",
        "line_item_line_item_description",
        "line_item_line_item_type",
        "line_item_net_unblended_rate",
        "line_item_product_code",
        "line_item_resource_id",
        "line_item_unblended_cost",
        "line_item_unblended_rate",
        "line_item_usage_account_id",
        "line_item_usage_account_name",
        "line_item_usage_amount",
        "line_item_usage_end_date",
        "line_item_usage_start_date",
        "line_item_usage_type",
        "pricing_currency",
        "pricing_public_on_demand_rate",
        "pricing_rate_code",
        "pricing_unit",
        "product",
        "product_location",
        "product_product_name",
        "product_provider",
        "product_region",
        "product_region_code",
        "product_sku",
        "reservation_effective_cost",
        "reservation_reservation_a_r_n",
        "reservation_unused_amortized_upfront_fee_for_billing_period",
        "reservation_unused_recurring_fee",
        "resource_tags",
        "savings_plan_savings_plan_a_r_n",
        "savings_plan_savings_plan_effective_cost",
        "savings_plan_total_commitment_to_date",
        "savings_plan_used_commitment",
    }
)
REQUIRED = (
    "bill_billing_period_end_date",
    "bill_billing_period_start_date",
    "bill_payer_account_id",
    "line_item_currency_code",
    "line_item_line_item_type",
    "line_item_product_code",
    "line_item_unblended_cost",
    "line_item_usage_end_date",
    "line_item_usage_start_date",
)

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def cur2_name(header: str) -> str | None:
    """A CUR header (legacy `group/Attribute` or snake_case) as its CUR 2.0 name; tag columns
    become `resource_tags/<key>`; columns the mapping does not use are skipped (None)."""
    if "/" in header:
        group, attribute = header.split("/", 1)
        if group == "resourceTags":
            return TAG_PREFIX + attribute
        name = f"{_snake(group)}_{_snake(attribute)}"
    else:
        name = header.strip()
        if name.startswith("resource_tags_"):
            return TAG_PREFIX + name.removeprefix("resource_tags_")
    return name if name in USED else None


def _strip_user_prefix(keys: pa.Array) -> pa.Array:
    """User tags lose their `user:`/`user_` scheme prefix; AWS-generated ones keep `aws:`."""
    return pc.replace_substring_regex(keys, r"^user[:_]", "")


def _tags(source: SourceBatch) -> tags.Entries:
    names = [n for n in source.data.schema.names if n.startswith(TAG_PREFIX)]
    entries = tags.from_columns(
        [source.raw(n) for n in names], [n.removeprefix(TAG_PREFIX) for n in names], source.num_rows
    )
    if source.has("resource_tags"):
        column = source.raw("resource_tags")
        if pa.types.is_map(column.type):
            mapped = tags.from_entry_lists(column)
        else:
            mapped = tags.from_json_objects(column, "resource_tags", source.where)
        entries = tags.merge(mapped, entries)
    return tags.rename_keys(entries, _strip_user_prefix)


def _service_name(source: SourceBatch) -> pa.Array:
    """The service table's name for the product code (stable across AWS renames); the bill's
    own product name only for codes the table does not know, else the code itself."""
    code = source.text("line_item_product_code")
    (known,) = lookup(code, "aws_services.csv", "product_code", ["service_name"])
    unknown = pc.is_null(known)
    if not pc.any(pc.and_(unknown, pc.is_valid(code))).as_py():
        return known
    stated = _product_key(source, "product_product_name", "product_name")
    return pc.coalesce(known, stated, code)


def _product_key(source: SourceBatch, column: str, key: str) -> pa.Array:
    """A `product` attribute: its legacy/flattened column, else the CUR 2.0 product map's key."""
    stated = source.text(column)
    product = source.raw("product")
    if pa.types.is_map(product.type):
        return pc.coalesce(stated, pc.map_lookup(product, key, "first"))
    if pa.types.is_string(product.type):
        found = pc.extract_regex(product, rf'"{key}"\s*:\s*"(?P<value>[^"]*)"')
        return pc.coalesce(stated, to_text(found.field("value")))
    return stated


def _bedrock(source: SourceBatch, columns: Columns, quantity: pa.Array) -> None:
    """Bedrock token lines are AI rows: model and token type from the usage type, the
    model's publisher from the mapping table or the product's `provider`, the caller from
    `line_item_iam_principal` (CUR 2.0's IAM principal, for cost allocation by role)."""
    in_service = pc.is_in(source.text("line_item_product_code"), value_set=pa.array(BEDROCK_CODES))
    if not pc.any(in_service).as_py():
        return
    meters = bedrock_meters(source.text("line_item_usage_type"), in_service)
    provider = _product_key(source, "product_provider", "provider")
    publisher = pc.if_else(meters.recognised, provider, pa.scalar(None, pa.string()))
    meters = replace(meters, publisher=pc.coalesce(meters.publisher, publisher))
    tokens = tokens_of(quantity, source.text("pricing_unit"))
    apply_ai_columns(columns, AiVendor.AWS_BEDROCK, meters, tokens)
    caller = pc.if_else(meters.recognised, source.text("line_item_iam_principal"), None)
    columns["x_AiUserId"] = caller


def _reservation_purchase(source: SourceBatch, kind: pa.Array) -> pa.Array:
    """A Fee line that buys a reservation (it names the reservation)."""
    return pc.and_(pc.equal(kind, "Fee"), pc.is_valid(source.text("reservation_reservation_a_r_n")))


def _effective_cost(source: SourceBatch, kind: pa.Array, unblended: pa.Array) -> pa.Array:
    def amount(name: str) -> pa.Array:
        return pc.fill_null(source.decimal(name), 0)

    length = source.num_rows
    return choose(
        [
            (
                pc.equal(kind, "SavingsPlanCoveredUsage"),
                source.decimal("savings_plan_savings_plan_effective_cost"),
            ),
            (
                pc.equal(kind, "SavingsPlanRecurringFee"),
                subtract(
                    amount("savings_plan_total_commitment_to_date"),
                    amount("savings_plan_used_commitment"),
                ),
            ),
            (
                pc.is_in(
                    kind, value_set=pa.array(["SavingsPlanNegation", "SavingsPlanUpfrontFee"])
                ),
                zeros(length),
            ),
            (pc.equal(kind, "DiscountedUsage"), source.decimal("reservation_effective_cost")),
            (
                pc.equal(kind, "RIFee"),
                add(
                    amount("reservation_unused_amortized_upfront_fee_for_billing_period"),
                    amount("reservation_unused_recurring_fee"),
                ),
            ),
            (_reservation_purchase(source, kind), zeros(length)),
        ],
        unblended,
    )


def _commitment(source: SourceBatch, kind: pa.Array) -> Columns:
    savings_plan = pc.is_in(kind, value_set=pa.array(SAVINGS_PLAN_TYPES))
    reservation = pc.or_(
        pc.is_in(kind, value_set=pa.array(RESERVATION_TYPES)), _reservation_purchase(source, kind)
    )
    none = pa.scalar(None, pa.string())
    identifier = choose(
        [
            (savings_plan, source.text("savings_plan_savings_plan_a_r_n")),
            (reservation, source.text("reservation_reservation_a_r_n")),
        ],
        pa.nulls(source.num_rows, pa.string()),
    )
    applies = pc.is_valid(identifier)
    used = pc.equal(lookup_values(kind, CHARGE_CATEGORIES), "Usage")
    return {
        "CommitmentDiscountId": identifier,
        "CommitmentDiscountType": pc.if_else(
            applies, pc.if_else(savings_plan, "Savings Plan", "Reserved Instance"), none
        ),
        "CommitmentDiscountCategory": pc.if_else(
            applies, pc.if_else(savings_plan, "Spend", "Usage"), none
        ),
        "CommitmentDiscountStatus": pc.if_else(pc.and_(applies, used), "Used", none),
    }


class AwsCurNormaliser(TabularNormaliser):
    """AWS CUR (legacy or 2.0) in CSV or Parquet."""

    required = REQUIRED

    def __init__(self, name: str, *, signature: re.Pattern[str]) -> None:
        self.name = name
        self.signature = signature

    def rename(self, header: str) -> str | None:
        return cur2_name(header)

    def normalise(self, source: SourceBatch, lineage: Lineage) -> pa.RecordBatch:
        length = source.num_rows
        kind = source.text("line_item_line_item_type")
        unblended = source.decimal("line_item_unblended_cost")
        covered = pc.is_in(
            kind, value_set=pa.array(["SavingsPlanCoveredUsage", "SavingsPlanNegation"])
        )
        spot = pc.fill_null(
            pc.match_substring(source.text("line_item_usage_type"), "SpotUsage"), False
        )
        pricing_category = lookup_values(kind, PRICING_CATEGORIES)
        legal_entity = source.text("line_item_legal_entity")
        marketplace = pc.fill_null(
            pc.equal(source.text("bill_billing_entity"), "AWS Marketplace"), False
        )
        unit = normalise_units(source.raw("pricing_unit"))
        quantity = source.decimal("line_item_usage_amount")
        columns: Columns = {
            "BilledCost": pc.if_else(covered, zeros(length), unblended),
            "EffectiveCost": _effective_cost(source, kind, unblended),
            "BillingAccountId": source.text("bill_payer_account_id"),
            "BillingAccountName": source.text("bill_payer_account_name"),
            "BillingAccountType": constant("Billing Account", length),
            "BillingCurrency": source.text("line_item_currency_code"),
            "BillingPeriodStart": source.timestamp("bill_billing_period_start_date"),
            "BillingPeriodEnd": source.timestamp("bill_billing_period_end_date"),
            "ChargePeriodStart": source.timestamp("line_item_usage_start_date"),
            "ChargePeriodEnd": source.timestamp("line_item_usage_end_date"),
            "ChargeCategory": pc.coalesce(lookup_values(kind, CHARGE_CATEGORIES), kind),
            "ChargeFrequency": lookup_values(kind, CHARGE_FREQUENCIES),
            "ChargeDescription": source.text("line_item_line_item_description"),
            "PricingCategory": pc.if_else(
                pc.and_(pc.equal(kind, "Usage"), spot), "Dynamic", pricing_category
            ),
            "PricingQuantity": quantity,
            "PricingUnit": unit,
            "ConsumedQuantity": quantity,
            "ConsumedUnit": unit,
            "ListUnitPrice": source.decimal("pricing_public_on_demand_rate"),
            "ContractedUnitPrice": pc.coalesce(
                source.decimal("line_item_net_unblended_rate"),
                source.decimal("line_item_unblended_rate"),
            ),
            "PricingCurrency": source.text("pricing_currency"),
            "InvoiceId": source.text("bill_invoice_id"),
            "InvoiceIssuerName": pc.coalesce(source.text("bill_invoicing_entity"), legal_entity),
            "ProviderName": constant(PROVIDER, length),
            "PublisherName": legal_entity,
            "ServiceProviderName": pc.if_else(marketplace, legal_entity, PROVIDER),
            "HostProviderName": constant(PROVIDER, length),
            "RegionId": pc.coalesce(
                source.text("product_region_code"), source.text("product_region")
            ),
            "RegionName": source.text("product_location"),
            "AvailabilityZone": source.text("line_item_availability_zone"),
            "ResourceId": source.text("line_item_resource_id"),
            "ServiceName": _service_name(source),
            "SkuId": source.text("product_sku"),
            "SkuPriceId": source.text("pricing_rate_code"),
            "SkuMeter": source.text("line_item_usage_type"),
            "SubAccountId": source.text("line_item_usage_account_id"),
            "SubAccountName": source.text("line_item_usage_account_name"),
            "SubAccountType": constant("Account", length),
            **_commitment(source, kind),
        }
        _bedrock(source, columns, quantity)
        return finish(
            columns,
            where=source.where,
            lineage=lineage,
            providers=constant("aws", length),
            entries=_tags(source),
            origins={
                "ChargeCategory": "line_item_line_item_type",
                "InvoiceIssuerName": "line_item_legal_entity",
                "ServiceName": "line_item_product_code",
            },
        )


LEGACY_CUR_HEADER = re.compile(r"[A-Za-z]+/.+|resource_tags_user_.+")
"""Legacy CUR: `lineItem/UnblendedCost` in CSV, flattened `resource_tags_user_*` in Parquet."""
CUR2_HEADER = re.compile(
    r"bill_payer_account_name|line_item_usage_account_name|resource_tags|cost_category|product"
)
"""CUR 2.0 (Data Exports): account names, and tags, cost categories and product as maps."""

register_normaliser(AwsCurNormaliser("aws-cur", signature=LEGACY_CUR_HEADER))
register_normaliser(AwsCurNormaliser("aws-cur2", signature=CUR2_HEADER))
