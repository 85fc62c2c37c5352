"""The FOCUS Cost and Usage column model: 1.2 exactly as the spec names and types it, the 1.3
additions, and our `x_` lineage/query columns.

Everything downstream (normalisers, the Iceberg table, the JSON column model in
schemas/focus/columns.json) derives from FOCUS_COLUMNS, so a column is declared once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

import orjson
import pyarrow as pa

from costplane.domain.ai import AiVendor, CostBasis, TokenType

DECIMAL = pa.decimal128(38, 10)
TIMESTAMP = pa.timestamp("us", tz="UTC")
STRING = pa.string()
INT64 = pa.int64()
TAGS_MAP = pa.map_(pa.string(), pa.string())

SPEC_VERSION = "1.2"
"""The ratified version whose columns this table carries in full (1.3 columns are added)."""


class Level(StrEnum):
    """The spec's feature level; LINEAGE and EXTENSION mark our own `x_` columns
    (lineage: where a row came from; extension: what FOCUS has no column for, such as AI)."""

    MANDATORY = "Mandatory"
    CONDITIONAL = "Conditional"
    RECOMMENDED = "Recommended"
    LINEAGE = "Lineage"
    EXTENSION = "Extension"


class FocusType(StrEnum):
    """The spec's data type, which maps onto one Arrow type."""

    STRING = "String"
    DECIMAL = "Decimal"
    DATETIME = "Date/Time"
    JSON = "JSON"
    INTEGER = "Integer"
    MAP = "Map"


_ARROW_TYPES: dict[FocusType, pa.DataType] = {
    FocusType.STRING: STRING,
    FocusType.DECIMAL: DECIMAL,
    FocusType.DATETIME: TIMESTAMP,
    FocusType.JSON: STRING,
    FocusType.INTEGER: INT64,
    FocusType.MAP: TAGS_MAP,
}


@dataclass(frozen=True, slots=True)
class FocusColumn:
    """One column: spec name, type, whether the spec allows nulls, and where it came from."""

    name: str
    focus_type: FocusType
    level: Level
    nullable: bool
    introduced: str
    description: str
    allowed_values: tuple[str, ...] = ()

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.focus_type]

    @property
    def required(self) -> bool:
        """Never null in our table: Mandatory non-null spec columns and our lineage columns.

        Conditional/Recommended non-null columns stay nullable because a source may not have
        the feature at all (the spec would then omit the column; our table keeps it, null).
        """
        return not self.nullable and self.level in (Level.MANDATORY, Level.LINEAGE)

    @property
    def is_focus(self) -> bool:
        return self.level not in (Level.LINEAGE, Level.EXTENSION)


def _col(
    name: str,
    focus_type: FocusType,
    level: Level,
    nullable: bool,
    introduced: str,
    description: str,
    *allowed: str,
) -> FocusColumn:
    return FocusColumn(name, focus_type, level, nullable, introduced, description, allowed)


S, D, T, J = FocusType.STRING, FocusType.DECIMAL, FocusType.DATETIME, FocusType.JSON
M, C, R = Level.MANDATORY, Level.CONDITIONAL, Level.RECOMMENDED

SERVICE_CATEGORIES = (
    "AI and Machine Learning",
    "Analytics",
    "Business Applications",
    "Compute",
    "Databases",
    "Developer Tools",
    "Multicloud",
    "Identity",
    "Integration",
    "Internet of Things",
    "Management and Governance",
    "Media",
    "Migration",
    "Mobile",
    "Networking",
    "Security",
    "Storage",
    "Web",
    "Other",
)

