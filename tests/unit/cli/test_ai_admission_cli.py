"""`costplane ai admission check`: one request's verdict now, exit 0 admitted, 1 refused; the
reservation given back unless --hold."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from costplane.adapters.local.admission_ledger import SqliteAdmissionLedger
from costplane.cli import app

BUDGETS = """
version: 1
budgets:
  - name: search-ai
    amount: 0.05
    scope: {provider: openai, tags: {team: search}}
"""
GPT_4O = ["--vendor", "openai", "--model", "gpt-4o", "--team", "search"]


@pytest.fixture
def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(BUDGETS)
    monkeypatch.setenv("COSTPLANE_LAKE", str(tmp_path / "lake"))

    def run(*args: str) -> Result:
        command = ["ai", "admission", "check", "--budgets", str(budgets), *GPT_4O, *args]
        return CliRunner().invoke(app, command)

    return run


def test_a_request_that_fits_is_admitted_and_given_back(check, tmp_path: Path) -> None:
    result = check("--input-tokens", "2000", "--max-output-tokens", "4000", "--request-id", "r1")
    assert result.exit_code == 0, result.output
    assert "admitted r1: at most 0.045 USD, within search-ai" in result.stdout
    ledger = SqliteAdmissionLedger(tmp_path / "lake" / "state.db")
    held = ledger.find("r1")
    assert held is not None
    assert (held.cost, ledger.committed(held.limits[0].ledger)) == (0, 0)


def test_a_held_reservation_stays_and_the_next_is_refused_naming_the_budget(check) -> None:
    fits = ["--input-tokens", "2000", "--max-output-tokens", "4000"]
    assert check(*fits, "--hold").exit_code == 0
    result = check(*fits, "--json")
    answer = orjson.loads(result.stdout)
    assert result.exit_code == 1
    assert (answer["reason"], answer["budget"], answer["committed"]) == (
        "over-budget",
        "search-ai",
        "0.0450000",
    )


def test_an_unknown_model_is_refused_with_exit_1(check) -> None:
    result = check("--input-tokens", "1", "--max-output-tokens", "1", "--model", "gpt-9")
    assert result.exit_code == 1
    assert "(unpriced): no price for openai gpt-9" in result.stdout
