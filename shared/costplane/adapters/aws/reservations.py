"""ReservationLedger on DynamoDB: concurrent reservations never commit more than the limit.

One table (on-demand capacity), key schema `id` (S, HASH), two kinds of item:

    ledger#<budget>#<period>      committed (N): reserved plus settled spend
    reservation#<id>              ledger (S), amount (N), state (S: reserved|settled|released),
                                  cost (N, once settled)

A reservation is one TransactWriteItems of two conditional writes: Put the reservation
(`attribute_not_exists(id)`, so a retried request reserves once) and Update the ledger
(`SET committed = if_not_exists(committed, 0) + :amount`). DynamoDB conditions compare but do
not add, so `committed + :amount <= :limit` is written `committed <= :headroom` with
`:headroom = limit - amount` computed here. Both writes happen or neither does, and DynamoDB
serialises transactions on an item, so no interleaving of requests can pass the limit.
Numbers are DynamoDB decimals (38 digits), never floats. Settling and releasing are
transactions too: the reservation leaves `reserved` and the ledger changes by the same delta.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from costplane.adapters.aws.clients import client
from costplane.budgets.ports import ReservationNotFound, ReservationState

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

CONDITION_FAILED = "ConditionalCheckFailed"
TRANSACTION_CONFLICT = "TransactionConflict"
MAX_ATTEMPTS = 20


class DynamoDbReservationLedger:
    def __init__(self, table: str, *, region: str | None = None) -> None:
        self.table = table
        self.region = region

    @property
    def _db(self) -> DynamoDBClient:
        return client("dynamodb", self.region)

    def reserve(self, ledger: str, reservation_id: str, amount: Decimal, limit: Decimal) -> bool:
        if amount <= 0:
            raise ValueError(f"a reservation must be positive, not {amount}")
        headroom = limit - amount
        if headroom < 0:
            return self._granted(reservation_id)
        items: list[TransactWriteItemTypeDef] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": {
                        "id": {"S": _reservation(reservation_id)},
                        "ledger": {"S": ledger},
                        "amount": {"N": dynamo_number(amount)},
                        "state": {"S": ReservationState.RESERVED.value},
                    },
                    "ConditionExpression": "attribute_not_exists(id)",
                }
            },
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {"id": {"S": _ledger(ledger)}},
                    "UpdateExpression": "SET committed = if_not_exists(committed, :zero) + :amount",
                    "ConditionExpression": "attribute_not_exists(committed) "
                    "OR committed <= :headroom",
                    "ExpressionAttributeValues": {
                        ":zero": {"N": "0"},
                        ":amount": {"N": dynamo_number(amount)},
                        ":headroom": {"N": dynamo_number(headroom)},
                    },
                }
            },
        ]
        failed = transact(self._db, items)
        if failed is None:
            return True
        if failed == 0:
            return self._granted(reservation_id)
        return False

    def settle(self, reservation_id: str, cost: Decimal) -> bool:
        return self._close(reservation_id, ReservationState.SETTLED, cost)

    def release(self, reservation_id: str) -> bool:
        return self._close(reservation_id, ReservationState.RELEASED, Decimal(0))

    def committed(self, ledger: str) -> Decimal:
        item = self._db.get_item(
            TableName=self.table, Key={"id": {"S": _ledger(ledger)}}, ConsistentRead=True
        ).get("Item")
        return Decimal(item["committed"]["N"]) if item and "committed" in item else Decimal(0)

    def _close(self, reservation_id: str, state: ReservationState, cost: Decimal) -> bool:
        item = self._reservation_item(reservation_id)
        if item is None:
            raise ReservationNotFound(reservation_id)
        if item["state"]["S"] != ReservationState.RESERVED:
            return False
        delta = cost - Decimal(item["amount"]["N"])
        items: list[TransactWriteItemTypeDef] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {"id": {"S": _reservation(reservation_id)}},
                    "UpdateExpression": "SET #state = :new, cost = :cost",
                    "ConditionExpression": "#state = :reserved",
                    "ExpressionAttributeNames": {"#state": "state"},
                    "ExpressionAttributeValues": {
                        ":new": {"S": state.value},
                        ":cost": {"N": dynamo_number(cost)},
                        ":reserved": {"S": ReservationState.RESERVED.value},
                    },
                }
            },
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {"id": {"S": _ledger(item["ledger"]["S"])}},
                    "UpdateExpression": "SET committed = committed + :delta",
                    "ExpressionAttributeValues": {":delta": {"N": dynamo_number(delta)}},
                }
            },
        ]
        return transact(self._db, items) is None

    def _granted(self, reservation_id: str) -> bool:
        """What an earlier request with this id was granted (False if there was none)."""
        item = self._reservation_item(reservation_id)
        return item is not None and item["state"]["S"] != ReservationState.RELEASED

    def _reservation_item(self, reservation_id: str) -> dict[str, Any] | None:
        found = self._db.get_item(
            TableName=self.table,
            Key={"id": {"S": _reservation(reservation_id)}},
            ConsistentRead=True,
        ).get("Item")
        return dict(found) if found else None


def transact(db: DynamoDBClient, items: list[TransactWriteItemTypeDef]) -> int | None:
    """Run the transaction; None when it committed, else the index of the item whose
    condition failed. Conflicts with concurrent transactions are retried with jitter."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            db.transact_write_items(TransactItems=items)
        except db.exceptions.TransactionCanceledException as exc:
            codes = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if CONDITION_FAILED in codes:
                return codes.index(CONDITION_FAILED)
            if TRANSACTION_CONFLICT not in codes:
                raise
        else:
            return None
        time.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 6)))
    raise RuntimeError(f"transaction still conflicting after {MAX_ATTEMPTS} attempts")


def _ledger(ledger: str) -> str:
    return f"ledger#{ledger}"


def _reservation(reservation_id: str) -> str:
    return f"reservation#{reservation_id}"


def dynamo_number(value: Decimal) -> str:
    return format(value, "f")
