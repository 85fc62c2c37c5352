"""Anthropic's resource types and the lever each action pulls on them (see `enforcer`)."""

from __future__ import annotations

from costplane.adapters.vendor_levers import Lever
from costplane.domain.decisions import ActionKind

WORKSPACE = "anthropic.workspace"
API_KEY = "anthropic.api-key"

LEVERS: dict[ActionKind, dict[str, Lever]] = {
    ActionKind.THROTTLE: {
        WORKSPACE: Lever("workspace rate limits lowered; Anthropic applies it within an hour")
    },
    ActionKind.SUSPEND: {
        API_KEY: Lever("API key set inactive"),
        WORKSPACE: Lever("the workspace's active API keys set inactive"),
    },
    ActionKind.DECOMMISSION: {
        API_KEY: Lever("API key archived; the API documents no way back", undoable=False),
        WORKSPACE: Lever("workspace archived; the API documents no way back", undoable=False),
    },
}
