"""AI budgets' actuals from the lake's AI rows: money (EffectiveCost) or tokens, per project,
model, API key or team; tokens counted once, and owners from the taxonomy's attribution.
The rows land as the vendors' report pages through the ingest `costplane ingest` runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from costplane.adapters.lake.budget_actuals import lake_spend
from costplane.adapters.lake.row_owners import RowOwners
from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.query import sql
from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import ingest
from costplane.domain.budgets import BudgetsFile
from costplane.domain.taxonomy import Taxonomy
from costplane.engine.attribution import Attribution
from tests.integration.budgets.conftest import Charge, at
from tests.support.ai_reports import (
    EVERY_OTHER_TYPE,
    anthropic_cost,
    completions,
    land,
    messages_usage,
    openai_cost,
    report_file,
)
from tests.support.cur2_rows import bedrock_bill

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
DAY = "2026-11-03"
ORG = "org-demo"


def openai_usage(**fields: Any) -> dict[str, Any]:
    """Input tokens of proj_research on gpt-4o, uncached unless told."""
    counts = {"uncached_text": 0, "cached_text": 0, "output_text": 0}
    return completions(**({"model": "gpt-4o", "project": "proj_research"} | counts | fields))


def land_openai(lake: Lake, root: Path, *results: dict[str, Any]) -> None:
    land(lake, report_file(root, "openai-usage", ORG, DAY, list(results)))


def spend(
    lake: Lake, *documents: dict[str, Any], taxonomy: Taxonomy | None = None
) -> dict[str, Decimal]:
    found = BudgetsFile.model_validate({"budgets": list(documents)}).budgets
    owners = RowOwners(Attribution(taxonomy)).tags if taxonomy else None
    return dict(lake_spend(lake, found, NOW, owners).actual)


def test_a_tokens_budget_counts_every_token_type_and_nothing_that_is_not_a_token(
    lake: Lake, tmp_path: Path
) -> None:
    land_openai(
        lake,
        tmp_path,
        openai_usage(uncached_text=1_000, cached_text=400, output_text=250),
        EVERY_OTHER_TYPE["images"],
        EVERY_OTHER_TYPE["web_searches"],
    )
    tokens = {"name": "t", "unit": "tokens", "amount": 10_000, "scope": {"provider": "openai"}}
    assert spend(lake, tokens) == {"t": Decimal(1_650)}


def test_a_money_budget_on_an_api_vendor_sums_the_priced_cost_of_its_usage(
    lake: Lake, tmp_path: Path
) -> None:
    land_openai(lake, tmp_path, openai_usage(uncached_text=1_000_000, output_text=100_000))
    money = {"name": "m", "amount": 100, "scope": {"provider": "openai", "account": "proj_*"}}
    assert spend(lake, money) == {"m": Decimal("3.5")}  # 1M x 2.50/M + 100k x 10.00/M


def test_scopes_select_ai_rows_by_model_and_api_key(lake: Lake, tmp_path: Path) -> None:
    land_openai(
        lake,
        tmp_path,
        openai_usage(uncached_text=100, model="gpt-4o", api_key_id="key_a"),
        openai_usage(uncached_text=20, model="gpt-4o-mini", api_key_id="key_a"),
        openai_usage(uncached_text=3, model="gpt-4o-mini", api_key_id="key_b"),
    )
    found = spend(
        lake,
        {"name": "mini", "unit": "tokens", "amount": 1, "scope": {"model": "gpt-4o-mini*"}},
        {"name": "key-a", "unit": "tokens", "amount": 1, "scope": {"api_key": "key_a"}},
    )
    assert found == {"mini": Decimal(23), "key-a": Decimal(120)}


def test_a_model_scope_never_covers_a_row_that_is_not_ai(
    lake: Lake, charge: Any, tmp_path: Path
) -> None:
    charge(Charge("5", at(2)))
    land_openai(lake, tmp_path, openai_usage(uncached_text=1_000_000))
    found = spend(lake, {"name": "any-model", "amount": 100, "scope": {"model": "*"}})
    assert found == {"any-model": Decimal("2.5")}


def test_a_tokens_budget_counts_the_usage_reports_tokens_once_and_a_money_budget_the_cost_report(
    lake: Lake, tmp_path: Path
) -> None:
    usage = messages_usage(workspace="wrkspc_support")  # 1500 + 200 + 500 + 1000 + 500 tokens
    costs = [
        anthropic_cost("450.5", token_type="uncached_input_tokens"),
        anthropic_cost("120", token_type="cache_read_input_tokens"),
        anthropic_cost("749.5", token_type="output_tokens"),
    ]
    land(
        lake,
        report_file(tmp_path, "anthropic-usage", ORG, DAY, [usage]),
        report_file(tmp_path, "anthropic-cost", ORG, DAY, costs),
    )
    scope = {"provider": "anthropic"}
    found = spend(
        lake,
        {"name": "tokens", "unit": "tokens", "amount": 1, "scope": scope},
        {"name": "money", "amount": 1, "scope": scope},
    )
    assert found == {"tokens": Decimal(3_700), "money": Decimal("13.2")}
    billed = "SELECT count(x_AiTokenType) AS n FROM focus WHERE x_AiCostBasis = 'billed'"
    assert sql(lake, billed).to_pylist() == [{"n": 3}]  # the cost rows name token types too


def test_an_openai_cost_report_leaves_the_tokens_of_its_usage_as_they_were(
    lake: Lake, tmp_path: Path
) -> None:
    land_openai(lake, tmp_path, openai_usage(uncached_text=1_000, output_text=200))
    cost = openai_cost(0.75, line_item="gpt-4o, input")
    land(lake, report_file(tmp_path, "openai-costs", ORG, DAY, [cost]))
    scope = {"provider": "openai"}
    found = spend(
        lake,
        {"name": "tokens", "unit": "tokens", "amount": 1, "scope": scope},
        {"name": "money", "amount": 1, "scope": scope},
    )
    assert found == {"tokens": Decimal(1_200), "money": Decimal("0.75")}


ML_ROLE = "arn:aws:iam::644160558196:role/ml-inference"


def land_bedrock(lake: Lake, root: Path, thousands: str, **columns: str) -> None:
    """One Bedrock input-token line of a November CUR 2.0, ingested."""
    ingest(lake, get_normaliser("aws-cur2"), [bedrock_bill(root, DAY, thousands, **columns)])


def test_a_cloud_bills_ai_rows_count_their_tokens(lake: Lake, tmp_path: Path) -> None:
    land_bedrock(lake, tmp_path, "5")
    tokens = {"name": "t", "unit": "tokens", "amount": 1, "scope": {"provider": "aws"}}
    assert spend(lake, tokens) == {"t": Decimal(5_000)}


def test_tokens_and_money_budgets_of_one_scope_read_the_same_rows_in_their_own_unit(
    lake: Lake, tmp_path: Path
) -> None:
    land_openai(lake, tmp_path, openai_usage(uncached_text=2_000_000))
    scope = {"provider": "openai"}
    found = spend(
        lake,
        {"name": "money", "amount": 10, "scope": scope},
        {"name": "tokens", "unit": "tokens", "amount": 10, "scope": scope},
    )
    assert found == {"money": Decimal(5), "tokens": Decimal(2_000_000)}


TAXONOMY = Taxonomy.model_validate(
    {
        "keys": [{"key": "Team"}],
        "owners": [
            {"scope": {"provider": "openai", "account": "proj_research"}, "team": "research"},
            {"scope": {"provider": "anthropic"}, "resource": "apikey_support*", "team": "support"},
            {
                "scope": {"provider": "aws"},
                "principal": "arn:aws:iam::644160558196:role/ml-*",
                "team": "ml",
            },
        ],
    }
)


def openai_project(lake: Lake, root: Path) -> None:
    land_openai(lake, root, openai_usage(uncached_text=10))


def anthropic_key(lake: Lake, root: Path) -> None:
    usage = messages_usage(
        "claude-haiku-4-5",
        uncached=10,
        cache_read=0,
        write_5m=0,
        write_1h=0,
        output=0,
        workspace="wrkspc_1",
        api_key="apikey_support_1",
    )
    land(lake, report_file(root, "anthropic-usage", ORG, DAY, [usage]))


def bedrock_principal(lake: Lake, root: Path) -> None:
    land_bedrock(lake, root, "0.01", line_item_iam_principal=ML_ROLE)


@pytest.mark.parametrize(
    ("landing", "team"),
    [(openai_project, "research"), (anthropic_key, "support"), (bedrock_principal, "ml")],
    ids=["openai-project", "anthropic-api-key", "bedrock-principal"],
)
def test_untagged_ai_usage_counts_in_the_budget_of_the_team_the_taxonomy_maps_it_to(
    lake: Lake, tmp_path: Path, landing: Callable[[Lake, Path], None], team: str
) -> None:
    landing(lake, tmp_path)
    budget = {"name": "team", "unit": "tokens", "amount": 1, "scope": {"tags": {"team": team}}}
    assert spend(lake, budget, taxonomy=TAXONOMY) == {"team": Decimal(10)}


def test_a_rows_own_owner_tag_wins_over_the_taxonomys_mapping(lake: Lake, tmp_path: Path) -> None:
    tagged = '{"user_team": "web"}'
    land_bedrock(lake, tmp_path, "0.004", line_item_iam_principal=ML_ROLE, resource_tags=tagged)
    found = spend(
        lake,
        {"name": "web", "unit": "tokens", "amount": 1, "scope": {"tags": {"team": "web"}}},
        {"name": "ml", "unit": "tokens", "amount": 1, "scope": {"tags": {"team": "ml"}}},
        taxonomy=TAXONOMY,
    )
    assert found == {"web": Decimal(4), "ml": Decimal(0)}
