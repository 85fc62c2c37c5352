"""Restatement of keys a file no longer holds, `delete_bill`, `expire`, and a lake that is
created (and re-opened) without writing metadata it then discards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from costplane.billing.lake.delete import SNAPSHOT_DELETED, delete_bill
from costplane.billing.lake.maintenance import expire, orphans
from costplane.billing.lake.manifest import Manifest
from costplane.billing.lake.query import history
from costplane.billing.lake.table import Lake, open_lake
from costplane.billing.lake.writer import ingest

FUTURE = datetime.now(UTC) + timedelta(days=1)
B = "222222222222"


def periods(lake: Lake) -> dict[tuple[str, str], int]:
    rows = lake.focus.refresh().scan(selected_fields=("BillingAccountId", "BillingPeriodStart"))
    found: dict[tuple[str, str], int] = {}
    for row in rows.to_arrow().to_pylist():
        key = (row["BillingAccountId"], f"{row['BillingPeriodStart']:%Y-%m}")
        found[key] = found.get(key, 0) + 1
    return found


def unreferenced(lake: Lake) -> list[str]:
    tables = [lake.focus.refresh(), Manifest(lake.catalog, lake.namespace).table.refresh()]
    return [info.path for table in tables for info in orphans(table, FUTURE)]


def test_a_corrected_file_removes_the_period_it_no_longer_holds(lake, normaliser, rows, bill):
    ingest(lake, normaliser, [bill("bill.arrows", rows(2, 1), rows(1, 12))])  # 12: a typo
    ingest(lake, normaliser, [bill("bill.arrows", rows(3, 1))])

    assert periods(lake) == {("111111111111", "2024-01"): 3}


def test_another_file_of_one_period_keeps_the_other_periods(lake, normaliser, rows, bill):
    ingest(lake, normaliser, [bill("q1.arrows", rows(2, 1), rows(4, 2))])
    ingest(lake, normaliser, [bill("jan.arrows", rows(3, 1))])

    assert periods(lake) == {("111111111111", "2024-01"): 3, ("111111111111", "2024-02"): 4}


def test_delete_removes_one_sources_period_in_one_audited_snapshot(lake, normaliser, rows, bill):
    ingest(lake, normaliser, [bill("q1.arrows", rows(2, 1), rows(4, 2), rows(5, 2, account=B))])

    deletion = delete_bill(lake, normaliser.name, "2024-02")

    assert deletion.rows == 9
    assert periods(lake) == {("111111111111", "2024-01"): 2}
    last = lake.focus.refresh().current_snapshot()
    assert last.snapshot_id == deletion.snapshot_id
    assert SNAPSHOT_DELETED in last.summary.additional_properties
    assert history(lake)[-1].source == normaliser.name


def test_delete_of_one_account_keeps_the_others(lake, normaliser, rows, bill):
    ingest(lake, normaliser, [bill("feb.arrows", rows(4, 2), rows(5, 2, account=B))])

    delete_bill(lake, normaliser.name, "2024-02", B)

    assert periods(lake) == {("111111111111", "2024-02"): 4}


def test_delete_makes_the_manifest_forget_the_files_it_emptied(lake, normaliser, rows, bill):
    path = bill("feb.arrows", rows(4, 2))
    ingest(lake, normaliser, [path])
    delete_bill(lake, normaliser.name, "2024-02")

    report = ingest(lake, normaliser, [path])

    assert report.files[0].status == "ingested"
    assert periods(lake) == {("111111111111", "2024-02"): 4}


def test_delete_refused_by_confirm_deletes_nothing(lake, normaliser, rows, bill):
    ingest(lake, normaliser, [bill("feb.arrows", rows(4, 2))])

    deletion = delete_bill(lake, normaliser.name, "2024-02", confirm=lambda _: False)

    assert (deletion.rows, deletion.snapshot_id) == (4, None)
    assert periods(lake) == {("111111111111", "2024-02"): 4}


def test_delete_of_a_period_the_lake_lacks_commits_nothing(lake, normaliser, rows, bill):
    ingest(lake, normaliser, [bill("feb.arrows", rows(4, 2))])
    before = lake.focus.refresh().current_snapshot()

    deletion = delete_bill(lake, normaliser.name, "2024-03")

    assert (deletion.rows, deletion.keys) == (0, [])
    assert lake.focus.refresh().current_snapshot() == before


def test_ingests_and_reopening_leave_no_unreferenced_file(tmp_path, normaliser, rows, bill):
    lake = open_lake(tmp_path / "lake")
    ingest(lake, normaliser, [bill("jan.arrows", rows(2, 1))])
    ingest(open_lake(tmp_path / "lake"), normaliser, [bill("jan.arrows", rows(3, 1))])
    open_lake(tmp_path / "lake")

    assert unreferenced(open_lake(tmp_path / "lake")) == []


def test_expire_keeps_the_current_snapshot_and_its_rows(lake, normaliser, rows, bill):
    ingest(lake, normaliser, [bill("jan.arrows", rows(2, 1))])
    ingest(lake, normaliser, [bill("jan.arrows", rows(3, 1))])

    done = expire(lake, FUTURE)

    assert [t.expired_snapshots for t in done] == [1, 2]
    assert len(lake.focus.refresh().snapshots()) == 1
    assert periods(lake) == {("111111111111", "2024-01"): 3}
    assert unreferenced(lake) == []


def test_expire_leaves_files_younger_than_the_cutoff(lake, normaliser, rows, bill):
    ingest(lake, normaliser, [bill("jan.arrows", rows(2, 1))])
    ingest(lake, normaliser, [bill("jan.arrows", rows(3, 1))])

    done = expire(lake, datetime.now(UTC) - timedelta(hours=1))

    assert [(t.expired_snapshots, t.orphan_files) for t in done] == [(0, 0), (0, 0)]
    assert len(lake.focus.refresh().snapshots()) == 2


def test_a_corrected_file_keeps_a_period_another_file_still_holds(lake, normaliser, rows, bill):
    part1 = bill("part1.arrows", rows(2, 1), rows(1, 2))
    ingest(lake, normaliser, [part1, bill("part2.arrows", rows(4, 2))])
    ingest(lake, normaliser, [bill("part1.arrows", rows(3, 1))])

    assert periods(lake)[("111111111111", "2024-02")] == 5
