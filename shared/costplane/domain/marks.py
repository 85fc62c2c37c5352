"""Mark-for-op: a scheduled action written into a tag, readable on every cloud.

The value is label-safe (GCP labels allow only lowercase letters, digits, `-` and `_`):
`stop-20261128t0615z` means "stop this resource at 2026-11-28 06:15 UTC".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from costplane.domain.decisions import ActionKind

_FORMAT = "%Y%m%dt%H%Mz"


@dataclass(frozen=True, slots=True)
class Mark:
    op: ActionKind
    at: datetime

    def encode(self) -> str:
        return f"{self.op.value}-{self.at.astimezone(UTC).strftime(_FORMAT)}"

    def due(self, now: datetime) -> bool:
        return now >= self.at


def decode_mark(value: str) -> Mark | None:
    """Read a mark back; None for a value we did not write."""
    op, _, stamp = value.rpartition("-")
    try:
        return Mark(ActionKind(op), datetime.strptime(stamp, _FORMAT).replace(tzinfo=UTC))
    except ValueError:
        return None
