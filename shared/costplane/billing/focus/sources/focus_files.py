"""FOCUS files (1.0-preview to 1.3, as exported by AWS, Azure, GCP and OCI, or written by the
FinOps Foundation's converter) upgraded to this table's FOCUS 1.2 + 1.3 columns.

Headers match FOCUS names case-insensitively; pre-1.0 names are renamed (Region -> RegionId,
UsageQuantity -> ConsumedQuantity, Provider -> ProviderName, AmortizedCost -> EffectiveCost,
ChargeType -> ChargeCategory, ...). Columns that are not FOCUS columns of this table (custom
`x_` columns, the sample data's "Id", ChargeSubcategory) are dropped. Columns added after the
file's version are derived where the spec defines them (ServiceSubcategory from the service
tables, ServiceProviderName/HostProviderName from ProviderName, ContractedCost from the
contracted unit price or BilledCost) and otherwise left null. Files of 1.3 and later, which
deprecate or drop ProviderName/PublisherName, get them from ServiceProviderName.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from types import MappingProxyType

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus import tags
from costplane.billing.focus.ai_rows import (
    apply_ai_columns,
    azure_openai_meters,
    bedrock_meters,
    tokens_of,
)
from costplane.billing.focus.batch import Columns, Lineage, constant, finish
from costplane.billing.focus.columns import COLUMNS_BY_NAME, FOCUS_COLUMNS
from costplane.billing.focus.convert import to_decimal, to_text
from costplane.billing.focus.readers import SourceBatch
from costplane.billing.focus.registry import register_normaliser
from costplane.billing.focus.services import provider_keys
from costplane.billing.focus.sources.base import TabularNormaliser
from costplane.billing.focus.units import normalise_units
from costplane.domain.ai import AiVendor

RENAMED = {
    "region": "RegionId",
    "usagequantity": "ConsumedQuantity",
    "usageunit": "ConsumedUnit",
    "provider": "ProviderName",
    "publisher": "PublisherName",
    "invoiceissuer": "InvoiceIssuerName",
    "amortizedcost": "EffectiveCost",
    "chargetype": "ChargeCategory",
}
REQUIRED = (
    "BilledCost",
    "BillingAccountId",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargeCategory",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "InvoiceIssuerName",
    "ProviderName",
    "ServiceName",
)
AI_METERS = {
    "x_usagetype": "x_UsageType",
    "x_skumetername": "x_SkuMeterName",
    "x_skumetersubcategory": "x_SkuMeterSubcategory",
}
"""Provider columns that name a model call's meter: read to recognise AI rows, not loaded."""
_BY_LOWER_NAME = {c.name.lower(): c.name for c in FOCUS_COLUMNS if c.is_focus}
_DERIVED = frozenset({"Tags", "x_TagsMap"})
UNIT_COLUMNS = frozenset({"PricingUnit", "ConsumedUnit", "CommitmentDiscountUnit"})


def focus_name(header: str) -> str | None:
    key = header.strip().lstrip("\ufeff").lower()
    return _BY_LOWER_NAME.get(key) or RENAMED.get(key) or AI_METERS.get(key)


def _ai_rows(
    source: SourceBatch,
    columns: Columns,
    meters: Columns,
    providers: pa.Array,
    stated_unit: pa.Array | None,
) -> None:
    """Model calls in the AWS and Azure FOCUS exports (Bedrock usage types, Azure OpenAI
    meter names) get the x_Ai columns, as in the providers' own bills; `stated_unit` is the
    file's ConsumedUnit as written ("1K tokens" counts thousands)."""
    length = source.num_rows
    none = pa.nulls(length, pa.string())
    quantity = columns.get("ConsumedQuantity")
    tokens = None
    if quantity is not None:
        columns["ConsumedQuantity"] = to_decimal(quantity, "ConsumedQuantity", source.where)
        units = to_text(stated_unit if stated_unit is not None else none)
        tokens = tokens_of(columns["ConsumedQuantity"], units)
    service = to_text(columns.get("ServiceName", none))
    bedrock = pc.and_(pc.equal(providers, "aws"), pc.equal(service, "Amazon Bedrock"))
    if "x_UsageType" in meters and pc.any(bedrock).as_py():
        found = bedrock_meters(to_text(meters["x_UsageType"]), bedrock)
        apply_ai_columns(columns, AiVendor.AWS_BEDROCK, found, tokens)
    subcategory = to_text(meters.get("x_SkuMeterSubcategory", none))
    openai = pc.and_(
        pc.equal(providers, "azure"), pc.match_substring(subcategory, "openai", ignore_case=True)
    )
    if "x_SkuMeterName" in meters and pc.any(openai).as_py():
        found = azure_openai_meters(to_text(meters["x_SkuMeterName"]), openai)
        apply_ai_columns(columns, AiVendor.AZURE_OPENAI, found, tokens)


