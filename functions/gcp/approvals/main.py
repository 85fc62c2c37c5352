"""Approvals on Cloud Run functions: Slack and Teams callbacks, and the expiry sweep.

`approvals` is deployed public (--allow-unauthenticated): Slack and the Bot Connector sign
their own requests, and the core verifies every request before reading it.
    POST <url>/slack   Slack interactivity (and the Events API URL handshake)
    POST <url>/teams   Bot Connector invokes from approval cards
`approvals_expire` is deployed private and called by Cloud Scheduler (OIDC): requests nobody
answered take their configured default.
"""

from __future__ import annotations

from functools import cache

import flask
import functions_framework

from costplane.approvals.callbacks import ApprovalCallbacks, summary
from costplane.bootstrap import approval_callbacks


@cache
def callbacks() -> ApprovalCallbacks:
    """Built on the first request and kept for the life of the instance, clients included."""
    return approval_callbacks(plane="gcp")


@functions_framework.http
def approvals(request: flask.Request) -> flask.typing.ResponseReturnValue:
    routes = {"slack": callbacks().slack, "teams": callbacks().teams}
    route = routes.get(request.path.rstrip("/").rpartition("/")[2])
    if route is None or request.method != "POST":
        return {"error": "not_found", "reason": "POST to /slack or /teams"}, 404
    answer = route(request.headers, request.get_data())
    return flask.Response(answer.body, status=answer.status, content_type=answer.content_type)


@functions_framework.http
def approvals_expire(request: flask.Request) -> flask.typing.ResponseReturnValue:
    return {"expired": [summary(r) for r in callbacks().service.expire_pending()]}
