"""Every real data file in the repository (events/, tests/data/) says where it comes from.

A row of the SOURCES.md in its folder, or in the nearest folder above, names it with its source,
a licence that lets it be copied, and the first 16 hex digits of its SHA-256: an edited copy
cannot pass for the original, and the copies need no ../shared/data to be checked. Files whose
licence forbids copying (READ_IN_PLACE) stay out of the repository.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from tests.conftest import EVENTS, READ_IN_PLACE, REPO, TEST_DATA

WRITTEN_HERE = {
    EVENTS / "README.md",
    EVENTS / "inventory.json",  # the demo's seed inventory (events/README.md)
    TEST_DATA / "k8s" / "allocation.k8s.yaml",  # allocation rules (tests/data/k8s/SOURCES.md)
}
"""Files in the data folders that costplane wrote; they have no source row."""

NOT_COPYABLE = re.compile(r"elastic|not stated|no licen[cs]e|not verified", re.IGNORECASE)
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
Row = dict[str, str]


def _data_files() -> list[Path]:
    return sorted(
        path
        for root in (EVENTS, TEST_DATA)
        for path in root.rglob("*")
        if path.is_file() and path.name != "SOURCES.md" and path not in WRITTEN_HERE
    )


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in UNESCAPED_PIPE.split(line)[1:-1]]


def _is_separator(line: str) -> bool:
    return line.startswith("|") and set(line) <= set("|-: ")


def _rows(sources: Path) -> dict[str, Row]:
    """The rows of every table in `sources`, by their first cell, keyed by lower-case header."""
    rows: dict[str, Row] = {}
    header: list[str] | None = None
    lines = sources.read_text().splitlines()
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        if not line.startswith("|"):
            header = None
        elif header is None and _is_separator(following):
            header = [cell.lower() for cell in _cells(line)]
        elif header is not None and not _is_separator(line):
            row = dict(zip(header, _cells(line), strict=True))
            rows[row[header[0]].strip("`")] = row
    return rows


def _source_row(path: Path) -> Row | None:
    """The row naming `path` in the nearest SOURCES.md above it, if any."""
    for folder in path.parents:
        sources = folder / "SOURCES.md"
        if sources.is_file():
            return _rows(sources).get(path.relative_to(folder).as_posix())
        if folder in (EVENTS, TEST_DATA):
            return None
    return None


def _licence(row: Row) -> str:
    return next((value for key, value in row.items() if key.startswith("licen")), "")


def _shown(paths: list[Path]) -> list[str]:
    return [path.relative_to(REPO).as_posix() for path in paths]


def test_every_data_file_has_a_source_row_with_its_origin_and_licence() -> None:
    def described(row: Row | None) -> bool:
        return row is not None and bool(row.get("source repo")) and bool(_licence(row))

    assert _shown([p for p in _data_files() if not described(_source_row(p))]) == []


def test_no_data_file_in_the_repo_is_under_a_licence_that_forbids_copying_it() -> None:
    rows = {path: _source_row(path) for path in _data_files()}
    forbidden = [p for p, row in rows.items() if row and NOT_COPYABLE.search(_licence(row))]
    assert _shown(forbidden) == []


def test_every_data_file_has_the_digest_its_source_row_records() -> None:
    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]

    rows = {path: _source_row(path) for path in _data_files()}
    changed = [p for p, row in rows.items() if row and row.get("sha-256 (16)") != digest(p)]
    assert _shown(changed) == []


def test_no_file_read_in_place_has_been_copied_into_the_repo() -> None:
    restricted = {Path(relative).name for relative in READ_IN_PLACE}
    assert _shown([p for p in _data_files() if p.name in restricted]) == []
