"""AI budgets' actuals from the lake's AI rows: money (EffectiveCost) or tokens, per project,
model, API key or team; tokens counted once, and owners from the taxonomy's attribution."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from costplane.adapters.lake.budget_actuals import lake_spend
from costplane.adapters.lake.row_owners import RowOwners
from costplane.billing.ai_usage_rows import UsageBucket, usage_batch
from costplane.billing.lake.table import Lake
from costplane.domain.ai import AiVendor, CostBasis, TokenType
from costplane.domain.budgets import BudgetsFile
from costplane.domain.taxonomy import Taxonomy
from costplane.engine.attribution import Attribution
from tests.integration.budgets.conftest import Charge, at

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
ORG = "org-demo"


def bucket(tokens: int, token_type: TokenType = TokenType.INPUT, **fields: Any) -> UsageBucket:
    defaults: dict[str, Any] = {
        "vendor": AiVendor.OPENAI,
        "organization": ORG,
        "account": "proj_research",
        "model": "gpt-4o",
        "start": at(3, 10),
    }
    return UsageBucket(token_type=token_type, tokens=tokens, **(defaults | fields))


def land(lake: Lake, *buckets: UsageBucket, basis: CostBasis | None = None) -> None:
    batch = usage_batch(buckets)
    if basis is not None:
        index = batch.schema.get_field_index("x_AiCostBasis")
        column = pa.array([basis.value] * batch.num_rows, pa.string())
        batch = batch.set_column(index, "x_AiCostBasis", column)
    lake.focus.append(pa.Table.from_batches([batch]))


def spend(
    lake: Lake, *documents: dict[str, Any], taxonomy: Taxonomy | None = None
) -> dict[str, Decimal]:
    found = BudgetsFile.model_validate({"budgets": list(documents)}).budgets
    owners = RowOwners(Attribution(taxonomy)).tags if taxonomy else None
    return dict(lake_spend(lake, found, NOW, owners).actual)


def test_a_tokens_budget_counts_every_token_type_and_nothing_that_is_not_a_token(
    lake: Lake,
) -> None:
    land(
        lake,
        bucket(1_000, TokenType.INPUT),
        bucket(400, TokenType.CACHE_READ),
        bucket(250, TokenType.OUTPUT),
        bucket(3, TokenType.IMAGE, model="dall-e-3"),
        bucket(7, TokenType.REQUEST),
    )
    tokens = {"name": "t", "unit": "tokens", "amount": 10_000, "scope": {"provider": "openai"}}
    assert spend(lake, tokens) == {"t": Decimal(1_650)}


def test_a_money_budget_on_an_api_vendor_sums_the_priced_cost_of_its_usage(lake: Lake) -> None:
    land(lake, bucket(1_000_000, TokenType.INPUT), bucket(100_000, TokenType.OUTPUT))
    money = {"name": "m", "amount": 100, "scope": {"provider": "openai", "account": "proj_*"}}
    assert spend(lake, money) == {"m": Decimal("3.5")}  # 1M x 2.50/M + 100k x 10.00/M


def test_scopes_select_ai_rows_by_model_and_api_key(lake: Lake) -> None:
    land(
        lake,
        bucket(100, model="gpt-4o", api_key="key_a"),
        bucket(20, model="gpt-4o-mini", api_key="key_a"),
        bucket(3, model="gpt-4o-mini", api_key="key_b"),
    )
    found = spend(
        lake,
        {"name": "mini", "unit": "tokens", "amount": 1, "scope": {"model": "gpt-4o-mini*"}},
        {"name": "key-a", "unit": "tokens", "amount": 1, "scope": {"api_key": "key_a"}},
    )
    assert found == {"mini": Decimal(23), "key-a": Decimal(120)}


def test_a_model_scope_never_covers_a_row_that_is_not_ai(lake: Lake, charge: Any) -> None:
    charge(Charge("5", at(2)))
    land(lake, bucket(1_000_000))
    found = spend(lake, {"name": "any-model", "amount": 100, "scope": {"model": "*"}})
    assert found == {"any-model": Decimal("2.5")}


def test_a_vendors_cost_report_does_not_count_its_usage_tokens_again(lake: Lake) -> None:
    land(lake, bucket(1_000))
    land(lake, bucket(1_000), basis=CostBasis.BILLED)
    tokens = {"name": "t", "unit": "tokens", "amount": 1, "scope": {"provider": "openai"}}
    assert spend(lake, tokens) == {"t": Decimal(1_000)}


def test_a_cloud_bills_ai_rows_count_their_tokens(lake: Lake) -> None:
    bedrock = bucket(
        5_000, vendor=AiVendor.AWS_BEDROCK, account="644160558196", model="anthropic.claude-v2"
    )
    land(lake, bedrock, basis=CostBasis.BILLED)
    tokens = {"name": "t", "unit": "tokens", "amount": 1, "scope": {"provider": "aws"}}
    assert spend(lake, tokens) == {"t": Decimal(5_000)}


def test_tokens_and_money_budgets_of_one_scope_read_the_same_rows_in_their_own_unit(
    lake: Lake,
) -> None:
    land(lake, bucket(2_000_000, TokenType.INPUT))
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


@pytest.mark.parametrize(
    ("landed", "team"),
    [
        (bucket(10), "research"),
        (
            bucket(
                10,
                vendor=AiVendor.ANTHROPIC,
                account="wrkspc_1",
                api_key="apikey_support_1",
                model="claude-haiku-4-5",
            ),
            "support",
        ),
        (
            bucket(
                10,
                vendor=AiVendor.AWS_BEDROCK,
                account="644160558196",
                user="arn:aws:iam::644160558196:role/ml-inference",
                model="anthropic.claude-v2",
            ),
            "ml",
        ),
    ],
    ids=["openai-project", "anthropic-api-key", "bedrock-principal"],
)
def test_untagged_ai_usage_counts_in_the_budget_of_the_team_the_taxonomy_maps_it_to(
    lake: Lake, landed: UsageBucket, team: str
) -> None:
    land(lake, landed)
    budget = {"name": "team", "unit": "tokens", "amount": 1, "scope": {"tags": {"team": team}}}
    assert spend(lake, budget, taxonomy=TAXONOMY) == {"team": Decimal(10)}


def test_a_rows_own_owner_tag_wins_over_its_accounts_mapping(lake: Lake) -> None:
    batch = usage_batch([bucket(4)])
    index = batch.schema.get_field_index("x_TagsMap")
    tags = pa.array([[("team", "web")]], batch.schema.field(index).type)
    lake.focus.append(pa.Table.from_batches([batch.set_column(index, "x_TagsMap", tags)]))
    found = spend(
        lake,
        {"name": "web", "unit": "tokens", "amount": 1, "scope": {"tags": {"team": "web"}}},
        {
            "name": "research",
            "unit": "tokens",
            "amount": 1,
            "scope": {"tags": {"team": "research"}},
        },
        taxonomy=TAXONOMY,
    )
    assert found == {"web": Decimal(4), "research": Decimal(0)}
