"""Errors the core raises on input it will not act on."""

from __future__ import annotations


class EventRejected(ValueError):
    """A payload that is not an event we can act on.

    `code` is a stable, countable metric name; `reason` says precisely what was wrong.
    `skipped` marks payloads that are well formed but deliberately ignored (failed API calls,
    read-only operations), as opposed to malformed input.
    """

    def __init__(
        self,
        code: str,
        reason: str,
        *,
        skipped: bool = False,
        provider: str | None = None,
        event_id: str | None = None,
        event_name: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.skipped = skipped
        self.provider = provider
        self.event_id = event_id
        self.event_name = event_name
