"""Errors the core raises on input it will not act on, with one stable code per kind."""

from __future__ import annotations

from enum import StrEnum


class Rejection(StrEnum):
    """Why a payload was not acted on: a stable, countable metric name (`rejected_<code>`)."""

    PAYLOAD_TOO_LARGE = "payload_too_large"
    EMPTY_PAYLOAD = "empty_payload"
    MALFORMED_JSON = "malformed_json"
    INVALID_BASE64 = "invalid_base64"
    UNREADABLE_FILE = "unreadable_file"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    UNSUPPORTED_EVENT = "unsupported_event"
    NOT_A_RESOURCE_EVENT = "not_a_resource_event"
    MISSING_FIELD = "missing_field"
    INVALID_FIELD = "invalid_field"
    FAILED_CALL = "failed_call"
    READ_ONLY_EVENT = "read_only_event"
    NO_RESOURCES = "no_resources"
    EMPTY_LOG_FILE = "empty_log_file"
    SUBSCRIPTION_VALIDATION = "subscription_validation"
    INVALID_BUDGET_SIGNAL = "invalid_budget_signal"
    UNSUPPORTED_BUDGET_TYPE = "unsupported_budget_type"
    OPERATION_LAST = "operation_last"
    UNGOVERNED_RESOURCE_TYPE = "ungoverned_resource_type"
    TOO_DEEPLY_NESTED = "too_deeply_nested"
    INVALID_UNICODE = "invalid_unicode"
    TOO_MANY_EVENTS = "too_many_events"
    INVALID_IDENTITY = "invalid_identity"
    TIME_OUT_OF_RANGE = "time_out_of_range"
    UNPARSEABLE = "unparseable"
    """A parser met input it could not read (a bug to fix): rejected, never retried."""


class EventRejected(ValueError):
    """A payload that is not an event we can act on.

    `code` says what kind of problem it is; `reason` says precisely what was wrong.
    `skipped` marks payloads that are well formed but deliberately ignored (failed API calls,
    read-only operations), as opposed to malformed input.
    """

    def __init__(
        self,
        code: Rejection,
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


class DeliveryFailed(RuntimeError):
    """Raised by a function so that its platform delivers the event (or object) again."""


class ActionImpossible(RuntimeError):
    """An action that cannot succeed as this deployment is configured (a chat channel without
    credentials): recorded as not taken, never retried, for a retry would fail the same way."""
