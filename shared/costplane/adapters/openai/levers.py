"""OpenAI's resource types and the lever each action pulls on them (see `enforcer`)."""

from __future__ import annotations

from costplane.adapters.vendor_levers import Lever
from costplane.domain.decisions import ActionKind

PROJECT = "openai.project"
API_KEY = "openai.api-key"
SERVICE_ACCOUNT = "openai.service-account"

LEVERS: dict[ActionKind, dict[str, Lever]] = {
    ActionKind.THROTTLE: {PROJECT: Lever("project rate limits lowered")},
    ActionKind.SUSPEND: {PROJECT: Lever("project hard spend limit set to 1 cent a month")},
    ActionKind.DECOMMISSION: {
        PROJECT: Lever("project archived; the API has no unarchive", undoable=False),
        API_KEY: Lever("API key deleted; a deleted key cannot be restored", undoable=False),
        SERVICE_ACCOUNT: Lever(
            "service account and its keys deleted; they cannot be restored", undoable=False
        ),
    },
}
