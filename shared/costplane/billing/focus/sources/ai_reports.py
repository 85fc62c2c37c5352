"""What the OpenAI and Anthropic usage and cost report normalisers share.

A landed file holds the pages of ONE report for ONE organisation, as the API returned them
(one page, or a JSON array of pages). The organisation (BillingAccountId) is not in the
pages: it is the `--billing-account` of `costplane ingest` (`with_organisation`), else a
path segment `org=<organisation id>` of the landed file (`…/openai-usage/org=org-abc/
2025-08.json`); a file with neither is refused. Pages are read one at a time and their
results turned into Arrow columns per block of results (`pa.Table.from_pylist`), then
column maths: no Python loop per output row.
"""

from __future__ import annotations

import copy
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus.batch import Columns, Lineage, constant
from costplane.billing.focus.columns import DECIMAL, STRING, TIMESTAMP
from costplane.billing.focus.convert import Where, first_true
from costplane.billing.focus.dates import month_start, next_month_start
from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.json_pages import pages, read_head
from costplane.billing.focus.registry import DEFAULT_BATCH_ROWS
from costplane.domain.ai import AiVendor, TokenType

ORGANISATION_SEGMENT = re.compile(r"org=([^/\\]+)")
SNIFF_BYTES = 64 << 10
_ANTHROPIC_BUCKET = rb'"(?:starting|ending)_at"\s*:'
SIGNATURES = (
    ("openai-usage", (rb'"object"\s*:\s*"organization\.usage\.',)),
    ("openai-costs", (rb'"object"\s*:\s*"organization\.costs\.result"',)),
    ("anthropic-usage", (_ANTHROPIC_BUCKET, rb'"uncached_input_tokens"\s*:')),
    ("anthropic-cost", (_ANTHROPIC_BUCKET, rb'"amount"\s*:\s*"', rb'"currency"\s*:')),
)
"""What only each report's pages hold, within their first bucket and result: every
pattern of a report is in its head."""
_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError)

UNITS: dict[TokenType, str] = {
    TokenType.IMAGE: "Images",
    TokenType.CHARACTER: "Characters",
    TokenType.SECOND: "Seconds",
    TokenType.REQUEST: "Requests",
    TokenType.SESSION: "Sessions",
    TokenType.GIGABYTE_DAY: "GB-Days",
}
"""ConsumedUnit per token type (UnitFormat); every other type counts tokens."""


def unit_of(token_type: TokenType) -> str:
    return UNITS.get(token_type, "Tokens")


def report_source(path: Path) -> str | None:
    """The AI report a JSON file's first result says it is, or None (another kind of file,
    or pages without results)."""
    if not path.is_file():
        return None
    try:
        head = read_head(path, SNIFF_BYTES)
    except BillFileError:
        return None
    if head.lstrip()[:1] not in (b"{", b"["):
        return None
    return next(
        (name for name, marks in SIGNATURES if all(re.search(m, head) for m in marks)), None
    )


def organisation_of(path: Path) -> str | None:
    """The `org=<id>` segment of the file's path (the last one), if any."""
    found = ORGANISATION_SEGMENT.findall(str(path))
    return found[-1] if found else None


@dataclass(frozen=True, slots=True)
class Block:
    """The results of some consecutive buckets: their columns, bucket times and where each
    came from (page, bucket), to name them in errors."""

    file: str
    results: pa.Table
    start: pa.Array
    end: pa.Array
    rows: pa.Array
    """1-based ordinal of each result in the file (the rows' x_SourceRow)."""
    offsets: np.ndarray
    """Index of each bucket's first result; one more entry, the block's length."""
    buckets: list[tuple[int, int, str]]
    """(page, bucket in page, bucket start as written) per bucket."""

    @property
    def where(self) -> Where:
        return Where(self.file, self.rows)

    def locate(self, index: int) -> str:
        bucket = int(np.searchsorted(self.offsets, index, side="right")) - 1
        page, number, start = self.buckets[bucket]
        return f"page {page}, bucket {number} ({start}), result {index - self.offsets[bucket] + 1}"

    def error(self, index: int, field: str, message: str, code: str) -> BillFileError:
        row = int(self.rows[index].as_py())
        where = self.locate(index)
        return BillFileError(self.file, f"{where}: {message}", column=field, row=row, code=code)


