"""Budget state on SQLite: run-rates, signal figures and the reservation ledger, safe across
threads and processes.

Every write runs in `BEGIN IMMEDIATE`, which takes the database's write lock before reading,
so a reservation's read-check-write cannot interleave with another process's. The ledger
update is also conditional on the version read (`... WHERE version = ?`), so a write that
somehow raced would change nothing rather than overwrite. Amounts are stored as decimal text
and added with Decimal: SQLite's own numbers are binary floats.

The tables share the SQLite file of the StateStore (WAL mode, `budget_` prefix).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from costplane.budgets.ports import (
    RateEntry,
    ReservationNotFound,
    ReservationState,
    SignalFigures,
)

BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS budget_rates (
    key TEXT PRIMARY KEY, rate TEXT NOT NULL, currency TEXT NOT NULL,
    running INTEGER NOT NULL, since TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS budget_rate_members (
    budget TEXT NOT NULL, key TEXT NOT NULL, reserved INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (budget, key)
);
CREATE TABLE IF NOT EXISTS budget_signals (
    budget TEXT NOT NULL, period TEXT NOT NULL, actual TEXT, forecast TEXT,
    PRIMARY KEY (budget, period)
);
CREATE TABLE IF NOT EXISTS budget_ledgers (
    ledger TEXT PRIMARY KEY, committed TEXT NOT NULL, version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS budget_reservations (
    id TEXT PRIMARY KEY, ledger TEXT NOT NULL, amount TEXT NOT NULL, state TEXT NOT NULL,
    cost TEXT
);
"""


