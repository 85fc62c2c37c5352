"""Streaming readers for bill files (CSV, Parquet, NDJSON; gzip detected) as record batches.

Each reader yields `SourceBatch`es of bounded size and turns every failure of the underlying
reader into a BillFileError naming the file and, where it can be found, the row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from costplane.billing.focus.convert import Where, to_decimal, to_text, to_timestamp
from costplane.billing.focus.errors import BillFileError

SAMPLE_BYTES = 1 << 20
MIN_BLOCK = 256 << 10
MAX_BLOCK = 4 << 20
"""Arrow's streaming CSV/JSON readers keep a few dozen blocks in flight, so the block size,
not the file size, bounds memory: blocks stay small and a batch may hold fewer rows than
`batch_rows` (never more)."""

Rename = Callable[[str], str | None]
"""Maps a source header to the name the normaliser uses, or None to skip the column."""


class BillFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    NDJSON = "ndjson"


@dataclass(frozen=True, slots=True)
class SourceBatch:
    """Source columns of one batch, under the normaliser's names, and where they came from."""

    data: pa.RecordBatch
    file: str
    rows: pa.Array
    where: Where = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "where", Where(self.file, self.rows))

    @property
    def num_rows(self) -> int:
        return int(self.data.num_rows)

    def has(self, name: str) -> bool:
        return name in self.data.schema.names

    def raw(self, name: str) -> pa.Array:
        """The column as read (nulls of type null when the source has no such column)."""
        if name in self.data.schema.names:
            return self.data.column(name)
        return pa.nulls(self.num_rows)

    def text(self, name: str) -> pa.Array:
        return to_text(self.raw(name))

    def decimal(self, name: str) -> pa.Array:
        return to_decimal(self.raw(name), name, self.where)

    def timestamp(self, name: str, formats: Sequence[str] = ()) -> pa.Array:
        return to_timestamp(self.raw(name), name, self.where, formats)


@dataclass(frozen=True, slots=True)
class Bill:
    """An opened bill: its (renamed) schema, known before any row is read, and its batches."""

    schema: pa.Schema
    batches: Iterator[SourceBatch]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.schema.names)


def detect_format(path: Path) -> BillFormat:
    """By suffix (ignoring .gz), else by Parquet's magic bytes, else CSV."""
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".gzip")]
    last = suffixes[-1] if suffixes else ""
    if last in (".parquet", ".pq", ".snappy"):
        return BillFormat.PARQUET
    if last in (".json", ".ndjson", ".jsonl"):
        return BillFormat.NDJSON
    if last in (".csv", ".txt"):
        return BillFormat.CSV
    with path.open("rb") as handle:
        return BillFormat.PARQUET if handle.read(4) == b"PAR1" else BillFormat.CSV


def open_bill(
    path: Path,
    *,
    batch_rows: int,
    rename: Rename,
    null_values: Sequence[str] = ("",),
    json_schema: Callable[[dict[str, object]], pa.Schema] | None = None,
) -> Bill:
    """Open `path` in its format (CSV unless the name or magic bytes say Parquet or NDJSON);
    the header (or schema) is read and renamed eagerly. Only sources that pass `json_schema`
    read NDJSON."""
    if not path.is_file():
        raise BillFileError(str(path), "no such file", code="missing_file")
    if path.stat().st_size == 0:
        raise BillFileError(str(path), "the file is empty", code="empty_file")
    fmt = detect_format(path)
    if fmt is BillFormat.PARQUET:
        return _open_parquet(path, batch_rows, rename)
    if fmt is BillFormat.NDJSON:
        if json_schema is None:
            message = "this source is not exported as NDJSON; expected CSV or Parquet"
            raise BillFileError(str(path), message, code="unsupported_format")
        return _open_ndjson(path, batch_rows, json_schema)
    return _open_csv(path, batch_rows, rename, null_values)


def _row_numbers(start: int, count: int) -> pa.Array:
    return pa.array(np.arange(start, start + count, dtype=np.int64))


