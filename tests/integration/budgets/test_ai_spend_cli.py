"""`costplane ai spend`: tokens and money from the lake's AI rows per team, model, project or
token type, with the cache hit rate; teams from the taxonomy's owners: mappings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest
from typer.testing import CliRunner, Result

from costplane.billing.ai_usage_rows import UsageBucket, land_usage, usage_batch, write_usage
from costplane.billing.lake.table import open_lake
from costplane.cli import app
from costplane.domain.ai import AiVendor, TokenType

TAXONOMY = """\
version: 1
keys: [{key: Team, aliases: [squad]}]
owners:
  - scope: {provider: openai, account: proj_research}
    team: research
  - scope: {provider: anthropic, account: wrkspc_support}
    team: support
"""


def bucket(tokens: int, token_type: TokenType, **fields: Any) -> UsageBucket:
    defaults: dict[str, Any] = {
        "vendor": AiVendor.OPENAI,
        "organization": "org-demo",
        "account": "proj_research",
        "model": "gpt-4o",
        "start": datetime(2026, 11, 3, 10, tzinfo=UTC),
    }
    return UsageBucket(token_type=token_type, tokens=tokens, **(defaults | fields))


CLAUDE = {
    "vendor": AiVendor.ANTHROPIC,
    "account": "wrkspc_support",
    "model": "claude-haiku-4-5",
    "service_tier": "standard",
    "context_window": "0-200k",
}


BEDROCK = {
    "vendor": AiVendor.AWS_BEDROCK,
    "account": "644160558196",
    "model": "anthropic.claude-3-5-sonnet-20240620-v1:0",
}


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text(TAXONOMY)
    monkeypatch.setenv("COSTPLANE_TAXONOMY", str(taxonomy))
    lake = tmp_path / "lake"
    buckets = [
        bucket(600_000, TokenType.INPUT),
        bucket(400_000, TokenType.CACHE_READ),
        bucket(100_000, TokenType.OUTPUT),
        bucket(1_000_000, TokenType.INPUT, **CLAUDE),
        bucket(50, TokenType.INPUT, model="gpt-unknown-model"),
    ]
    land_usage(open_lake(lake), write_usage(tmp_path / "usage.arrow", buckets))
    bedrock = usage_batch([bucket(70, TokenType.OUTPUT, **BEDROCK)])  # a CUR line: billed
    tags = pa.array([[("Squad", "ML")]], bedrock.schema.field("x_TagsMap").type)
    for column, values in (("x_TagsMap", tags), ("x_AiCostBasis", pa.array(["billed"]))):
        bedrock = bedrock.set_column(bedrock.schema.get_field_index(column), column, values)
    open_lake(lake).focus.append(pa.Table.from_batches([bedrock]))
    return lambda *args: CliRunner().invoke(app, ["ai", "spend", "--lake", str(lake), *args])


def lines(result: Result) -> dict[str, dict[str, Any]]:
    assert result.exit_code == 0, result.output
    found = [orjson.loads(line) for line in result.stdout.splitlines()]
    return {line["key"]: line for line in found}


def test_spend_by_team_names_the_owner_a_rows_tags_or_the_taxonomys_mappings_give(
    cli: Callable[..., Result],
) -> None:
    by_team = lines(cli("--by", "team", "--json"))
    assert {k: Decimal(v["tokens"]) for k, v in by_team.items()} == {
        "research": Decimal(1_100_050),
        "support": Decimal(1_000_000),
        "ml": Decimal(70),
    }
    # gpt-4o: 600k x 2.50/M + 400k x 1.25/M + 100k x 10/M; the unknown model is unpriced (0)
    assert Decimal(by_team["research"]["cost"]["USD"]) == Decimal("3.0")
    assert Decimal(by_team["support"]["cost"]["USD"]) == Decimal("1.0")


def test_the_cache_hit_rate_is_cache_reads_over_all_cacheable_input(
    cli: Callable[..., Result],
) -> None:
    gpt = lines(cli("--by", "model", "--json"))["gpt-4o"]
    assert Decimal(gpt["cache_hit_rate"]) == Decimal("0.4")  # 400k / (600k + 400k)


def test_spend_by_token_type_and_by_project(cli: Callable[..., Result]) -> None:
    by_type = lines(cli("--by", "token-type", "--json"))
    assert {k: Decimal(v["tokens"]) for k, v in by_type.items()} == {
        "input": Decimal(1_600_050),
        "cache_read": Decimal(400_000),
        "output": Decimal(100_070),
    }
    assert set(lines(cli("--by", "project", "--json"))) == {
        "openai:proj_research",
        "anthropic:wrkspc_support",
        "aws:644160558196",
    }


def test_the_table_warns_of_usage_the_price_book_cannot_price(cli: Callable[..., Result]) -> None:
    result = cli("--by", "model")
    assert result.exit_code == 0, result.output
    assert "cache hit rate" in result.output
    assert "40.0%" in result.output
    assert "1 usage rows have no price in the price book: their cost is 0" in result.output


def test_a_month_without_ai_rows_says_so(cli: Callable[..., Result]) -> None:
    result = cli("--month", "2026-10")
    assert result.exit_code == 0, result.output
    assert "the lake has no AI rows in 2026-10" in result.output
