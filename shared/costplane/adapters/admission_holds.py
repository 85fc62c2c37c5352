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
                    "unit": x.unit,
                }
                for x in hold.limits
            ],
            "expires": hold.expires.isoformat(),
            "detail": hold.detail,
            "state": hold.state.value,
            "cost": None if hold.cost is None else str(hold.cost),
            "tokens": hold.tokens,
            "used": hold.used,
        }
    ).decode()


def hold_of(document: dict[str, Any]) -> Hold:
    return Hold(
        reservation_id=document["id"],
        amount=Decimal(document["amount"]),
        currency=document["currency"],
        limits=tuple(
            Limit(x["budget"], x["ledger"], Decimal(x["amount"]), x["currency"], x["unit"])
            for x in document["limits"]
        ),
        expires=datetime.fromisoformat(document["expires"]),
        detail=document["detail"],
        state=HoldState(document["state"]),
        cost=None if document["cost"] is None else Decimal(document["cost"]),
        tokens=document["tokens"],
        used=document["used"],
    )


def moved(
    hold: Hold, state: HoldState, cost: Decimal | None = None, used: int | None = None
) -> Hold:
    """`hold` in `state`, settled at `cost` and `used` tokens (None while unsettled)."""
    return replace(hold, state=state, cost=cost, used=used)


def changes(held: Hold, changed: Hold) -> list[Decimal]:
    """What moving `held` to `changed` adds to each of its counters: what the changed hold
    counts, less what the held one counted while reserved."""
    counted = {HoldState.RESERVED: Hold.held, HoldState.SETTLED: Hold.spent}
    before, after = counted.get(held.state), counted.get(changed.state)
    return [
        (after(changed, limit) if after else Decimal(0))
        - (before(held, limit) if before else Decimal(0))
        for limit in held.limits
    ]
