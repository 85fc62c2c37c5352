"""Stream FOCUS record batches into Iceberg data files, one restatement key per file.

Nothing is committed here: the files are written next to the table's data and handed to a
restatement, which commits them all in one snapshot (or deletes them if the ingest fails).
Memory is bounded by one batch: each slice goes straight into its file's Parquet writer.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.conversions import from_bytes
from pyiceberg.io.fileformat import FileFormatFactory, FileFormatWriter
from pyiceberg.manifest import DataFile, DataFileContent, FileFormat
from pyiceberg.partitioning import PartitionFieldValue, PartitionKey
from pyiceberg.schema import Schema
from pyiceberg.table import Table, TableProperties
from pyiceberg.types import MapType, NestedField, PrimitiveType
from pyiceberg.utils.properties import property_as_int

from costplane.billing.focus.columns import focus_arrow_schema
from costplane.billing.lake.table import RESTATEMENT_KEY, RestatementKey

FIELD_ID = b"PARQUET:field_id"
FILE_KEY = (*RESTATEMENT_KEY, "ProviderName")
"""What one data file holds a single value of: its restatement key and its partition."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def key_of_file(data_file: DataFile, schema: Schema) -> RestatementKey | None:
    """The key every row of `data_file` has, proven from its column bounds; None if mixed.

    Files this module writes always have one (the key columns carry untruncated bounds);
    files written by other engines may not, and are then rewritten row by row.
    """
    values: list[Any] = []
    for name in RESTATEMENT_KEY:
        field = schema.find_field(name)
        lower = data_file.lower_bounds.get(field.field_id)
        upper = data_file.upper_bounds.get(field.field_id)
        if lower is None or lower != upper or data_file.null_value_counts.get(field.field_id):
            return None
        assert isinstance(field.field_type, PrimitiveType)
        values.append(from_bytes(field.field_type, lower))
    source, account, micros = values
    return RestatementKey(str(source), str(account), EPOCH + timedelta(microseconds=int(micros)))


def parquet_schema(arrow: pa.Schema, schema: Schema) -> pa.Schema:
    """`arrow` with the Iceberg field ids attached, so readers resolve columns by id."""

    def with_id(field: pa.Field, field_id: int) -> pa.Field:
        return field.with_metadata({FIELD_ID: str(field_id).encode()})

    def convert(field: pa.Field, iceberg: NestedField) -> pa.Field:
        if isinstance(iceberg.field_type, MapType):
            map_type = iceberg.field_type
            field = field.with_type(
                pa.map_(
                    with_id(field.type.key_field, map_type.key_id),
                    with_id(field.type.item_field, map_type.value_id),
                )
            )
        return with_id(field, iceberg.field_id)

    return pa.schema([convert(f, schema.find_field(f.name)) for f in arrow])


def split_by_file_key(batch: pa.RecordBatch) -> Iterator[tuple[tuple[object, ...], pa.RecordBatch]]:
    """The slices of `batch` that share a FILE_KEY value; a bill's batch is usually one."""
    groups = pa.Table.from_batches([batch]).group_by(list(FILE_KEY)).aggregate([]).to_pylist()
    if len(groups) == 1:
        yield tuple(groups[0][c] for c in FILE_KEY), batch
        return
    for group in groups:
        mask = functools.reduce(pc.and_, (pc.equal(batch[c], group[c]) for c in FILE_KEY))
        yield tuple(group[c] for c in FILE_KEY), batch.filter(mask)


@dataclass(slots=True)
class _OpenFile:
    path: str
    partition: PartitionKey
    writer: FileFormatWriter
    nbytes: int = 0


class DataFileWriter:
    """Writes batches of one table's rows as Parquet data files named `<prefix>-<n>.parquet`.

    A file is rolled over when it reaches the table's target file size (measured, like
    pyiceberg does, in in-memory Arrow bytes).
    """

    def __init__(self, table: Table, prefix: str) -> None:
        self._table = table
        self.prefix = prefix
        self._file_schema = table.schema().select(*focus_arrow_schema().names)
        self._arrow_schema = parquet_schema(focus_arrow_schema(), self._file_schema)
        self._target_bytes = property_as_int(
            table.properties,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT,
        )
        self._format = FileFormatFactory.get(FileFormat.PARQUET)
        self._counter = itertools.count()
        self._open: dict[tuple[object, ...], _OpenFile] = {}
        self._closed: list[DataFile] = []

    def write(self, batch: pa.RecordBatch) -> set[RestatementKey]:
        """Append `batch` to its files; return the restatement keys it holds."""
        keys = set()
        for file_key, part in split_by_file_key(batch):
            self._append(file_key, part)
            source, account, period, _ = file_key
            keys.add(RestatementKey(str(source), str(account), cast(datetime, period)))
        return keys

    def close(self) -> list[DataFile]:
        """Finish every open file and return all data files written."""
        for file_key in list(self._open):
            self._finish(file_key)
        return list(self._closed)

    def abort(self) -> None:
        """Delete every file written so far; they were never committed."""
        for file_key in list(self._open):
            self._finish(file_key)
        for data_file in self._closed:
            self._table.io.delete(data_file.file_path)
        self._closed.clear()

    def _append(self, file_key: tuple[object, ...], batch: pa.RecordBatch) -> None:
        current = self._open.get(file_key) or self._new_file(file_key)
        self._open[file_key] = current
        arrays = pa.RecordBatch.from_arrays(batch.columns, schema=self._arrow_schema)
        current.writer.write(pa.Table.from_batches([arrays]))
        current.nbytes += batch.nbytes
        if self._target_bytes is not None and current.nbytes >= self._target_bytes:
            self._finish(file_key)

    def _new_file(self, file_key: tuple[object, ...]) -> _OpenFile:
        values = dict(zip(FILE_KEY, file_key, strict=True))
        schema = self._table.schema()
        spec = self._table.spec()
        field_values = []
        for field in spec.fields:
            source = schema.find_field(field.source_id)
            raw = values[source.name]
            if isinstance(raw, datetime):
                raw = (raw - EPOCH) // timedelta(microseconds=1)
            field_values.append(
                PartitionFieldValue(field, field.transform.transform(source.field_type)(raw))
            )
        partition = PartitionKey(field_values, spec, schema)
        name = f"{self.prefix}-{next(self._counter):05d}.parquet"
        path = self._table.location_provider().new_data_location(name, partition)
        writer = self._format.create_writer(
            self._table.io.new_output(path), self._file_schema, self._table.properties
        )
        return _OpenFile(path, partition, writer)

    def _finish(self, file_key: tuple[object, ...]) -> None:
        done = self._open.pop(file_key)
        statistics = done.writer.close()
        self._closed.append(
            DataFile.from_args(
                content=DataFileContent.DATA,
                file_path=done.path,
                file_format=FileFormat.PARQUET,
                partition=done.partition.partition,
                file_size_in_bytes=len(self._table.io.new_input(done.path)),
                sort_order_id=None,
                spec_id=self._table.spec().spec_id,
                equality_ids=None,
                key_metadata=None,
                **statistics.to_serialized_dict(),
            )
        )
