"""An event delivered to an HTTP endpoint, whatever the cloud: decode, handle, answer.

The answer is the sender's retry signal. A body that is not JSON is the sender's error: 400. A
payload the parsers reject is final, audited and acknowledged: 200. A delivery whose action
failed, or that the service could not take at all, is answered `retry_status`, the status the
sender retries on (the core released its claim, so the redelivery acts again). The service is
built inside: one that cannot be built is a delivery not taken, to be delivered again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from costplane.domain.errors import EventRejected
from costplane.engine.envelopes import decode
from costplane.engine.pipeline import EventService, retry_reasons

log = logging.getLogger("costplane")

Handshake = Callable[[Any], dict[str, str] | None]
"""A subscription's validation request answered in place of the service, or None."""


def answer_delivery(
    service: Callable[[], EventService],
    body: bytes,
    retry_status: int,
    handshake: Handshake | None = None,
) -> tuple[int, dict[str, Any]]:
    """The status and JSON body that answer one delivery."""
    try:
        document = decode(body)
    except EventRejected as exc:
        return 400, {"error": exc.code, "reason": exc.reason}
    if handshake is not None and (answer := handshake(document)) is not None:
        return 200, answer
    try:
        decisions = service().handle_document(document)
    except Exception as exc:
        log.exception("delivery not taken; answered %d so it is delivered again", retry_status)
        return retry_status, {"error": "unavailable", "reason": repr(exc)}
    failed = retry_reasons(decisions)
    summaries = [decision.model_dump(mode="json") for decision in decisions]
    return retry_status if failed else 200, {"decisions": summaries, "failed": failed}
