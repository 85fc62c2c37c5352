"""Anthropic's organisation Usage and Cost reports (Admin API key), pulled whole for the bill
side.

    GET https://api.anthropic.com/v1/organizations/usage_report/messages   hourly buckets
    GET https://api.anthropic.com/v1/organizations/cost_report             daily (only 1d)

Query: starting_at (inclusive) and ending_at (exclusive) as RFC 3339, bucket_width,
group_by[] (repeated), limit (buckets per page: at most 168 hourly, 31 daily) and page (the
previous page's next_page); headers `x-api-key: <admin key>` and `anthropic-version:
2023-06-01`. Usage is grouped by workspace, API key, model, service tier and context window
(owners and prices); costs by workspace and description (which splits model, cost type and
token type). Spec: platform.claude.com/docs/en/api/admin/usage_report/retrieve_messages and
…/admin/cost_report/retrieve.

Every page is validated here, its required fields typed as the reference says (a cost's
`amount` is a decimal string of cents); fields Anthropic adds are kept, as the page is landed
as it came.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Generic

from pydantic import AfterValidator, StrictInt, StrictStr

from costplane.adapters.report_pages import Cursor, Open, R, ReportClient, report_query

API = "https://api.anthropic.com/v1/organizations"
VERSION = "2023-06-01"
HOURLY_LIMIT = 168
COST_LIMIT = 31
USAGE_GROUP_BY = ("workspace_id", "api_key_id", "model", "service_tier", "context_window")
COST_GROUP_BY = ("workspace_id", "description")


def _decimal(value: str) -> str:
    try:
        Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value!r}") from None
    return value


class CacheCreation(Open):
    ephemeral_5m_input_tokens: StrictInt
    ephemeral_1h_input_tokens: StrictInt


class Usage(Open):
    uncached_input_tokens: StrictInt
    cache_read_input_tokens: StrictInt
    cache_creation: CacheCreation
    output_tokens: StrictInt
    workspace_id: StrictStr | None = None
    api_key_id: StrictStr | None = None
    model: StrictStr | None = None
    service_tier: StrictStr | None = None
    context_window: StrictStr | None = None


class Cost(Open):
    amount: Annotated[StrictStr, AfterValidator(_decimal)]
    currency: StrictStr
    workspace_id: StrictStr | None = None
    description: StrictStr | None = None


class Bucket(Open, Generic[R]):
    starting_at: datetime
    ending_at: datetime
    results: list[R]


class Page(Cursor, Generic[R]):
    data: list[Bucket[R]]
    next_page: str | None = None


class AnthropicUsageApi(ReportClient):
    """One organisation's usage and cost reports, through its Admin API key."""

    @staticmethod
    def headers(admin_key: str) -> dict[str, str]:
        return {"x-api-key": admin_key, "anthropic-version": VERSION}

    def usage(self, start: datetime, end: datetime) -> list[bytes]:
        """The pages of the Messages usage report in hourly buckets."""
        query = _query(start, end, "1h", USAGE_GROUP_BY, HOURLY_LIMIT)
        return self.pages.fetch(f"{API}/usage_report/messages", Page[Usage], query)

    def cost(self, start: datetime, end: datetime) -> list[bytes]:
        """The pages of the cost report in daily buckets."""
        query = _query(start, end, "1d", COST_GROUP_BY, COST_LIMIT)
        return self.pages.fetch(f"{API}/cost_report", Page[Cost], query)


def _query(
    start: datetime, end: datetime, width: str, group_by: tuple[str, ...], limit: int
) -> list[tuple[str, str]]:
    """Bounds in RFC 3339, UTC."""
    return report_query(
        ("starting_at", _rfc3339(start)), ("ending_at", _rfc3339(end)), width, group_by, limit
    )


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
