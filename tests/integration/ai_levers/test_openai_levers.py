"""OpenAI's levers at the HTTP layer: every Administration API request checked exactly (method,
URL and query, JSON body, the admin key), each action reversible with its recorded state or
said to be final."""

from __future__ import annotations

import pytest

from costplane.adapters.openai.admin import OpenAiAdmin, openai_api
from costplane.adapters.openai.enforcer import OpenAiEnforcer
from costplane.adapters.vendor_levers import CannotUndo
from costplane.domain.decisions import ActionKind
from costplane.domain.events import Provider
from costplane.engine.executor import NOTIFYING
from tests.integration.ai_levers.support import OPENAI_KEY, Script, ai_ref, http, undo_records
from tests.integration.azure_adapters.http_script import Exchange

V1 = "https://api.openai.com/v1/organization/projects"
PROJECT = ai_ref(Provider.OPENAI, "proj_abc", "proj_abc", "openai.project")
KEY = ai_ref(Provider.OPENAI, "proj_abc", "key_abc", "openai.api-key")
ACCOUNT = ai_ref(Provider.OPENAI, "proj_abc", "svc_acct_abc", "openai.service-account")


def rate_limit(limit_id: str, model: str, rpm: int, tpm: int, **more: int) -> dict[str, object]:
    return {
        "object": "project.rate_limit",
        "id": limit_id,
        "model": model,
        "max_requests_per_1_minute": rpm,
        "max_tokens_per_1_minute": tpm,
        **more,
    }


def page(*limits: dict[str, object], has_more: bool = False) -> dict[str, object]:
    ids = [str(limit["id"]) for limit in limits]
    return {
        "object": "list",
        "data": list(limits),
        "first_id": ids[0],
        "last_id": ids[-1],
        "has_more": has_more,
    }


def enforcer(*exchanges: Exchange) -> tuple[OpenAiEnforcer, Script]:
    script = Script(*exchanges, token=OPENAI_KEY)
    admin = OpenAiAdmin(openai_api(http(script), OPENAI_KEY))
    return OpenAiEnforcer(admin, undo_records().tag_record()), script


