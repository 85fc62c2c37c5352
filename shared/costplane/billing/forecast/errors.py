"""Why a forecast cannot be made."""

from __future__ import annotations


class ForecastError(ValueError):
    """`code` is stable (no_data, unknown_scope, not_enough_history, bad_horizon); the message
    says exactly what is missing."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
