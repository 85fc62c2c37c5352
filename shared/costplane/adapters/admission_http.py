"""The admission check over HTTP, for a gateway to call before and after a model request
(a LiteLLM pre-call hook, API Management's send-request policy, a Kong plugin).

    POST /reserve   an AdmissionRequest → 200 admitted, 402 refused (over a budget, no
                    price, another currency), 409 a retried request id that expired
    POST /settle    {"reservation_id", "usage": {"tokens": {...}} or {"cost": "…"}} → 200,
                    404 never reserved

Bad input is a 400 naming each wrong field. Money is a decimal string. The same handler
serves the Lambda function URL and `costplane ai admission serve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from costplane.ai.admission import Admission, AdmissionRequest, AdmissionService, Usage
from costplane.ai.ports import ReservationUnknown

MAX_BODY = 64 * 1024


class SettleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reservation_id: str = Field(min_length=1, max_length=200)
    usage: Usage


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: dict[str, Any]

    def encoded(self) -> bytes:
        return orjson.dumps(self.body, default=_decimal)


class AdmissionEndpoint:
    def __init__(self, service: AdmissionService) -> None:
        self.service = service

    def handle(self, method: str, path: str, body: bytes) -> Reply:
        route = path.rstrip("/")
        if route not in ("/reserve", "/settle"):
            return Reply(404, {"error": f"no such path {path!r}: POST /reserve or /settle"})
        if method != "POST":
            return Reply(405, {"error": f"{method} {route}: only POST"})
        if len(body) > MAX_BODY:
            return Reply(413, {"error": f"body of {len(body)} bytes, at most {MAX_BODY}"})
        try:
            document = orjson.loads(body)
            if route == "/reserve":
                return admission_reply(
                    self.service.reserve(AdmissionRequest.model_validate(document))
                )
            settle = SettleRequest.model_validate(document)
        except orjson.JSONDecodeError as error:
            return Reply(400, {"error": f"body is not JSON: {error}"})
        except ValidationError as error:
            return Reply(400, {"error": "invalid request", "fields": _fields(error)})
        try:
            settled = self.service.settle(settle.reservation_id, settle.usage)
        except ReservationUnknown:
            return Reply(404, {"error": f"no reservation {settle.reservation_id!r}"})
        return Reply(
            200,
            {
                "reservation_id": settled.reservation_id,
                "cost": settled.cost,
                "reserved": settled.reserved,
                "released": settled.reserved - settled.cost,
                "currency": settled.currency,
                "budgets": settled.budgets,
                "priced": settled.priced,
            },
        )


def admission_reply(admission: Admission) -> Reply:
    body: dict[str, Any] = {
        "request_id": admission.request_id,
        "admitted": admission.admitted,
        "reserved": admission.reserved,
        "currency": admission.currency,
        "budgets": admission.budgets,
    }
    refusal = admission.refusal
    if refusal is None:
        return Reply(200, body | {"expires": admission.expires})
    body |= {"reason": refusal.reason, "message": refusal.message}
    if refusal.budget is not None:
        body |= {"budget": refusal.budget, "limit": refusal.limit, "committed": refusal.committed}
    return Reply(409 if refusal.reason == "expired" else 402, body)


def _fields(error: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(part) for part in problem['loc']) or 'body'}: {problem['msg']}"
        for problem in error.errors()
    ]


def _decimal(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
