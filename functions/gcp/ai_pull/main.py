"""AI usage pull on Cloud Run functions: Cloud Scheduler calls it every hour over HTTP; it lands
the OpenAI and Anthropic usage and cost reports in the bill bucket for cost ingest
(costplane.billing.pull). Reporting: costplane.adapters.gcp.functions."""

from __future__ import annotations

from functools import cache

import flask
import functions_framework

from costplane import bootstrap
from costplane.adapters.gcp.functions import on_ai_pull
from costplane.billing.pull import UsagePull


@cache
def service() -> UsagePull:
    """Built on the first call and kept for the life of the instance, clients included."""
    return bootstrap.ai_pull(plane="gcp")


@functions_framework.http
def ai_pull(request: flask.Request) -> flask.typing.ResponseReturnValue:
    return on_ai_pull(service)