def _tags(source: SourceBatch) -> tags.Entries:
    column = source.raw("Tags")
    if pa.types.is_map(column.type) or pa.types.is_list(column.type):
        return tags.from_entry_lists(column)
    return tags.from_json_objects(column, "Tags", source.where)


class FocusFileNormaliser(TabularNormaliser):
    """A FOCUS file (CSV or Parquet). `provider` pins the service-table family (otherwise it
    is read from each row's ProviderName); `defaults` supplies constant values for columns a
    file omits (e.g. the spec's illustrative examples, which omit most of them)."""

    null_values = ("", "NULL", "null")

    def __init__(
        self,
        name: str,
        *,
        provider: str | None = None,
        defaults: Mapping[str, str] | None = None,
        signature: re.Pattern[str] | None = None,
    ) -> None:
        self.name = name
        self.provider = provider
        self.signature = signature
        self.defaults = MappingProxyType(dict(defaults or {}))
        unknown = set(self.defaults) - set(COLUMNS_BY_NAME)
        if unknown:
            raise ValueError(f"defaults name columns that are not FOCUS columns: {sorted(unknown)}")
        self.required = tuple(c for c in REQUIRED if c not in self.defaults)

    def rename(self, header: str) -> str | None:
        return focus_name(header)

    def check_columns(self, file: str, columns: Collection[str]) -> None:
        """FOCUS 1.3 deprecates ProviderName for ServiceProviderName; either will do."""
        if "ServiceProviderName" in columns:
            columns = {*columns, "ProviderName"}
        super().check_columns(file, columns)

    def normalise(self, source: SourceBatch, lineage: Lineage) -> pa.RecordBatch:
        length = source.num_rows
        columns: Columns = {
            name: source.raw(name) for name in source.data.schema.names if name not in _DERIVED
        }
        meters = {name: columns.pop(name) for name in AI_METERS.values() if name in columns}
        if "ProviderName" not in columns and "ServiceProviderName" in columns:
            columns["ProviderName"] = columns["ServiceProviderName"]
        stated_unit = columns.get("ConsumedUnit")
        for name in UNIT_COLUMNS & columns.keys():
            columns[name] = normalise_units(columns[name])
        for name, value in self.defaults.items():
            if name not in columns:
                columns[name] = constant(value, length)
        providers = (
            constant(self.provider, length)
            if self.provider
            else provider_keys(columns["ProviderName"])
        )
        if meters:
            _ai_rows(source, columns, meters, providers, stated_unit)
        return finish(
            columns,
            where=source.where,
            lineage=lineage,
            providers=providers,
            entries=_tags(source),
        )


AWS_FOCUS_HEADER = re.compile(r"(?i)x_(CostCategories|Discounts|Operation|ServiceCode|UsageType)")
"""Custom columns of the AWS Data Exports FOCUS table."""
AZURE_FOCUS_HEADER = re.compile(
    r"(?i)x_(AccountName|BilledCostInUsd|BillingProfileId|InvoiceSectionId|PricingBlockSize"
    r"|ResourceGroupName|SkuMeterCategory|SkuMeterName|SkuMeterSubcategory)"
)
"""Custom columns of the Azure Cost Management FOCUS export."""

register_normaliser(FocusFileNormaliser("focus"))
register_normaliser(FocusFileNormaliser("aws-focus", provider="aws", signature=AWS_FOCUS_HEADER))
register_normaliser(
    FocusFileNormaliser("azure-focus", provider="azure", signature=AZURE_FOCUS_HEADER)
)
