"""Anthropic's levers at the HTTP layer: every Admin API request checked exactly (method, URL
and query, JSON body, `x-api-key` and `anthropic-version`), each action reversible with its
recorded state or said to be final."""

from __future__ import annotations

from typing import Any

import pytest

from costplane.adapters.anthropic.admin import AnthropicAdmin, anthropic_api
from costplane.adapters.anthropic.enforcer import AnthropicEnforcer
from costplane.adapters.vendor_levers import CannotUndo
from costplane.domain.decisions import ActionKind
from costplane.domain.events import Provider
from tests.integration.ai_levers.support import ANTHROPIC_KEY, Script, ai_ref, http, undo_records
from tests.integration.azure_adapters.http_script import Exchange

ORG = "https://api.anthropic.com/v1/organizations"
HEADERS: dict[str, str | None] = {
    "x-api-key": ANTHROPIC_KEY,
    "anthropic-version": "2023-06-01",
    "Authorization": None,
}
WORKSPACE = ai_ref(Provider.ANTHROPIC, "wrkspc_01", "wrkspc_01", "anthropic.workspace")
KEY = ai_ref(Provider.ANTHROPIC, "wrkspc_01", "apikey_01", "anthropic.api-key")


def call(method: str, url: str, *, body: Any = None, reply: Any = None) -> Exchange:
    return Exchange(method, url, body=body, reply=reply, headers=HEADERS)


def enforcer(*exchanges: Exchange) -> tuple[AnthropicEnforcer, Script]:
    script = Script(*exchanges, token=None)
    admin = AnthropicAdmin(anthropic_api(http(script), ANTHROPIC_KEY))
    return AnthropicEnforcer(admin, undo_records().tag_record()), script


def api_key(key_id: str, status: str) -> dict[str, Any]:
    return {
        "type": "api_key",
        "id": key_id,
        "name": "checkout",
        "status": status,
        "workspace_id": "wrkspc_01",
        "partial_key_hint": "sk-ant-api03-R2D...igAA",
        "created_at": "2024-10-30T23:58:27.427722Z",
        "created_by": {"id": "user_01", "type": "user"},
    }


def keys_page(*keys: dict[str, Any], has_more: bool = False) -> dict[str, Any]:
    return {
        "data": list(keys),
        "first_id": keys[0]["id"] if keys else None,
        "last_id": keys[-1]["id"] if keys else None,
        "has_more": has_more,
    }


def test_suspend_sets_the_key_inactive_and_resume_sets_it_active():
    lever, script = enforcer(
        call("GET", f"{ORG}/api_keys/apikey_01", reply=api_key("apikey_01", "active")),
        call(
            "POST",
            f"{ORG}/api_keys/apikey_01",
            body={"status": "inactive"},
            reply=api_key("apikey_01", "inactive"),
        ),
        call(
            "POST",
            f"{ORG}/api_keys/apikey_01",
            body={"status": "active"},
            reply=api_key("apikey_01", "active"),
        ),
    )

    state = lever.suspend(KEY)
    lever.resume(KEY, ActionKind.SUSPEND, state)

    assert state == {"status": "active", "lever": "API key set inactive"}
    assert script.done


def test_a_key_that_was_already_inactive_stays_inactive_on_resume():
    lever, script = enforcer(
        call("GET", f"{ORG}/api_keys/apikey_01", reply=api_key("apikey_01", "inactive")),
        call(
            "POST",
            f"{ORG}/api_keys/apikey_01",
            body={"status": "inactive"},
            reply=api_key("apikey_01", "inactive"),
        ),
    )

    lever.resume(KEY, ActionKind.SUSPEND, lever.suspend(KEY))

    assert script.done


def limit(kind: str, value: int, org_limit: int, source: str) -> dict[str, Any]:
    return {"type": kind, "value": value, "org_limit": org_limit, "source": {"type": source}}


def group(rate_limit_id: str, *limits: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "workspace_rate_limit",
        "group": {"type": "model_group", "id": "rlg_01", "display_name": "Claude Sonnet 4.x"},
        "models": ["claude-sonnet-4-5"],
        "rate_limit_id": rate_limit_id,
        "workspace_id": "wrkspc_01",
        "limits": list(limits),
    }


