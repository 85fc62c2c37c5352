"""Which FOCUS rows belong to no resource, read from FOCUS columns as FinOps practitioners do
(ChargeCategory, ChargeClass, CommitmentDiscountId/Status, ServiceSubcategory, ResourceId)."""

from __future__ import annotations

import duckdb
import pytest

from costplane.adapters.lake.spend_by_type import NOT_RESOURCE_SQL

COLUMNS = (
    "ChargeCategory, ChargeClass, CommitmentDiscountId, CommitmentDiscountStatus, "
    "ServiceSubcategory, ResourceId"
)
VM = "//compute.googleapis.com/projects/p/zones/z/instances/vm-1"


def _charge(*row: str | None) -> str | None:
    with duckdb.connect() as db:
        db.execute(
            f"CREATE TABLE focus AS SELECT * FROM (VALUES (?, ?, ?, ?, ?, ?)) v({COLUMNS})", row
        )
        [(charge,)] = db.execute(f"SELECT {NOT_RESOURCE_SQL} FROM focus").fetchall()
    return None if charge is None else str(charge)


@pytest.mark.parametrize(
    ("row", "charge"),
    [
        (("Tax", None, None, None, "Object Storage", None), "Tax"),
        (("Credit", None, None, None, "Virtual Machines", None), "Credit"),
        (("Adjustment", None, None, None, "Virtual Machines", VM), "Adjustment"),
        (("Purchase", None, "cud-1", None, "Virtual Machines", "cud-1"), "Commitment purchase"),
        (("Usage", None, "cud-1", "Unused", "Virtual Machines", None), "Unused commitment"),
        (("Usage", None, None, None, "Support", None), "Support"),
        (("Purchase", None, None, None, "Other (Other)", None), "Purchase without a resource"),
        (
            ("Usage", "Correction", None, None, "Object Storage", None),
            "Correction without a resource",
        ),
    ],
)
def test_a_charge_of_no_resource_is_named(row: tuple[str | None, ...], charge: str) -> None:
    assert _charge(*row) == charge


@pytest.mark.parametrize(
    "row",
    [
        ("Usage", None, None, None, "Virtual Machines", VM),
        ("Usage", None, "cud-1", "Used", "Virtual Machines", VM),
        ("Usage", None, None, None, "Object Storage", None),
        ("Usage", "Correction", None, None, "Virtual Machines", VM),
    ],
)
def test_usage_and_its_corrections_are_resource_spend(row: tuple[str | None, ...]) -> None:
    assert _charge(*row) is None
