"""OpenAI and Anthropic report pages built in the shapes their API references document.

The repository's real samples are the vendors' own one-result examples; these builders make
larger pages of the same documented shapes (openai/openai-openapi `UsageTimeBucket` and the
`Usage*Result` / `CostsResult` schemas; Anthropic's usage_report/messages and cost_report
responses), for the result types and sizes the examples do not show.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import IngestReport, ingest
from costplane.billing.pull import landed_uri
from costplane.cli.delivery import detected_source

DAY = 86_400


def day_start(day: str) -> int:
    return int(datetime.fromisoformat(f"{day}T00:00:00+00:00").timestamp())


def openai_page(buckets: Iterable[dict[str, Any]], *, has_more: bool = False) -> dict[str, Any]:
    data = list(buckets)
    return {"object": "page", "data": data, "has_more": has_more, "next_page": None}


def openai_bucket(day: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    start = day_start(day)
    return {"object": "bucket", "start_time": start, "end_time": start + DAY, "results": results}


def completions(
    model: str | None = "gpt-4o-mini",
    *,
    project: str | None = "proj_alpha",
    uncached_text: int = 700,
    cached_text: int = 200,
    cache_write: int = 0,
    output_text: int = 300,
    batch: bool | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A completions result whose splits add up as the spec says they do."""
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": uncached_text + cached_text + cache_write,
        "input_cached_tokens": cached_text,
        "input_cache_write_tokens": cache_write,
        "input_uncached_tokens": uncached_text,
        "output_tokens": output_text,
        "input_text_tokens": uncached_text,
        "output_text_tokens": output_text,
        "input_cached_text_tokens": cached_text,
        "input_audio_tokens": 0,
        "input_cached_audio_tokens": 0,
        "output_audio_tokens": 0,
        "input_image_tokens": 0,
        "input_cached_image_tokens": 0,
        "output_image_tokens": 0,
        "num_model_requests": 3,
        "project_id": project,
        "user_id": "user_1",
        "api_key_id": "key_1",
        "model": model,
        "batch": batch,
        "service_tier": "default",
        **extra,
    }


def usage_result(kind: str, **fields: Any) -> dict[str, Any]:
    return {"object": f"organization.usage.{kind}.result", "project_id": "proj_alpha", **fields}


EVERY_OTHER_TYPE = {
    "embeddings": usage_result(
        "embeddings", input_tokens=16, num_model_requests=2, model="text-embedding-3-small"
    ),
    "moderations": usage_result(
        "moderations", input_tokens=40, num_model_requests=1, model="omni-moderation-latest"
    ),
    "images": usage_result(
        "images", images=2, num_model_requests=2, size="1024x1024", source="image.generation"
    ),
    "audio_speeches": usage_result(
        "audio_speeches", characters=1200, num_model_requests=1, model="tts-1"
    ),
    "audio_transcriptions": usage_result(
        "audio_transcriptions", seconds=75, num_model_requests=1, model="whisper-1"
    ),
    "vector_stores": usage_result("vector_stores", usage_bytes=2_000_000_000),
    "code_interpreter_sessions": usage_result("code_interpreter_sessions", num_sessions=3),
    "file_searches": usage_result("file_searches", num_requests=7, vector_store_id="vs_1"),
    "web_searches": usage_result(
        "web_searches", num_requests=5, num_model_requests=5, model="gpt-4o", context_level="low"
    ),
}
"""One result of each usage type besides completions, as the OpenAPI spec shapes it."""


def openai_cost(
    value: float, *, currency: str = "usd", line_item: str | None = "gpt-4o-mini, input"
) -> dict[str, Any]:
    return {
        "object": "organization.costs.result",
        "amount": {"value": value, "currency": currency},
        "line_item": line_item,
        "project_id": "proj_alpha",
        "api_key_id": None,
        "quantity": None,
        "quantity_unit": None,
    }


def anthropic_bucket(day: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    start = datetime.fromisoformat(f"{day}T00:00:00+00:00")
    end = start + timedelta(days=1)
    return {
        "starting_at": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ending_at": end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "results": results,
    }


def anthropic_page(buckets: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"data": list(buckets), "has_more": False, "next_page": None}


def messages_usage(
    model: str = "claude-sonnet-4-5",
    *,
    uncached: int = 1500,
    cache_read: int = 200,
    write_5m: int = 500,
    write_1h: int = 1000,
    output: int = 500,
    web_searches: int = 0,
    tier: str = "standard",
    workspace: str | None = "wrkspc_alpha",
    api_key: str | None = "apikey_1",
) -> dict[str, Any]:
    return {
        "account_id": None,
        "api_key_id": api_key,
        "cache_creation": {
            "ephemeral_1h_input_tokens": write_1h,
            "ephemeral_5m_input_tokens": write_5m,
        },
        "cache_read_input_tokens": cache_read,
        "context_window": "0-200k",
        "inference_geo": "global",
        "model": model,
        "output_tokens": output,
        "server_tool_use": {"web_search_requests": web_searches},
        "service_account_id": None,
        "service_tier": tier,
        "uncached_input_tokens": uncached,
        "workspace_id": workspace,
    }


def anthropic_cost(cents: str, *, currency: str = "USD", **fields: Any) -> dict[str, Any]:
    return {
        "amount": cents,
        "context_window": "0-200k",
        "cost_type": "tokens",
        "currency": currency,
        "description": "Claude Sonnet 4.5 Usage - Input Tokens",
        "inference_geo": "global",
        "model": "claude-sonnet-4-5",
        "service_tier": "standard",
        "token_type": "uncached_input_tokens",
        "workspace_id": "wrkspc_alpha",
        **fields,
    }


def write_pages(path: Path, pages: list[dict[str, Any]] | dict[str, Any]) -> Path:
    """Land pages as the pull functions do: a JSON array of pages (or one page)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(pages))
    return path


def report_file(
    root: Path, source: str, organisation: str, day: str, results: list[dict[str, Any]]
) -> Path:
    """The day's results as one page of `source` for `organisation`, saved at the key the
    pull lands the month's pages under (the organisation in an `org=<id>` segment)."""
    if source.startswith("anthropic"):
        page = anthropic_page([anthropic_bucket(day, results)])
    else:
        page = openai_page([openai_bucket(day, results)])
    month = datetime.fromisoformat(day)
    return write_pages(Path(landed_uri(f"{root}/", source, organisation, month)), [page])


def land(lake: Lake, *paths: Path) -> list[IngestReport]:
    """Each file through the ingest `costplane ingest` runs: its source detected from its
    pages, its organisation from its path."""
    return [ingest(lake, get_normaliser(detected_source([p])), [p]) for p in paths]
