"""The column model is the FOCUS 1.2 table plus the 1.3 columns and our lineage columns."""

from __future__ import annotations

import pyarrow as pa

from costplane.billing.focus.columns import (
    DECIMAL,
    FOCUS_COLUMNS,
    TIMESTAMP,
    Level,
    focus_arrow_schema,
    render_columns_json,
)
from tests.conftest import REPO

FOCUS_1_3_ADDITIONS = {
    "ServiceProviderName",
    "HostProviderName",
    "AllocatedMethodId",
    "AllocatedMethodDetails",
    "AllocatedResourceId",
    "AllocatedResourceName",
    "AllocatedTags",
    "ContractApplied",
}


def test_model_has_the_57_focus_1_2_columns_and_the_8_of_1_3():
    focus = [c for c in FOCUS_COLUMNS if c.is_focus]
    assert len(focus) == 65
    assert {c.name for c in focus if c.introduced == "1.3"} == FOCUS_1_3_ADDITIONS


def test_column_names_are_unique_and_custom_columns_are_x_prefixed():
    names = [c.name for c in FOCUS_COLUMNS]
    assert len(names) == len(set(names))
    assert all(c.name.startswith("x_") for c in FOCUS_COLUMNS if c.level is Level.LINEAGE)


def test_decimals_and_timestamps_use_the_agreed_arrow_types():
    schema = focus_arrow_schema()
    assert schema.field("BilledCost").type == DECIMAL == pa.decimal128(38, 10)
    assert schema.field("ChargePeriodStart").type == TIMESTAMP == pa.timestamp("us", tz="UTC")
    assert schema.field("Tags").type == pa.string()
    assert schema.field("x_TagsMap").type == pa.map_(pa.string(), pa.string())
    assert schema.field("x_SourceRow").type == pa.int64()


def test_only_mandatory_non_null_and_lineage_columns_are_required():
    schema = focus_arrow_schema()
    required = {f.name for f in schema if not f.nullable}
    assert required == {
        "BilledCost",
        "BillingAccountId",
        "BillingCurrency",
        "BillingPeriodEnd",
        "BillingPeriodStart",
        "ChargeCategory",
        "ChargePeriodEnd",
        "ChargePeriodStart",
        "ContractedCost",
        "EffectiveCost",
        "InvoiceIssuerName",
        "ListCost",
        "ProviderName",
        "PublisherName",
        "ServiceCategory",
        "ServiceName",
        "ServiceProviderName",
        "x_SourceName",
        "x_SourceFile",
        "x_IngestionId",
        "x_SourceRow",
    }


def test_schema_is_built_once():
    assert focus_arrow_schema() is focus_arrow_schema()


def test_committed_column_model_equals_the_generated_one():
    committed = (REPO / "schemas" / "focus" / "columns.json").read_bytes()
    assert committed == render_columns_json(), (
        "run `python -m costplane.billing.focus.columns > schemas/focus/columns.json`"
    )
