"""The admission ledger in one DynamoDB table: a reservation is one TransactWriteItems.

Items (key `id`, S):

    counter#<budget>#<period>   committed (N): outstanding reservations plus settled costs
    hold#<reservation id>       hold (S, the hold as JSON), state (S), and while reserved
                                queue = "reserved" and expires (S, RFC 3339 UTC) for the sparse
                                GSI `reserved` (queue HASH, expires RANGE, projection KEYS_ONLY)

A reservation puts its hold (only if absent: the idempotency of the request id) and adds what
it counts to each counter (money or tokens) on the condition `committed <= limit - that`, all in one
transaction: DynamoDB applies all of it or none, so no counter ever passes its limit, however
many callers race (zero overshoot). A cancelled transaction says which item failed: the hold
(a retry: answer the stored one), a counter (refused by that budget), or a conflict with
another transaction (try again). Settling and expiring are transactions too, conditional on
the hold's state, so a reservation is given back or settled exactly once.
"""

from __future__ import annotations

import random
import time
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

from costplane.adapters.admission_holds import changes, hold_json, hold_of, moved
from costplane.adapters.aws.clients import client
from costplane.adapters.records import utc_stamp
from costplane.ai.ports import Hold, HoldState, Refused, ReservationUnknown

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

RESERVED_INDEX = "reserved"
MAX_ATTEMPTS = 50
BACKOFF_SECONDS = 0.005
_COUNTER, _HOLD = "counter#", "hold#"


class DynamoDbAdmissionLedger:
    """AdmissionLedger in `table`."""

    def __init__(self, table: str, *, region: str | None = None) -> None:
        self.table = table
        self.region = region

    @property
    def _db(self) -> DynamoDBClient:
        return client("dynamodb", self.region)

    def reserve(self, hold: Hold) -> Hold | Refused:
        for limit in hold.limits:
            if hold.held(limit) > limit.amount:
                return Refused(limit, self.committed(limit.ledger))
        put: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self.table,
                "Item": self._hold_item(hold),
                "ConditionExpression": "attribute_not_exists(id)",
            }
        }
        adds = [self._add(limit.ledger, hold.held(limit), limit.amount) for limit in hold.limits]
        for attempt in range(MAX_ATTEMPTS):
            failed = self._transact([put, *adds])
            if failed is None:
                return hold
            if failed == 0:
                earlier = self.find(hold.reservation_id)
                if earlier is not None:
                    return earlier
            elif failed > 0:
                limit = hold.limits[failed - 1]
                return Refused(limit, self.committed(limit.ledger))
            _backoff(attempt)
        raise RuntimeError(f"reservation {hold.reservation_id!r} kept conflicting")

    def settle(self, reservation_id: str, cost: Decimal, used: int) -> Hold:
        for attempt in range(MAX_ATTEMPTS):
            held = self.find(reservation_id)
            if held is None:
                raise ReservationUnknown(reservation_id)
            if held.state is HoldState.SETTLED:
                return held
            settled = moved(held, HoldState.SETTLED, cost, used)
            if self._transact(self._move(held, settled)) is None:
                return settled
            _backoff(attempt)
        raise RuntimeError(f"reservation {reservation_id!r} kept conflicting")

    def find(self, reservation_id: str) -> Hold | None:
        item = self._db.get_item(
            TableName=self.table, Key={"id": {"S": _HOLD + reservation_id}}, ConsistentRead=True
        ).get("Item")
        return hold_of(orjson.loads(item["hold"]["S"])) if item else None

    def expire(self, now: datetime) -> int:
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table,
            IndexName=RESERVED_INDEX,
            KeyConditionExpression="#queue = :reserved AND #expires <= :now",
            ExpressionAttributeNames={"#queue": "queue", "#expires": "expires"},
            ExpressionAttributeValues={
                ":reserved": {"S": HoldState.RESERVED.value},
                ":now": {"S": utc_stamp(now)},
            },
        )
        expired = 0
        for item in (item for page in pages for item in page["Items"]):
            held = self.find(item["id"]["S"].removeprefix(_HOLD))
            if held is None or held.state is not HoldState.RESERVED:
                continue
            if self._transact(self._move(held, moved(held, HoldState.EXPIRED))) is None:
                expired += 1
        return expired

    def committed(self, ledger: str) -> Decimal:
        item = self._db.get_item(
            TableName=self.table, Key={"id": {"S": _COUNTER + ledger}}, ConsistentRead=True
        ).get("Item")
        return Decimal(item["committed"]["N"]) if item else Decimal(0)

    def _transact(self, items: list[TransactWriteItemTypeDef]) -> int | None:
        """None when the transaction committed, else the index of the item that failed its
        condition, or -1 for a conflict with another transaction (worth trying again)."""
        db = self._db
        try:
            db.transact_write_items(TransactItems=items)
        except db.exceptions.TransactionCanceledException as error:
            reasons: list[dict[str, Any]] = error.response.get("CancellationReasons", [])  # type: ignore[assignment]
            codes = [reason.get("Code") for reason in reasons]
            if "ConditionalCheckFailed" in codes:
                return codes.index("ConditionalCheckFailed")
            if "TransactionConflict" in codes:
                return -1
            raise
        return None

    def _add(self, ledger: str, amount: Decimal, limit: Decimal) -> TransactWriteItemTypeDef:
        return {
            "Update": {
                "TableName": self.table,
                "Key": {"id": {"S": _COUNTER + ledger}},
                "UpdateExpression": "SET committed = if_not_exists(committed, :zero) + :amount",
                "ConditionExpression": "attribute_not_exists(committed) OR committed <= :room",
                "ExpressionAttributeValues": {
                    ":zero": {"N": "0"},
                    ":amount": {"N": _number(amount)},
                    ":room": {"N": _number(limit - amount)},
                },
            }
        }

    def _move(self, held: Hold, changed: Hold) -> list[TransactWriteItemTypeDef]:
        """The hold from its state to `changed`'s, and what that changes in its counters."""
        update: TransactWriteItemTypeDef = {
            "Update": {
                "TableName": self.table,
                "Key": {"id": {"S": _HOLD + held.reservation_id}},
                "UpdateExpression": "SET #hold = :hold, #state = :state REMOVE #queue",
                "ConditionExpression": "#state = :was",
                "ExpressionAttributeNames": {"#hold": "hold", "#state": "state", "#queue": "queue"},
                "ExpressionAttributeValues": {
                    ":hold": {"S": hold_json(changed)},
                    ":state": {"S": changed.state.value},
                    ":was": {"S": held.state.value},
                },
            }
        }
        counters: list[TransactWriteItemTypeDef] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {"id": {"S": _COUNTER + limit.ledger}},
                    "UpdateExpression": "SET committed = if_not_exists(committed, :zero) + :delta",
                    "ExpressionAttributeValues": {
                        ":zero": {"N": "0"},
                        ":delta": {"N": _number(delta)},
                    },
                }
            }
            for limit, delta in zip(held.limits, changes(held, changed), strict=True)
        ]
        return [update, *counters]

    def _hold_item(self, hold: Hold) -> dict[str, Any]:
        return {
            "id": {"S": _HOLD + hold.reservation_id},
            "hold": {"S": hold_json(hold)},
            "state": {"S": hold.state.value},
            "queue": {"S": HoldState.RESERVED.value},
            "expires": {"S": utc_stamp(hold.expires)},
        }


def _number(value: Decimal) -> str:
    """A DynamoDB number, never in exponent form (`0E-8` is what Decimal makes of a zero)."""
    return format(value.normalize(), "f")


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, BACKOFF_SECONDS * 2 ** min(attempt, 6)))
