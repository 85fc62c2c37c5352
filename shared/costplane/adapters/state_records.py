"""StateStore over records: idempotency claims with a TTL, and the decisions audit log.

A claim is a record created only if absent, so of two deliveries of one event exactly one
creates it. A claim still held after its `expires` is taken over by a write guarded by the
version read, so two deliveries racing for an expired claim cannot both win either. Decisions
go to the backend's log, whose layout is its own (each keeps an index to read the latest).

Records fit every backend: a claim key longer than MAX_CLAIM_KEY bytes is stored as its head
and its SHA-256 (DynamoDB's partition key is at most 2,048 bytes), and a decision is stored
`bounded` (summarised when its JSON outgrows the smallest store's item).
"""

from __future__ import annotations

from datetime import timedelta

from costplane.adapters.records import (
    EXPIRES,
    DecisionLog,
    ExpiringRecords,
    Fields,
    Records,
    parse_utc,
    sha256_id,
)
from costplane.domain.decisions import Decision, bounded
from costplane.engine.ports import Clock

CLAIM = "claim"
MAX_CLAIM_KEY = 512


def claim_key(key: str) -> str:
    """`key` as stored: whole when short, else its head and the SHA-256 of all of it."""
    if len(key.encode()) <= MAX_CLAIM_KEY:
        return key
    return f"{key[:128]}#sha256:{sha256_id(key)}"


class RecordStateStore:
    """StateStore: claims in `claims`, decisions in `log`."""

    def __init__(self, claims: Records, log: DecisionLog, clock: Clock) -> None:
        self.claims = claims
        self.log = log
        self.clock = clock

    def claim(self, key: str, ttl_seconds: int) -> bool:
        key = claim_key(key)
        now = self.clock.now()
        fields: Fields = {"key": key, EXPIRES: now + timedelta(seconds=ttl_seconds)}
        if self.claims.create(CLAIM, key, fields):
            return True
        held = self.claims.read(CLAIM, key)
        if held is None:  # released between our create and our read
            return self.claims.create(CLAIM, key, fields)
        if parse_utc(str(held.fields[EXPIRES])) > now:
            return False
        return self.claims.replace(CLAIM, key, fields, held.version)

    def release(self, key: str) -> None:
        self.claims.delete(CLAIM, claim_key(key))

    def append_decision(self, decision: Decision) -> None:
        self.log.append(bounded(decision))

    def recent_decisions(self, limit: int) -> list[Decision]:
        """The latest `limit` decisions, oldest first."""
        bodies = self.log.newest(limit, self.clock.now())
        return [Decision.model_validate_json(body) for body in reversed(bodies)]


class ClaimSweep:
    """Deletes the claims that expired and nobody took, where the backend has no TTL of its own
    (Table storage); each only while still at the version found, so a claim taken over since
    stays."""

    def __init__(self, claims: ExpiringRecords, clock: Clock) -> None:
        self.claims = claims
        self.clock = clock

    def purge(self) -> int:
        """How many expired claims were deleted."""
        expired = self.claims.expired(CLAIM, self.clock.now())
        return sum(
            self.claims.discard(CLAIM, str(held.fields["key"]), held.version) for held in expired
        )
