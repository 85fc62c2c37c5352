"""`costplane ai check`: the levers the cost ingest pulls after a landing, on demand, under the
deployment's mode (dry-run unless told to enforce)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from costplane.billing.lake.table import open_lake
from costplane.cli import app
from tests.support.ai_reports import completions, land, report_file

BUDGETS = """\
version: 1
budgets:
  - name: research
    scope: {provider: openai, account: proj_research}
    unit: tokens
    amount: 1000
    thresholds:
      - {percent: 100, action: suspend, basis: actual}
"""


@pytest.fixture
def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.delenv("COSTPLANE_MODE", raising=False)
    monkeypatch.delenv("COSTPLANE_STATE", raising=False)
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(BUDGETS)
    lake = tmp_path / "lake"
    usage = completions(
        "gpt-4o", project="proj_research", uncached_text=1_001, cached_text=0, output_text=0
    )
    land(open_lake(lake), report_file(tmp_path, "openai-usage", "org", "2026-11-03", [usage]))
    args = ["--budgets", str(budgets), "--lake", str(lake), "--at", "2026-11-03T12:00:00"]
    return lambda *more: CliRunner().invoke(app, ["ai", "check", *args, *more, "--json"])


def actions(result: Result) -> list[tuple[str, str, str]]:
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    return [(r["resource_id"], a["kind"], a["status"]) for r in rows for a in r["actions"]]


def test_by_default_the_check_records_the_lever_it_would_pull(
    check: Callable[..., Result],
) -> None:
    assert actions(check()) == [("proj_research", "suspend", "dry-run")]


def test_an_enforcing_check_pulls_the_lever_once(check: Callable[..., Result]) -> None:
    assert actions(check("--mode", "enforce")) == [("proj_research", "suspend", "done")]
    assert actions(check("--mode", "enforce")) == []


def test_a_dry_run_check_does_not_stop_a_later_enforcing_one_from_acting(
    check: Callable[..., Result],
) -> None:
    check()
    assert actions(check("--mode", "enforce")) == [("proj_research", "suspend", "done")]
