"""A vendor's usage report and cost report land side by side, in either order, and the
lake counts the money once: the cost report's, with the usage's quantities kept
(`costplane.billing.focus.ai_companions`)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.query import sql
from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import IngestReport, ingest
from tests.support.ai_reports import (
    anthropic_bucket,
    anthropic_cost,
    anthropic_page,
    completions,
    messages_usage,
    openai_bucket,
    openai_cost,
    openai_page,
    write_pages,
)

ORG = "org-acme"
DAYS = ("2025-08-01", "2025-08-02", "2025-08-03")
COSTS = {"2025-08-01": 0.25, "2025-08-02": 0.5, "2025-08-03": 1.25}
TOKENS = "SELECT sum(ConsumedQuantity) AS n FROM focus WHERE x_AiCostBasis <> 'billed'"
EFFECTIVE = "SELECT sum(EffectiveCost) AS cost FROM focus"


def usage_file(root: Path, days: tuple[str, ...] = DAYS) -> Path:
    buckets = [openai_bucket(day, [completions(), completions("gpt-4o")]) for day in days]
    return write_pages(
        root / f"org={ORG}" / "openai-usage" / "2025-08.json", [openai_page(buckets)]
    )


def cost_file(root: Path, days: tuple[str, ...] = DAYS) -> Path:
    buckets = [openai_bucket(day, [openai_cost(COSTS[day])]) for day in days]
    return write_pages(
        root / f"org={ORG}" / "openai-costs" / "2025-08.json", [openai_page(buckets)]
    )


def land(lake: Lake, source: str, path: Path) -> IngestReport:
    return ingest(lake, get_normaliser(source), [path])


def one(lake: Lake, query: str) -> object:
    return sql(lake, query).to_pylist()[0]


def usage_tokens() -> int:
    return len(DAYS) * 2 * (900 + 300)


@pytest.mark.parametrize("cost_first", [False, True], ids=["usage-first", "cost-first"])
def test_effective_cost_is_the_cost_report_and_tokens_are_unchanged(lake, tmp_path, cost_first):
    files = [("openai-usage", usage_file(tmp_path)), ("openai-costs", cost_file(tmp_path))]
    for source, path in reversed(files) if cost_first else files:
        land(lake, source, path)
    assert one(lake, EFFECTIVE)["cost"] == Decimal("2.0")
    assert one(lake, TOKENS)["n"] == usage_tokens()
    bases = sql(lake, "SELECT DISTINCT x_AiCostBasis FROM focus")
    assert set(bases.column(0).to_pylist()) == {"billed", "reported"}


def test_usage_alone_is_priced_from_the_price_book(lake, tmp_path):
    report = land(lake, "openai-usage", usage_file(tmp_path))
    assert report.usage is not None
    assert (report.usage.priced, report.usage.reported, report.usage.unpriced) == (18, 0, 0)
    assert one(lake, EFFECTIVE)["cost"] > 0


@pytest.mark.parametrize("cost_first", [False, True], ids=["usage-first", "cost-first"])
def test_days_the_cost_report_does_not_cover_yet_stay_priced(lake, tmp_path, cost_first):
    files = [
        ("openai-usage", usage_file(tmp_path)),
        ("openai-costs", cost_file(tmp_path, DAYS[:2])),
    ]
    for source, path in reversed(files) if cost_first else files:
        land(lake, source, path)
    by_day = sql(
        lake,
        "SELECT day(ChargePeriodStart) AS day, list_distinct(list(x_AiCostBasis)) AS bases"
        " FROM focus WHERE x_AiCostBasis <> 'billed' GROUP BY 1 ORDER BY 1",
    ).to_pylist()
    assert [(r["day"], r["bases"]) for r in by_day] == [
        (1, ["reported"]),
        (2, ["reported"]),
        (3, ["priced"]),
    ]
    assert one(lake, TOKENS)["n"] == usage_tokens()


def test_a_cost_report_landing_later_reports_usage_in_its_own_ingest(lake, tmp_path):
    land(lake, "openai-usage", usage_file(tmp_path))
    report = land(lake, "openai-costs", cost_file(tmp_path))
    assert report.usage is not None
    assert (report.usage.reported, report.usage.priced) == (18, 0)
    assert report.replaced is not None
    assert report.replaced.files == []


def test_month_to_date_cost_report_again_reports_the_new_days(lake, tmp_path):
    land(lake, "openai-usage", usage_file(tmp_path))
    land(lake, "openai-costs", cost_file(tmp_path, DAYS[:1]))
    land(lake, "openai-costs", cost_file(tmp_path))
    assert one(lake, EFFECTIVE)["cost"] == Decimal("2.0")
    assert one(lake, "SELECT count(*) AS n FROM focus WHERE x_AiCostBasis = 'priced'")["n"] == 0


def test_usage_pulled_again_replaces_its_month_and_stays_reported(lake, tmp_path):
    land(lake, "openai-costs", cost_file(tmp_path))
    land(lake, "openai-usage", usage_file(tmp_path, DAYS[:2]))
    land(lake, "openai-usage", usage_file(tmp_path))
    assert one(lake, EFFECTIVE)["cost"] == Decimal("2.0")
    assert one(lake, TOKENS)["n"] == usage_tokens()


def test_unpriced_models_are_counted_and_named_in_the_report(lake, tmp_path):
    page = openai_page([openai_bucket("2025-08-01", [completions("gpt-9-turbo")])])
    report = land(lake, "openai-usage", write_pages(tmp_path / f"org={ORG}" / "u.json", page))
    assert report.usage is not None
    assert (report.usage.unpriced, report.usage.unpriced_models) == (3, ["gpt-9-turbo"])


def test_anthropic_priority_usage_is_never_reported_as_the_cost_report_leaves_it_out(
    lake, tmp_path
):
    """The book has no priority-tier price, so priority usage stays unpriced, not reported."""
    usage = anthropic_page(
        [anthropic_bucket("2025-08-01", [messages_usage(), messages_usage(tier="priority")])]
    )
    cost = anthropic_page([anthropic_bucket("2025-08-01", [anthropic_cost("12345.6789")])])
    root = tmp_path / f"org={ORG}"
    land(lake, "anthropic-usage", write_pages(root / "usage.json", usage))
    land(lake, "anthropic-cost", write_pages(root / "cost.json", cost))
    tiers = sql(
        lake,
        "SELECT x_AiServiceTier AS tier, list_distinct(list(x_AiCostBasis)) AS bases FROM focus"
        " WHERE x_AiCostBasis <> 'billed' GROUP BY 1 ORDER BY 1",
    ).to_pylist()
    assert [(t["tier"], t["bases"]) for t in tiers] == [
        ("priority", ["unpriced"]),
        ("standard", ["reported"]),
    ]
    billed = one(lake, "SELECT sum(BilledCost) AS c FROM focus WHERE x_AiCostBasis = 'billed'")
    assert billed["c"] == Decimal("123.456789")


def test_a_cost_report_that_no_longer_covers_a_day_gives_its_usage_back_its_price(lake, tmp_path):
    land(lake, "openai-usage", usage_file(tmp_path))
    land(lake, "openai-costs", cost_file(tmp_path))
    land(lake, "openai-costs", cost_file(tmp_path, DAYS[:2]))
    priced = sql(
        lake,
        "SELECT DISTINCT day(ChargePeriodStart) AS day FROM focus WHERE x_AiCostBasis = 'priced'",
    )
    assert priced.column(0).to_pylist() == [3]
    assert one(lake, TOKENS)["n"] == usage_tokens()
