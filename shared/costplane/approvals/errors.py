"""Why a callback was refused, as an HTTP status and a stable, countable code."""

from __future__ import annotations


class CallbackRejected(Exception):
    """A callback that must not act: 401 unauthenticated, 403 not an approver, 400 malformed,
    404 unknown request or channel. `code` is stable (a metric name); `reason` is precise."""

    def __init__(self, status: int, code: str, reason: str) -> None:
        super().__init__(f"{status} {code}: {reason}")
        self.status = status
        self.code = code
        self.reason = reason


def unauthenticated(code: str, reason: str) -> CallbackRejected:
    return CallbackRejected(401, code, reason)


def malformed(code: str, reason: str) -> CallbackRejected:
    return CallbackRejected(400, code, reason)
