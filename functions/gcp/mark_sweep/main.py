"""Mark sweep on Cloud Run functions: Cloud Scheduler calls it every few minutes over HTTP; it
acts on the marks that came due. Reporting: costplane.adapters.gcp.functions.
"""

from __future__ import annotations

from functools import cache

import flask
import functions_framework

from costplane import bootstrap
from costplane.adapters.gcp.functions import on_sweep
from costplane.tagging.sweep import MarkSweep


@cache
def service() -> MarkSweep:
    """Built on the first call and kept for the life of the instance, clients included."""
    return bootstrap.mark_sweep(plane="gcp")


@functions_framework.http
def mark_sweep(request: flask.Request) -> flask.typing.ResponseReturnValue:
    return on_sweep(service)
