"""Reconciliation: AI usage rows priced by the book against the vendor's billed rows, per
vendor, day, model and project, within ±0.5%; every difference shown, unpriced usage listed.

The rows are written straight into a lake with the FOCUS column model (as the vendor
sources write them: usage `reported` at cost 0 with its tokens, cost reports `billed`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from costplane.billing.ai.reconcile import Status, reconcile, status
from costplane.billing.focus.columns import FOCUS_COLUMNS, focus_arrow_schema
from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import ingest
from costplane.cli import app
from costplane.domain.ai import bundled_price_book
from tests.integration.lake.conftest import ArrowStreamNormaliser, write_bill

DAY = datetime(2025, 10, 14, tzinfo=UTC)
ORG = "org-acme"


def ai_row(
    basis: str,
    *,
    model: str | None = "gpt-4o-mini",
    token_type: str | None = None,
    tokens: int | None = None,
    cost: str = "0",
    project: str = "proj_web",
    day: datetime = DAY,
    vendor: str = "openai",
) -> dict[str, object]:
    amount = Decimal(cost)
    return dict.fromkeys((c.name for c in FOCUS_COLUMNS), None) | {
        "BilledCost": amount,
        "EffectiveCost": amount,
        "ListCost": amount,
        "ContractedCost": amount,
        "BillingAccountId": ORG,
        "BillingCurrency": "USD",
        "BillingPeriodStart": datetime(2025, 10, 1, tzinfo=UTC),
        "BillingPeriodEnd": datetime(2025, 11, 1, tzinfo=UTC),
        "ChargePeriodStart": day,
        "ChargePeriodEnd": day + timedelta(days=1),
        "ChargeCategory": "Usage",
        "ChargeFrequency": "Usage-Based",
        "ConsumedQuantity": None if tokens is None else Decimal(tokens),
        "ConsumedUnit": None if tokens is None else "Tokens",
        "InvoiceIssuerName": "OpenAI",
        "ProviderName": "OpenAI",
        "PublisherName": "OpenAI",
        "ServiceProviderName": "OpenAI",
        "ServiceCategory": "AI and Machine Learning",
        "ServiceName": "OpenAI API",
        "SubAccountId": project,
        "x_AiVendor": vendor,
        "x_AiModel": model,
        "x_AiTokenType": token_type,
        "x_AiCostBasis": basis,
        "x_SourceName": "ai-test",
        "x_SourceFile": "ai",
        "x_IngestionId": "test",
    }


def usage(token_type: str, tokens: int, **fields: Any) -> dict[str, object]:
    return ai_row("reported", token_type=token_type, tokens=tokens, **fields)


def billed(cost: str, **fields: Any) -> dict[str, object]:
    return ai_row("billed", cost=cost, **fields)


def write(lake: Lake, tmp_path: Path, *rows: dict[str, object]) -> None:
    numbered = [row | {"x_SourceRow": i} for i, row in enumerate(rows, 1)]
    batch = pa.RecordBatch.from_pylist(numbered, schema=focus_arrow_schema())
    ingest(lake, ArrowStreamNormaliser("ai-test"), [write_bill(tmp_path / "ai.arrows", batch)])


# gpt-4o-mini at the book's prices: 1M input 0.15 USD, 1M output 0.60 USD -> 0.75 USD.
MINI_DAY = (usage("input", 1_000_000), usage("output", 1_000_000))


def test_usage_at_book_prices_within_half_a_percent_of_the_bill_agrees(lake, tmp_path):
    write(lake, tmp_path, *MINI_DAY, billed("0.7520"))
    (group,) = reconcile(lake, bundled_price_book()).groups
    assert group.usage_cost == Decimal("0.75")
    assert group.billed_cost == Decimal("0.752")
    assert group.status is Status.WITHIN


def test_a_difference_beyond_half_a_percent_is_reported_with_its_size(lake, tmp_path):
    write(lake, tmp_path, *MINI_DAY, billed("0.80"))
    (group,) = reconcile(lake, bundled_price_book()).groups
    assert group.status is Status.DIFFERS
    assert group.difference == Decimal("-0.05")
    assert group.relative == Decimal("-0.0625")


@pytest.mark.parametrize(
    ("usage_cost", "billed_cost", "expected"),
    [
        ("100.5", "100", Status.WITHIN),
        ("99.5", "100", Status.WITHIN),
        ("100.51", "100", Status.DIFFERS),
        ("0", "0", Status.WITHIN),
        ("0.01", "0", Status.DIFFERS),
    ],
)
def test_half_a_percent_of_the_bill_is_the_bound(usage_cost, billed_cost, expected):
    assert status(Decimal(usage_cost), Decimal(billed_cost)) is expected


def test_usage_no_cost_report_covers_yet_and_a_bill_without_usage_are_both_shown(lake, tmp_path):
    write(
        lake,
        tmp_path,
        usage("input", 1_000_000, day=DAY + timedelta(days=1)),
        billed("3.10", vendor="aws-bedrock", model="claude-sonnet-4-6"),
    )
    statuses = {(g.key.vendor, g.status) for g in reconcile(lake, bundled_price_book()).groups}
    assert statuses == {("openai", Status.NO_COST_REPORT), ("aws-bedrock", Status.NO_USAGE)}


def test_groups_are_per_day_model_and_project(lake, tmp_path):
    write(
        lake,
        tmp_path,
        usage("input", 1_000_000, project="proj_a"),
        usage("input", 1_000_000, project="proj_b"),
        usage("input", 1_000_000, project="proj_a", model="gpt-4o"),
        usage("input", 1_000_000, project="proj_a", day=DAY + timedelta(days=1)),
    )
    keys = [
        (g.key.day, g.key.model, g.key.project)
        for g in reconcile(lake, bundled_price_book()).groups
    ]
    assert keys == [
        (date(2025, 10, 14), "gpt-4o", "proj_a"),
        (date(2025, 10, 14), "gpt-4o-mini", "proj_a"),
        (date(2025, 10, 14), "gpt-4o-mini", "proj_b"),
        (date(2025, 10, 15), "gpt-4o-mini", "proj_a"),
    ]


def test_usage_the_book_cannot_price_is_listed_and_never_guessed(lake, tmp_path):
    write(
        lake,
        tmp_path,
        usage("input", 5_000, model="gpt-9-preview"),
        billed("0.01", model="gpt-9-preview"),
    )
    report = reconcile(lake, bundled_price_book())
    (item,) = report.unpriced
    assert (item.key.model, item.token_type, item.quantity) == ("gpt-9-preview", "input", 5000)
    (group,) = report.groups
    assert group.unpriced_quantity == 5000
    assert group.usage_cost == 0
    assert group.status is Status.DIFFERS


def test_a_cost_report_that_names_no_model_reconciles_per_project(lake, tmp_path):
    write(lake, tmp_path, *MINI_DAY, billed("0.75", model=None))
    report = reconcile(lake, bundled_price_book())
    assert {(g.key.model, g.status) for g in report.groups} == {
        ("gpt-4o-mini", Status.NO_COST_REPORT),
        (None, Status.NO_USAGE),
    }
    (project,) = report.projects
    assert (project.key.project, project.status) == ("proj_web", Status.WITHIN)


def test_dated_snapshots_are_priced_as_their_model(lake, tmp_path):
    write(lake, tmp_path, usage("output", 1_000_000, model="gpt-4o-mini-2024-07-18"))
    (group,) = reconcile(lake, bundled_price_book()).groups
    assert group.usage_cost == Decimal("0.60")


runner = CliRunner()


def test_the_command_exits_1_and_prints_every_group_as_json_when_one_differs(lake, tmp_path):
    write(lake, tmp_path, *MINI_DAY, billed("0.80"), usage("input", 10, model="gpt-9-preview"))
    result = runner.invoke(app, ["ai", "reconcile", "--lake", str(tmp_path / "lake"), "--json"])
    assert result.exit_code == 1, result.output
    lines = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [(line["kind"], line["model"], line.get("status")) for line in lines] == [
        ("model", "gpt-4o-mini", "differs"),
        ("model", "gpt-9-preview", "no cost report"),
        ("project", None, "differs"),
        ("unpriced", "gpt-9-preview", None),
    ]
    assert lines[0]["difference"] == "-0.05"


def test_the_table_shows_money_and_the_differences_percentage(lake, tmp_path):
    write(lake, tmp_path, *MINI_DAY, billed("0.7520"))
    result = runner.invoke(app, ["ai", "reconcile", "--lake", str(tmp_path / "lake")])
    assert result.exit_code == 0, result.output
    assert "0.752" in result.stdout
    assert "-0.002 USD (-0.27%)" in result.stdout
    assert "within" in result.stdout
