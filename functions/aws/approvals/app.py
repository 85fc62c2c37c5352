"""Approvals on Lambda: Slack and Teams callbacks on a Function URL, and the expiry sweep on a
schedule. Routes, auth and the schedule's input: costplane.adapters.aws.lambda_approvals.
"""

from __future__ import annotations

from costplane.adapters.aws.lambda_approvals import ApprovalsHandler
from costplane.bootstrap import approval_callbacks

handler = ApprovalsHandler(lambda: approval_callbacks(plane="aws"))
callbacks = handler.callbacks
lambda_handler = handler.lambda_handler
