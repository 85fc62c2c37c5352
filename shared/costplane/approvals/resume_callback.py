"""The resume route: an operator's tool asks to undo a decision, signed like a Slack request.

`X-Costplane-Signature` is `v0=` and the hex HMAC-SHA256, under the deployment's resume signing
secret, of `v0:{X-Costplane-Request-Timestamp}:{raw body}`; the same five-minute window refuses
a replay later. The body is JSON `{"target": decision id or resource id, "by": who asks}`, read
only after the signature passed; `by` is recorded on the audit record. Pure functions: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from costplane.approvals import slack_callback
from costplane.approvals.errors import malformed

SIGNATURE_HEADER = "x-costplane-signature"
TIMESTAMP_HEADER = "x-costplane-request-timestamp"


@dataclass(frozen=True, slots=True)
class ResumeAsked:
    target: str
    by: str


def verify(secret: bytes, headers: dict[str, str], body: bytes, now: float) -> ResumeAsked:
    """The request `body` carries, once its signature is checked; raises CallbackRejected."""
    slack_callback.verify_signature(
        secret, body, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER), now
    )
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise malformed("malformed_json", f"the body is not JSON: {exc}") from None
    fields = document if isinstance(document, dict) else {}
    target, by = fields.get("target"), fields.get("by")
    if not (isinstance(target, str) and target and isinstance(by, str) and by):
        raise malformed("missing_field", 'the body needs {"target": "...", "by": "..."}')
    return ResumeAsked(target, by)
