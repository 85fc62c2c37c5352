"""Bad bill files are refused with a BillFileError naming the file, column and row."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from costplane.billing.focus.errors import BillFileError
from tests.conftest import TEST_DATA

CUR = TEST_DATA / "focus" / "aws" / "cur_legacy_anonymized_2023-11_days01-07.csv"
AZURE = TEST_DATA / "focus" / "azure" / "ea_actual_cost_small.csv"


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines(keepends=True)


def _refused(normalise, source: str, path: Path) -> BillFileError:
    with pytest.raises(BillFileError) as raised:
        normalise(source, path)
    assert raised.value.file == str(path)
    return raised.value


def test_wrong_source_for_the_file_names_the_missing_columns(normalise):
    error = _refused(normalise, "azure-ea", CUR)
    assert (error.code, error.column, error.row) == ("missing_column", "Date", None)
    assert "Date, Cost, BillingCurrency, SubscriptionId" in error.message


def test_truncated_last_row_is_named(normalise, tmp_path):
    lines = _lines(CUR)
    path = tmp_path / "cut.csv"
    path.write_text("".join(lines[:101]) + lines[101][:60])
    error = _refused(normalise, "aws-cur", path)
    assert (error.code, error.row) == ("malformed_csv", 101)
    assert error.message == "expected 94 fields, found 2 (the row is truncated or malformed)"


def test_row_cut_inside_a_quoted_field_is_named(normalise, tmp_path):
    lines = _lines(CUR)
    path = tmp_path / "cut.csv"
    path.write_text("".join(lines[:101]) + lines[101][:120])
    error = _refused(normalise, "aws-cur", path)
    assert (error.code, error.row) == ("malformed_csv", 101)
    assert "unexpected end of data" in error.message


def test_truncated_gzip_is_refused(normalise, tmp_path):
    data = gzip.compress(CUR.read_bytes())
    path = tmp_path / "cur.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    error = _refused(normalise, "aws-cur", path)
    assert error.code == "unreadable_file"
    assert "truncated or corrupt" in error.message


def test_truncated_parquet_is_refused(normalise, tmp_path):
    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.table({"line_item_unblended_cost": [1.0] * 10}), whole)
    path = tmp_path / "cut.parquet"
    path.write_bytes(whole.read_bytes()[:-20])
    error = _refused(normalise, "aws-cur2", path)
    assert error.code == "unreadable_parquet"


def test_truncated_ndjson_line_is_named(normalise, tmp_path):
    path = tmp_path / "export.json"
    complete = '{"billing_account_id": "a", "cost": "1", "currency": "USD"}'
    path.write_text(complete + '\n{"billing_account_id": "a", "co')
    error = _refused(normalise, "gcp-billing", path)
    assert (error.code, error.row) == ("malformed_json", 2)


def _with_cell(source: Path, target: Path, row: int, column: str, value: str) -> Path:
    """A copy of a CSV bill with one cell (1-based data row) replaced."""
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    rows[row][rows[0].index(column)] = value
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return target


def test_unparseable_cost_names_row_and_column(normalise, tmp_path):
    path = _with_cell(AZURE, tmp_path / "azure.csv", 5, "Cost", "0,00004x")
    error = _refused(normalise, "azure-ea", path)
    assert (error.code, error.column, error.row) == ("bad_number", "Cost", 5)
    assert error.message == "'0,00004x' is not a number"


def test_unparseable_date_names_row_and_column(normalise, tmp_path):
    text = CUR.read_text().replace("2023-11-04T23:00:00.000Z", "2023-11-04 at 23h", 1)
    path = tmp_path / "cur.csv"
    path.write_text(text)
    error = _refused(normalise, "aws-cur", path)
    assert error.code == "bad_timestamp"
    assert error.column == "line_item_usage_start_date"
    row = next(i for i, line in enumerate(_lines(path)) if "2023-11-04 at 23h" in line)
    assert error.row == row


def test_empty_file_is_refused(normalise, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert _refused(normalise, "oci", path).code == "empty_file"


def test_missing_file_is_refused(normalise, tmp_path):
    assert _refused(normalise, "oci", tmp_path / "nope.csv").code == "missing_file"


def test_header_only_file_yields_no_rows(normalise, tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(_lines(CUR)[0])
    assert normalise("aws-cur", path).num_rows == 0


def test_required_value_missing_in_a_row_is_named(normalise, tmp_path):
    path = _with_cell(AZURE, tmp_path / "azure.csv", 3, "BillingCurrency", "")
    error = _refused(normalise, "azure-ea", path)
    assert (error.code, error.column, error.row) == ("missing_value", "BillingCurrency", 3)


def test_ndjson_given_to_a_csv_source_is_refused(normalise, tmp_path):
    path = tmp_path / "bill.json"
    path.write_text('{"a": 1}\n')
    assert _refused(normalise, "aws-cur", path).code == "unsupported_format"


def test_a_bill_with_carriage_return_line_ends_is_read_as_one_with_newlines(normalise, tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(AZURE.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    assert normalise("azure-ea", path).num_rows == normalise("azure-ea", AZURE).num_rows


def test_binary_garbage_is_refused_as_a_bill_file_error_naming_the_file(normalise, tmp_path):
    path = tmp_path / "random.csv"
    path.write_bytes(bytes(range(256)) * 4096)
    error = _refused(normalise, "aws-cur", path)
    assert error.code in {"unreadable_csv", "missing_column", "malformed_csv", "no_header"}
