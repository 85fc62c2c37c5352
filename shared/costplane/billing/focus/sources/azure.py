"""Azure cost-details exports (EA and MCA; actual and amortized) as FOCUS.

Headers are matched case- and separator-insensitively against an alias table (EA PascalCase,
MCA camelCase, older PAYG/EA names), and localised headers carry the English name in
parentheses ("Abonnement-GUID (SubscriptionGuid)"), which is what we match.

Actual and amortized exports share one header, so the dataset is recognised per row from
its values, which also handles a file mixing both:
- commitment purchases and refunds (ChargeType Purchase or Refund, PricingModel
  Reservation/SavingsPlan) are billed (BilledCost = Cost) and amortised away
  (EffectiveCost = 0);
- usage covered by a commitment (PricingModel Reservation/SavingsPlan) is never billed
  (BilledCost = 0); its EffectiveCost is the Cost the export states: the amortised share in
  an amortized export, 0 in an actual one (an actual export does not carry it);
- unused commitment (ChargeType UnusedReservation/UnusedSavingsPlan, amortized only) is an
  EffectiveCost-only Usage row with CommitmentDiscountStatus Unused;
- everything else is billed and effective at Cost.
Ingest both exports, together or one after the other: the lake combines them into one
dataset (costplane.billing.lake.datasets), BilledCost and purchases from the actual one,
EffectiveCost from the amortized one. Or ingest Azure's FOCUS export (`azure-focus`), which
already combines both.
"""

from __future__ import annotations

import re
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus import tags
from costplane.billing.focus.ai_rows import apply_ai_columns, azure_openai_meters, tokens_of
from costplane.billing.focus.batch import Columns, Lineage, constant, finish
from costplane.billing.focus.columns import DECIMAL
from costplane.billing.focus.convert import multiply, per_distinct, zeros
from costplane.billing.focus.dates import month_start, next_day, next_month_start
from costplane.billing.focus.mappings import lookup, table
from costplane.billing.focus.readers import SourceBatch
from costplane.billing.focus.registry import register_normaliser
from costplane.billing.focus.sources.base import TabularNormaliser, choose, lookup_values
from costplane.billing.focus.units import normalise_units
from costplane.domain.ai import AiVendor

PROVIDER = "Microsoft"
US_DATES = ("%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%d.%m.%Y")
COMMITMENT_MODELS = ("Reservation", "SavingsPlan")

CHARGE_TYPES: dict[str, str | None] = {
    "Usage": "Usage",
    "UnusedReservation": "Usage",
    "UnusedSavingsPlan": "Usage",
    "Purchase": "Purchase",
    "Refund": "Purchase",
    "Tax": "Tax",
    "Credit": "Credit",
    "RoundingAdjustment": "Adjustment",
    "Adjustment": "Adjustment",
}
FREQUENCIES: dict[str, str | None] = {
    "OneTime": "One-Time",
    "Recurring": "Recurring",
    "UsageBased": "Usage-Based",
}
PRICING_MODELS: dict[str, str | None] = {
    "OnDemand": "Standard",
    "Spot": "Dynamic",
    "Reservation": "Committed",
    "SavingsPlan": "Committed",
}
REQUIRED = ("Date", "Cost", "BillingCurrency", "SubscriptionId")

_LOCALISED = re.compile(r"\(([^()]+)\)\s*$")
_SEPARATORS = re.compile(r"[\s_\-]")
_RESOURCE_TYPE = (
    r"(?i)^.*?/providers/([^/]+)/([^/]+)/[^/]+(?:/([^/]+)/[^/]+)?(?:/([^/]+)/[^/]+)?.*$"
)


@cache
def _aliases() -> dict[str, str]:
    headers = table("azure_headers.csv")
    return dict(zip(headers["header"].to_pylist(), headers["column"].to_pylist(), strict=True))


