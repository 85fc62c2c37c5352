"""`costplane allocate` over a lake of the bundled bills, through typer's CliRunner."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner, Result

from costplane.billing.allocation.lake import CHARGEBACK_TABLE
from costplane.billing.allocation.loader import EXAMPLE_RULES
from costplane.billing.lake.table import open_lake
from costplane.cli.allocate import allocate_command


@pytest.fixture
def cli(samples_lake: Path, tmp_path: Path) -> Callable[..., Result]:
    lake = tmp_path / "lake"
    shutil.copytree(samples_lake, lake)
    root = typer.Typer()
    root.command("allocate")(allocate_command)
    root.command("noop")(lambda: None)  # a second command keeps "allocate" a subcommand
    return lambda *args: CliRunner().invoke(
        root, ["allocate", "--lake", str(lake), *map(str, args)]
    )


def flat(text: str) -> str:
    return " ".join(text.split())


def test_allocate_prints_cost_objects_and_reconciles_with_the_bill(
    cli: Callable[..., Result],
) -> None:
    result = cli("--rules", EXAMPLE_RULES, "--period", "2023-09")
    assert result.exit_code == 0, result.output
    output = flat(result.output)
    assert "Chargeback example · 2023-09 · EffectiveCost" in output
    assert "┃ cost object ┃ USD ┃ rules ┃" in output
    assert "│ cc:SubACM │ 7.60 │ cost-center, kubernetes-nodes, platform-by-spend │" in output
    assert "│ total │ 16.30 │ │" in output
    assert (
        "bill 16.30 USD · allocated 16.30 USD (equal) · unallocated 0.00 USD · 28 bill lines"
        in output
    )


def test_allocate_json_is_one_document_with_decimals_as_strings(cli: Callable[..., Result]) -> None:
    result = cli("--rules", EXAMPLE_RULES, "--period", "2024-09", "--json")
    document = orjson.loads(result.stdout)
    assert document["reconciles"] is True
    assert document["sources"] == [
        {
            "period": "2024-09",
            "currency": "USD",
            "exact": "14.9765141858",
            "rounded": "14.98",
            "allocated": "14.98",
        }
    ]
    assert isinstance(document["chargeback_snapshot_id"], int)
    assert {t["cost_object"] for t in document["totals"]} >= {"central-it", "product:web"}


def test_dry_run_leaves_the_lake_without_a_chargeback_table(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = cli("--rules", EXAMPLE_RULES, "--period", "2024-09", "--dry-run", "--json")
    assert orjson.loads(result.stdout)["chargeback_snapshot_id"] is None
    lake = open_lake(tmp_path / "lake")
    assert not lake.catalog.table_exists((lake.namespace, CHARGEBACK_TABLE))


def test_a_period_without_bills_fails_with_its_reason(cli: Callable[..., Result]) -> None:
    result = cli("--rules", EXAMPLE_RULES, "--period", "2025-01")
    assert result.exit_code == 2
    assert "empty_period: no bill lines for billing period 2025-01" in flat(result.output)


def test_rules_that_overlap_fail_and_say_which(cli: Callable[..., Result], tmp_path: Path) -> None:
    rules = tmp_path / "overlap.yaml"
    rules.write_text(
        "name: o\nsteps:\n- name: s\n  rules:\n"
        "  - {name: all, select: {}, distribute: {method: direct, to: a}}\n"
        "  - {name: compute, select: {where: {ServiceCategory: [Compute]}}, "
        "distribute: {method: direct, to: b}}\n"
    )
    result = cli("--rules", rules, "--period", "2024-09")
    assert result.exit_code == 2
    assert re.search(
        r"overlapping_rules: rules overlap: 'all' and 'compute' both select \d+ line\(s\) "
        r"costing [\d.]+ USD",
        flat(result.output),
    )


def test_a_malformed_period_is_a_usage_error(cli: Callable[..., Result]) -> None:
    result = cli("--rules", EXAMPLE_RULES, "--period", "2024-13")
    assert result.exit_code == 2
    assert "is not a billing month YYYY-MM" in flat(result.output)


def test_warnings_go_to_stderr_and_the_pool_stays_unallocated(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    (tmp_path / "requests.csv").write_text("team,requests\nweb,0\n")
    rules = tmp_path / "zero.yaml"
    rules.write_text(
        "name: z\nsteps:\n- name: s\n  rules:\n  - name: shared\n    select: {}\n"
        "    distribute: {method: proportional, metric: {source: file, path: requests.csv, "
        "key: team, value: requests}}\n"
    )
    result = cli("--rules", rules, "--period", "2024-09")
    assert result.exit_code == 0, result.output
    assert "all_zero_weights: rule 'shared', 2024-09 USD: all 1 consumers weigh 0" in flat(
        result.stderr
    )
    assert "│ (unallocated) │ 14.98 │ shared │" in flat(result.stdout)
