"""Oracle Cloud Infrastructure cost reports (CSV) as FOCUS.

Cost reports have no billing-period columns: OCI invoices calendar months, so the period is
the month of `lineItem/intervalUsageStart` (written like 2023-11-13T10:00Z). Tags come one
column per tag (`tags/<namespace>.<key>`) and keep their namespaced key.
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus import tags
from costplane.billing.focus.batch import Columns, Lineage, constant, finish
from costplane.billing.focus.columns import STRING
from costplane.billing.focus.convert import per_distinct, to_text
from costplane.billing.focus.dates import month_start, next_month_start
from costplane.billing.focus.readers import SourceBatch
from costplane.billing.focus.registry import register_normaliser
from costplane.billing.focus.sources.base import TabularNormaliser
from costplane.billing.focus.units import map_distinct, normalise_units, unit_format

PROVIDER = "Oracle"
TAG_PREFIX = "tags/"
REQUIRED = (
    "lineItem/tenantId",
    "lineItem/intervalUsageStart",
    "lineItem/intervalUsageEnd",
    "product/service",
    "cost/myCost",
    "cost/currencyCode",
)
_DIMENSIONS = {"OCPUS": "OCPU", "ECPUS": "ECPU", "INSTANCE": "Instance"}


@cache
def billing_unit(readable: str) -> str:
    """`cost/billingUnitReadable` ("1000000 NONE NONE DATAPOINTS", "1 GiB MONTHS
    STORAGE_SIZE", "1 NONE HOURS OCPUS") in UnitFormat ("1000000 Datapoints", "GiB-Months",
    "OCPU-Hours")."""
    parts = readable.split()
    if len(parts) < 4 or not parts[0].isdigit():
        return unit_format(readable)
    quantity, size, period, dimension = parts[0], parts[1], parts[2], "_".join(parts[3:])
    word = _DIMENSIONS.get(dimension, dimension.replace("_", " ").title().replace(" ", ""))
    time = None if period == "NONE" else unit_format(period)
    if size != "NONE":
        base = f"{unit_format(size)}-{time}" if time else unit_format(size)
    elif time:
        base = time if dimension == "INSTANCE" else f"{word}-{time}"
    else:
        base = unit_format(word.lower())
    return base if quantity == "1" else f"{quantity} {base}"


def _units(source: SourceBatch) -> pa.Array:
    readable = map_distinct(source.raw("cost/billingUnitReadable"), billing_unit)
    return pc.coalesce(readable, normalise_units(source.raw("cost/skuUnitDescription")))


def _ocid_type(resource_ids: pa.Array) -> pa.Array:
    """The resource type an OCID names (`ocid1.instance.oc1...` -> `instance`)."""
    return to_text(pc.extract_regex(resource_ids, r"^ocid1\.(?P<type>[^.]+)\.").field("type"))


def _tags(source: SourceBatch) -> tags.Entries:
    names = [n for n in source.data.schema.names if n.startswith(TAG_PREFIX)]
    keys = [n.removeprefix(TAG_PREFIX) for n in names]
    return tags.from_columns([source.raw(n) for n in names], keys, source.num_rows)


class OciCostReportNormaliser(TabularNormaliser):
    """OCI cost reports (CSV, possibly gzipped)."""

    name = "oci"
    required = REQUIRED

    def rename(self, header: str) -> str | None:
        return header.strip().lstrip("\ufeff")

    def normalise(self, source: SourceBatch, lineage: Lineage) -> pa.RecordBatch:
        length = source.num_rows
        none = pa.scalar(None, STRING)
        start = source.timestamp("lineItem/intervalUsageStart")
        period_start = month_start(start)
        unit = _units(source)
        quantity = source.decimal("usage/billedQuantity")
        cost = source.decimal("cost/myCost")
        correction = pc.fill_null(
            pc.equal(pc.utf8_lower(source.text("lineItem/isCorrection")), "true"), False
        )
        resource_id = source.text("product/resourceId")
        columns: Columns = {
            "BilledCost": cost,
            "EffectiveCost": cost,
            "BillingAccountId": source.text("lineItem/tenantId"),
            "BillingAccountType": constant("Tenancy", length),
            "BillingCurrency": source.text("cost/currencyCode"),
            "BillingPeriodStart": period_start,
            "BillingPeriodEnd": next_month_start(period_start),
            "ChargePeriodStart": start,
            "ChargePeriodEnd": source.timestamp("lineItem/intervalUsageEnd"),
            "ChargeCategory": constant("Usage", length),
            "ChargeClass": pc.if_else(correction, "Correction", none),
            "ChargeFrequency": constant("Usage-Based", length),
            "ChargeDescription": source.text("product/Description"),
            "PricingCategory": constant("Standard", length),
            "PricingQuantity": quantity,
            "PricingUnit": unit,
            "ConsumedQuantity": quantity,
            "ConsumedUnit": unit,
            "ContractedUnitPrice": source.decimal("cost/unitPrice"),
            "InvoiceIssuerName": constant(PROVIDER, length),
            "ProviderName": constant(PROVIDER, length),
            "RegionId": source.text("product/region"),
            "RegionName": source.text("product/region"),
            "AvailabilityZone": source.text("product/availabilityDomain"),
            "ResourceId": resource_id,
            "ResourceType": per_distinct(resource_id, _ocid_type),
            "ServiceName": source.text("product/service"),
            "SkuId": source.text("cost/productSku"),
            "SkuMeter": source.text("product/Description"),
            "SubAccountId": source.text("product/compartmentId"),
            "SubAccountName": source.text("product/compartmentName"),
            "SubAccountType": constant("Compartment", length),
        }
        return finish(
            columns,
            where=source.where,
            lineage=lineage,
            providers=constant("oci", length),
            entries=_tags(source),
            origins={"ServiceName": "product/service"},
        )


register_normaliser(OciCostReportNormaliser())
