"""What every tabular normaliser shares: open the bill, check its columns, map each batch."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus.batch import Lineage
from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.readers import Bill, SourceBatch, open_bill
from costplane.billing.focus.registry import DEFAULT_BATCH_ROWS


class TabularNormaliser(ABC):
    """A normaliser over a bill whose header is known before its rows.

    Subclasses name the source columns they need (`required`), how headers map to their own
    names (`rename`, None to skip a column, which also keeps Parquet reads projected), and
    map one SourceBatch to one FOCUS batch (`normalise`). `signature` matches a header
    (as written) that only this source's files have, to tell it from the other sources that
    can read the same file (see `costplane.billing.focus.detect`); None for a generic reader.
    """

    name: str
    required: Collection[str] = ()
    signature: re.Pattern[str] | None = None
    null_values: Sequence[str] = ("",)

    def rename(self, header: str) -> str | None:
        return header

    def open(self, path: Path, batch_rows: int) -> Bill:
        return open_bill(
            path, batch_rows=batch_rows, rename=self.rename, null_values=self.null_values
        )

    def check_columns(self, file: str, columns: Collection[str]) -> None:
        missing = [name for name in self.required if name not in columns]
        if missing:
            message = f"missing required column(s) {', '.join(missing)} for source {self.name!r}"
            raise BillFileError(file, message, column=missing[0], code="missing_column")

    def batches(
        self, path: Path, *, ingestion_id: str, batch_rows: int = DEFAULT_BATCH_ROWS
    ) -> Iterator[pa.RecordBatch]:
        bill = self.open(path, batch_rows)
        self.check_columns(str(path), bill.columns)
        lineage = Lineage(self.name, str(path), ingestion_id)
        for source in bill.batches:
            yield self.normalise(source, lineage)

    @abstractmethod
    def normalise(self, source: SourceBatch, lineage: Lineage) -> pa.RecordBatch: ...


def choose(
    conditions: Sequence[tuple[pa.Array, pa.Array | pa.Scalar]], default: pa.Array
) -> pa.Array:
    """Vectorised CASE WHEN: the value of the first true condition per row, else `default`."""
    if not conditions:
        return default
    masks = [pc.fill_null(mask, False) for mask, _ in conditions]
    names = [f"c{i}" for i in range(len(masks))]
    values = [
        value if isinstance(value, pa.Array) else pa.repeat(value, len(default))
        for _, value in conditions
    ]
    return pc.case_when(pa.StructArray.from_arrays(masks, names=names), *values, default)


def lookup_values(values: pa.Array, mapping: Mapping[str, str | None]) -> pa.Array:
    """Each value mapped through a small fixed table (null where the table has no entry)."""
    keys = pa.array(list(mapping), pa.string())
    index = pc.index_in(values, value_set=keys)
    return pa.array(list(mapping.values()), pa.string()).take(index)
