"""Anthropic's usage and cost reports at the HTTP layer: the exact requests (RFC 3339 bounds,
the repeated group_by[], x-api-key and anthropic-version, no bearer token), the cursor followed
to the last page, every page kept as it came, and a page that changed refused."""

from __future__ import annotations

from typing import Any

import pytest

from costplane.adapters.anthropic.usage_api import AnthropicUsageApi
from costplane.adapters.report_pages import Retry
from costplane.billing.pull import ReportIncomplete
from tests.integration.ai_vendors import pages
from tests.integration.ai_vendors.pages import (
    ANTHROPIC_COST,
    ANTHROPIC_COST_QUERY,
    ANTHROPIC_HEADERS,
    ANTHROPIC_KEY,
    ANTHROPIC_USAGE,
    ANTHROPIC_USAGE_QUERY,
    END,
    START,
    anthropic_cost,
    anthropic_page,
    anthropic_usage,
    as_sent,
)
from tests.integration.azure_adapters.http_script import Exchange, Script, http


def api(script: Script, sleeps: list[float] | None = None) -> AnthropicUsageApi:
    waits = sleeps if sleeps is not None else []
    return AnthropicUsageApi(http(script), ANTHROPIC_KEY, Retry(), waits.append)


def asked(url: str, query: list[tuple[str, str]]) -> Any:
    """The exchange of one page of the report at `url`: its exact request and the reply."""

    def exchange(page: object, cursor: str | None = None, **more: Any) -> Exchange:
        return Exchange(
            "GET", pages.url(url, query, cursor), headers=ANTHROPIC_HEADERS, reply=page, **more
        )

    return exchange


usage = asked(ANTHROPIC_USAGE, ANTHROPIC_USAGE_QUERY)
cost = asked(ANTHROPIC_COST, ANTHROPIC_COST_QUERY)


def test_usage_is_asked_in_hourly_buckets_grouped_for_owners_and_prices():
    page = anthropic_page([anthropic_usage()])
    script = Script(usage(page), token=None)

    assert api(script).usage(START, END) == [as_sent(page)]
    assert script.done


def test_the_cost_report_is_asked_in_daily_buckets_by_workspace_and_description():
    page = anthropic_page([anthropic_cost()])
    script = Script(cost(page), token=None)

    assert api(script).cost(START, END) == [as_sent(page)]
    assert script.done


def test_the_next_page_is_asked_with_the_cursor_until_there_is_no_more():
    first = anthropic_page([anthropic_usage(1)], next_page="page_MjAyNS0wNS0xNFQwMDowMDowMFo=")
    last = anthropic_page([anthropic_usage(2)])
    script = Script(usage(first), usage(last, "page_MjAyNS0wNS0xNFQwMDowMDowMFo="), token=None)

    assert api(script).usage(START, END) == [as_sent(first), as_sent(last)]
    assert script.done


def test_a_429_is_waited_out_as_its_retry_after_says():
    page = anthropic_page([anthropic_cost()])
    limited = cost(None, status=429, raw=b'{"type": "error"}', reply_headers={"retry-after": "30"})
    sleeps: list[float] = []

    assert api(Script(limited, cost(page), token=None), sleeps).cost(START, END) == [as_sent(page)]
    assert sleeps == [30.0]


def test_an_overloaded_api_is_retried_with_backoff():
    page = anthropic_page([anthropic_usage()])
    overloaded = usage(None, status=529, raw=b'{"type": "overloaded_error"}')
    sleeps: list[float] = []

    script = Script(overloaded, overloaded, usage(page), token=None)
    assert api(script, sleeps).usage(START, END) == [as_sent(page)]
    assert sleeps == [1.0, 2.0]


def test_a_truncated_page_fails_the_report():
    cut = as_sent(anthropic_page([anthropic_usage()]))[:100]

    with pytest.raises(ReportIncomplete, match=f"{ANTHROPIC_USAGE}: page 1 is not whole JSON"):
        api(Script(usage(None, raw=cut), token=None)).usage(START, END)


def test_a_cost_that_is_not_a_decimal_amount_is_a_changed_page():
    changed = anthropic_cost()
    changed["amount"] = {"value": "1.23", "currency": "USD"}

    with pytest.raises(ReportIncomplete, match=r"page 1 changed: data\.0\.results\.0\.amount"):
        api(Script(cost(anthropic_page([changed])), token=None)).cost(START, END)


def test_cache_writes_without_their_ttl_split_are_a_changed_page():
    changed = anthropic_usage()
    changed["cache_creation_input_tokens"] = 1500
    del changed["cache_creation"]

    with pytest.raises(ReportIncomplete, match=r"changed: data\.0\.results\.0\.cache_creation"):
        api(Script(usage(anthropic_page([changed])), token=None)).usage(START, END)