def _rename_all(file: str, names: Sequence[str], rename: Rename) -> list[str | None]:
    renamed = [rename(name) for name in names]
    seen: dict[str, str] = {}
    for original, new in zip(names, renamed, strict=True):
        if new is None:
            continue
        if new in seen:
            message = f"columns {seen[new]!r} and {original!r} both mean {new!r}"
            raise BillFileError(file, message, column=original, code="duplicate_column")
        seen[new] = original
    return renamed


def _sliced(batch: pa.RecordBatch, batch_rows: int) -> Iterator[pa.RecordBatch]:
    for offset in range(0, batch.num_rows, batch_rows):
        yield batch.slice(offset, batch_rows)


def _block_size(head: bytes, batch_rows: int) -> int:
    """Bytes per read block: `batch_rows` rows at the head's average line length, clamped."""
    line = max(len(head) // max(head.count(b"\n"), 1), 1)
    return min(max(batch_rows * line, MIN_BLOCK), MAX_BLOCK)


def _input(path: Path) -> pa.NativeFile:
    return pa.input_stream(str(path), compression="detect")


def _read_head(path: Path) -> bytes:
    """The first SAMPLE_BYTES (decompressed), to read the header and size the blocks."""
    try:
        with _input(path) as stream:
            head: bytes = stream.read(SAMPLE_BYTES)
    except (OSError, EOFError, pa.ArrowInvalid) as exc:
        message = f"cannot read the file ({exc}); it is truncated or corrupt"
        raise BillFileError(str(path), message, code="unreadable_file") from exc
    return head


def _open_csv(path: Path, batch_rows: int, rename: Rename, null_values: Sequence[str]) -> Bill:
    file = str(path)
    head = _read_head(path)
    text = head.decode("utf-8-sig", errors="replace")
    try:  # newline="": the csv module reads \r, \n and \r\n line ends alike, as Arrow does
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        message = f"not a CSV bill ({exc}); binary data or an unreadable dialect"
        raise BillFileError(file, message, code="unreadable_csv") from exc
    if not any(h.strip() for h in header):
        raise BillFileError(file, "the file has no header row", code="no_header")
    renamed = _rename_all(file, header, rename)
    placeholder = [new or f"__skip_{i}" for i, new in enumerate(renamed)]
    kept = [new for new in renamed if new is not None]
    reader_args = {
        "read_options": pacsv.ReadOptions(
            column_names=placeholder,
            skip_rows=1,
            block_size=_block_size(head, batch_rows),
            use_threads=True,
        ),
        "parse_options": pacsv.ParseOptions(newlines_in_values=True),
        "convert_options": pacsv.ConvertOptions(
            column_types=dict.fromkeys(kept, pa.string()),
            include_columns=kept,
            null_values=list(null_values),
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    }
    schema = pa.schema([pa.field(name, pa.string()) for name in kept])
    return Bill(schema, _csv_batches(path, batch_rows, len(header), reader_args))


def _csv_batches(
    path: Path, batch_rows: int, width: int, reader_args: dict[str, object]
) -> Iterator[SourceBatch]:
    file = str(path)
    next_row = 1
    try:
        with _input(path) as stream:
            for batch in pacsv.open_csv(stream, **reader_args):
                for part in _sliced(batch, batch_rows):
                    yield SourceBatch(part, file, _row_numbers(next_row, part.num_rows))
                    next_row += part.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        row, message = _locate_csv_error(path, width, str(exc))
        raise BillFileError(file, message, row=row, code="malformed_csv") from exc


def _locate_csv_error(path: Path, width: int, arrow_message: str) -> tuple[int | None, str]:
    """Error path only: re-scan the file to find the first record with the wrong field count
    (a truncated last line, an unterminated quote); Arrow's own message has no row number."""
    number = 0
    try:
        with _input(path) as raw:
            stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            records = csv.reader(stream, strict=True)
            next(records, None)
            for number, record in enumerate(records, start=1):
                if record and len(record) != width:
                    return number, (
                        f"expected {width} fields, found {len(record)} "
                        "(the row is truncated or malformed)"
                    )
            return None, arrow_message
    except csv.Error as exc:
        return number + 1, f"malformed CSV ({exc}); the row looks truncated"
    except (OSError, EOFError, pa.ArrowInvalid) as exc:
        return None, f"cannot read the file to the end ({exc}); it looks truncated"


def _open_parquet(path: Path, batch_rows: int, rename: Rename) -> Bill:
    file = str(path)
    try:
        parquet = pq.ParquetFile(str(path))
    except (pa.ArrowInvalid, OSError) as exc:
        message = f"not a readable Parquet file ({exc}); it may be truncated"
        raise BillFileError(file, message, code="unreadable_parquet") from exc
    names = parquet.schema_arrow.names
    renamed = _rename_all(file, names, rename)
    source = [name for name, new in zip(names, renamed, strict=True) if new is not None]
    kept = [new for new in renamed if new is not None]
    schema = pa.schema(
        [
            parquet.schema_arrow.field(name).with_name(new)
            for name, new in zip(source, kept, strict=True)
        ]
    )
    return Bill(schema, _parquet_batches(parquet, file, batch_rows, source, kept))


def _parquet_batches(
    parquet: pq.ParquetFile, file: str, batch_rows: int, source: list[str], kept: list[str]
) -> Iterator[SourceBatch]:
    next_row = 1
    try:
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=source):
            renamed = pa.RecordBatch.from_arrays(batch.columns, names=kept)
            yield SourceBatch(renamed, file, _row_numbers(next_row, batch.num_rows))
            next_row += batch.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        message = f"cannot read the Parquet data at or after this row ({exc})"
        raise BillFileError(file, message, row=next_row, code="unreadable_parquet") from exc


def _open_ndjson(
    path: Path, batch_rows: int, json_schema: Callable[[dict[str, object]], pa.Schema]
) -> Bill:
    file = str(path)
    head = _read_head(path)
    first_line = head.split(b"\n", 1)[0]
    try:
        first = orjson.loads(first_line)
    except orjson.JSONDecodeError as exc:
        raise BillFileError(file, f"not JSON: {exc}", row=1, code="malformed_json") from exc
    if not isinstance(first, dict):
        raise BillFileError(file, "a line is not a JSON object", row=1, code="malformed_json")
    schema = json_schema(first)
    options = {
        "read_options": pajson.ReadOptions(
            block_size=_block_size(head, batch_rows), use_threads=True
        ),
        "parse_options": pajson.ParseOptions(
            explicit_schema=schema, unexpected_field_behavior="ignore"
        ),
    }
    return Bill(schema, _ndjson_batches(path, batch_rows, options))


def _ndjson_batches(
    path: Path, batch_rows: int, options: dict[str, object]
) -> Iterator[SourceBatch]:
    file = str(path)
    next_row = 1
    try:
        with _input(path) as stream:
            for batch in pajson.open_json(stream, **options):
                for part in _sliced(batch, batch_rows):
                    yield SourceBatch(part, file, _row_numbers(next_row, part.num_rows))
                    next_row += part.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        row, message = _locate_json_error(path, str(exc))
        raise BillFileError(file, message, row=row, code="malformed_json") from exc


def _locate_json_error(path: Path, arrow_message: str) -> tuple[int | None, str]:
    """Error path only: find the first line that is not a JSON object."""
    try:
        with _input(path) as raw:
            for number, line in enumerate(io.BufferedReader(raw), start=1):
                if not line.strip():
                    continue
                try:
                    orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    return number, f"not a JSON object ({exc}); the line may be truncated"
    except (OSError, EOFError, pa.ArrowInvalid) as exc:
        return None, f"cannot read the file to the end ({exc}); it looks truncated"
    return None, f"a value has an unexpected type ({arrow_message})"
