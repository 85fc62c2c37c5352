"""Report pages as the vendors answer them (OpenAI: openai/openai-openapi's examples; Anthropic:
the Admin API reference), and the exact requests the clients must send for them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

from tests.integration.azure_adapters.http_script import Exchange

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 11, 8, 13, tzinfo=UTC)
OPENAI_KEY = "sk-admin-test-openai"
ANTHROPIC_KEY = "sk-ant-admin01-test"
OPENAI_HEADERS: dict[str, str | None] = {"Authorization": f"Bearer {OPENAI_KEY}"}
ANTHROPIC_HEADERS: dict[str, str | None] = {
    "x-api-key": ANTHROPIC_KEY,
    "anthropic-version": "2023-06-01",
    "Authorization": None,
}


def url(base: str, query: list[tuple[str, str]], page: str | None = None) -> str:
    """The URL exactly as httpx writes it: brackets percent-encoded, arrays repeated."""
    return f"{base}?{urlencode([*query, *([('page', page)] if page else [])])}"


def openai_query(width: str, group_by: tuple[str, ...], limit: int) -> list[tuple[str, str]]:
    return [
        ("start_time", str(int(START.timestamp()))),
        ("end_time", str(int(END.timestamp()))),
        ("bucket_width", width),
        *(("group_by[]", g) for g in group_by),
        ("limit", str(limit)),
    ]


def anthropic_query(width: str, group_by: tuple[str, ...], limit: int) -> list[tuple[str, str]]:
    return [
        ("starting_at", "2026-11-01T00:00:00Z"),
        ("ending_at", "2026-11-08T13:00:00Z"),
        ("bucket_width", width),
        *(("group_by[]", g) for g in group_by),
        ("limit", str(limit)),
    ]


OPENAI_COSTS = "https://api.openai.com/v1/organization/costs"
OPENAI_COSTS_QUERY = openai_query("1d", ("project_id", "line_item", "api_key_id"), 180)
ANTHROPIC_USAGE = "https://api.anthropic.com/v1/organizations/usage_report/messages"
ANTHROPIC_USAGE_QUERY = anthropic_query(
    "1h", ("workspace_id", "api_key_id", "model", "service_tier", "context_window"), 168
)
ANTHROPIC_COST = "https://api.anthropic.com/v1/organizations/cost_report"
ANTHROPIC_COST_QUERY = anthropic_query("1d", ("workspace_id", "description"), 31)


def openai_page(results: list[dict[str, Any]], next_page: str | None = None) -> dict[str, Any]:
    return {
        "object": "page",
        "data": [
            {
                "object": "bucket",
                "start_time": 1793491200,
                "end_time": 1793577600,
                "results": results,
            }
        ],
        "has_more": next_page is not None,
        "next_page": next_page,
    }


def openai_cost(value: float, project: str = "proj_abc") -> dict[str, Any]:
    return {
        "object": "organization.costs.result",
        "amount": {"value": value, "currency": "usd"},
        "line_item": "gpt-4o-2024-08-06, input",
        "project_id": project,
        "api_key_id": "key_abc",
        "quantity": None,
        "quantity_unit": None,
    }


def openai_result(kind: str) -> dict[str, Any]:
    """One result of each usage kind, its required fields as the spec has them."""
    fields: dict[str, dict[str, Any]] = {
        "completions": {
            "input_tokens": 1000,
            "input_cached_tokens": 400,
            "output_tokens": 500,
            "num_model_requests": 5,
            "model": "gpt-4o-mini-2024-07-18",
            "batch": False,
            "service_tier": "default",
        },
        "embeddings": {"input_tokens": 16, "num_model_requests": 2},
        "moderations": {"input_tokens": 20, "num_model_requests": 2},
        "images": {"images": 2, "num_model_requests": 2, "size": "1024x1024"},
        "audio_speeches": {"characters": 45, "num_model_requests": 1},
        "audio_transcriptions": {"seconds": 20, "num_model_requests": 1},
        "vector_stores": {"usage_bytes": 1024},
        "code_interpreter_sessions": {"num_sessions": 1},
    }
    extra = fields[kind]
    who = {} if "num_model_requests" not in extra else {"user_id": "user-1", "api_key_id": "k"}
    return {"object": f"organization.usage.{kind}.result", "project_id": "proj_abc"} | who | extra


def anthropic_page(results: list[dict[str, Any]], next_page: str | None = None) -> dict[str, Any]:
    return {
        "data": [
            {
                "starting_at": "2026-11-01T00:00:00Z",
                "ending_at": "2026-11-01T01:00:00Z",
                "results": results,
            }
        ],
        "has_more": next_page is not None,
        "next_page": next_page,
    }


def anthropic_usage(output_tokens: int = 500) -> dict[str, Any]:
    return {
        "uncached_input_tokens": 1500,
        "cache_creation": {"ephemeral_1h_input_tokens": 1000, "ephemeral_5m_input_tokens": 500},
        "cache_read_input_tokens": 200,
        "output_tokens": output_tokens,
        "server_tool_use": {"web_search_requests": 10},
        "api_key_id": "apikey_01Rj2N8SVvo6BePZj99NhmiT",
        "workspace_id": "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
        "model": "claude-sonnet-4-20250514",
        "service_tier": "standard",
        "context_window": "0-200k",
    }


def anthropic_cost(amount: str = "123.78912") -> dict[str, Any]:
    return {
        "amount": amount,
        "currency": "USD",
        "workspace_id": "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
        "description": "Claude Sonnet 4 Usage - Input Tokens",
        "cost_type": "tokens",
        "context_window": "0-200k",
        "model": "claude-sonnet-4-20250514",
        "service_tier": "standard",
        "token_type": "uncached_input_tokens",
    }


def openai_costs(page: dict[str, Any], cursor: str | None = None, **more: Any) -> Exchange:
    return Exchange(
        "GET",
        url(OPENAI_COSTS, OPENAI_COSTS_QUERY, cursor),
        headers=OPENAI_HEADERS,
        reply=page,
        **more,
    )


def as_sent(page: dict[str, Any]) -> bytes:
    return orjson.dumps(page)


KEYS = {"openai": {"org-abc": "sk-admin-a"}, "anthropic": {"org-1": "sk-ant-admin01-b"}}
"""The admin keys a deployment holds: one OpenAI and one Anthropic organisation."""
REPORTS = [
    ("openai-usage", "org-abc"),
    ("openai-costs", "org-abc"),
    ("anthropic-usage", "org-1"),
    ("anthropic-cost", "org-1"),
]


class Vendors:
    """OpenAI's and Anthropic's admin APIs: one page per report to a request with the valid
    admin key (`valid`, by vendor), 401 to any other key and to the paths in `refuse`."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.refuse: set[str] = set()
        self.valid = {"openai": "sk-admin-a", "anthropic": "sk-ant-admin01-b"}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.asked.append(path)
        openai = request.url.host == "api.openai.com"
        key = request.headers.get("Authorization" if openai else "x-api-key", "")
        valid = f"Bearer {self.valid['openai']}" if openai else self.valid["anthropic"]
        if path in self.refuse or key != valid:
            return httpx.Response(401, json={"error": "invalid key"})
        if openai:
            kind = path.rsplit("/", 1)[1]
            result = openai_cost(1.5) if kind == "costs" else openai_result(kind)
            return httpx.Response(200, content=orjson.dumps(openai_page([result])))
        assert request.url.host == "api.anthropic.com"
        assert request.headers["anthropic-version"] == "2023-06-01"
        result = anthropic_cost() if path.endswith("cost_report") else anthropic_usage()
        return httpx.Response(200, content=orjson.dumps(anthropic_page([result])))
