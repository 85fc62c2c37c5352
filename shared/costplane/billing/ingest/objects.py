"""Where bill exports are read from: the object-store port a cloud adapter implements."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

CHUNK_BYTES = 1 << 20


class ObjectMissing(LookupError):
    """The object does not exist: deleted since it was announced, or not delivered yet."""


@dataclass(frozen=True, slots=True)
class StoredObject:
    uri: str
    size: int
    modified: datetime


class Readable(Protocol):
    """A binary stream, such as the blob a trigger hands over."""

    def read(self, size: int = -1, /) -> bytes: ...


class ObjectStore(Protocol):
    """A cloud's object storage, as the service needs it."""

    schemes: tuple[str, ...]
    """The URI schemes it serves, e.g. ("s3",)."""

    def download(self, uri: str, target: Path) -> None:
        """Stream the object to `target`; ObjectMissing if there is none."""
        ...

    def listing(self, location: str) -> Iterator[StoredObject]:
        """Every object whose URI starts with `location`."""
        ...
