"""StateStore over records: idempotency claims with a TTL, and the decisions audit log.

A claim is a record created only if absent, so of two deliveries of one event exactly one
creates it. A claim still held after its `expires` is taken over by a write guarded by the
version read, so two deliveries racing for an expired claim cannot both win either. Decisions
go to the backend's log, whose layout is its own (each keeps an index to read the latest).
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
)
from costplane.domain.decisions import Decision
from costplane.engine.ports import Clock

CLAIM = "claim"


class RecordStateStore:
    """StateStore: claims in `claims`, decisions in `log`."""

    def __init__(self, claims: Records, log: DecisionLog, clock: Clock) -> None:
        self.claims = claims
        self.log = log
        self.clock = clock

    def claim(self, key: str, ttl_seconds: int) -> bool:
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
        self.claims.delete(CLAIM, key)

    def append_decision(self, decision: Decision) -> None:
        self.log.append(decision)

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
