"""What became of each announced object, and of a rescan."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from costplane.billing.lake.writer import IngestReport
from costplane.domain.errors import DeliveryFailed

Status = Literal["ingested", "unchanged", "skipped", "rejected", "failed"]


class ObjectOutcome(BaseModel):
    """What became of one announced object (or, for a manifest, of its delivery)."""

    model_config = ConfigDict(frozen=True)

    uri: str
    status: Status
    reason: str | None = Field(None, description="Stable code: why skipped, rejected or failed.")
    message: str | None = None
    source: str | None = None
    report: IngestReport | None = None


class ScanReport(BaseModel):
    """A rescan: the deliveries it attempted, and how many were already in the lake."""

    model_config = ConfigDict(frozen=True)

    outcomes: list[ObjectOutcome]
    up_to_date: int

    def raise_for_failures(self) -> ScanReport:
        """Return the report, or raise DeliveryFailed so that the platform runs the scan again."""
        failed = [
            f"{o.uri}: {o.reason}: {o.message}" for o in self.outcomes if o.status == "failed"
        ]
        if failed:
            raise DeliveryFailed("; ".join(failed))
        return self


def skipped(uri: str, reason: str, message: str, source: str | None = None) -> ObjectOutcome:
    return ObjectOutcome(uri=uri, status="skipped", reason=reason, message=message, source=source)


def rejected(uri: str, reason: str, message: str, source: str) -> ObjectOutcome:
    return ObjectOutcome(uri=uri, status="rejected", reason=reason, message=message, source=source)


def failed(uri: str, exc: Exception, source: str) -> ObjectOutcome:
    return ObjectOutcome(
        uri=uri, status="failed", reason=type(exc).__name__, message=str(exc), source=source
    )