LIMITS_READ = [
    Exchange(
        "GET",
        f"{V1}/proj_abc/rate_limits?limit=100",
        reply=page(
            rate_limit("rl-gpt-4o", "gpt-4o", 5000, 800000),
            has_more=True,
        ),
    ),
    Exchange(
        "GET",
        f"{V1}/proj_abc/rate_limits?limit=100&after=rl-gpt-4o",
        reply=page(rate_limit("rl-dall-e-3", "dall-e-3", 500, 150000, max_images_per_1_minute=7)),
    ),
]
LOWERED = [
    Exchange(
        "POST",
        f"{V1}/proj_abc/rate_limits/rl-gpt-4o",
        body={"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 80000},
        reply=rate_limit("rl-gpt-4o", "gpt-4o", 500, 80000),
    ),
    Exchange(
        "POST",
        f"{V1}/proj_abc/rate_limits/rl-dall-e-3",
        body={
            "max_requests_per_1_minute": 50,
            "max_tokens_per_1_minute": 15000,
            "max_images_per_1_minute": 1,
        },
        reply=rate_limit("rl-dall-e-3", "dall-e-3", 50, 15000, max_images_per_1_minute=1),
    ),
]
RESTORED = [
    Exchange(
        "POST",
        f"{V1}/proj_abc/rate_limits/rl-gpt-4o",
        body={"max_requests_per_1_minute": 5000, "max_tokens_per_1_minute": 800000},
        reply=rate_limit("rl-gpt-4o", "gpt-4o", 5000, 800000),
    ),
    Exchange(
        "POST",
        f"{V1}/proj_abc/rate_limits/rl-dall-e-3",
        body={
            "max_requests_per_1_minute": 500,
            "max_tokens_per_1_minute": 150000,
            "max_images_per_1_minute": 7,
        },
        reply=rate_limit("rl-dall-e-3", "dall-e-3", 500, 150000, max_images_per_1_minute=7),
    ),
]


def test_throttle_lowers_every_rate_limit_of_every_page_to_a_tenth_and_returns_the_previous():
    lever, script = enforcer(*LIMITS_READ, *LOWERED)

    state = lever.throttle(PROJECT)

    assert state == {
        "rl-gpt-4o.rpm": "5000",
        "rl-gpt-4o.tpm": "800000",
        "rl-dall-e-3.rpm": "500",
        "rl-dall-e-3.tpm": "150000",
        "rl-dall-e-3.ipm": "7",
        "lever": "project rate limits lowered",
    }
    assert script.done


def test_throttle_then_resume_restores_the_recorded_rate_limits():
    lever, script = enforcer(*LIMITS_READ, *LOWERED, *RESTORED)

    lever.resume(PROJECT, ActionKind.THROTTLE, lever.throttle(PROJECT))

    assert script.done


def test_a_second_throttle_returns_the_first_state_and_never_records_lowered_limits():
    lever, script = enforcer(*LIMITS_READ, *LOWERED, *LOWERED, *RESTORED)
    first = lever.throttle(PROJECT)

    second = lever.throttle(PROJECT)
    lever.resume(PROJECT, ActionKind.THROTTLE, {})

    assert second == first
    assert script.done


def test_resume_without_the_audit_log_restores_from_the_plane_record_and_forgets_it():
    lever, script = enforcer(*LIMITS_READ, *LOWERED, *RESTORED)
    lever.throttle(PROJECT)

    lever.resume(PROJECT, ActionKind.THROTTLE, {})
    lever.resume(PROJECT, ActionKind.THROTTLE, {})

    assert script.done


SPEND_LIMIT = {
    "object": "project.spend_limit",
    "threshold_amount": 250000,
    "currency": "USD",
    "interval": "month",
    "enforcement": {"status": "enforcing"},
}
PROJECT_BODY = {
    "id": "proj_abc",
    "object": "organization.project",
    "name": "Payments",
    "created_at": 1711471533,
    "archived_at": None,
    "status": "active",
}


def test_suspend_sets_a_one_cent_hard_spend_limit_and_resume_puts_back_the_previous_one():
    lever, script = enforcer(
        Exchange("GET", f"{V1}/proj_abc", reply=PROJECT_BODY),
        Exchange("GET", f"{V1}/proj_abc/spend_limit", reply=SPEND_LIMIT),
        Exchange(
            "POST",
            f"{V1}/proj_abc/spend_limit",
            body={"threshold_amount": 1, "currency": "USD", "interval": "month"},
            reply={**SPEND_LIMIT, "threshold_amount": 1},
        ),
        Exchange(
            "POST",
            f"{V1}/proj_abc/spend_limit",
            body={"threshold_amount": 250000, "currency": "USD", "interval": "month"},
            reply=SPEND_LIMIT,
        ),
    )

    state = lever.suspend(PROJECT)
    lever.resume(PROJECT, ActionKind.SUSPEND, state)

    assert state == {
        "threshold_amount": "250000",
        "currency": "USD",
        "interval": "month",
        "lever": "project hard spend limit set to 1 cent a month",
    }
    assert script.done


def test_resume_of_a_project_that_had_no_spend_limit_deletes_the_one_cent_limit():
    lever, script = enforcer(
        Exchange("GET", f"{V1}/proj_abc", reply=PROJECT_BODY),
        Exchange(
            "GET",
            f"{V1}/proj_abc/spend_limit",
            status=404,
            reply={"error": {"message": "No spend limit", "type": "invalid_request_error"}},
        ),
        Exchange(
            "POST",
            f"{V1}/proj_abc/spend_limit",
            body={"threshold_amount": 1, "currency": "USD", "interval": "month"},
            reply={**SPEND_LIMIT, "threshold_amount": 1},
        ),
        Exchange(
            "DELETE",
            f"{V1}/proj_abc/spend_limit",
            reply={"object": "project.spend_limit.deleted", "deleted": True},
        ),
    )

    lever.resume(PROJECT, ActionKind.SUSPEND, lever.suspend(PROJECT))

    assert script.done


def test_decommission_archives_the_project_and_says_it_cannot_be_undone():
    lever, script = enforcer(
        Exchange("GET", f"{V1}/proj_abc", reply=PROJECT_BODY),
        Exchange(
            "POST",
            f"{V1}/proj_abc/archive",
            reply={**PROJECT_BODY, "status": "archived", "archived_at": 1711471599},
        ),
    )

    state = lever.decommission(PROJECT)

    assert state == {"lever": "project archived; the API has no unarchive", "reversible": "false"}
    with pytest.raises(CannotUndo, match="no unarchive"):
        lever.resume(PROJECT, ActionKind.DECOMMISSION, state)
    assert script.done


def test_an_archived_project_is_not_archived_again():
    lever, script = enforcer(
        Exchange("GET", f"{V1}/proj_abc", reply={**PROJECT_BODY, "status": "archived"}),
    )

    lever.decommission(PROJECT)

    assert script.done


def test_decommission_deletes_a_key_and_a_key_already_gone_is_said_so():
    lever, script = enforcer(
        Exchange(
            "DELETE",
            f"{V1}/proj_abc/api_keys/key_abc",
            reply={
                "object": "organization.project.api_key.deleted",
                "id": "key_abc",
                "deleted": True,
            },
        ),
        Exchange(
            "DELETE",
            f"{V1}/proj_abc/api_keys/key_abc",
            status=404,
            reply={"error": {"message": "No such API key", "type": "invalid_request_error"}},
        ),
    )

    first = lever.decommission(KEY)
    again = lever.decommission(KEY)

    assert first["reversible"] == "false"
    assert again["found"] == "false"
    assert script.done


def test_decommission_deletes_a_service_account():
    lever, script = enforcer(
        Exchange(
            "DELETE",
            f"{V1}/proj_abc/service_accounts/svc_acct_abc",
            reply={
                "object": "organization.project.service_account.deleted",
                "id": "svc_acct_abc",
                "deleted": True,
            },
        ),
    )

    assert lever.decommission(ACCOUNT)["reversible"] == "false"
    assert script.done


@pytest.mark.parametrize(
    ("kind", "resource_type", "supported"),
    [
        (ActionKind.THROTTLE, "openai.project", True),
        (ActionKind.SUSPEND, "openai.project", True),
        (ActionKind.DECOMMISSION, "openai.project", True),
        (ActionKind.SUSPEND, "openai.api-key", False),
        (ActionKind.THROTTLE, "openai.api-key", False),
        (ActionKind.DECOMMISSION, "openai.api-key", True),
        (ActionKind.SUSPEND, "openai.service-account", False),
        (ActionKind.TAG, "openai.project", False),
        (ActionKind.STOP, "openai.project", False),
        (ActionKind.THROTTLE, "anthropic.workspace", False),
    ],
)
def test_supports_names_only_the_levers_the_api_has(kind, resource_type, supported):
    lever, _ = enforcer()

    assert lever.supports(kind, resource_type) is supported


@pytest.mark.parametrize("kind", sorted(NOTIFYING))
def test_people_can_be_told_about_any_openai_resource(kind):
    lever, _ = enforcer()

    assert lever.supports(kind, "openai.api-key")