FOCUS_COLUMNS: tuple[FocusColumn, ...] = (
    _col("AvailabilityZone", S, R, True, "0.5", "Provider-assigned zone within a region."),
    _col("BilledCost", D, M, False, "0.5", "Charge that is the basis for invoicing."),
    _col("BillingAccountId", S, M, False, "0.5", "Account an invoice is generated for."),
    _col("BillingAccountName", S, M, True, "0.5", "Display name of the billing account."),
    _col("BillingAccountType", S, C, False, "1.2", "Provider label for the billing account kind."),
    _col("BillingCurrency", S, M, False, "0.5", "ISO 4217 currency the charge is invoiced in."),
    _col("BillingPeriodEnd", T, M, False, "0.5", "Exclusive end of the billing period."),
    _col("BillingPeriodStart", T, M, False, "0.5", "Inclusive start of the billing period."),
    _col("CapacityReservationId", S, C, True, "1.1", "Capacity reservation applied to the charge."),
    _col(
        "CapacityReservationStatus",
        S,
        C,
        True,
        "1.1",
        "Whether the reserved capacity was used.",
        "Used",
        "Unused",
    ),
    _col(
        "ChargeCategory",
        S,
        M,
        False,
        "0.5",
        "Highest-level classification of a charge.",
        "Usage",
        "Purchase",
        "Tax",
        "Credit",
        "Adjustment",
    ),
    _col(
        "ChargeClass",
        S,
        M,
        True,
        "1.0",
        "Correction of a previously invoiced billing period, else null.",
        "Correction",
    ),
    _col("ChargeDescription", S, M, True, "1.0-preview", "Self-contained summary of the charge."),
    _col(
        "ChargeFrequency",
        S,
        R,
        False,
        "1.0-preview",
        "How often the charge occurs.",
        "One-Time",
        "Recurring",
        "Usage-Based",
    ),
    _col("ChargePeriodEnd", T, M, False, "0.5", "Exclusive end of the charged period."),
    _col("ChargePeriodStart", T, M, False, "0.5", "Inclusive start of the charged period."),
    _col(
        "CommitmentDiscountCategory",
        S,
        C,
        True,
        "1.0-preview",
        "Whether the commitment is for spend or usage.",
        "Spend",
        "Usage",
    ),
    _col("CommitmentDiscountId", S, C, True, "1.0-preview", "Commitment discount applied."),
    _col("CommitmentDiscountName", S, C, True, "1.0-preview", "Display name of the commitment."),
    _col("CommitmentDiscountQuantity", D, C, True, "1.1", "Commitment amount used or unused."),
    _col(
        "CommitmentDiscountStatus",
        S,
        C,
        True,
        "1.0",
        "Whether the commitment was used.",
        "Used",
        "Unused",
    ),
    _col("CommitmentDiscountType", S, C, True, "1.0-preview", "Provider label for the commitment."),
    _col("CommitmentDiscountUnit", S, C, True, "1.1", "Unit of CommitmentDiscountQuantity."),
    _col("ConsumedQuantity", D, C, True, "1.0", "Volume of the resource or service used."),
    _col("ConsumedUnit", S, C, True, "1.0", "Unit of ConsumedQuantity."),
    _col("ContractedCost", D, M, False, "1.0", "ContractedUnitPrice times PricingQuantity."),
    _col("ContractedUnitPrice", D, C, True, "1.0", "Unit price after negotiated discounts."),
    _col("EffectiveCost", D, M, False, "0.5", "Amortised cost after all discounts."),
    _col("InvoiceId", S, R, True, "1.2", "Invoice the charge appears on."),
    _col("InvoiceIssuerName", S, M, False, "0.5", "Entity that issues the invoice."),
    _col("ListCost", D, M, False, "1.0-preview", "ListUnitPrice times PricingQuantity."),
    _col("ListUnitPrice", D, C, True, "1.0-preview", "Public unit price without discounts."),
    _col(
        "PricingCategory",
        S,
        C,
        True,
        "1.0-preview",
        "Pricing model used for the charge.",
        "Standard",
        "Dynamic",
        "Committed",
        "Other",
    ),
    _col("PricingCurrency", S, C, True, "1.2", "Currency the prices are quoted in."),
    _col(
        "PricingCurrencyContractedUnitPrice",
        D,
        C,
        True,
        "1.2",
        "ContractedUnitPrice in PricingCurrency.",
    ),
    _col("PricingCurrencyEffectiveCost", D, C, True, "1.2", "EffectiveCost in PricingCurrency."),
    _col("PricingCurrencyListUnitPrice", D, C, True, "1.2", "ListUnitPrice in PricingCurrency."),
    _col("PricingQuantity", D, M, True, "1.0-preview", "Volume bought, in PricingUnit blocks."),
    _col("PricingUnit", S, M, True, "1.0-preview", "Unit of PricingQuantity (UnitFormat)."),
    _col("ProviderName", S, M, False, "0.5", "Entity that makes the service available."),
    _col("PublisherName", S, M, False, "0.5", "Entity that produces the service."),
    _col("RegionId", S, C, True, "1.0", "Provider-assigned region identifier."),
    _col("RegionName", S, C, True, "1.0", "Display name of the region."),
    _col("ResourceId", S, C, True, "0.5", "Identifier of the resource charged."),
    _col("ResourceName", S, C, True, "0.5", "Display name of the resource."),
    _col("ResourceType", S, C, True, "1.0-preview", "Kind of resource charged."),
    _col(
        "ServiceCategory",
        S,
        M,
        False,
        "0.5",
        "FOCUS category of the service; one per ServiceName.",
        *SERVICE_CATEGORIES,
    ),
    _col("ServiceName", S, M, False, "0.5", "Offering that was bought."),
    _col("ServiceSubcategory", S, R, False, "1.1", "FOCUS subcategory within ServiceCategory."),
    _col("SkuId", S, C, True, "1.0-preview", "Identifier of the product (SKU)."),
    _col("SkuMeter", S, C, True, "1.1", "What the SKU meters."),
    _col("SkuPriceDetails", J, C, True, "1.1", "JSON object of SKU price properties."),
    _col("SkuPriceId", S, C, True, "1.0-preview", "Identifier of the SKU price point."),
    _col("SubAccountId", S, C, True, "0.5", "Account/subscription/project grouping resources."),
    _col("SubAccountName", S, C, True, "0.5", "Display name of the sub account."),
    _col("SubAccountType", S, C, True, "1.2", "Provider label for the sub account kind."),
    _col("Tags", J, C, True, "1.0-preview", "JSON object of tags applied to the resource."),
    _col("ServiceProviderName", S, M, False, "1.3", "Entity that sells the service."),
    _col("HostProviderName", S, M, True, "1.3", "Entity whose infrastructure hosts the service."),
    _col("AllocatedMethodId", S, C, True, "1.3", "Provider split-cost-allocation method."),
    _col("AllocatedMethodDetails", J, C, True, "1.3", "JSON details of the allocation split."),
    _col("AllocatedResourceId", S, C, True, "1.3", "Resource the cost was allocated to."),
    _col("AllocatedResourceName", S, C, True, "1.3", "Display name of the allocated resource."),
    _col("AllocatedTags", J, C, True, "1.3", "JSON object of the allocated resource's tags."),
    _col("ContractApplied", J, C, True, "1.3", "JSON array of contract commitments applied."),
    _col("x_SourceName", S, Level.LINEAGE, False, "x", "Normaliser that produced the row."),
    _col("x_SourceFile", S, Level.LINEAGE, False, "x", "Bill file the row was read from."),
    _col("x_IngestionId", S, Level.LINEAGE, False, "x", "Ingestion run that wrote the row."),
    _col(
        "x_SourceRow",
        FocusType.INTEGER,
        Level.LINEAGE,
        False,
        "x",
        "1-based data row (or line) number in the source file.",
    ),
    _col(
        "x_TagsMap",
        FocusType.MAP,
        Level.LINEAGE,
        True,
        "x",
        "Tags as a map<string,string> for queries; same content as Tags.",
    ),
    _col(
        "x_AiVendor",
        S,
        Level.EXTENSION,
        True,
        "x",
        "AI rows: who served the model call (the price book's vendor); null on other rows.",
        *(v.value for v in AiVendor),
    ),
    _col("x_AiModel", S, Level.EXTENSION, True, "x", "AI rows: the model, as the vendor names it."),
    _col(
        "x_AiTokenType",
        S,
        Level.EXTENSION,
        True,
        "x",
        "AI rows: what ConsumedQuantity counts; the parts never overlap.",
        *(t.value for t in TokenType),
    ),
    _col(
        "x_AiServiceTier",
        S,
        Level.EXTENSION,
        True,
        "x",
        "AI rows: the vendor's service tier (standard, batch, flex, priority, provisioned).",
    ),
    _col(
        "x_AiContextWindow",
        S,
        Level.EXTENSION,
        True,
        "x",
        "AI rows: the context-window band that priced the row (e.g. 0-200k).",
    ),
    _col("x_AiApiKeyId", S, Level.EXTENSION, True, "x", "AI rows: the API key that was used."),
    _col(
        "x_AiUserId", S, Level.EXTENSION, True, "x", "AI rows: the user or principal that called."
    ),
    _col(
        "x_AiCostBasis",
        S,
        Level.EXTENSION,
        True,
        "x",
        "AI rows: how the cost is known, so spend is never counted twice.",
        *(b.value for b in CostBasis),
    ),
)

