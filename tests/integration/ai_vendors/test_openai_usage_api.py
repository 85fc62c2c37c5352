"""OpenAI's Usage and Costs APIs at the HTTP layer: the exact requests (path, query with the
repeated group_by[], the admin key's header), the cursor followed to the last page, and every
page kept as it came; throttling and server errors waited out within the report's budget."""

from __future__ import annotations

import pytest

from costplane.adapters import report_pages
from costplane.adapters.openai.usage_api import USAGE, OpenAiUsageApi
from costplane.adapters.report_pages import Retry
from costplane.billing.pull import ReportIncomplete
from tests.integration.ai_vendors.pages import (
    END,
    OPENAI_COSTS,
    OPENAI_HEADERS,
    OPENAI_KEY,
    START,
    as_sent,
    openai_cost,
    openai_costs,
    openai_page,
    openai_query,
    openai_result,
    url,
)
from tests.integration.azure_adapters.http_script import Exchange, Script, http


def api(script: Script, sleeps: list[float] | None = None, budget: float = 300.0) -> OpenAiUsageApi:
    waits = sleeps if sleeps is not None else []
    return OpenAiUsageApi(http(script), OPENAI_KEY, Retry(budget_seconds=budget), waits.append)


def test_costs_are_asked_in_daily_buckets_grouped_by_project_line_item_and_key():
    page = openai_page([openai_cost(0.06)])
    script = Script(openai_costs(page), token=None)

    assert api(script).costs(START, END) == [as_sent(page)]
    assert script.done


def test_every_usage_kind_is_asked_in_hourly_buckets_grouped_by_every_dimension_it_offers():
    groups = {
        "completions": ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier"),
        "embeddings": ("project_id", "user_id", "api_key_id", "model"),
        "moderations": ("project_id", "user_id", "api_key_id", "model"),
        "images": ("project_id", "user_id", "api_key_id", "model", "size", "source"),
        "audio_speeches": ("project_id", "user_id", "api_key_id", "model"),
        "audio_transcriptions": ("project_id", "user_id", "api_key_id", "model"),
        "vector_stores": ("project_id",),
        "code_interpreter_sessions": ("project_id",),
    }
    base = "https://api.openai.com/v1/organization/usage"
    pages = {kind: openai_page([openai_result(kind)]) for kind in groups}
    script = Script(
        *(
            Exchange(
                "GET",
                url(f"{base}/{kind}", openai_query("1h", group_by, 168)),
                headers=OPENAI_HEADERS,
                reply=pages[kind],
            )
            for kind, group_by in groups.items()
        ),
        token=None,
    )

    assert api(script).usage(START, END) == [as_sent(pages[kind]) for kind in groups]
    assert script.done
    assert set(USAGE) == set(groups)


def test_the_next_page_is_asked_with_the_cursor_until_there_is_no_more():
    first = openai_page([openai_cost(1.0)], next_page="page_AAAA")
    second = openai_page([openai_cost(2.0)], next_page="page_BBBB")
    last = openai_page([openai_cost(3.0)])
    script = Script(
        openai_costs(first),
        openai_costs(second, "page_AAAA"),
        openai_costs(last, "page_BBBB"),
        token=None,
    )

    assert api(script).costs(START, END) == [as_sent(first), as_sent(second), as_sent(last)]
    assert script.done


def test_a_429_storm_is_waited_out_as_its_retry_after_says():
    page = openai_page([openai_cost(0.06)])
    throttled = openai_costs(
        None, status=429, raw=b'{"error": "rate limited"}', reply_headers={"Retry-After": "7"}
    )
    script = Script(throttled, throttled, throttled, openai_costs(page), token=None)
    sleeps: list[float] = []

    assert api(script, sleeps).costs(START, END) == [as_sent(page)]
    assert sleeps == [7.0, 7.0, 7.0]


def test_server_errors_are_retried_with_exponential_backoff():
    page = openai_page([openai_cost(0.06)])
    script = Script(
        openai_costs(None, status=503, raw=b"busy"),
        openai_costs(None, status=502, raw=b"bad gateway"),
        openai_costs(None, status=500, raw=b"oops"),
        openai_costs(page),
        token=None,
    )
    sleeps: list[float] = []

    assert api(script, sleeps).costs(START, END) == [as_sent(page)]
    assert sleeps == [1.0, 2.0, 4.0]


