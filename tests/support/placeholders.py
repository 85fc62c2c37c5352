"""The documentation samples in events/ with their placeholders filled (costplane.cli.samples),
for tests that want a sample's events: the files themselves stay byte-identical to their
sources, and costplane rejects an unfilled sample's identities."""

from __future__ import annotations

from pathlib import Path

from costplane.cli.samples import filled

__all__ = ["filled", "filled_bytes"]


def filled_bytes(path: Path) -> bytes:
    """The sample at `path`, its placeholders filled."""
    return filled(path.read_text()).encode()
