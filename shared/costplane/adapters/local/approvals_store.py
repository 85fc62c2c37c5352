"""ApprovalStore on SQLite: the local plane's requests, safe across threads and processes.

It may share the state file of `SqliteStateStore` (its own table). Deciding is one
`UPDATE … WHERE status = 'pending'`: SQLite serialises writers, so exactly one of two
concurrent decisions changes the row, in one process or several.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from costplane.approvals.model import ApprovalRequest, ApprovalStatus, stamp

_SCHEMA = """
CREATE TABLE IF NOT EXISTS approvals (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    expires TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approvals_pending ON approvals (expires) WHERE status = 'pending';
"""
_PENDING = ApprovalStatus.PENDING.value


class SqliteApprovalStore:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)

    def add(self, request: ApprovalRequest) -> bool:
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO approvals (id, status, expires, body) VALUES (?, ?, ?, ?)",
                (request.id, request.status, stamp(request.expires), request.model_dump_json()),
            )
        return cursor.rowcount == 1

    def get(self, request_id: str) -> ApprovalRequest | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM approvals WHERE id = ?", (request_id,)
            ).fetchone()
        return ApprovalRequest.model_validate_json(row[0]) if row else None

    def settle(self, decided: ApprovalRequest) -> bool:
        with self._lock:
            cursor = self._db.execute(
                "UPDATE approvals SET status = ?, body = ? WHERE id = ? AND status = ?",
                (decided.status, decided.model_dump_json(), decided.id, _PENDING),
            )
        return cursor.rowcount == 1

    def pending(self, due_by: datetime | None = None) -> list[ApprovalRequest]:
        query = "SELECT body FROM approvals WHERE status = ?"
        args: tuple[str, ...] = (_PENDING,)
        if due_by is not None:
            query += " AND expires <= ?"
            args += (stamp(due_by),)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY expires, id", args).fetchall()
        return [ApprovalRequest.model_validate_json(body) for (body,) in rows]

    def close(self) -> None:
        self._db.close()
