"""Column conversions are exact and name the cell they cannot convert."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from costplane.billing.focus.columns import DECIMAL
from costplane.billing.focus.convert import Where, multiply, to_decimal, to_timestamp
from costplane.billing.focus.errors import BillFileError

WHERE = Where("bill.csv", pa.array(range(1, 11), pa.int64()))


def test_decimal_strings_are_parsed_without_float_rounding():
    values = to_decimal(pa.array(["0.1", "0.2", "123456789012345678.0123456789"]), "c", WHERE)
    assert values.type == DECIMAL
    assert values.to_pylist()[:2] == [Decimal("0.1"), Decimal("0.2")]
    assert pc.sum(values.slice(0, 2)).as_py() == Decimal("0.3")
    assert values[2].as_py() == Decimal("123456789012345678.0123456789")


def test_exponent_notation_from_cur_exports_is_read_as_decimal():
    values = to_decimal(pa.array(["1.3E-9", "4.81298076439E-7", "1e3"]), "c", WHERE)
    assert values.to_pylist() == [Decimal("1.3E-9"), Decimal("4.813E-7"), Decimal("1000")]


def test_more_than_ten_fractional_digits_round_half_to_even():
    values = to_decimal(
        pa.array(["0.00000000005", "0.00000000015", "0.4838709677419368"]), "c", WHERE
    )
    assert values.to_pylist() == [Decimal("0"), Decimal("2E-10"), Decimal("0.4838709677")]


def test_blank_cells_are_null_not_zero():
    assert to_decimal(pa.array(["", "  ", None, "2"]), "c", WHERE).to_pylist() == [
        None,
        None,
        None,
        Decimal("2"),
    ]


def test_unparseable_number_names_its_row_and_column():
    with pytest.raises(BillFileError) as raised:
        to_decimal(pa.array(["1.5", "2", "12,50"]), "lineItem/UnblendedCost", WHERE)
    assert str(raised.value) == (
        "bill.csv: row 3, column lineItem/UnblendedCost: '12,50' is not a number"
    )
    assert raised.value.code == "bad_number"


def test_number_beyond_the_table_precision_is_refused_at_its_row():
    with pytest.raises(BillFileError, match="row 2, column c: '1e40'"):
        to_decimal(pa.array(["1", "1e40"]), "c", WHERE)


def test_products_are_exact_to_ten_places_even_for_large_quantities():
    price = pa.array([Decimal("0.0000004"), Decimal("0.02")], DECIMAL)
    quantity = pa.array([Decimal("2"), Decimal("12345678901234.5")], DECIMAL)
    assert multiply(price, quantity).to_pylist() == [Decimal("8E-7"), Decimal("246913578024.69")]


@pytest.mark.parametrize(
    ("text", "formats", "expected"),
    [
        ("2023-11-01T00:00:00.000Z", (), datetime(2023, 11, 1, tzinfo=UTC)),
        ("2023-11-13T10:00Z", (), datetime(2023, 11, 13, 10, tzinfo=UTC)),
        ("2024-10-01 00:00:00", (), datetime(2024, 10, 1, tzinfo=UTC)),
        ("2024-10-01T02:00:00+02:00", (), datetime(2024, 10, 1, tzinfo=UTC)),
        ("9/2/2023", ("%m/%d/%Y",), datetime(2023, 9, 2, tzinfo=UTC)),
        ("09/21/2023", ("%m/%d/%Y",), datetime(2023, 9, 21, tzinfo=UTC)),
    ],
)
def test_timestamp_forms_found_in_real_exports(text, formats, expected):
    assert to_timestamp(pa.array([text]), "t", WHERE, formats)[0].as_py() == expected


def test_zoned_and_naive_timestamps_mix_in_one_column():
    parsed = to_timestamp(pa.array(["2023-11-13T10:00Z", "2023-11-01 00:00:00"]), "t", WHERE)
    assert parsed.to_pylist() == [
        datetime(2023, 11, 13, 10, tzinfo=UTC),
        datetime(2023, 11, 1, tzinfo=UTC),
    ]


def test_impossible_timestamp_names_its_row_and_column():
    with pytest.raises(BillFileError) as raised:
        to_timestamp(pa.array(["2023-02-01T20:00:00Z", "2023-02-01T30:00:00Z"]), "End", WHERE)
    assert raised.value.row == 2
    assert raised.value.column == "End"
    assert raised.value.code == "bad_timestamp"


def test_day_first_date_is_not_silently_read_as_month_first():
    with pytest.raises(BillFileError, match="row 2, column Date: '21/09/2023'"):
        to_timestamp(pa.array(["9/2/2023", "21/09/2023"]), "Date", WHERE, ("%m/%d/%Y",))


def test_a_cost_below_the_lake_precision_is_reported_with_its_cell(caplog):
    values = to_decimal(pa.array(["1.5", "1e-12", "0.00000000001", "0"]), "BilledCost", WHERE)
    assert values.to_pylist() == [Decimal("1.5"), Decimal("0"), Decimal("0"), Decimal("0")]
    [record] = [r for r in caplog.records if r.name == "costplane.billing"]
    assert record.getMessage() == (
        "bill.csv: row 2, column BilledCost: 2 non-zero value(s) below the lake's precision "
        "(10 decimal places) are stored as 0, the first 1E-12"
    )


def test_a_float_cost_below_the_lake_precision_is_reported(caplog):
    to_decimal(pa.array([2.0, 1e-12]), "BilledCost", WHERE)
    assert "row 2, column BilledCost: 1 non-zero value(s)" in caplog.text


def test_zero_and_representable_costs_report_nothing(caplog):
    to_decimal(pa.array(["0", "0.0000000001", "-3"]), "BilledCost", WHERE)
    assert caplog.records == []
