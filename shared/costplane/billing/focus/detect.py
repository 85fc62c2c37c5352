"""Which source a bill file really is, from its header alone.

Several normalisers can read one file (a legacy CUR fits aws-cur and aws-cur2, a FOCUS file
fits focus, aws-focus and azure-focus), and the source name is part of the restatement key:
taken under the wrong one, the same bill lands in the lake twice. So a file's candidates are
the sources whose required columns it has; the one it really is is the candidate whose
`signature` (a header only that export has) it carries, else the only candidate without a
signature (the generic reader), else none: then the candidates are named and the caller
must choose.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.readers import open_bill
from costplane.billing.focus.registry import Normaliser, registered
from costplane.billing.focus.sources.ai_reports import AiReportNormaliser, report_source
from costplane.billing.focus.sources.base import TabularNormaliser


@dataclass(frozen=True, slots=True)
class Detection:
    """The sources that can read a file, and the one it really is (None when undecided)."""

    file: str
    candidates: tuple[str, ...]
    source: str | None

    def fits(self, name: str) -> bool:
        """`name` may take the file: it is the file's source, or one of undecided candidates."""
        return name == self.source if self.source else name in self.candidates


def raw_headers(path: Path) -> tuple[str, ...]:
    """The file's column names as written (CSV header, Parquet schema, first NDJSON object)."""
    bill = open_bill(
        path,
        batch_rows=1,
        rename=lambda header: header.strip().lstrip("\ufeff"),
        json_schema=lambda first: pa.schema([(key, pa.string()) for key in first]),
    )
    return bill.columns


def _reads(normaliser: TabularNormaliser, path: Path) -> bool:
    try:
        normaliser.check_columns(str(path), normaliser.open(path, 1).columns)
    except BillFileError:
        return False
    return True


def detect(path: Path) -> Detection:
    """The registered tabular sources that can read `path`, and which one it is; an AI
    usage or cost report (JSON pages) is the report its first result says."""
    report = report_source(path)
    if report is not None:
        return Detection(str(path), (report,), report)
    headers = raw_headers(path)
    tabular = [n for n in registered().values() if isinstance(n, TabularNormaliser)]
    fitting = sorted((n for n in tabular if _reads(n, path)), key=lambda n: n.name)
    signed = [n.name for n in fitting if n.signature and any(map(n.signature.fullmatch, headers))]
    generic = [n.name for n in fitting if n.signature is None]
    source = signed[0] if len(signed) == 1 else None
    if not signed and len(generic) == 1:
        source = generic[0]
    candidates = tuple(signed) if len(signed) > 1 else tuple(n.name for n in fitting)
    return Detection(str(path), candidates, source)


def check_source(path: Path, normaliser: Normaliser) -> None:
    """Refuse `path` under `normaliser` when the file is another source (BillFileError).
    AI report pages are the report their first result says; other normalisers that are
    not tabular (plug-ins reading other formats) are taken at their word."""
    report = report_source(path)
    if report is not None or isinstance(normaliser, AiReportNormaliser):
        if report is not None and report != normaliser.name:
            message = f"this file is {report}, not {normaliser.name}: use --source {report}"
            raise BillFileError(str(path), message, code="wrong_source")
        return
    if not isinstance(normaliser, TabularNormaliser):
        return
    found = detect(path)
    if found.fits(normaliser.name) or not found.candidates:
        return
    if found.source:
        message = f"this file is {found.source}, not {normaliser.name}: use --source {found.source}"
    else:
        message = f"this file is not {normaliser.name}; it fits {', '.join(found.candidates)}"
    raise BillFileError(str(path), message, code="wrong_source")
