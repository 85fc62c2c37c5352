"""OpenAI's organisation Usage and Costs APIs (admin key), pulled whole for the bill side.

    GET https://api.openai.com/v1/organization/usage/<kind>   hourly buckets (bucket_width=1h)
    GET https://api.openai.com/v1/organization/costs          daily buckets (only 1d exists)

Query: start_time (inclusive) and end_time (exclusive) in Unix seconds, bucket_width,
group_by[] (repeated, the brackets as OpenAI's own SDK sends arrays), limit (buckets per page:
at most 168 hourly, 180 daily for costs) and page (the previous page's next_page); header
`Authorization: Bearer <admin key>`. Every usage kind is grouped by every dimension it offers,
so that owners (project, key, user) and prices (model, tier, batch) survive to the bill.
Spec: openai/openai-openapi, openapi.yaml, paths /organization/usage/* and /organization/costs.

The usage of every kind lands as ONE report (openai-usage): a JSON array of the kinds' pages,
each result naming its kind in `object`. Every page is validated here, its required fields
typed as the spec says; fields OpenAI adds are kept, as the page is landed as it came.
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, Literal

from pydantic import StrictFloat, StrictInt, StrictStr

from costplane.adapters.report_pages import Cursor, Open, R, ReportClient, report_query

API = "https://api.openai.com/v1/organization"
HOURLY_LIMIT = 168
COSTS_LIMIT = 180


class _Result(Open):
    project_id: StrictStr | None = None


class _Requests(_Result):
    num_model_requests: StrictInt
    user_id: StrictStr | None = None
    api_key_id: StrictStr | None = None
    model: StrictStr | None = None


class Completions(_Requests):
    object: Literal["organization.usage.completions.result"]
    input_tokens: StrictInt
    output_tokens: StrictInt


class Embeddings(_Requests):
    object: Literal["organization.usage.embeddings.result"]
    input_tokens: StrictInt


class Moderations(_Requests):
    object: Literal["organization.usage.moderations.result"]
    input_tokens: StrictInt


class Images(_Requests):
    object: Literal["organization.usage.images.result"]
    images: StrictInt


class AudioSpeeches(_Requests):
    object: Literal["organization.usage.audio_speeches.result"]
    characters: StrictInt


class AudioTranscriptions(_Requests):
    object: Literal["organization.usage.audio_transcriptions.result"]
    seconds: StrictInt


class VectorStores(_Result):
    object: Literal["organization.usage.vector_stores.result"]
    usage_bytes: StrictInt


class CodeInterpreterSessions(_Result):
    object: Literal["organization.usage.code_interpreter_sessions.result"]
    num_sessions: StrictInt


class Amount(Open):
    value: StrictFloat | StrictInt
    currency: StrictStr


class Costs(_Result):
    object: Literal["organization.costs.result"]
    amount: Amount
    line_item: StrictStr | None = None
    api_key_id: StrictStr | None = None


class Bucket(Open, Generic[R]):
    object: Literal["bucket"]
    start_time: StrictInt
    end_time: StrictInt
    results: list[R]


class Page(Cursor, Generic[R]):
    object: Literal["page"]
    data: list[Bucket[R]]


BY_REQUEST = ("project_id", "user_id", "api_key_id", "model")
USAGE: dict[str, tuple[type[Cursor], tuple[str, ...]]] = {
    "completions": (Page[Completions], (*BY_REQUEST, "batch", "service_tier")),
    "embeddings": (Page[Embeddings], BY_REQUEST),
    "moderations": (Page[Moderations], BY_REQUEST),
    "images": (Page[Images], (*BY_REQUEST, "size", "source")),
    "audio_speeches": (Page[AudioSpeeches], BY_REQUEST),
    "audio_transcriptions": (Page[AudioTranscriptions], BY_REQUEST),
    "vector_stores": (Page[VectorStores], ("project_id",)),
    "code_interpreter_sessions": (Page[CodeInterpreterSessions], ("project_id",)),
}
"""Each usage kind: its page model, and every group_by the spec offers for it."""
COSTS_GROUP_BY = ("project_id", "line_item", "api_key_id")


class OpenAiUsageApi(ReportClient):
    """One organisation's usage and costs, through its admin key."""

    @staticmethod
    def headers(admin_key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {admin_key}"}

    def usage(self, start: datetime, end: datetime) -> list[bytes]:
        """The pages of every usage kind in hourly buckets, kind after kind, all within one
        retry budget: they are one report."""
        pages: list[bytes] = []
        budget = self.pages.budget()
        for kind, (page, group_by) in USAGE.items():
            query = _query(start, end, "1h", group_by, HOURLY_LIMIT)
            pages += self.pages.fetch(f"{API}/usage/{kind}", page, query, budget)
        return pages

    def costs(self, start: datetime, end: datetime) -> list[bytes]:
        """The pages of the costs in daily buckets."""
        query = _query(start, end, "1d", COSTS_GROUP_BY, COSTS_LIMIT)
        return self.pages.fetch(f"{API}/costs", Page[Costs], query)


def _query(
    start: datetime, end: datetime, width: str, group_by: tuple[str, ...], limit: int
) -> list[tuple[str, str]]:
    """Bounds in Unix seconds."""
    bounds = ("start_time", str(int(start.timestamp()))), ("end_time", str(int(end.timestamp())))
    return report_query(*bounds, width, group_by, limit)
