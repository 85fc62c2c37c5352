"""AI lever fixtures: refs, an enforcer over a scripted vendor API, and its undo records."""

from __future__ import annotations

from typing import Any

from costplane.adapters.local.sqlite import SqliteRecords
from costplane.adapters.undo_records import RecordedUndo
from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef
from tests.integration.azure_adapters.http_script import Script, http

OPENAI_KEY = "sk-admin-test"
ANTHROPIC_KEY = "sk-ant-admin01-test"


class Sleeps:
    """Records the backoff the client asked for, without waiting."""

    def __init__(self) -> None:
        self.waited: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


def undo_records() -> RecordedUndo:
    return RecordedUndo(SqliteRecords(":memory:"))


def ai_ref(provider: Provider, account: str, resource_id: str, resource_type: str) -> ResourceRef:
    return ResourceRef(
        provider=provider,
        account=account,
        region=None,
        resource_id=resource_id,
        resource_type=resource_type,
    )


def vendor_error(kind: str, message: str) -> dict[str, Any]:
    """Both vendors' error envelope (OpenAI adds `param` and `code`)."""
    return {"type": "error", "error": {"type": kind, "message": message}}


__all__ = ["Script", "http"]
