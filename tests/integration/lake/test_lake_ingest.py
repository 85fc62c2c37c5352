"""Ingest by restatement: exactly a key's rows are replaced, in one snapshot, or nothing is."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.manifest import Fingerprint, Manifest
from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import ingest
from tests.conftest import TEST_DATA

A, B, C = "111111111111", "222222222222", "333333333333"
REAL_CUR = TEST_DATA / "focus" / "aws" / "cur_legacy_anonymized_2023-11_days01-07.csv"


def live_rows(lake: Lake) -> Counter[tuple[str, str, str]]:
    """Rows per (source, account, period month) in the current snapshot."""
    table = lake.focus.refresh().scan().to_arrow()
    return Counter(
        (row["x_SourceName"], row["BillingAccountId"], row["BillingPeriodStart"].strftime("%Y-%m"))
        for row in table.select(
            ["x_SourceName", "BillingAccountId", "BillingPeriodStart"]
        ).to_pylist()
    )


def data_files_on_disk(lake: Lake) -> set[Path]:
    return set(Path(lake.focus.location().removeprefix("file://")).glob("data/**/*.parquet"))


def test_ingested_bill_reads_back_value_for_value(lake, normaliser, rows, bill):
    batch = rows(3, 1, cost="0.0000001234")
    ingest(lake, normaliser, [bill("jan.arrows", batch)])
    back = lake.focus.refresh().scan().to_arrow().sort_by("x_SourceRow")
    assert back.num_rows == 3
    for name in ("BilledCost", "BillingPeriodStart", "ChargePeriodStart", "Tags", "ServiceName"):
        assert back[name].to_pylist() == batch[name].to_pylist()
    assert back["x_TagsMap"].to_pylist() == [[("team", "search")]] * 3


def test_report_totals_rows_and_costs_per_period_and_currency(lake, normaliser, rows, bill):
    path = bill("q1.arrows", rows(2, 1, cost="1.10"), rows(3, 2, cost="2.05", currency="EUR"))
    report = ingest(lake, normaliser, [path])
    assert [
        (t.billing_period_start.month, t.billing_currency, t.rows, t.billed_cost)
        for t in report.totals
    ] == [(1, "USD", 2, Decimal("2.20")), (2, "EUR", 3, Decimal("6.15"))]
    assert report.files[0].status == "ingested"
    assert report.snapshot_id == lake.focus.refresh().current_snapshot().snapshot_id


def test_reingest_replaces_exactly_the_period_rows_in_one_snapshot(lake, normaliser, rows, bill):
    ingest(lake, normaliser, [bill("a.arrows", rows(4, 1), rows(5, 2))])
    ingest(lake, normaliser, [bill("b.arrows", rows(6, 1, account=B))])
    other = type(normaliser)("other-bill")
    ingest(lake, other, [bill("other.arrows", rows(7, 1, account=C, source="other-bill"))])
    before = lake.focus.refresh().current_snapshot()

    report = ingest(lake, normaliser, [bill("a-jan.arrows", rows(2, 1, cost="9.99"))])

    snapshot = lake.focus.refresh().current_snapshot()
    assert snapshot.parent_snapshot_id == before.snapshot_id
    assert snapshot.snapshot_id == report.snapshot_id
    assert snapshot.summary["operation"].value == "overwrite"
    assert (snapshot.summary["deleted-records"], snapshot.summary["added-records"]) == ("4", "2")
    assert live_rows(lake) == {
        ("test-bill", A, "2024-01"): 2,
        ("test-bill", A, "2024-02"): 5,
        ("test-bill", B, "2024-01"): 6,
        ("other-bill", C, "2024-01"): 7,
    }


def test_unchanged_file_is_skipped_without_a_commit(lake, normaliser, rows, bill):
    path = bill("jan.arrows", rows(3, 1))
    ingest(lake, normaliser, [path])
    snapshots = len(lake.focus.refresh().snapshots())
    report = ingest(lake, normaliser, [path])
    assert [f.status for f in report.files] == ["unchanged"]
    assert report.snapshot_id is None
    assert len(lake.focus.refresh().snapshots()) == snapshots


def test_unchanged_part_of_a_restated_period_is_ingested_again(lake, normaliser, rows, bill):
    part1 = bill("part1.arrows", rows(3, 1))
    part2 = bill("part2.arrows", rows(4, 1))
    ingest(lake, normaliser, [part1, part2])
    report = ingest(lake, normaliser, [part1, bill("part2.arrows", rows(5, 1))])
    assert [f.status for f in report.files] == ["ingested", "ingested"]
    assert live_rows(lake) == {("test-bill", A, "2024-01"): 8}


def test_file_superseded_by_another_restatement_is_no_longer_skipped(lake, normaliser, rows, bill):
    part1 = bill("part1.arrows", rows(3, 1))
    ingest(lake, normaliser, [part1])
    ingest(lake, normaliser, [bill("part2.arrows", rows(4, 1))])
    report = ingest(lake, normaliser, [part1])
    assert report.files[0].status == "ingested"
    assert live_rows(lake) == {("test-bill", A, "2024-01"): 3}


def test_truncated_bill_commits_nothing_and_leaves_no_data_files(lake, normaliser, rows, bill):
    ingest(lake, normaliser, [bill("jan.arrows", rows(3, 1))])
    before = lake.focus.refresh().current_snapshot().snapshot_id
    files_before = data_files_on_disk(lake)
    whole = bill("feb.arrows", rows(100, 2), rows(100, 2), rows(100, 2))
    cut = whole.with_name("feb-cut.arrows")
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 3 // 4])

    with pytest.raises(BillFileError) as raised:
        ingest(lake, normaliser, [cut])

    assert (raised.value.file, raised.value.row, raised.value.code) == (str(cut), 201, "truncated")
    assert lake.focus.refresh().current_snapshot().snapshot_id == before
    assert data_files_on_disk(lake) == files_before
    assert str(cut.resolve()) not in Manifest(lake.catalog, lake.namespace).entries()


def test_real_cur_cut_mid_row_commits_nothing_of_the_rows_before_the_cut(lake, tmp_path):
    cut = tmp_path / "cur-cut.csv"
    cut.write_bytes(REAL_CUR.read_bytes()[:400_000])
    batches: list[int] = []

    with pytest.raises(BillFileError) as raised:
        ingest(
            lake,
            get_normaliser("aws-cur"),
            [cut],
            batch_rows=100,
            progress=lambda _, n: batches.append(n),
        )

    assert batches, "the cut should come after some batches were written"
    assert (raised.value.file, raised.value.code) == (str(cut), "malformed_csv")
    assert raised.value.row is not None
    assert lake.focus.refresh().current_snapshot() is None
    assert data_files_on_disk(lake) == set()


def test_one_bad_file_among_several_commits_none_of_them(lake, normaliser, rows, bill):
    good = bill("jan.arrows", rows(3, 1))
    whole = bill("feb.arrows", rows(50, 2), rows(50, 2))
    bad = whole.with_name("feb-cut.arrows")
    bad.write_bytes(whole.read_bytes()[:-100])
    with pytest.raises(BillFileError):
        ingest(lake, normaliser, [good, bad])
    assert lake.focus.refresh().current_snapshot() is None
    assert data_files_on_disk(lake) == set()


def test_restatement_rewrites_a_data_file_that_mixes_other_rows(lake, normaliser, rows, bill):
    mixed = pa.Table.from_batches([rows(3, 1), rows(4, 1, account=B)])
    lake.focus.append(mixed)
    assert len(lake.focus.inspect.files()) == 1

    ingest(lake, normaliser, [bill("a.arrows", rows(2, 1, cost="5.00"))])

    assert live_rows(lake) == {("test-bill", A, "2024-01"): 2, ("test-bill", B, "2024-01"): 4}
    snapshot = lake.focus.current_snapshot()
    assert (snapshot.summary["deleted-records"], snapshot.summary["added-records"]) == ("7", "6")


def test_each_data_file_holds_one_account_and_period(lake, normaliser, rows, bill):
    mixed = pa.concat_batches([rows(2, 1), rows(3, 1, account=B), rows(4, 2)])
    ingest(lake, normaliser, [bill("mixed.arrows", mixed)])
    assert sorted(lake.focus.inspect.files()["record_count"].to_pylist()) == [2, 3, 4]


def test_manifest_records_checksum_keys_snapshot_and_totals(lake, normaliser, rows, bill):
    path = bill("q1.arrows", rows(2, 1), rows(1, 2, account=B))
    report = ingest(lake, normaliser, [path])
    entry = Manifest(lake.catalog, lake.namespace).entries()[str(path.resolve())]
    assert (entry.sha256, entry.size) == (Fingerprint.of(path).sha256, path.stat().st_size)
    assert (entry.source, entry.rows, entry.snapshot_id) == ("test-bill", 3, report.snapshot_id)
    assert [(k.billing_account_id, k.billing_period_start.month) for k in entry.keys] == [
        (A, 1),
        (B, 2),
    ]
    assert entry.totals == report.totals


def test_normaliser_mislabelling_its_rows_is_stopped_before_any_commit(
    lake, normaliser, rows, bill
):
    with pytest.raises(TypeError, match="x_SourceName is not the normaliser's name"):
        ingest(lake, normaliser, [bill("jan.arrows", rows(3, 1, source="someone-else"))])
    assert lake.focus.refresh().current_snapshot() is None
    assert data_files_on_disk(lake) == set()
