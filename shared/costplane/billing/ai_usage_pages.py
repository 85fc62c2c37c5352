"""Month-to-date usage pages of the OpenAI and Anthropic usage APIs, generated: for the demo
and the benches, which have no organisation to pull from.

The pages are what a pull function saves (`GET /v1/organization/usage/completions` and
`GET /v1/organizations/usage_report/messages` with `bucket_width=1h`, grouped by project or
workspace, API key and model): one hourly bucket per hour of the month so far, up to 168
buckets a page (both APIs' largest `limit` for hourly buckets, the pull's too), in the
documented shapes (openai/openai-openapi `UsageCompletionsResult`; Anthropic's
usage_report/messages). Each file holds one report of one organisation and month, at the key
the pull lands it under (`billing.pull.landed_uri`: `<root>/<source>/org=<organisation>/
<YYYY-MM>.json`), so `costplane ingest` reads the organisation from the path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from costplane.billing.pull import landed_uri
from costplane.domain.ai import AiVendor

BUCKETS_PER_PAGE = 168
HOUR = timedelta(hours=1)
SOURCES = {AiVendor.OPENAI: "openai-usage", AiVendor.ANTHROPIC: "anthropic-usage"}


@dataclass(frozen=True, slots=True)
class HourlyUsage:
    """The tokens one API key of one OpenAI project or Anthropic workspace spends on one
    model in every hour."""

    vendor: AiVendor
    organisation: str
    """The vendor's organisation (each vendor names its own: one id is one source's)."""
    account: str
    model: str
    uncached_input: int
    cache_read: int
    output: int
    api_key: str | None = None


def _openai_result(usage: HourlyUsage) -> dict[str, Any]:
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": usage.uncached_input + usage.cache_read,
        "input_cached_tokens": usage.cache_read,
        "input_uncached_tokens": usage.uncached_input,
        "output_tokens": usage.output,
        "input_text_tokens": usage.uncached_input,
        "input_cached_text_tokens": usage.cache_read,
        "output_text_tokens": usage.output,
        "num_model_requests": max(usage.output // 500, 1),
        "project_id": usage.account,
        "user_id": None,
        "api_key_id": usage.api_key,
        "model": usage.model,
        "batch": False,
        "service_tier": "default",
    }


def _openai_bucket(start: datetime, results: list[dict[str, Any]]) -> dict[str, Any]:
    begin = int(start.timestamp())
    end = int((start + HOUR).timestamp())
    return {"object": "bucket", "start_time": begin, "end_time": end, "results": results}


def _anthropic_result(usage: HourlyUsage) -> dict[str, Any]:
    return {
        "account_id": None,
        "api_key_id": usage.api_key,
        "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
        "cache_read_input_tokens": usage.cache_read,
        "context_window": "0-200k",
        "inference_geo": "global",
        "model": usage.model,
        "output_tokens": usage.output,
        "server_tool_use": {"web_search_requests": 0},
        "service_account_id": None,
        "service_tier": "standard",
        "uncached_input_tokens": usage.uncached_input,
        "workspace_id": usage.account,
    }


def _anthropic_bucket(start: datetime, results: list[dict[str, Any]]) -> dict[str, Any]:
    def text(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    return {"starting_at": text(start), "ending_at": text(start + HOUR), "results": results}


Shape = tuple[
    Callable[[HourlyUsage], dict[str, Any]],
    Callable[[datetime, list[dict[str, Any]]], dict[str, Any]],
    dict[str, Any],
]
_SHAPES: dict[AiVendor, Shape] = {
    AiVendor.OPENAI: (_openai_result, _openai_bucket, {"object": "page"}),
    AiVendor.ANTHROPIC: (_anthropic_result, _anthropic_bucket, {}),
}


def usage_pages(usages: Sequence[HourlyUsage], start: datetime, hours: int) -> list[dict[str, Any]]:
    """The pages of `hours` hourly buckets from `start`, each bucket holding one result per
    usage (all of one vendor)."""
    [vendor] = {u.vendor for u in usages}
    result, bucket, page = _SHAPES[vendor]
    results = [result(u) for u in usages]
    buckets = [bucket(start + hour * HOUR, results) for hour in range(hours)]
    pages = []
    for first in range(0, len(buckets), BUCKETS_PER_PAGE):
        more = first + BUCKETS_PER_PAGE < len(buckets)
        cursor = f"page_{first + BUCKETS_PER_PAGE}" if more else None
        chunk = buckets[first : first + BUCKETS_PER_PAGE]
        pages.append(page | {"data": chunk, "has_more": more, "next_page": cursor})
    return pages


def write_month_to_date(
    root: Path, usages: Sequence[HourlyUsage], start: datetime, hours: int
) -> list[Path]:
    """One file per vendor and organisation of `usages`: its pages of the month's first
    `hours` hours."""
    reports: dict[tuple[AiVendor, str], list[HourlyUsage]] = {}
    for usage in usages:
        reports.setdefault((usage.vendor, usage.organisation), []).append(usage)
    written = []
    for (vendor, organisation), theirs in reports.items():
        path = Path(landed_uri(f"{root}/", SOURCES[vendor], organisation, start))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(usage_pages(theirs, start, hours)))
        written.append(path)
    return written
