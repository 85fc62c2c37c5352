"""The admission ledger in the embedded plane's SQLite file, safe across threads and processes.

Two tables beside the records: a counter per budget and period (`committed`, a decimal string)
and a row per reservation (its hold as JSON, its state and expiry; an index holds the reserved
ones by expiry). Every change is one `BEGIN IMMEDIATE` transaction, which takes the file's
write lock before it reads: the counters a reservation checks cannot change until it commits,
so concurrent reservations, in one process or several, never together pass a limit.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import orjson

from costplane.adapters.admission_holds import changes, hold_json, hold_of, moved
from costplane.adapters.local.sqlite import connect
from costplane.adapters.records import utc_stamp
from costplane.ai.ports import Hold, HoldState, Refused, ReservationUnknown

_SCHEMA = """
CREATE TABLE IF NOT EXISTS admission_counters (ledger TEXT PRIMARY KEY, committed TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS admission_holds (
    id TEXT PRIMARY KEY, hold TEXT NOT NULL, state TEXT NOT NULL, expires TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS admission_reserved ON admission_holds (expires)
    WHERE state = 'reserved';
"""


class SqliteAdmissionLedger:
    """AdmissionLedger in the SQLite file at `path`."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.Lock()
        self._db = connect(path)
        self._db.executescript(_SCHEMA)

    def reserve(self, hold: Hold) -> Hold | Refused:
        with self._transaction() as db:
            earlier = _hold(db, hold.reservation_id)
            if earlier is not None:
                return earlier
            for limit in hold.limits:
                committed = _committed(db, limit.ledger)
                if committed + hold.held(limit) > limit.amount:
                    return Refused(limit, committed)
            for limit in hold.limits:
                _add(db, limit.ledger, hold.held(limit))
            db.execute(
                "INSERT INTO admission_holds (id, hold, state, expires) VALUES (?, ?, ?, ?)",
                (hold.reservation_id, hold_json(hold), hold.state.value, utc_stamp(hold.expires)),
            )
            return hold

    def settle(self, reservation_id: str, cost: Decimal, used: int) -> Hold:
        with self._transaction() as db:
            held = _hold(db, reservation_id)
            if held is None:
                raise ReservationUnknown(reservation_id)
            if held.state is HoldState.SETTLED:
                return held
            return _move(db, held, moved(held, HoldState.SETTLED, cost, used))

    def find(self, reservation_id: str) -> Hold | None:
        with self._lock:
            return _hold(self._db, reservation_id)

    def expire(self, now: datetime) -> int:
        with self._transaction() as db:
            due = db.execute(
                "SELECT id FROM admission_holds WHERE state = 'reserved' AND expires <= ?",
                (utc_stamp(now),),
            ).fetchall()
            for row in due:
                held = _hold(db, row["id"])
                assert held is not None
                _move(db, held, moved(held, HoldState.EXPIRED))
            return len(due)

    def committed(self, ledger: str) -> Decimal:
        with self._lock:
            return _committed(self._db, ledger)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")


def _hold(db: sqlite3.Connection, reservation_id: str) -> Hold | None:
    row = db.execute("SELECT hold FROM admission_holds WHERE id = ?", (reservation_id,)).fetchone()
    return hold_of(orjson.loads(row["hold"])) if row else None


def _committed(db: sqlite3.Connection, ledger: str) -> Decimal:
    row = db.execute(
        "SELECT committed FROM admission_counters WHERE ledger = ?", (ledger,)
    ).fetchone()
    return Decimal(row["committed"]) if row else Decimal(0)


def _add(db: sqlite3.Connection, ledger: str, amount: Decimal) -> None:
    db.execute(
        "INSERT INTO admission_counters (ledger, committed) VALUES (?, ?) "
        "ON CONFLICT (ledger) DO UPDATE SET committed = ?",
        (ledger, str(amount), str(_committed(db, ledger) + amount)),
    )


def _move(db: sqlite3.Connection, held: Hold, changed: Hold) -> Hold:
    """Store the hold as `changed`, and what that changes in each of its counters."""
    for limit, change in zip(held.limits, changes(held, changed), strict=True):
        _add(db, limit.ledger, change)
    db.execute(
        "UPDATE admission_holds SET hold = ?, state = ? WHERE id = ?",
        (hold_json(changed), changed.state.value, held.reservation_id),
    )
    return changed
