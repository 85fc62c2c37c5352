"""OCI cost reports normalise to FOCUS with namespaced tags and calendar-month periods."""

from __future__ import annotations

import pyarrow.compute as pc

from tests.conftest import TEST_DATA

REPORT = TEST_DATA / "focus" / "oci" / "oci_cost_report_2023-11-13_hours05-07.csv"


def test_cost_report_sample_normalises_every_row(normalise):
    table = normalise("oci", REPORT)
    assert table.num_rows == 230
    assert set(table["ProviderName"].to_pylist()) == {"Oracle"}
    assert set(table["SubAccountType"].to_pylist()) == {"Compartment"}


def test_minute_timestamps_and_the_calendar_month_period(normalise):
    row = normalise("oci", REPORT).to_pylist()[0]
    assert row["ChargePeriodStart"].isoformat() == "2023-11-13T07:00:00+00:00"
    assert row["BillingPeriodStart"].isoformat() == "2023-11-01T00:00:00+00:00"
    assert row["BillingPeriodEnd"].isoformat() == "2023-12-01T00:00:00+00:00"


def test_tag_columns_keep_their_namespace(normalise):
    tags = [dict(m) for m in normalise("oci", REPORT)["x_TagsMap"].to_pylist() if m]
    assert tags[0]["Oracle-Tags.CreatedBy"] == "default/phil.newman@oracle.com"
    assert any("DevRel\\redbull-analytics-hol-4cb4.release" in t for t in tags)


def test_resource_type_comes_from_the_ocid(normalise):
    table = normalise("oci", REPORT)
    types = set(pc.drop_null(table["ResourceType"]).to_pylist())
    assert {"instance", "autonomousdatabase", "bootvolume"} <= types
    assert "" not in types