class SqliteBudgetStore:
    """RunRateStore, SignalStore and ReservationLedger in one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path,
            check_same_thread=False,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self._db.executescript(_SCHEMA)
        self._add_reserved_column()

    def _add_reserved_column(self) -> None:
        """Files written before reservations on creation lack `reserved`; nothing was."""
        with self._immediate() as db:
            columns = {row[1] for row in db.execute("PRAGMA table_info(budget_rate_members)")}
            if "reserved" not in columns:
                db.execute(
                    "ALTER TABLE budget_rate_members ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0"
                )

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _immediate(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding the database's write lock from its first read."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # RunRateStore ------------------------------------------------------------------------

    def put_rate(self, key: str, entry: RateEntry) -> None:
        with self._immediate() as db:
            db.execute(
                "INSERT OR REPLACE INTO budget_rates (key, rate, currency, running, since) "
                "VALUES (?, ?, ?, ?, ?)",
                (key, str(entry.rate), entry.currency, int(entry.running), entry.since.isoformat()),
            )
            db.execute("DELETE FROM budget_rate_members WHERE key = ?", (key,))
            db.executemany(
                "INSERT INTO budget_rate_members (budget, key, reserved) VALUES (?, ?, ?)",
                [(budget, key, int(budget in entry.reserved)) for budget in entry.budgets],
            )

    def set_running(self, key: str, running: bool, at: datetime) -> bool:
        with self._immediate() as db:
            row = db.execute("SELECT running FROM budget_rates WHERE key = ?", (key,)).fetchone()
            if row is None:
                return False
            if bool(row[0]) != running:
                db.execute(
                    "UPDATE budget_rates SET running = ?, since = ? WHERE key = ?",
                    (int(running), at.isoformat(), key),
                )
                db.execute("UPDATE budget_rate_members SET reserved = 0 WHERE key = ?", (key,))
            return True

    def remove_rate(self, key: str) -> bool:
        with self._immediate() as db:
            db.execute("DELETE FROM budget_rate_members WHERE key = ?", (key,))
            return db.execute("DELETE FROM budget_rates WHERE key = ?", (key,)).rowcount == 1

    def running_rates(self, budgets: Sequence[str]) -> Mapping[str, list[RateEntry]]:
        found: dict[str, list[RateEntry]] = {budget: [] for budget in budgets}
        if not budgets:
            return found
        marks = ",".join("?" * len(budgets))
        with self._lock:
            rows = self._db.execute(
                "SELECT m.budget, r.rate, r.currency, r.since, m.reserved "
                "FROM budget_rate_members m "
                "JOIN budget_rates r ON r.key = m.key "
                f"WHERE r.running = 1 AND m.budget IN ({marks})",
                tuple(budgets),
            ).fetchall()
        for budget, rate, currency, since, reserved in rows:
            entry = RateEntry(
                Decimal(rate),
                currency,
                (budget,),
                True,
                datetime.fromisoformat(since),
                (budget,) if reserved else (),
            )
            found[budget].append(entry)
        return found

    # SignalStore -------------------------------------------------------------------------

    def record_signal(self, budget: str, period: str, figures: SignalFigures) -> None:
        with self._immediate() as db:
            row = db.execute(
                "SELECT actual, forecast FROM budget_signals WHERE budget = ? AND period = ?",
                (budget, period),
            ).fetchone()
            stored = _figures(row) if row else SignalFigures()
            merged = SignalFigures(
                _higher(stored.actual, figures.actual), _higher(stored.forecast, figures.forecast)
            )
            db.execute(
                "INSERT OR REPLACE INTO budget_signals (budget, period, actual, forecast) "
                "VALUES (?, ?, ?, ?)",
                (budget, period, _text(merged.actual), _text(merged.forecast)),
            )

    def signal_figures(self, budget: str, period: str) -> SignalFigures:
        with self._lock:
            row = self._db.execute(
                "SELECT actual, forecast FROM budget_signals WHERE budget = ? AND period = ?",
                (budget, period),
            ).fetchone()
        return _figures(row) if row else SignalFigures()

    # ReservationLedger -------------------------------------------------------------------

    def reserve(self, ledger: str, reservation_id: str, amount: Decimal, limit: Decimal) -> bool:
        if amount <= 0:
            raise ValueError(f"a reservation must be positive, not {amount}")
        with self._immediate() as db:
            found = db.execute(
                "SELECT state FROM budget_reservations WHERE id = ?", (reservation_id,)
            ).fetchone()
            if found is not None:
                return str(found[0]) != ReservationState.RELEASED
            committed, version = self._ledger(db, ledger)
            if committed + amount > limit:
                return False
            self._update_ledger(db, ledger, committed + amount, version)
            db.execute(
                "INSERT INTO budget_reservations (id, ledger, amount, state) VALUES (?, ?, ?, ?)",
                (reservation_id, ledger, str(amount), ReservationState.RESERVED.value),
            )
            return True

    def settle(self, reservation_id: str, cost: Decimal) -> bool:
        return self._close(reservation_id, ReservationState.SETTLED, cost)

    def release(self, reservation_id: str) -> bool:
        return self._close(reservation_id, ReservationState.RELEASED, Decimal(0))

    def committed(self, ledger: str) -> Decimal:
        with self._lock:
            row = self._db.execute(
                "SELECT committed FROM budget_ledgers WHERE ledger = ?", (ledger,)
            ).fetchone()
        return Decimal(row[0]) if row else Decimal(0)

    def _close(self, reservation_id: str, state: ReservationState, cost: Decimal) -> bool:
        """Move a reserved reservation to `state`; the ledger keeps `cost` instead of it."""
        with self._immediate() as db:
            row = db.execute(
                "SELECT ledger, amount, state FROM budget_reservations WHERE id = ?",
                (reservation_id,),
            ).fetchone()
            if row is None:
                raise ReservationNotFound(reservation_id)
            ledger, amount, current = row
            if current != ReservationState.RESERVED:
                return False
            committed, version = self._ledger(db, ledger)
            self._update_ledger(db, ledger, committed - Decimal(amount) + cost, version)
            db.execute(
                "UPDATE budget_reservations SET state = ?, cost = ? WHERE id = ?",
                (state.value, str(cost), reservation_id),
            )
            return True

    @staticmethod
    def _ledger(db: sqlite3.Connection, ledger: str) -> tuple[Decimal, int]:
        db.execute(
            "INSERT OR IGNORE INTO budget_ledgers (ledger, committed, version) VALUES (?, '0', 0)",
            (ledger,),
        )
        committed, version = db.execute(
            "SELECT committed, version FROM budget_ledgers WHERE ledger = ?", (ledger,)
        ).fetchone()
        return Decimal(committed), int(version)

    @staticmethod
    def _update_ledger(
        db: sqlite3.Connection, ledger: str, committed: Decimal, version: int
    ) -> None:
        updated = db.execute(
            "UPDATE budget_ledgers SET committed = ?, version = version + 1 "
            "WHERE ledger = ? AND version = ?",
            (str(committed), ledger, version),
        )
        if updated.rowcount != 1:
            raise RuntimeError(f"ledger {ledger!r} changed inside a write transaction")


def _figures(row: tuple[str | None, str | None]) -> SignalFigures:
    actual, forecast = row
    return SignalFigures(
        Decimal(actual) if actual is not None else None,
        Decimal(forecast) if forecast is not None else None,
    )


def _higher(stored: Decimal | None, new: Decimal | None) -> Decimal | None:
    if stored is None or new is None:
        return new if stored is None else stored
    return max(stored, new)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
