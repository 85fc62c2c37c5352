"""Approvals on Cloud Run functions: Slack and Teams callbacks, the signed resume route
(<url>/resume), and the expiry sweep.

`approvals` is deployed public (--allow-unauthenticated): Slack and the Bot Connector sign
their own requests, and the core verifies every request before reading it.
`approvals_expire` is deployed private and called by Cloud Scheduler (OIDC).
"""

from __future__ import annotations

from functools import cache

import flask
import functions_framework

from costplane.adapters.gcp.functions import on_approval_callback, on_expire
from costplane.approvals.callbacks import ApprovalCallbacks
from costplane.bootstrap import approval_callbacks


@cache
def callbacks() -> ApprovalCallbacks:
    """Built on the first request and kept for the life of the instance, clients included."""
    return approval_callbacks(plane="gcp")


@functions_framework.http
def approvals(request: flask.Request) -> flask.typing.ResponseReturnValue:
    return on_approval_callback(callbacks().routes(), request)


@functions_framework.http
def approvals_expire(request: flask.Request) -> flask.typing.ResponseReturnValue:
    return on_expire(callbacks)
