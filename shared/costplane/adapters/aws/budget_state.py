"""RunRateStore and SignalStore on DynamoDB, in the reservation ledger's table.

The table is the one costplane.adapters.aws.reservations documents (key `id` (S, HASH)); these
kinds of item join its `ledger#` and `reservation#` items:

    rate#<resource key>        rate (N), currency (S), budgets (L of S), running (BOOL),
                               since (S, ISO 8601), version (N)
    budget#<budget>            one attribute per running resource in the budget:
                               run:<resource key> (M: rate N, currency S, since S,
                               reserved BOOL: the budget's ledger holds its cost)
    signal#<budget>#<period>   actual (N), forecast (N): the highest figures reported

A budget's running resources are one consistent GetItem of its `budget#` item (an item holds
400 KB: some two thousand running resources per budget). Every change of a resource is one
TransactWriteItems: its `rate#` item, conditional on the version read (absent for a new one),
and the `run:` attribute of each budget it counts in. A writer that lost a race re-reads and
tries again, so a stop racing a restart or a delete never leaves a budget counting a resource
the `rate#` item says is stopped or gone; a start or stop rewrites the `run:` attributes
unreserved (RunRateStore.set_running). A signal figure is raised by a conditional update
(`attribute_not_exists(f) OR f < :new`), so concurrent notifications keep the highest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from costplane.adapters.aws.clients import client
from costplane.adapters.aws.reservations import MAX_ATTEMPTS, dynamo_number, transact
from costplane.budgets.ports import RateEntry, SignalFigures

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

RUN_PREFIX = "run:"
_Change = Callable[[dict[str, Any] | None], "list[TransactWriteItemTypeDef] | None"]


class DynamoDbBudgetState:
    """RunRateStore and SignalStore in one DynamoDB table."""

    def __init__(self, table: str, *, region: str | None = None) -> None:
        self.table = table
        self.region = region

    @property
    def _db(self) -> DynamoDBClient:
        return client("dynamodb", self.region)

    # RunRateStore ------------------------------------------------------------------------

    def put_rate(self, key: str, entry: RateEntry) -> None:
        def change(old: dict[str, Any] | None) -> list[TransactWriteItemTypeDef] | None:
            version = _version(old) + 1
            item = {
                "id": {"S": _rate(key)},
                "rate": {"N": dynamo_number(entry.rate)},
                "currency": {"S": entry.currency},
                "budgets": {"L": [{"S": b} for b in entry.budgets]},
                "running": {"BOOL": entry.running},
                "since": {"S": entry.since.isoformat()},
                "version": {"N": str(version)},
            }
            put: TransactWriteItemTypeDef = {
                "Put": {"TableName": self.table, "Item": item, **_unchanged(old)}  # type: ignore[typeddict-item]
            }
            dropped = [b for b in _budgets(old) if b not in entry.budgets]
            kept = entry if entry.running else None
            return [
                put,
                *(self._member(b, key, None) for b in dropped),
                *(self._member(b, key, kept) for b in entry.budgets),
            ]

        self._change(key, change)

    def set_running(self, key: str, running: bool, at: datetime) -> bool:
        def change(old: dict[str, Any] | None) -> list[TransactWriteItemTypeDef] | None:
            if old is None or old["running"]["BOOL"] == running:
                return None
            entry = _entry(old, running, at)
            update: TransactWriteItemTypeDef = {
                "Update": {
                    "TableName": self.table,
                    "Key": {"id": {"S": _rate(key)}},
                    "UpdateExpression": "SET running = :running, since = :since, version = :next",
                    "ExpressionAttributeValues": {
                        ":running": {"BOOL": running},
                        ":since": {"S": at.isoformat()},
                        ":next": {"N": str(_version(old) + 1)},
                        ":version": {"N": str(_version(old))},
                    },
                    "ConditionExpression": "version = :version",
                }
            }
            kept = entry if running else None
            return [update, *(self._member(b, key, kept) for b in entry.budgets)]

        return self._change(key, change) is not None

    def remove_rate(self, key: str) -> bool:
        def change(old: dict[str, Any] | None) -> list[TransactWriteItemTypeDef] | None:
            if old is None:
                return None
            delete: TransactWriteItemTypeDef = {
                "Delete": {
                    "TableName": self.table,
                    "Key": {"id": {"S": _rate(key)}},
                    **_unchanged(old),  # type: ignore[typeddict-item]
                }
            }
            return [delete, *(self._member(b, key, None) for b in _budgets(old))]

        return self._change(key, change) is not None

    def running_rates(self, budgets: Sequence[str]) -> Mapping[str, list[RateEntry]]:
        found: dict[str, list[RateEntry]] = {}
        for budget in budgets:
            item = self._db.get_item(
                TableName=self.table, Key={"id": {"S": _budget(budget)}}, ConsistentRead=True
            ).get("Item", {})
            found[budget] = [
                RateEntry(
                    Decimal(value["M"]["rate"]["N"]),
                    value["M"]["currency"]["S"],
                    (budget,),
                    True,
                    datetime.fromisoformat(value["M"]["since"]["S"]),
                    (budget,) if value["M"]["reserved"]["BOOL"] else (),
                )
                for name, value in item.items()
                if name.startswith(RUN_PREFIX)
            ]
        return found

    def _member(self, budget: str, key: str, entry: RateEntry | None) -> TransactWriteItemTypeDef:
        """Count the resource in the budget (`entry`), or no longer (None)."""
        names = {"#run": RUN_PREFIX + key}
        if entry is None:
            return {
                "Update": {
                    "TableName": self.table,
                    "Key": {"id": {"S": _budget(budget)}},
                    "UpdateExpression": "REMOVE #run",
                    "ExpressionAttributeNames": names,
                }
            }
        value = {
            "rate": {"N": dynamo_number(entry.rate)},
            "currency": {"S": entry.currency},
            "since": {"S": entry.since.isoformat()},
            "reserved": {"BOOL": budget in entry.reserved},
        }
        return {
            "Update": {
                "TableName": self.table,
                "Key": {"id": {"S": _budget(budget)}},
                "UpdateExpression": "SET #run = :run",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {":run": {"M": value}},
            }
        }

    def _change(self, key: str, change: _Change) -> dict[str, Any] | None:
        """Apply `change(item read)` as one transaction (None: nothing to do), again on a fresh
        read whenever another writer changed the resource first; the item read (None if absent)."""
        for _ in range(MAX_ATTEMPTS):
            old = self._rate_item(key)
            items = change(old)
            if items is None or (failed := transact(self._db, items)) is None:
                return old
            if failed != 0:
                raise RuntimeError(
                    f"budget item {failed} of {key!r} refused an unconditional write"
                )
        raise RuntimeError(f"resource {key!r} still changing after {MAX_ATTEMPTS} attempts")

    def _rate_item(self, key: str) -> dict[str, Any] | None:
        found = self._db.get_item(
            TableName=self.table, Key={"id": {"S": _rate(key)}}, ConsistentRead=True
        ).get("Item")
        return dict(found) if found else None

    # SignalStore -------------------------------------------------------------------------

    def record_signal(self, budget: str, period: str, figures: SignalFigures) -> None:
        db = self._db
        for name, value in (("actual", figures.actual), ("forecast", figures.forecast)):
            if value is None:
                continue
            try:
                db.update_item(
                    TableName=self.table,
                    Key={"id": {"S": _signal(budget, period)}},
                    UpdateExpression="SET #f = :new",
                    ConditionExpression="attribute_not_exists(#f) OR #f < :new",
                    ExpressionAttributeNames={"#f": name},
                    ExpressionAttributeValues={":new": {"N": dynamo_number(value)}},
                )
            except db.exceptions.ConditionalCheckFailedException:
                continue

    def signal_figures(self, budget: str, period: str) -> SignalFigures:
        item = self._db.get_item(
            TableName=self.table, Key={"id": {"S": _signal(budget, period)}}, ConsistentRead=True
        ).get("Item", {})
        actual, forecast = (
            Decimal(item[name]["N"]) if name in item else None for name in ("actual", "forecast")
        )
        return SignalFigures(actual, forecast)


def _unchanged(old: dict[str, Any] | None) -> dict[str, Any]:
    """The condition that the `rate#` item is still as read."""
    if old is None:
        return {"ConditionExpression": "attribute_not_exists(id)"}
    return {
        "ConditionExpression": "version = :version",
        "ExpressionAttributeValues": {":version": {"N": str(_version(old))}},
    }


def _version(item: dict[str, Any] | None) -> int:
    return int(item["version"]["N"]) if item else 0


def _budgets(item: dict[str, Any] | None) -> list[str]:
    return [b["S"] for b in item["budgets"]["L"]] if item else []


def _entry(item: dict[str, Any], running: bool, since: datetime) -> RateEntry:
    return RateEntry(
        Decimal(item["rate"]["N"]), item["currency"]["S"], tuple(_budgets(item)), running, since
    )


def _rate(key: str) -> str:
    return f"rate#{key}"


def _budget(budget: str) -> str:
    return f"budget#{budget}"


def _signal(budget: str, period: str) -> str:
    return f"signal#{budget}#{period}"
