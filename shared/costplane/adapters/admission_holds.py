"""An admission hold as the stores keep it: one JSON document, the same in every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from costplane.ai.ports import Hold, HoldState, Limit


def hold_json(hold: Hold) -> str:
    return orjson.dumps(
        {
            "id": hold.reservation_id,
            "amount": str(hold.amount),
            "currency": hold.currency,
            "limits": [
                {
                    "budget": x.budget,
                    "ledger": x.ledger,
                    "amount": str(x.amount),
                    "currency": x.currency,
                }
                for x in hold.limits
            ],
            "expires": hold.expires.isoformat(),
            "detail": hold.detail,
            "state": hold.state.value,
            "cost": None if hold.cost is None else str(hold.cost),
        }
    ).decode()


def hold_of(document: dict[str, Any]) -> Hold:
    return Hold(
        reservation_id=document["id"],
        amount=Decimal(document["amount"]),
        currency=document["currency"],
        limits=tuple(
            Limit(x["budget"], x["ledger"], Decimal(x["amount"]), x["currency"])
            for x in document["limits"]
        ),
        expires=datetime.fromisoformat(document["expires"]),
        detail=document["detail"],
        state=HoldState(document["state"]),
        cost=None if document["cost"] is None else Decimal(document["cost"]),
    )


def moved(hold: Hold, state: HoldState, cost: Decimal | None) -> Hold:
    """`hold` in `state`, settled at `cost` (None while unsettled)."""
    return replace(hold, state=state, cost=cost)