class AiReportNormaliser(ABC):
    """One vendor report: the shape of its pages and results, and its FOCUS rows."""

    name: str
    vendor: ClassVar[AiVendor]
    sub_account_type: ClassVar[str]
    schema: ClassVar[pa.Schema]
    """Every field a result may have, typed; fields the API adds are refused if numeric."""
    required: ClassVar[tuple[str, ...]]
    organisation: str | None = None

    def with_organisation(self, organisation: str) -> Self:
        """This normaliser for files of `organisation` (costplane ingest --billing-account)."""
        named = copy.copy(self)
        named.organisation = organisation
        return named

    def batches(
        self, path: Path, *, ingestion_id: str, batch_rows: int = DEFAULT_BATCH_ROWS
    ) -> Iterator[pa.RecordBatch]:
        organisation = self.organisation or organisation_of(path)
        if not organisation:
            message = (
                "no organisation: land the file under a path segment org=<organisation id>"
                " or ingest it with --billing-account"
            )
            raise BillFileError(str(path), message, code="no_organisation")
        lineage = Lineage(self.name, str(path), ingestion_id)
        for block in self._blocks(path, max(batch_rows // 8, 1)):
            batch = self.normalise(block, lineage, organisation)
            for offset in range(0, batch.num_rows, batch_rows):
                yield batch.slice(offset, batch_rows)

    @abstractmethod
    def bucket_times(
        self, file: str, page: int, buckets: list[Any]
    ) -> tuple[list[int], list[int], list[object]]:
        """(start, end, as written) per bucket: microseconds since the epoch, and text."""

    @abstractmethod
    def normalise(self, block: Block, lineage: Lineage, organisation: str) -> pa.RecordBatch: ...

    def _blocks(self, path: Path, size: int) -> Iterator[Block]:
        file = str(path)
        pending: list[tuple[int, list[Any]]] = []
        count = 0
        ordinal = 1
        for number, page in pages(path):
            buckets = _buckets(file, number, page)
            pending.append((number, buckets))
            count += sum(len(b["results"]) for b in buckets)
            if count >= size:
                block = self._block(file, pending, ordinal)
                ordinal += len(block.results)
                pending, count = [], 0
                yield block
        if count:
            yield self._block(file, pending, ordinal)

    def _block(self, file: str, pending: list[tuple[int, list[Any]]], ordinal: int) -> Block:
        starts: list[int] = []
        ends: list[int] = []
        labels: list[tuple[int, int, str]] = []
        counts: list[int] = []
        for page, buckets in pending:
            start, end, written = self.bucket_times(file, page, buckets)
            starts += start
            ends += end
            labels += [(page, i, str(w)) for i, w in enumerate(written, start=1)]
            counts += [len(b["results"]) for b in buckets]
        results = list(chain.from_iterable(b["results"] for _, bs in pending for b in bs))
        offsets = np.concatenate(([0], np.cumsum(counts)))
        length = len(results)
        rows = pa.array(np.arange(ordinal, ordinal + length, dtype=np.int64))
        located = Block(
            file,
            pa.table({}),
            _times(np.repeat(starts, counts)),
            _times(np.repeat(ends, counts)),
            rows,
            offsets,
            labels,
        )
        return replace(located, results=self._table(located, results))

    def _table(self, block: Block, results: list[Any]) -> pa.Table:
        """The results as a table of `schema`; a result that is not an object, a value of
        the wrong type, a required field missing or a new numeric field is refused there."""
        try:
            table = pa.Table.from_pylist(results, schema=self.schema)
        except _ERRORS:
            bad, field, problem = self._first_bad(results)
            raise block.error(bad, field, problem, "bad_field") from None
        for name in self.required:
            index = first_true(pc.is_null(table[name]))
            if index is not None:
                message = f"no {name!r}: the report's shape changed (field missing or renamed)"
                raise block.error(index, name, message, "missing_field")
        self._refuse_new_counts(block, results)
        return table

    def _first_bad(self, results: list[Any]) -> tuple[int, str, str]:
        """Error path: the first result, and its field, that does not fit the schema."""
        for index, result in enumerate(results):
            if not isinstance(result, dict):
                return index, "results", f"{result!r} is not a result object"
            for field in self.schema:
                try:
                    pa.array([result.get(field.name)], field.type)
                except _ERRORS:
                    value = result.get(field.name)
                    return (
                        index,
                        field.name,
                        f"{value!r} is not a {field.type} as the API documents",
                    )
        return 0, "results", "a result does not fit the documented shape"

    def _refuse_new_counts(self, block: Block, results: list[Any]) -> None:
        """A numeric field the schema does not know, at the top or inside one of its
        objects (cache_creation, server_tool_use), would be usage left uncounted."""
        _refuse_unknown(block, results, self.schema, "")
        for field in self.schema:
            if pa.types.is_struct(field.type):
                inner = [r.get(field.name) for r in results]
                nested = pa.schema(list(field.type))
                _refuse_unknown(block, inner, nested, f"{field.name}.")


def _refuse_unknown(block: Block, objects: list[Any], schema: pa.Schema, prefix: str) -> None:
    present = [o for o in objects if isinstance(o, dict)]
    keys = set().union(*(o.keys() for o in present)) if present else set()
    for name in sorted(keys - set(schema.names)):
        index, value = next(
            (i, o[name]) for i, o in enumerate(objects) if isinstance(o, dict) and name in o
        )
        if isinstance(value, int | float | dict) and not isinstance(value, bool):
            message = (
                f"unknown field {prefix}{name!r} ({value!r}): usage this source does not"
                " count; the report's shape changed"
            )
            raise block.error(index, f"{prefix}{name}", message, "unknown_field")


def _times(micros: Sequence[int] | np.ndarray) -> pa.Array:
    return pa.array(np.asarray(micros, dtype=np.int64)).cast(TIMESTAMP)


def _buckets(file: str, number: int, page: Any) -> list[Any]:
    """The buckets of a page, each an object with a list of results."""
    data = page.get("data") if isinstance(page, dict) else None
    if not isinstance(data, list):
        message = f"page {number} has no 'data' list of buckets: not a report page"
        raise BillFileError(file, message, column="data", code="bad_page")
    for index, bucket in enumerate(data, start=1):
        if not isinstance(bucket, dict) or not isinstance(bucket.get("results"), list):
            message = f"page {number}, bucket {index} has no 'results' list"
            raise BillFileError(file, message, column="results", code="bad_page")
    return data


def expand(
    block: Block, parts: Sequence[tuple[TokenType, pa.Array]]
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """One row per (result, part) whose quantity is above zero, in file order: the index of
    each row's result, its token type and its quantity."""
    indices = []
    types = []
    quantities = []
    for token_type, quantity in parts:
        keep = pc.indices_nonzero(pc.fill_null(pc.greater(quantity, 0), False))
        indices.append(keep)
        types.append(pa.repeat(pa.scalar(token_type.value, STRING), len(keep)))
        quantities.append(pc.cast(quantity.take(keep), DECIMAL))
    index = pa.concat_arrays(indices)
    order = pc.sort_indices(index)
    return (
        index.take(order),
        pa.concat_arrays(types).take(order),
        pa.concat_arrays(quantities).take(order),
    )


def usage_columns(
    vendor: AiVendor, provider: str, organisation: str, start: pa.Array, end: pa.Array
) -> Columns:
    """The columns every AI usage or cost row of one organisation has alike."""
    length = len(start)
    period = month_start(start)
    return {
        "BillingAccountId": constant(organisation, length),
        "BillingAccountType": constant("Organization", length),
        "BillingPeriodStart": period,
        "BillingPeriodEnd": next_month_start(period),
        "ChargePeriodStart": start,
        "ChargePeriodEnd": end,
        "ChargeCategory": constant("Usage", length),
        "ChargeFrequency": constant("Usage-Based", length),
        "PricingCategory": constant("Standard", length),
        "InvoiceIssuerName": constant(provider, length),
        "ProviderName": constant(provider, length),
        "ServiceCategory": constant("AI and Machine Learning", length),
        "ServiceSubcategory": constant("Generative AI", length),
        "x_AiVendor": constant(vendor.value, length),
    }


def taken(values: Mapping[str, pa.Array], index: pa.Array) -> Columns:
    """Result columns repeated for their rows."""
    return {name: array.take(index) for name, array in values.items()}
