"""StateStore on SQLite: idempotency claims and the decisions audit log, safe across processes."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from costplane.domain.decisions import Decision

_SCHEMA = """
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id TEXT UNIQUE NOT NULL,
    decided_at TEXT NOT NULL,
    body TEXT NOT NULL
);
"""


class SqliteStateStore:
    """One SQLite file; WAL mode so that functions and the CLI can share it."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)

    def claim(self, key: str, ttl_seconds: int) -> bool:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM claims WHERE key = ? AND expires < ?", (key, now))
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO claims (key, expires) VALUES (?, ?)",
                    (key, now + ttl_seconds),
                )
            finally:
                self._db.execute("COMMIT")
        return cursor.rowcount == 1

    def release(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM claims WHERE key = ?", (key,))

    def append_decision(self, decision: Decision) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO decisions (decision_id, decided_at, body) VALUES (?, ?, ?)",
                (decision.decision_id, decision.decided_at.isoformat(), decision.model_dump_json()),
            )

    def recent_decisions(self, limit: int) -> list[Decision]:
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM decisions ORDER BY seq DESC LIMIT ?", (limit,)
            ).fetchall()
        return [Decision.model_validate_json(body) for (body,) in reversed(rows)]

    def close(self) -> None:
        self._db.close()
