"""Mark sweep on Lambda: EventBridge Scheduler invokes it every few minutes; it acts on the
marks that came due (costplane.tagging.sweep). Reporting: costplane.adapters.aws.lambda_sweep.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from costplane import bootstrap
from costplane.adapters.aws.lambda_sweep import SweepHandler

handler = SweepHandler(lambda: bootstrap.mark_sweep(plane="aws"))
service = handler.service


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """A scheduled invocation: sweep until the time budget, resume next time."""
    return handler.lambda_handler(event, context)
