"""AI budgets in `costplane budgets status`: tokens counted and shown as tokens, money as
money, and the state the thresholds reached."""

from __future__ import annotations

from decimal import Decimal
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
  - name: research-tokens
    scope: {provider: openai, account: proj_research}
    unit: tokens
    amount: 1000000
    thresholds:
      - {percent: 100, action: suspend, basis: actual}
  - name: research-money
    scope: {provider: openai, account: proj_research}
    amount: 100
"""


@pytest.fixture
def status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.delenv("COSTPLANE_STATE", raising=False)
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(BUDGETS)
    lake = tmp_path / "lake"
    usage = completions(
        "gpt-4o", project="proj_research", uncached_text=1_500_000, cached_text=0, output_text=0
    )
    land(open_lake(lake), report_file(tmp_path, "openai-usage", "org", "2026-11-03", [usage]))
    args = ["--budgets", str(budgets), "--lake", str(lake), "--at", "2026-11-21T12:00:00"]
    return CliRunner().invoke(app, ["budgets", "status", *args, "--json"])


def test_a_tokens_budget_reports_tokens_and_the_state_its_thresholds_reached(
    status: Result,
) -> None:
    assert status.exit_code == 0, status.output
    found = {row["budget"]: row for row in map(orjson.loads, status.stdout.splitlines())}
    tokens, money = found["research-tokens"], found["research-money"]
    assert (tokens["unit"], Decimal(tokens["actual"]), tokens["state"]) == (
        "tokens",
        Decimal(1_500_000),
        "suspend",
    )
    assert (money["unit"], Decimal(money["actual"])) == ("money", Decimal("3.75"))