RATE_LIMITS = f"{ORG}/workspaces/wrkspc_01/rate_limits"
READ_LIMITS = [
    call(
        "GET",
        f"{RATE_LIMITS}?include_inherited=true",
        reply={
            "data": [group("rl_sonnet", limit("requests_per_minute", 1000, 4000, "workspace"))],
            "next_page": "page_2",
        },
    ),
    call(
        "GET",
        f"{RATE_LIMITS}?include_inherited=true&page=page_2",
        reply={
            "data": [
                group(
                    "rl_opus",
                    limit("input_tokens_per_minute", 2000000, 2000000, "organization"),
                    limit("output_tokens_per_minute", 400000, 400000, "organization"),
                )
            ],
            "next_page": None,
        },
    ),
]
LOWER = [
    call(
        "POST",
        f"{RATE_LIMITS}/rl_sonnet",
        body={"limits": [{"type": "requests_per_minute", "value": 100}]},
        reply=group("rl_sonnet"),
    ),
    call(
        "POST",
        f"{RATE_LIMITS}/rl_opus",
        body={
            "limits": [
                {"type": "input_tokens_per_minute", "value": 200000},
                {"type": "output_tokens_per_minute", "value": 40000},
            ]
        },
        reply=group("rl_opus"),
    ),
]
RESTORE = [
    call(
        "POST",
        f"{RATE_LIMITS}/rl_sonnet",
        body={"limits": [{"type": "requests_per_minute", "value": 1000}]},
        reply=group("rl_sonnet"),
    ),
    call(
        "POST",
        f"{RATE_LIMITS}/rl_opus",
        body={
            "limits": [
                {"type": "input_tokens_per_minute", "value": None},
                {"type": "output_tokens_per_minute", "value": None},
            ]
        },
        reply=group("rl_opus"),
    ),
]


def test_throttle_lowers_every_workspace_limit_to_a_tenth_of_what_applied():
    lever, script = enforcer(*READ_LIMITS, *LOWER)

    state = lever.throttle(WORKSPACE)

    assert state["rl_sonnet.requests_per_minute"] == "1000"
    assert state["rl_opus.input_tokens_per_minute"] == "org"
    assert state["lever"] == "workspace rate limits lowered; Anthropic applies it within an hour"
    assert script.done


def test_throttle_then_resume_restores_overrides_and_clears_what_was_inherited():
    lever, script = enforcer(*READ_LIMITS, *LOWER, *RESTORE)

    lever.resume(WORKSPACE, ActionKind.THROTTLE, lever.throttle(WORKSPACE))

    assert script.done


def test_a_second_throttle_reads_nothing_and_sets_the_same_limits():
    lever, script = enforcer(*READ_LIMITS, *LOWER, *LOWER)

    assert lever.throttle(WORKSPACE) == lever.throttle(WORKSPACE)
    assert script.done


KEYS_QUERY = f"{ORG}/api_keys?workspace_id=wrkspc_01&status=active&limit=1000"


def test_suspending_a_workspace_deactivates_its_active_keys_and_resume_reactivates_them():
    both = [
        call(
            "GET",
            KEYS_QUERY,
            reply=keys_page(api_key("apikey_01", "active"), has_more=True),
        ),
        call(
            "GET",
            f"{KEYS_QUERY}&after_id=apikey_01",
            reply=keys_page(api_key("apikey_02", "active")),
        ),
    ]

    def status(key_id: str, value: str) -> Exchange:
        return call(
            "POST",
            f"{ORG}/api_keys/{key_id}",
            body={"status": value},
            reply=api_key(key_id, value),
        )

    lever, script = enforcer(
        call("GET", f"{ORG}/workspaces/wrkspc_01", reply={"id": "wrkspc_01", "archived_at": None}),
        *both,
        *both,
        status("apikey_01", "inactive"),
        status("apikey_02", "inactive"),
        status("apikey_01", "active"),
        status("apikey_02", "active"),
    )

    state = lever.suspend(WORKSPACE)
    lever.resume(WORKSPACE, ActionKind.SUSPEND, state)

    assert state["apikey_01"] == state["apikey_02"] == "active"
    assert script.done


def test_decommission_archives_the_workspace_and_a_resume_is_refused():
    lever, script = enforcer(
        call("GET", f"{ORG}/workspaces/wrkspc_01", reply={"id": "wrkspc_01", "archived_at": None}),
        call(
            "POST",
            f"{ORG}/workspaces/wrkspc_01/archive",
            reply={"id": "wrkspc_01", "archived_at": "2026-12-08T03:00:00Z"},
        ),
    )

    state = lever.decommission(WORKSPACE)

    assert state["reversible"] == "false"
    with pytest.raises(CannotUndo, match="archived"):
        lever.resume(WORKSPACE, ActionKind.DECOMMISSION, state)
    assert script.done


def test_decommission_archives_a_key():
    lever, script = enforcer(
        call(
            "POST",
            f"{ORG}/api_keys/apikey_01",
            body={"status": "archived"},
            reply=api_key("apikey_01", "archived"),
        ),
    )

    assert lever.decommission(KEY)["reversible"] == "false"
    assert script.done


@pytest.mark.parametrize(
    ("kind", "resource_type", "supported"),
    [
        (ActionKind.SUSPEND, "anthropic.api-key", True),
        (ActionKind.THROTTLE, "anthropic.api-key", False),
        (ActionKind.THROTTLE, "anthropic.workspace", True),
        (ActionKind.SUSPEND, "anthropic.workspace", True),
        (ActionKind.DECOMMISSION, "anthropic.workspace", True),
        (ActionKind.TAG, "anthropic.workspace", False),
        (ActionKind.QUARANTINE, "anthropic.api-key", False),
        (ActionKind.SUSPEND, "openai.project", False),
    ],
)
def test_supports_names_only_the_levers_the_api_has(kind, resource_type, supported):
    lever, _ = enforcer()

    assert lever.supports(kind, resource_type) is supported