def azure_name(header: str) -> str | None:
    """The column a header means, whatever its case, separators or language."""
    text = header.strip().lstrip("\ufeff")
    localised = _LOCALISED.search(text)
    if localised:
        text = localised.group(1)
    return _aliases().get(_SEPARATORS.sub("", text).lower())


def _resource_type(resource_ids: pa.Array) -> pa.Array:
    """ARM type (`microsoft.storage/storageaccounts`, nested types joined) from resource ids."""
    return per_distinct(resource_ids, _arm_type)


def _arm_type(resource_ids: pa.Array) -> pa.Array:
    typed = pc.replace_substring_regex(resource_ids, _RESOURCE_TYPE, r"\1/\2/\3/\4")
    typed = pc.replace_substring_regex(typed, "/+$", "")
    has_type = pc.match_substring_regex(resource_ids, "(?i)/providers/[^/]+/[^/]+/")
    return pc.if_else(has_type, pc.utf8_lower(typed), pa.scalar(None, pa.string()))


def _service_name(consumed: pa.Array, arm_type: pa.Array, meter_category: pa.Array) -> pa.Array:
    """The FinOps toolkit's ServiceName for (ConsumedService, resource type), then for the
    type alone, then for the consumed service alone; else the meter category."""
    consumed = pc.utf8_lower(pc.fill_null(consumed, ""))
    arm = pc.fill_null(arm_type, "")
    services = table("azure_services.csv")
    keys = pc.binary_join_element_wise(
        services["consumed_service"].combine_chunks(),
        services["resource_type"].combine_chunks(),
        "|",
    )
    names = services["service_name"].combine_chunks()

    def by(key: pa.Array) -> pa.Array:
        return names.take(pc.index_in(key, value_set=keys))

    return pc.coalesce(
        by(pc.binary_join_element_wise(consumed, arm, "|")),
        by(pc.binary_join_element_wise("", arm, "|")),
        by(pc.binary_join_element_wise(consumed, "", "|")),
        meter_category,
        pc.if_else(pc.equal(consumed, ""), pa.scalar(None, pa.string()), consumed),
    )


