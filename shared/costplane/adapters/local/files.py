"""Reports pulled on this machine (`costplane ai pull --out DIR`): each written to its path in
one step (a temporary file renamed over the last one), so a reader never sees half of it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class DirectoryWriter:
    """Lands a report as a file, its URI the file's path."""

    def put(self, uri: str, body: bytes) -> None:
        target = Path(uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        Path(temporary).replace(target)
