"""The generated month-to-date usage pages (`costplane.billing.ai_usage_pages`, the demo's and
the bench's input) are what the usage sources read: hourly rows of the organisation their path
names, priced by the book."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from costplane.billing.ai_usage_pages import HourlyUsage, write_month_to_date
from costplane.billing.lake.query import sql
from costplane.billing.lake.table import Lake
from costplane.cli.delivery import detected_source
from costplane.domain.ai import AiVendor
from tests.support.ai_reports import land

MONTH = datetime(2025, 11, 1, tzinfo=UTC)
SEARCH = HourlyUsage(AiVendor.OPENAI, "org-a", "proj_search", "gpt-4o", 100, 60, 20)
SUPPORT = HourlyUsage(
    AiVendor.ANTHROPIC, "org-b", "wrkspc_1", "claude-sonnet-4-5", 210, 100, 52, api_key="k1"
)


def test_each_vendor_and_organisation_is_one_file_its_source_and_org_segment_name(
    tmp_path: Path,
) -> None:
    paths = write_month_to_date(tmp_path, [SEARCH, SUPPORT], MONTH, 3)
    assert [(detected_source([p]), p.relative_to(tmp_path).as_posix()) for p in paths] == [
        ("openai-usage", "openai-usage/org=org-a/2025-11.json"),
        ("anthropic-usage", "anthropic-usage/org=org-b/2025-11.json"),
    ]


def test_a_page_holds_at_most_168_hourly_buckets_and_says_when_more_follow(
    tmp_path: Path,
) -> None:
    [path] = write_month_to_date(tmp_path, [SEARCH], MONTH, 200)
    pages = orjson.loads(path.read_bytes())
    assert [(len(p["data"]), p["has_more"]) for p in pages] == [(168, True), (32, False)]


def test_the_pages_land_as_priced_hourly_rows_of_the_organisation_per_token_type(
    lake: Lake, tmp_path: Path
) -> None:
    land(lake, *write_month_to_date(tmp_path, [SEARCH, SUPPORT], MONTH, 200))
    found = sql(
        lake,
        "SELECT BillingAccountId AS org, x_AiTokenType AS type, count(*) AS n,"
        " sum(ConsumedQuantity) AS tokens, max(ChargePeriodEnd) AS last,"
        " min(x_AiCostBasis) AS basis FROM focus GROUP BY 1, 2 ORDER BY 1, 2",
    ).to_pylist()
    end = MONTH + timedelta(hours=200)
    assert [(r["org"], r["type"], r["n"], r["tokens"], r["last"], r["basis"]) for r in found] == [
        ("org-a", "cache_read", 200, 200 * 60, end, "priced"),
        ("org-a", "input", 200, 200 * 100, end, "priced"),
        ("org-a", "output", 200, 200 * 20, end, "priced"),
        ("org-b", "cache_read", 200, 200 * 100, end, "priced"),
        ("org-b", "input", 200, 200 * 210, end, "priced"),
        ("org-b", "output", 200, 200 * 52, end, "priced"),
    ]