def _units(source: SourceBatch) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(PricingUnit, ConsumedUnit, block size): Azure prices per block ("10K", "100 Hours");
    Quantity counts blocks, so PricingUnit keeps the block and ConsumedUnit is the base."""
    measure = source.text("UnitOfMeasure")
    block_text, distinct = lookup(
        measure, "azure_pricing_units.csv", "unit_of_measure", ["block_size", "unit"]
    )
    base = normalise_units(pc.coalesce(distinct, measure))
    block = pc.fill_null(block_text, "1")
    pricing_unit = pc.if_else(
        pc.equal(block, "1"), base, pc.binary_join_element_wise(block, base, " ")
    )
    return pricing_unit, base, pc.cast(block, DECIMAL)


def _azure_openai(source: SourceBatch, columns: Columns, quantity: pa.Array) -> None:
    """Model token meters (Azure OpenAI, Foundry Models) are AI rows, counted in tokens."""
    subcategory = pc.match_substring(source.text("MeterSubCategory"), "openai", ignore_case=True)
    foundry = pc.equal(source.text("MeterCategory"), "Foundry Models")
    in_service = pc.or_(pc.fill_null(subcategory, False), pc.fill_null(foundry, False))
    if not pc.any(in_service).as_py():
        return
    meters = azure_openai_meters(source.text("MeterName"), in_service)
    tokens = tokens_of(quantity, source.text("UnitOfMeasure"))
    apply_ai_columns(columns, AiVendor.AZURE_OPENAI, meters, tokens)


def _tags(source: SourceBatch) -> tags.Entries:
    return tags.from_json_objects(source.raw("Tags"), "Tags", source.where, wrap_bare=True)


class AzureCostDetailsNormaliser(TabularNormaliser):
    """Azure EA or MCA cost details (actual or amortized), CSV or Parquet."""

    required = REQUIRED
    combines_actual_and_amortized = True
    """The lake combines the two exports of a period (costplane.billing.lake.datasets)."""

    def __init__(
        self, name: str, *, billing_profile_scope: bool, signature: re.Pattern[str]
    ) -> None:
        self.name = name
        self.billing_profile_scope = billing_profile_scope
        self.signature = signature

    def rename(self, header: str) -> str | None:
        return azure_name(header)

    def _billing_account(self, source: SourceBatch) -> Columns:
        subscription = source.text("SubscriptionId")
        if self.billing_profile_scope:
            identifier = pc.coalesce(
                source.text("BillingProfileId"), source.text("BillingAccountId")
            )
            name = pc.coalesce(source.text("BillingProfileName"), source.text("BillingAccountName"))
            kind = "Billing Profile"
        else:
            identifier, name = source.text("BillingAccountId"), source.text("BillingAccountName")
            kind = "Billing Account"
        return {
            "BillingAccountId": pc.coalesce(identifier, subscription),
            "BillingAccountName": name,
            "BillingAccountType": constant(kind, source.num_rows),
            "SubAccountId": subscription,
            "SubAccountName": source.text("SubscriptionName"),
            "SubAccountType": constant("Subscription", source.num_rows),
        }

    def normalise(self, source: SourceBatch, lineage: Lineage) -> pa.RecordBatch:
        length = source.num_rows
        none = pa.scalar(None, pa.string())
        charge_type = source.text("ChargeType")
        model = source.text("PricingModel")
        cost = source.decimal("Cost")
        commitment = pc.fill_null(pc.is_in(model, value_set=pa.array(COMMITMENT_MODELS)), False)
        unused = pc.fill_null(
            pc.is_in(charge_type, value_set=pa.array(["UnusedReservation", "UnusedSavingsPlan"])),
            False,
        )
        purchase = pc.fill_null(pc.equal(charge_type, "Purchase"), False)
        refund = pc.fill_null(pc.equal(charge_type, "Refund"), False)
        category = pc.coalesce(
            lookup_values(charge_type, CHARGE_TYPES), charge_type, pa.scalar("Usage")
        )
        covered = pc.and_(commitment, pc.equal(category, "Usage"))
        amortised_away = pc.and_(pc.or_(purchase, refund), commitment)
        date = source.timestamp("Date", US_DATES)
        period_start = source.timestamp("BillingPeriodStartDate", US_DATES)
        period_end = source.timestamp("BillingPeriodEndDate", US_DATES)
        arm_type = pc.coalesce(
            pc.utf8_lower(source.text("ResourceType")), _resource_type(source.text("ResourceId"))
        )
        (type_name,) = lookup(
            arm_type, "azure_resource_types.csv", "resource_type", ["display_name"]
        )
        region_id, region_name = lookup(
            source.text("ResourceLocation"),
            "azure_regions.csv",
            "location",
            ["region_id", "region_name"],
            casefold=True,
        )
        pricing_unit, consumed_unit, block = _units(source)
        quantity = source.decimal("Quantity")
        benefit_id = pc.coalesce(source.text("BenefitId"), source.text("ReservationId"))
        savings_plan = pc.equal(model, "SavingsPlan")
        publisher = source.text("PublisherName")
        marketplace = pc.fill_null(pc.equal(source.text("PublisherType"), "Marketplace"), False)
        resource_id = source.text("ResourceId")
        columns: Columns = {
            **self._billing_account(source),
            "BilledCost": pc.if_else(pc.or_(covered, unused), zeros(length), cost),
            "EffectiveCost": pc.if_else(amortised_away, zeros(length), cost),
            "BillingCurrency": source.text("BillingCurrency"),
            "PricingCurrency": source.text("PricingCurrency"),
            "PricingCurrencyEffectiveCost": pc.if_else(
                amortised_away, zeros(length), source.decimal("CostInPricingCurrency")
            ),
            "BillingPeriodStart": pc.coalesce(period_start, month_start(date)),
            "BillingPeriodEnd": pc.coalesce(next_day(period_end), next_month_start(date)),
            "ChargePeriodStart": date,
            "ChargePeriodEnd": next_day(date),
            "ChargeCategory": category,
            "ChargeClass": pc.if_else(refund, "Correction", none),
            "ChargeFrequency": pc.coalesce(
                lookup_values(source.text("Frequency"), FREQUENCIES),
                lookup_values(category, {"Usage": "Usage-Based", "Purchase": "One-Time"}),
                pa.scalar("One-Time"),
            ),
            "ChargeDescription": source.text("Product"),
            "PricingCategory": choose(
                [(purchase, pa.scalar("Standard")), (pc.equal(category, "Tax"), none)],
                lookup_values(model, PRICING_MODELS),
            ),
            "CommitmentDiscountId": pc.if_else(commitment, benefit_id, none),
            "CommitmentDiscountName": pc.if_else(
                commitment,
                pc.coalesce(source.text("BenefitName"), source.text("ReservationName")),
                none,
            ),
            "CommitmentDiscountType": pc.if_else(
                commitment, pc.if_else(savings_plan, "Savings Plan", "Reservation"), none
            ),
            "CommitmentDiscountCategory": pc.if_else(
                commitment, pc.if_else(savings_plan, "Spend", "Usage"), none
            ),
            "CommitmentDiscountStatus": choose(
                [(unused, pa.scalar("Unused")), (covered, pa.scalar("Used"))],
                pa.nulls(length, pa.string()),
            ),
            "PricingQuantity": quantity,
            "PricingUnit": pricing_unit,
            "ConsumedQuantity": multiply(quantity, block),
            "ConsumedUnit": consumed_unit,
            "ListUnitPrice": source.decimal("PayGPrice"),
            "ListCost": source.decimal("PayGCost"),
            "ContractedUnitPrice": source.decimal("UnitPrice"),
            "InvoiceId": source.text("InvoiceId"),
            "InvoiceIssuerName": pc.coalesce(source.text("PartnerName"), pa.scalar(PROVIDER)),
            "ProviderName": constant(PROVIDER, length),
            "PublisherName": publisher,
            "ServiceProviderName": pc.if_else(marketplace, publisher, PROVIDER),
            "HostProviderName": constant(PROVIDER, length),
            "AvailabilityZone": source.text("AvailabilityZone"),
            "RegionId": region_id,
            "RegionName": region_name,
            "ResourceId": resource_id,
            "ResourceName": pc.coalesce(
                source.text("ResourceName"),
                per_distinct(
                    resource_id,
                    lambda ids: pc.replace_substring_regex(ids, r"^.*/([^/]+)/?$", r"\1"),
                ),
            ),
            "ResourceType": pc.coalesce(type_name, arm_type),
            "ServiceName": _service_name(
                source.text("ConsumedService"), arm_type, source.text("MeterCategory")
            ),
            "SkuId": pc.coalesce(source.text("ProductId"), source.text("PartNumber")),
            "SkuPriceId": source.text("MeterId"),
            "SkuMeter": source.text("MeterName"),
        }
        _azure_openai(source, columns, quantity)
        return finish(
            columns,
            where=source.where,
            lineage=lineage,
            providers=constant("azure", length),
            entries=_tags(source),
            origins={"ChargeCategory": "ChargeType", "ServiceName": "ConsumedService"},
        )


EA_HEADER = re.compile(r"(?i)cost")
"""EA cost details state the cost in a column named just `Cost`."""
MCA_HEADER = re.compile(r"(?i)costInBillingCurrency|exchangeRatePricingToBilling")
"""MCA cost details have no `Cost` column: the cost is in billing and pricing currency."""

register_normaliser(
    AzureCostDetailsNormaliser("azure-ea", billing_profile_scope=False, signature=EA_HEADER)
)
register_normaliser(
    AzureCostDetailsNormaliser("azure-mca", billing_profile_scope=True, signature=MCA_HEADER)
)