def test_a_retry_after_past_the_budget_fails_the_report_without_waiting():
    throttled = openai_costs(None, status=429, raw=b"{}", reply_headers={"Retry-After": "120"})
    sleeps: list[float] = []

    with pytest.raises(ReportIncomplete, match="retry budget of 100 s"):
        api(Script(throttled, token=None), sleeps, budget=100).costs(START, END)
    assert sleeps == []


def test_a_report_that_keeps_failing_fails_after_its_attempts():
    failing = [openai_costs(None, status=500, raw=b"down") for _ in range(8)]

    with pytest.raises(ReportIncomplete, match="500: down on all 8 attempts"):
        api(Script(*failing, token=None)).costs(START, END)


def test_a_refused_key_fails_at_once_and_the_key_is_never_in_the_message():
    refused = openai_costs(None, status=401, raw=b'{"error": {"message": "Invalid key"}}')

    with pytest.raises(ReportIncomplete, match="page 1 answered 401") as failed:
        api(Script(refused, token=None)).costs(START, END)
    assert OPENAI_KEY not in str(failed.value)


def test_a_truncated_page_fails_the_report_naming_the_page():
    first = openai_page([openai_cost(1.0)], next_page="page_AAAA")
    cut = as_sent(openai_page([openai_cost(2.0)]))[:-20]
    script = Script(openai_costs(first), openai_costs(None, "page_AAAA", raw=cut), token=None)

    with pytest.raises(ReportIncomplete, match=f"{OPENAI_COSTS}: page 2 is not whole JSON"):
        api(script).costs(START, END)


def test_a_changed_field_fails_the_report_naming_it():
    renamed = openai_cost(1.0)
    renamed["amount"] = {"amount": 1.0, "currency": "usd"}
    script = Script(openai_costs(openai_page([renamed])), token=None)

    with pytest.raises(
        ReportIncomplete, match=r"page 1 changed: data\.0\.results\.0\.amount\.value"
    ):
        api(script).costs(START, END)


def test_a_result_of_another_kind_is_a_changed_page():
    script = Script(openai_costs(openai_page([openai_result("completions")])), token=None)

    with pytest.raises(ReportIncomplete, match=r"changed: data\.0\.results\.0\.object"):
        api(script).costs(START, END)


def test_more_pages_without_a_cursor_fails_the_report():
    page = openai_page([openai_cost(1.0)])
    page["has_more"] = True

    with pytest.raises(ReportIncomplete, match="page 1 has more but no next_page"):
        api(Script(openai_costs(page), token=None)).costs(START, END)


def test_a_cursor_that_comes_back_fails_the_report_instead_of_looping():
    looping = openai_page([openai_cost(1.0)], next_page="page_AAAA")
    script = Script(openai_costs(looping), openai_costs(looping, "page_AAAA"), token=None)

    with pytest.raises(ReportIncomplete, match="page 2 does not advance the cursor"):
        api(script).costs(START, END)


def test_the_usage_kinds_share_one_retry_budget_as_they_are_one_report():
    base = "https://api.openai.com/v1/organization/usage"
    completions = url(
        f"{base}/completions",
        openai_query(
            "1h", ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier"), 168
        ),
    )
    embeddings = url(
        f"{base}/embeddings",
        openai_query("1h", ("project_id", "user_id", "api_key_id", "model"), 168),
    )
    wait = {"Retry-After": "60"}
    script = Script(
        Exchange(
            "GET", completions, headers=OPENAI_HEADERS, status=429, raw=b"{}", reply_headers=wait
        ),
        Exchange(
            "GET",
            completions,
            headers=OPENAI_HEADERS,
            reply=openai_page([openai_result("completions")]),
        ),
        Exchange(
            "GET", embeddings, headers=OPENAI_HEADERS, status=429, raw=b"{}", reply_headers=wait
        ),
        token=None,
    )
    sleeps: list[float] = []

    with pytest.raises(ReportIncomplete, match=r"embeddings: page 1 .* retry budget of 100 s"):
        api(script, sleeps, budget=100).usage(START, END)
    assert sleeps == [60.0]


def test_a_report_past_its_page_bound_fails_instead_of_paging_on(monkeypatch):
    monkeypatch.setattr(report_pages, "MAX_PAGES", 2)
    first = openai_page([openai_cost(1.0)], next_page="page_AAAA")
    second = openai_page([openai_cost(2.0)], next_page="page_BBBB")
    script = Script(openai_costs(first), openai_costs(second, "page_AAAA"), token=None)

    with pytest.raises(ReportIncomplete, match="more than 2 pages"):
        api(script).costs(START, END)
