"""Where the mark sweep stopped, as one record per sweep in the plane's claims store: a sweep
that ran out of time resumes at the scope, page token and position it saved."""

from __future__ import annotations

from costplane.adapters.records import Fields, Records
from costplane.tagging.ports import Cursor

CURSOR = "sweep-cursor"


class RecordCursorStore:
    """CursorStore over `records` (the claims table: its keys never start with `sweep-cursor#`)."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def load(self, name: str) -> Cursor:
        found = self.records.read(CURSOR, _key(name))
        if found is None:
            return Cursor()
        fields = found.fields
        scope, token = fields.get("scope"), fields.get("token")
        return Cursor(
            scope if isinstance(scope, str) and scope else None,
            token if isinstance(token, str) and token else None,
            int(str(fields.get("done", "0"))),
        )

    def save(self, name: str, cursor: Cursor) -> None:
        fields: Fields = {
            "scope": cursor.scope or "",
            "token": cursor.token or "",
            "done": str(cursor.done),
        }
        self.records.put(CURSOR, _key(name), fields)


def _key(name: str) -> str:
    return f"{CURSOR}#{name}"
