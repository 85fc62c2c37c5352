"""What the durable stores ask of a backend, in the shape of Powertools' BasePersistenceLayer.

The algorithms (state_records: claims; approval_records: settle while pending;
budget_records: run-rates, signals, reservations) are written once over these primitives, and
each backend (SQLite, DynamoDB, Azure Table, Firestore) implements only them, once, for every
store kind. A record is addressed by its kind and key and holds named fields; every change
touches one record and is guarded by the version read (an ETag, an updateTime, a token) or by
the record's absence, so a writer that loses a race learns it and the algorithm decides again.

Field names are lower case; a backend whose tables were first written otherwise capitalises
them (Table storage). Timestamps are written as datetimes, in the backend's own timestamp type
where it has one, and read back as RFC 3339 text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from costplane.approvals.model import ApprovalStatus
from costplane.domain.decisions import Decision

Value = str | bool | datetime
Fields = dict[str, Value]

STATUS, EXPIRES, RUNNING = "status", "expires", "running"
PENDING = ApprovalStatus.PENDING.value

_UTC_STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(?:Z|\+00:00)")


@dataclass(frozen=True, slots=True)
class Record:
    fields: Fields
    version: str


class Records(Protocol):
    """Records of one or more kinds, each addressed by `key` (Powertools' `_get_record`,
    `_put_record`, `_update_record`, `_delete_record`)."""

    def read(self, kind: str, key: str) -> Record | None: ...

    def create(self, kind: str, key: str, fields: Fields) -> bool:
        """Write a record only if absent; False when it exists."""
        ...

    def replace(self, kind: str, key: str, fields: Fields, version: str) -> bool:
        """Write a record only if still at `version`; False when it changed or went away."""
        ...

    def put(self, kind: str, key: str, fields: Fields) -> None:
        """Write a record whatever it held."""
        ...

    def delete(self, kind: str, key: str) -> bool:
        """Delete a record; False when there was none."""
        ...


class PendingRecords(Records, Protocol):
    def pending(self, kind: str, due_by: datetime | None) -> list[Fields]:
        """The records of `kind` whose `status` is pending, soonest `expires` first; only
        those expiring by `due_by` if given."""
        ...


class RunningRecords(Records, Protocol):
    def running(self, kind: str) -> list[Fields]:
        """The records of `kind` whose `running` is true."""
        ...


class ExpiringRecords(Records, Protocol):
    """A backend without a TTL of its own (Table storage): what has expired is found and
    deleted by costplane, each record only while still at the version found."""

    def expired(self, kind: str, before: datetime) -> list[Record]:
        """The records of `kind` whose `expires` is before `before`."""
        ...

    def discard(self, kind: str, key: str, version: str) -> bool:
        """Delete a record only if still at `version`; False when it changed or went away."""
        ...


class DecisionLog(Protocol):
    """The audit log: appended to, read newest first, never changed."""

    def append(self, decision: Decision) -> None: ...

    def newest(self, limit: int, now: datetime) -> list[str]:
        """The JSON bodies of the latest `limit` decisions, newest first."""
        ...


def due(fields: Fields) -> datetime | None:
    """When a pending record expires, which is what a backend's index of pending records holds;
    None for any other record, which that index leaves out."""
    expires = fields.get(EXPIRES)
    if fields.get(STATUS) == PENDING and isinstance(expires, datetime):
        return expires
    return None


def sha256_id(key: str) -> str:
    """`key` as an id where ids forbid characters keys hold (`/`, `#`): its SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()


def capitalised(field: str) -> str:
    """`field` named as Table storage entities (and the budget documents) name it."""
    return field[:1].upper() + field[1:]


def uncapitalised(name: str) -> str:
    return name[:1].lower() + name[1:]


def utc_stamp(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds, as Table storage and Firestore accept it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(value: str) -> datetime:
    """Read a UTC timestamp back; services return up to 7 (Azure) or 9 (Google) digits."""
    match = _UTC_STAMP.fullmatch(value)
    if match is None:
        raise ValueError(f"not a UTC timestamp: {value!r}")
    whole, fraction = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime.fromisoformat(whole).replace(microsecond=micros, tzinfo=UTC)