COLUMNS_BY_NAME: dict[str, FocusColumn] = {c.name: c for c in FOCUS_COLUMNS}


@cache
def focus_arrow_schema() -> pa.Schema:
    """The Arrow schema every normalised batch has, field for field."""
    return pa.schema(
        [pa.field(c.name, c.arrow_type, nullable=not c.required) for c in FOCUS_COLUMNS]
    )


def columns_document() -> dict[str, Any]:
    """The column model as a JSON-ready document (committed as schemas/focus/columns.json)."""
    return {
        "focusVersion": SPEC_VERSION,
        "additionalFocusVersions": ["1.3"],
        "columns": [
            {
                "name": c.name,
                "focusType": c.focus_type.value,
                "arrowType": str(c.arrow_type),
                "level": c.level.value,
                "allowsNulls": c.nullable,
                "required": c.required,
                "introduced": c.introduced,
                "description": c.description,
                "allowedValues": list(c.allowed_values),
            }
            for c in FOCUS_COLUMNS
        ],
    }


def render_columns_json() -> bytes:
    """Stable bytes of `columns_document()`, so the committed file can be compared exactly.

    Regenerate with `python -m costplane.billing.focus.columns > schemas/focus/columns.json`.
    """
    return orjson.dumps(columns_document(), option=orjson.OPT_INDENT_2) + b"\n"


if __name__ == "__main__":
    import sys

    sys.stdout.buffer.write(render_columns_json())
