"""Approvals on Lambda: Slack and Teams callbacks on a Function URL, and the expiry sweep.

The Function URL has no IAM auth (AuthType NONE): Slack and the Bot Connector cannot sign AWS
requests; they sign their own, and the core verifies every request before reading it.
    POST /slack   Slack interactivity (and the Events API URL handshake)
    POST /teams   Bot Connector invokes from approval cards
A schedule invokes the same function with the constant input EXPIRE: requests nobody answered
take their configured default. (A URL request cannot forge it: Lambda builds those events.)
Function URLs may base64-encode the body; the signature covers the raw bytes, so they are
decoded, never re-encoded.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from costplane.approvals.callbacks import ApprovalCallbacks, HttpAnswer, summary
from costplane.bootstrap import approval_callbacks

logger = Logger(service="approvals")
resolver = LambdaFunctionUrlResolver()
EXPIRE = {"costplane": "expire-approvals"}


@cache
def callbacks() -> ApprovalCallbacks:
    """Built on the first request and kept for the life of the process, clients included."""
    return approval_callbacks(plane="aws")


@resolver.post("/slack")
def slack() -> Response[str]:
    return _response(callbacks().slack(resolver.current_event.headers, _raw_body()))


@resolver.post("/teams")
def teams() -> Response[str]:
    return _response(callbacks().teams(resolver.current_event.headers, _raw_body()))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event == EXPIRE:
        return _expire()
    return resolver.resolve(event, context)


def _expire() -> dict[str, Any]:
    expired = [summary(r) for r in callbacks().service.expire_pending()]
    logger.info("expired approval requests", expired=expired)
    return {"expired": expired}


def _raw_body() -> bytes:
    event = resolver.current_event
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode()


def _response(answer: HttpAnswer) -> Response[str]:
    logger.info("callback answered", status=answer.status)
    return Response(answer.status, answer.content_type, answer.body.decode())
