"""`lake sql` is read-only and sandboxed: it reads the lake's tables and nothing else.

Each test ingests a real FOCUS sample, then tries one way out of the sandbox and checks
that DuckDB refused it and that nothing on disk changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from costplane.billing.allocation.lake import chargeback_table
from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.query import EmptyQuery, sql
from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import ingest
from tests.conftest import TEST_DATA

FOCUS_SAMPLE = TEST_DATA / "focus" / "focus" / "focus_1.0_sample_1000rows_aws_azure_oci.csv"
ROWS = "SELECT count(*) AS n FROM focus"


@pytest.fixture
def filled(lake: Lake) -> Lake:
    ingest(lake, get_normaliser("focus"), [FOCUS_SAMPLE])
    return lake


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def a_data_file(lake: Lake) -> Path:
    task = next(iter(lake.focus.scan().plan_files()))
    return Path(task.file.file_path.removeprefix("file://"))


def count(lake: Lake) -> int:
    return int(sql(lake, ROWS).to_pylist()[0]["n"])


@pytest.mark.parametrize(
    ("target", "copy"),
    [
        (a_data_file, "COPY (SELECT 1 AS x) TO '{}' (FORMAT parquet)"),
        (
            lambda lake: Path(lake.catalog.properties["uri"].removeprefix("sqlite:///")),
            "COPY focus TO '{}'",
        ),
    ],
    ids=["a-data-file", "catalog.db"],
)
def test_copy_over_a_file_of_the_lake_is_refused_and_the_lake_intact(filled, target, copy):
    path = target(filled)
    before = digest(path)
    with pytest.raises(duckdb.PermissionException):
        sql(filled, copy.format(path))
    assert digest(path) == before
    assert count(filled) == 1000


def test_copy_to_any_other_file_is_refused(filled, tmp_path):
    with pytest.raises(duckdb.PermissionException):
        sql(filled, f"COPY focus TO '{tmp_path / 'out.csv'}'")
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "INSTALL httpfs",
        "LOAD httpfs",
        "EXPORT DATABASE '/tmp'",
    ],
    ids=["read_csv", "glob", "install", "load", "export"],
)
def test_file_and_extension_access_is_refused(filled, query):
    with pytest.raises(duckdb.PermissionException):
        sql(filled, query)


def test_reading_the_lake_files_directly_is_refused(filled):
    with pytest.raises(duckdb.PermissionException):
        sql(filled, f"SELECT count(*) FROM read_parquet('{a_data_file(filled)}')")


def test_attach_is_refused_and_creates_no_database(filled, tmp_path):
    with pytest.raises(duckdb.PermissionException):
        sql(filled, f"ATTACH '{tmp_path / 'other.db'}' AS other")
    assert not (tmp_path / "other.db").exists()


def test_the_query_cannot_unlock_external_access(filled):
    with pytest.raises(duckdb.InvalidInputException, match="configuration"):
        sql(filled, "SET enable_external_access = true")


def test_the_query_cannot_unlock_the_configuration(filled):
    with pytest.raises(duckdb.InvalidInputException, match="configuration"):
        sql(filled, "SET lock_configuration = false")


def test_tables_a_query_creates_vanish_with_it(filled):
    sql(filled, "CREATE TABLE focus_copy AS SELECT * FROM focus")
    with pytest.raises(duckdb.CatalogException):
        sql(filled, "SELECT * FROM focus_copy")


def test_focus_can_be_named_twice_in_one_query(filled):
    pairs = sql(
        filled,
        "SELECT count(*) AS n FROM focus a JOIN focus b ON a.x_SourceRow = b.x_SourceRow",
    )
    assert pairs.to_pylist() == [{"n": 1000}]


def test_a_cte_read_twice_reads_focus_twice(filled):
    both = sql(filled, "WITH f AS (SELECT * FROM focus) SELECT (SELECT count(*) FROM f) * 2 AS n")
    assert both.to_pylist() == [{"n": 2000}]


def test_chargeback_and_the_ingest_manifest_are_tables_too(filled):
    chargeback_table(filled.catalog, filled.namespace)
    result = sql(
        filled,
        "SELECT (SELECT count(*) FROM chargeback) AS lines,"
        " (SELECT sum(rows) FROM ingested_files) AS ingested",
    )
    assert result.to_pylist() == [{"lines": 0, "ingested": 1000}]


def test_table_names_are_matched_whatever_their_case(filled):
    assert sql(filled, "SELECT count(*) AS n FROM FOCUS").to_pylist() == [{"n": 1000}]


@pytest.mark.parametrize("query", ["", "   ", " ; ", "-- nothing\n"])
def test_an_empty_query_is_a_clear_error(filled, query):
    with pytest.raises(EmptyQuery, match="empty"):
        sql(filled, query)
