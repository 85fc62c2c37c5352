"""The admin APIs' answers that are not the answer: 429 and 5xx retried with backoff (the vendor's
Retry-After honoured), no answer retried, then a clear failure; a refused key is impossible as
configured, a missing resource is gone."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from costplane.adapters.anthropic.admin import AnthropicAdmin, anthropic_api
from costplane.adapters.openai.admin import OpenAiAdmin, openai_api
from costplane.adapters.rest import CloudApiError, CloudUnreachable
from costplane.adapters.vendor_api import AdminKeyRefused
from costplane.engine.ports import ResourceGone
from tests.integration.ai_levers.support import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    Script,
    Sleeps,
    http,
    vendor_error,
)
from tests.integration.azure_adapters.http_script import Exchange

PROJECT_URL = "https://api.openai.com/v1/organization/projects/proj_abc"
KEY_URL = "https://api.anthropic.com/v1/organizations/api_keys/apikey_01"
ANTHROPIC_HEADERS: dict[str, str | None] = {
    "x-api-key": ANTHROPIC_KEY,
    "anthropic-version": "2023-06-01",
    "Authorization": None,
}
PROJECT = {"id": "proj_abc", "object": "organization.project", "status": "active"}


def openai(*exchanges: Exchange) -> tuple[OpenAiAdmin, Script, Sleeps]:
    script, sleeps = Script(*exchanges, token=OPENAI_KEY), Sleeps()
    return OpenAiAdmin(replace(openai_api(http(script), OPENAI_KEY), sleep=sleeps)), script, sleeps


def anthropic(*exchanges: Exchange) -> tuple[AnthropicAdmin, Script, Sleeps]:
    script, sleeps = Script(*exchanges, token=None), Sleeps()
    admin = AnthropicAdmin(replace(anthropic_api(http(script), ANTHROPIC_KEY), sleep=sleeps))
    return admin, script, sleeps


def test_a_429_is_retried_after_the_seconds_the_vendor_asks_for():
    admin, script, sleeps = openai(
        Exchange(
            "GET",
            PROJECT_URL,
            status=429,
            reply=vendor_error("rate_limit_exceeded", "slow down"),
            reply_headers={"Retry-After": "7"},
        ),
        Exchange("GET", PROJECT_URL, reply=PROJECT),
    )

    assert admin.project("proj_abc") == PROJECT
    assert sleeps.waited == [7.0]
    assert script.done


def test_5xx_and_anthropic_overloaded_are_retried_with_growing_backoff():
    overloaded = vendor_error("overloaded_error", "Overloaded")
    admin, script, sleeps = anthropic(
        Exchange("GET", KEY_URL, status=529, reply=overloaded, headers=ANTHROPIC_HEADERS),
        Exchange("GET", KEY_URL, status=500, reply=overloaded, headers=ANTHROPIC_HEADERS),
        Exchange("GET", KEY_URL, status=503, headers=ANTHROPIC_HEADERS),
        Exchange("GET", KEY_URL, reply={"id": "apikey_01"}, headers=ANTHROPIC_HEADERS),
    )

    assert admin.api_key("apikey_01") == {"id": "apikey_01"}
    assert sleeps.waited == [1.0, 2.0, 4.0]
    assert script.done


def test_a_429_storm_fails_after_five_tries_naming_the_call_and_the_vendor_error():
    storm = Exchange(
        "GET", PROJECT_URL, status=429, reply=vendor_error("rate_limit_exceeded", "Too many")
    )
    admin, script, sleeps = openai(*[storm] * 5)

    with pytest.raises(CloudApiError, match="429") as failure:
        admin.project("proj_abc")

    assert failure.value.status == 429
    assert "Too many" in str(failure.value)
    assert len(sleeps.waited) == 4
    assert script.done


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_admin_key_is_impossible_as_configured_and_not_retried(status):
    admin, script, sleeps = anthropic(
        Exchange(
            "POST",
            KEY_URL,
            body={"status": "inactive"},
            status=status,
            reply=vendor_error("authentication_error", "invalid x-api-key"),
            headers=ANTHROPIC_HEADERS,
        ),
    )

    with pytest.raises(AdminKeyRefused, match=f"HTTP {status} authentication_error"):
        admin.set_key_status("apikey_01", "inactive")

    assert sleeps.waited == []
    assert script.done


def test_the_admin_key_never_appears_in_an_error():
    admin, _, _ = openai(
        Exchange("GET", PROJECT_URL, status=401, reply=vendor_error("invalid_api_key", "bad key")),
    )

    with pytest.raises(AdminKeyRefused) as failure:
        admin.project("proj_abc")

    assert OPENAI_KEY not in str(failure.value)


def test_a_missing_resource_is_gone():
    admin, script, _ = openai(
        Exchange("GET", PROJECT_URL, status=404, reply=vendor_error("not_found", "No project")),
    )

    with pytest.raises(ResourceGone, match="No project"):
        admin.project("proj_abc")
    assert script.done


def test_no_answer_is_retried_then_said_unreachable():
    sleeps = Sleeps()
    calls: list[httpx.Request] = []

    def unreachable(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    admin = OpenAiAdmin(replace(openai_api(http(unreachable), OPENAI_KEY), sleep=sleeps))

    with pytest.raises(CloudUnreachable, match="no answer in 5 tries"):
        admin.project("proj_abc")
    assert len(calls) == 5
    assert len(sleeps.waited) == 4
