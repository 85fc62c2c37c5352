"""Provider units are rewritten into the FOCUS UnitFormat the validator accepts."""

from __future__ import annotations

import pyarrow as pa
import pytest

from costplane.billing.focus.sources.oci import billing_unit
from costplane.billing.focus.units import VALID_UNIT, normalise_units, unit_format


@pytest.mark.parametrize(
    ("provider_unit", "focus_unit"),
    [
        ("Hrs", "Hours"),
        ("1K tokens", "1000 Tokens"),
        ("1M tokens", "1000000 Tokens"),
        ("GB-Mo", "GB-Months"),
        ("Lambda-GB-Second", "GB-Seconds"),
        ("LCU-Hrs", "LCU-Hours"),
        ("Requests", "Requests"),
        ("API Request", "API Request"),
        ("seconds", "Seconds"),
        ("gibibyte month", "GiB-Months"),
        ("GB Hours", "GB-Hours"),
        ("MB/month", "MB/Month"),
        ("1 Hour", "Hours"),
        ("100 Hours", "100 Hours"),
        ("Units/3 Months", "Units/3 Months"),
        ("Million Datapoints", "1000000 Datapoints"),
    ],
)
def test_provider_unit_in_unit_format(provider_unit, focus_unit):
    assert unit_format(provider_unit) == focus_unit
    assert VALID_UNIT.match(focus_unit)


def test_unit_that_cannot_be_placed_is_kept_as_written():
    assert unit_format("GiB/Second-Months") == "GiB/Second-Months"


@pytest.mark.parametrize(
    ("readable", "focus_unit"),
    [
        ("1000000 NONE NONE DATAPOINTS", "1000000 Datapoints"),
        ("1 GiB MONTHS STORAGE_SIZE", "GiB-Months"),
        ("1 NONE HOURS OCPUS", "OCPU-Hours"),
        ("1 NONE HOURS INSTANCE", "Hours"),
        ("1 TiB MONTHS STORAGE_SIZE", "TiB-Months"),
    ],
)
def test_oci_billing_unit_readable_in_unit_format(readable, focus_unit):
    assert billing_unit(readable) == focus_unit


def test_units_are_rewritten_per_distinct_value_keeping_nulls():
    assert normalise_units(pa.array(["Hrs", None, "Hrs", ""])).to_pylist() == [
        "Hours",
        None,
        "Hours",
        None,
    ]
