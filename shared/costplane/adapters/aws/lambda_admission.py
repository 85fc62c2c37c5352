"""The admission function's handler: the admission endpoint (adapters/admission_http) on a
Lambda Function URL with IAM auth (a gateway signs its calls with SigV4 and needs
`lambda:InvokeFunctionUrl`). Function URLs may base64-encode the body; it is decoded before the
endpoint reads it.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from costplane.adapters.admission_http import AdmissionEndpoint
from costplane.ai.admission import AdmissionService


class AdmissionHandler:
    """The handler of the admission function, its service built once per process."""

    def __init__(self, build: Callable[[], AdmissionService]) -> None:
        self.logger = Logger(service="admission")
        self.service: Callable[[], AdmissionService] = cache(build)
        self.lambda_handler: Callable[[dict[str, Any], LambdaContext], dict[str, Any]] = (
            self.logger.inject_lambda_context(self._on_request)
        )

    def _on_request(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        method = event.get("requestContext", {}).get("http", {}).get("method", "")
        body = event.get("body") or ""
        raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
        reply = AdmissionEndpoint(self.service()).handle(method, event.get("rawPath", "/"), raw)
        self.logger.info("admission answered", status=reply.status, path=event.get("rawPath"))
        return {
            "statusCode": reply.status,
            "headers": {"content-type": "application/json"},
            "body": reply.encoded().decode(),
        }
