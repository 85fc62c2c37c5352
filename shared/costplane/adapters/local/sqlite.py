"""Records in one SQLite file, for every store of the embedded plane, safe across threads and
processes.

One table holds the records of every kind: a row per (kind, key), its fields as a JSON object
(timestamps as ISO 8601 text, which sorts in time order), a version token that every write
renews, and the two columns the queries look up: `due`, the expiry of a pending record (NULL
otherwise, so that its index holds the pending ones only), and `running`. Creating is
`INSERT OR IGNORE`, a conditional write `UPDATE … WHERE version = ?`: single statements, which
SQLite runs one writer at a time, so of two racing writers in one process or several exactly
one changes the row. The decisions log keeps its own table, in the order it was appended. The
file runs in WAL mode, so that functions and the CLI can share it.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import datetime
from pathlib import Path

import orjson

from costplane.adapters.records import RUNNING, Fields, Record, due
from costplane.approvals.model import stamp
from costplane.domain.decisions import Decision

BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, key TEXT NOT NULL, fields TEXT NOT NULL, version TEXT NOT NULL,
    due TEXT, running INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX IF NOT EXISTS records_due ON records (kind, due) WHERE due IS NOT NULL;
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id TEXT UNIQUE NOT NULL,
    decided_at TEXT NOT NULL,
    body TEXT NOT NULL
);
"""


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection any thread may use (callers serialise), in autocommit mode, in WAL, waiting
    out other processes' writes, its rows addressable by column name."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
    )
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.row_factory = sqlite3.Row
    return db


_ROW = "INTO records (kind, key, fields, version, due, running) VALUES (?, ?, ?, ?, ?, ?)"


class SqliteRecords:
    """Records (and the decisions log) in the SQLite file at `path`."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.Lock()
        self._db = connect(path)
        self._db.executescript(_SCHEMA)

    def read(self, kind: str, key: str) -> Record | None:
        query = "SELECT fields, version FROM records WHERE kind = ? AND key = ?"
        rows = self._rows(query, kind, key)
        return Record(orjson.loads(rows[0]["fields"]), rows[0]["version"]) if rows else None

    def create(self, kind: str, key: str, fields: Fields) -> bool:
        return self._changes(f"INSERT OR IGNORE {_ROW}", kind, key, *_columns(fields))

    def replace(self, kind: str, key: str, fields: Fields, version: str) -> bool:
        return self._changes(
            "UPDATE records SET fields = ?, version = ?, due = ?, running = ? "
            "WHERE kind = ? AND key = ? AND version = ?",
            *_columns(fields),
            kind,
            key,
            version,
        )

    def put(self, kind: str, key: str, fields: Fields) -> None:
        self._changes(f"INSERT OR REPLACE {_ROW}", kind, key, *_columns(fields))

    def delete(self, kind: str, key: str) -> bool:
        return self._changes("DELETE FROM records WHERE kind = ? AND key = ?", kind, key)

    def pending(self, kind: str, due_by: datetime | None) -> list[Fields]:
        query = "SELECT fields FROM records WHERE kind = ? AND due IS NOT NULL"
        args = [kind]
        if due_by is not None:
            query += " AND due <= ?"
            args.append(stamp(due_by))
        query += " ORDER BY due, key"
        return [orjson.loads(row["fields"]) for row in self._rows(query, *args)]

    def of_kind(self, kind: str) -> list[Fields]:
        """Every record of `kind`, in key order (the local plane's resources)."""
        query = "SELECT fields FROM records WHERE kind = ? ORDER BY key"
        return [orjson.loads(row["fields"]) for row in self._rows(query, kind)]

    def running(self, kind: str) -> list[Fields]:
        query = "SELECT fields FROM records WHERE kind = ? AND running = 1"
        return [orjson.loads(row["fields"]) for row in self._rows(query, kind)]

    def append(self, decision: Decision) -> None:
        self._changes(
            "INSERT INTO decisions (decision_id, decided_at, body) VALUES (?, ?, ?)",
            decision.decision_id,
            decision.decided_at.isoformat(),
            decision.model_dump_json(),
        )

    def newest(self, limit: int, now: datetime) -> list[str]:
        query = "SELECT body FROM decisions ORDER BY seq DESC LIMIT ?"
        return [row["body"] for row in self._rows(query, limit)]

    def close(self) -> None:
        self._db.close()

    def _rows(self, query: str, *args: str | int) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(query, args).fetchall()

    def _changes(self, statement: str, *args: str | bool | None) -> bool:
        """Run one statement; whether it changed a row."""
        with self._lock:
            return self._db.execute(statement, args).rowcount == 1


def _columns(fields: Fields) -> tuple[str, str, str | None, bool]:
    """A row's fields, a new version, and what the queries look up: the expiry of a pending
    record and whether it runs."""
    text = {name: stamp(v) if isinstance(v, datetime) else v for name, v in fields.items()}
    until = due(fields)
    return (
        orjson.dumps(text).decode(),
        uuid.uuid4().hex,
        None if until is None else stamp(until),
        fields.get(RUNNING) is True,
    )
