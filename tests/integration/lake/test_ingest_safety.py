"""Ingest never loses or doubles a bill silently, tried on the real sample bills.

A bill taken under a second source name, a file taken by a source it is not, a half of a
CUR restating the other half, a header-only file: each is refused, or done and said.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from costplane.billing.focus.detect import detect
from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.conflicts import IngestRefused, Replacement
from costplane.billing.lake.query import sql
from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import ingest
from tests.conftest import TEST_DATA

CUR = TEST_DATA / "focus" / "aws" / "cur_legacy_anonymized_2023-11_days01-07.csv"
FOCUS = TEST_DATA / "focus" / "focus" / "focus_1.0_sample_1000rows_aws_azure_oci.csv"
EA_ACTUAL = TEST_DATA / "focus" / "azure" / "ea_actual_cost_small.csv"
CUR_ROWS = 724


def split_csv(source: Path, target: Path, parts: int) -> list[Path]:
    """`source`'s rows in `parts` files of consecutive rows, each with the header."""
    with source.open(newline="", encoding="utf-8-sig") as stream:
        header, *rows = list(csv.reader(stream))
    target.mkdir(parents=True, exist_ok=True)
    size = -(-len(rows) // parts)
    paths = []
    for i in range(parts):
        path = target / f"{source.stem}-part{i + 1}.csv"
        with path.open("w", newline="") as out:
            csv.writer(out).writerows([header, *rows[i * size : (i + 1) * size]])
        paths.append(path)
    return paths


def with_columns(source: Path, target: Path, extra: dict[str, str], rows: int) -> Path:
    """The first `rows` rows of `source`, with `extra` columns added (name: value)."""
    with source.open(newline="", encoding="utf-8-sig") as stream:
        header, *body = list(csv.reader(stream))
    with target.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([*header, *extra])
        writer.writerows([*row, *extra.values()] for row in body[:rows])
    return target


def totals(lake: Lake) -> list[dict[str, object]]:
    return sql(
        lake,
        "SELECT x_SourceName AS source, count(*) AS n, sum(BilledCost) AS billed FROM focus"
        " GROUP BY 1 ORDER BY 1",
    ).to_pylist()


@pytest.fixture
def bills(tmp_path: Path) -> Path:
    return tmp_path / "bills"


def test_a_file_in_the_lake_under_one_source_is_refused_under_another(lake):
    ingest(lake, get_normaliser("focus"), [FOCUS])
    before = totals(lake)
    with pytest.raises(IngestRefused, match="already in the lake as source focus") as refused:
        ingest(lake, get_normaliser("azure-focus"), [FOCUS])
    assert refused.value.code == "file_under_another_source"
    assert totals(lake) == before


def test_a_legacy_cur_is_refused_as_cur2_naming_its_source(lake):
    with pytest.raises(BillFileError, match="this file is aws-cur, not aws-cur2") as refused:
        ingest(lake, get_normaliser("aws-cur2"), [CUR])
    assert refused.value.code == "wrong_source"
    assert totals(lake) == []


def test_a_generic_focus_file_is_refused_as_a_cloud_focus_export(lake):
    with pytest.raises(BillFileError, match="use --source focus"):
        ingest(lake, get_normaliser("aws-focus"), [FOCUS])


def test_a_file_fitting_two_sources_equally_names_both(bills):
    both = with_columns(
        FOCUS,
        bills.with_suffix(".csv"),
        {"x_ServiceCode": "AmazonEC2", "x_ResourceGroupName": "rg"},
        5,
    )
    found = detect(both)
    assert (found.source, found.candidates) == (None, ("aws-focus", "azure-focus"))


@pytest.mark.parametrize(
    ("path", "source"), [(CUR, "aws-cur"), (FOCUS, "focus"), (EA_ACTUAL, "azure-ea")]
)
def test_the_source_of_a_real_bill_is_detected_from_its_header(path, source):
    assert detect(path).source == source


def test_the_same_file_twice_in_one_delivery_is_refused(lake, bills):
    bills.mkdir()
    copy = shutil.copy(CUR, bills / "copy.csv")
    with pytest.raises(IngestRefused, match="are the same file") as refused:
        ingest(lake, get_normaliser("aws-cur"), [CUR, Path(copy)])
    assert refused.value.code == "same_file_twice"
    assert totals(lake) == []


def test_rows_the_lake_holds_from_another_source_are_refused(lake, bills):
    bills.mkdir()
    ingest(lake, get_normaliser("focus"), [FOCUS])
    aws_export = with_columns(FOCUS, bills / "aws_focus.csv", {"x_ServiceCode": "AmazonEC2"}, 100)
    with pytest.raises(IngestRefused, match="from another source") as refused:
        ingest(lake, get_normaliser("aws-focus"), [aws_export])
    assert refused.value.code == "rows_under_another_source"
    assert [t["n"] for t in totals(lake)] == [1000]


def test_replace_takes_the_rows_of_another_source_over_and_says_so(lake, bills):
    bills.mkdir()
    ingest(lake, get_normaliser("focus"), [FOCUS])
    aws_export = with_columns(FOCUS, bills / "aws_focus.csv", {"x_ServiceCode": "AmazonEC2"}, 100)
    report = ingest(lake, get_normaliser("aws-focus"), [aws_export], replace=True)
    assert report.replaced is not None
    assert report.replaced.sources == ["focus"]
    assert report.replaced.files == [str(FOCUS.resolve())]
    assert sum(t["n"] for t in totals(lake)) == 1000 - report.replaced.rows + report.rows
    assert report.replaced.rows > 0
    assert sql(lake, "SELECT count(*) AS n FROM ingested_files").to_pylist() == [{"n": 1}]


def test_the_second_half_of_a_cur_says_it_replaces_the_first(lake, bills):
    first, second = split_csv(CUR, bills, 2)
    one = ingest(lake, get_normaliser("aws-cur"), [first])
    report = ingest(lake, get_normaliser("aws-cur"), [second])
    replaced = report.replaced
    assert replaced is not None
    assert replaced.files == [str(first.resolve())]
    assert replaced.rows == one.rows
    assert [t.billed_cost for t in replaced.before] == [t.billed_cost for t in one.totals]
    assert replaced.after == report.totals


def test_a_replacement_not_confirmed_commits_nothing(lake, bills):
    first, second = split_csv(CUR, bills, 2)
    ingest(lake, get_normaliser("aws-cur"), [first])
    before = totals(lake)
    asked: list[Replacement] = []

    def decline(replaced: Replacement) -> bool:
        asked.append(replaced)
        return False

    with pytest.raises(IngestRefused, match="--replace") as refused:
        ingest(lake, get_normaliser("aws-cur"), [second], confirm=decline)
    assert refused.value.code == "replace_not_confirmed"
    assert [a.files for a in asked] == [[str(first.resolve())]]
    assert totals(lake) == before


def test_both_halves_in_one_delivery_hold_the_whole_cur(lake, bills):
    halves = split_csv(CUR, bills, 2)
    whole = ingest(lake, get_normaliser("aws-cur"), [CUR]).totals
    lake_after_whole = totals(lake)
    confirm: Callable[[Replacement], bool] = lambda _: True  # noqa: E731
    report = ingest(lake, get_normaliser("aws-cur"), halves, confirm=confirm)
    assert report.rows == CUR_ROWS
    assert report.totals == whole
    assert totals(lake) == lake_after_whole


def test_a_header_only_file_is_reported_empty_and_commits_nothing(lake, bills):
    (header_only,) = split_csv(CUR, bills, 1)
    header_only.write_text(CUR.read_text(encoding="utf-8-sig").splitlines()[0] + "\n")
    report = ingest(lake, get_normaliser("aws-cur"), [header_only])
    assert [f.status for f in report.files] == ["empty"]
    assert (report.rows, report.snapshot_id) == (0, None)
    assert lake.focus.refresh().current_snapshot() is None
