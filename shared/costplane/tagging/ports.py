"""What the mark sweep needs from a cloud: the resources carrying the mark tag, page by page,
and somewhere to keep its place between invocations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from costplane.engine.ports import ResourceRef


@dataclass(frozen=True, slots=True)
class MarkedResource:
    """A resource the provider's index lists with the mark tag, and its tags as listed."""

    ref: ResourceRef
    tags: dict[str, str]


@dataclass(frozen=True, slots=True)
class MarkPage:
    resources: list[MarkedResource]
    next_token: str | None
    calls: int = 1
    """API calls that reading this page took."""


class CursorExpired(LookupError):
    """The provider no longer accepts the page token (the Tagging API's last 15 minutes)."""


class MarkFinder(Protocol):
    """Lists the resources carrying a tag, in scopes (account and region, subscriptions, a
    project or organisation), each scope a sequence of pages."""

    def scopes(self) -> list[str]: ...

    def page(self, scope: str, token: str | None) -> MarkPage:
        """The page at `token` (None: the first) of `scope`; CursorExpired for a stale token."""
        ...


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a sweep stopped: a scope, the token of the page it was reading, and how many of
    that page's resources it had done."""

    scope: str | None = None
    token: str | None = None
    done: int = 0


class CursorStore(Protocol):
    def load(self, name: str) -> Cursor: ...

    def save(self, name: str, cursor: Cursor) -> None: ...
