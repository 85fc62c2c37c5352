"""The approvals Lambda's handler, on Powertools: Slack and Teams callbacks on a Function URL,
and the expiry sweep.

The Function URL has no IAM auth (AuthType NONE): Slack and the Bot Connector cannot sign AWS
requests; they sign their own, and the core verifies every request before reading it.
    POST /slack   Slack interactivity (and the Events API URL handshake)
    POST /teams   Bot Connector invokes from approval cards
    POST /resume  undo a decision, signed with the resume signing secret (see resume_callback)
A schedule invokes the same function with the constant input EXPIRE: requests nobody answered
take their configured default. (A URL request cannot forge it: Lambda builds those events.)
Function URLs may base64-encode the body; the signature covers the raw bytes, so they are
decoded, never re-encoded.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from costplane.approvals.callbacks import ApprovalCallbacks, Callback

EXPIRE = {"costplane": "expire-approvals"}


class ApprovalsHandler:
    """The handler of the approvals function, its callbacks built once per process."""

    def __init__(self, build: Callable[[], ApprovalCallbacks]) -> None:
        self.logger = Logger(service="approvals")
        self.callbacks: Callable[[], ApprovalCallbacks] = cache(build)
        self.resolver = LambdaFunctionUrlResolver()
        self.resolver.post("/slack")(self._slack)
        self.resolver.post("/teams")(self._teams)
        self.resolver.post("/resume")(self._resume)
        self.lambda_handler: Callable[[dict[str, Any], LambdaContext], dict[str, Any]] = (
            self.logger.inject_lambda_context(self._on_event)
        )

    def _on_event(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        if event == EXPIRE:
            expired = self.callbacks().expire()
            self.logger.info("expired approval requests", expired=expired)
            return {"expired": expired}
        return self.resolver.resolve(event, context)

    def _slack(self) -> Response[str]:
        return self._answer(self.callbacks().slack)

    def _teams(self) -> Response[str]:
        return self._answer(self.callbacks().teams)

    def _resume(self) -> Response[str]:
        return self._answer(self.callbacks().resume)

    def _answer(self, callback: Callback) -> Response[str]:
        """The request's raw bytes through a callback, its answer as the Function URL's."""
        event = self.resolver.current_event
        body = event.body or ""
        raw = base64.b64decode(body) if event.is_base64_encoded else body.encode()
        answer = callback(event.headers, raw)
        self.logger.info("callback answered", status=answer.status)
        return Response(answer.status, answer.content_type, answer.body.decode())
