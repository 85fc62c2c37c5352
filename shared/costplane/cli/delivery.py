"""What `costplane ingest` takes as one delivery: the bill files of the paths, directories and
glob patterns it is given, the source they are, and whether a person must confirm a
restatement of other files' rows."""

from __future__ import annotations

import glob
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from costplane.billing.focus.detect import detect
from costplane.billing.focus.sources.ai_reports import report_source
from costplane.billing.ingest.exports import BILL_SUFFIXES, REPORT_SUFFIXES
from costplane.billing.ingest.manifests import is_manifest

GLOB_CHARACTERS = frozenset("*?[")


class DeliveryError(ValueError):
    """Arguments that name no bill file, or files whose source cannot be told."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """The bill files of one delivery; `manifested` when a delivery manifest came with them,
    which says they are the whole delivery."""

    files: list[Path]
    manifested: bool


def _is_bill(path: Path) -> bool:
    """A bill file by its name, or JSON pages of an AI usage or cost report."""
    name = path.name.lower()
    if name.endswith(REPORT_SUFFIXES):
        return report_source(path) is not None
    return name.endswith(BILL_SUFFIXES)


def delivery_files(arguments: Sequence[Path]) -> Delivery:
    """Files as given; a directory's bill files (recursively); a pattern's matches (quoted
    patterns reach us unexpanded, and `**` matches any depth). Manifests are noted, not read."""
    files: list[Path] = []
    manifested = False
    for argument in arguments:
        if argument.is_dir():
            found = sorted(p for p in argument.rglob("*") if p.is_file())
        elif not argument.exists() and GLOB_CHARACTERS & set(str(argument)):
            found = sorted(Path(p) for p in glob.glob(str(argument), recursive=True))
            found = [p for p in found if p.is_file()]
        elif argument.is_file():
            files.append(argument)
            continue
        else:
            raise DeliveryError(f"no such file or directory: {argument}")
        manifested |= any(is_manifest(str(p)) for p in found)
        bills = [p for p in found if _is_bill(p)]
        if not bills:
            suffixes = ", ".join((*BILL_SUFFIXES, *REPORT_SUFFIXES))
            raise DeliveryError(f"no bill files ({suffixes}) in {argument}")
        files.extend(bills)
    manifested |= any(is_manifest(str(p)) for p in files)
    bills = [p for p in files if not is_manifest(str(p))]
    if not bills:
        raise DeliveryError("a manifest alone: give the bill files it lists too")
    return Delivery(list(dict.fromkeys(bills)), manifested)


def detected_source(files: Sequence[Path]) -> str:
    """The one source every file is, from its header; else DeliveryError naming candidates."""
    found = {path: detect(path) for path in files}
    undecided = [d for d in found.values() if d.source is None]
    if undecided:
        first = undecided[0]
        fits = ", ".join(first.candidates) if first.candidates else "no known source"
        raise DeliveryError(
            f"cannot tell the source of {first.file} (it fits: {fits}); pass --source"
        )
    sources = {d.source for d in found.values()}
    if len(sources) > 1:
        listed = "; ".join(f"{d.file}: {d.source}" for d in found.values())
        raise DeliveryError(f"the files are of different sources ({listed}); ingest each apart")
    (source,) = sources
    assert source is not None
    return source


def interactive() -> bool:
    """A person at a terminal, who can be asked to confirm (scripts and pipes are not)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def needs_confirmation(delivery: Delivery, replace: bool) -> bool:
    """Replacing other files' rows is confirmed with --replace when a person runs the ingest
    without a delivery manifest (which would say the files are the whole period)."""
    return not replace and not delivery.manifested and interactive()
