"""What allocation refuses (errors) and what it does but wants a human to look at (warnings)."""

from __future__ import annotations

from dataclasses import dataclass


class AllocationError(ValueError):
    """Allocation cannot run: `code` is stable and countable, the message says exactly why.

    Codes: invalid_rules, unknown_column, incomplete_lines, overlapping_rules, empty_period,
    bad_metric.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class AllocationWarning:
    """Allocation ran, but some cost went somewhere a human should check (never lost).

    Codes: overlapping_rules, all_zero_weights, negative_weight, selects_nothing.
    """

    code: str
    message: str
    rule: str | None = None
