"""`costplane ai spend`: tokens and money from the lake's AI rows per team, model, project or
token type, with the cache hit rate; teams from the taxonomy's owners: mappings."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner, Result

from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.table import open_lake
from costplane.billing.lake.writer import ingest
from costplane.cli import app
from tests.support.ai_reports import completions, land, messages_usage, report_file
from tests.support.cur2_rows import bedrock_bill

DAY = "2026-11-03"
TAXONOMY = """\
version: 1
keys: [{key: Team, aliases: [squad]}]
owners:
  - scope: {provider: openai, account: proj_research}
    team: research
  - scope: {provider: anthropic, account: wrkspc_support}
    team: support
"""


def research(model: str, uncached: int, cached: int = 0, output: int = 0) -> dict[str, Any]:
    return completions(
        model,
        project="proj_research",
        uncached_text=uncached,
        cached_text=cached,
        output_text=output,
    )


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """A lake of one day's OpenAI and Anthropic usage reports and a Bedrock CUR line tagged
    with a team (under the alias Squad)."""
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text(TAXONOMY)
    monkeypatch.setenv("COSTPLANE_TAXONOMY", str(taxonomy))
    lake = tmp_path / "lake"
    openai = [research("gpt-4o", 600_000, 400_000, 100_000), research("gpt-unknown-model", 50)]
    claude = messages_usage(
        "claude-haiku-4-5",
        uncached=1_000_000,
        cache_read=0,
        write_5m=0,
        write_1h=0,
        output=0,
        workspace="wrkspc_support",
    )
    land(
        open_lake(lake),
        report_file(tmp_path, "openai-usage", "org-demo", DAY, openai),
        report_file(tmp_path, "anthropic-usage", "org-anthropic", DAY, [claude]),
    )
    bedrock = bedrock_bill(
        tmp_path,
        DAY,
        "0.07",
        line_item_usage_type="USE1-Claude4.6Sonnet-output-tokens",
        resource_tags='{"user_Squad": "ML"}',
    )
    ingest(open_lake(lake), get_normaliser("aws-cur2"), [bedrock])
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
