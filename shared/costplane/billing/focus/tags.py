"""Tags, built column-wise: per-row key/value entries from any source shape, serialised to
the FOCUS `Tags` JSON object string and the `x_TagsMap` map column, without a per-row loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus.columns import TAGS_MAP
from costplane.billing.focus.convert import Where, parse_json_objects, to_text

ENTRY = pa.struct([pa.field("key", pa.string(), nullable=False), pa.field("value", pa.string())])
_NULL_TEXT = pa.scalar(None, pa.string())
_SHORT_ESCAPES = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


@dataclass(frozen=True, slots=True)
class Entries:
    """Tag entries of `len(counts)` rows: row i owns the next counts[i] keys/values."""

    counts: pa.Array
    keys: pa.Array
    values: pa.Array

    @property
    def num_rows(self) -> int:
        return len(self.counts)

    def parents(self) -> pa.Array:
        """Row index of every entry."""
        counts = self.counts.to_numpy(zero_copy_only=False)
        return pa.array(np.repeat(np.arange(len(counts), dtype=np.int64), counts))


def empty(num_rows: int) -> Entries:
    return Entries(
        pa.array(np.zeros(num_rows, dtype=np.int64)),
        pa.array([], pa.string()),
        pa.array([], pa.string()),
    )


def from_entry_lists(lists: pa.Array) -> Entries:
    """From list<struct<key, value>> (GCP labels) or map<string, string> (CUR 2.0 Parquet)."""
    if pa.types.is_map(lists.type):
        lists = pc.cast(
            lists, pa.list_(pa.struct([ENTRY[0], pa.field("value", lists.type.item_type)]))
        )
    flat = pc.list_flatten(lists)
    counts = pc.fill_null(pc.list_value_length(lists), 0)
    keys = to_text(flat.field("key"), blank_is_null=False)
    values = to_text(flat.field("value"))
    keep = pc.is_valid(keys)
    if keys.null_count:
        return _filtered(Entries(pc.cast(counts, pa.int64()), keys, values), keep)
    return Entries(pc.cast(counts, pa.int64()), keys, values)


def from_columns(columns: Sequence[pa.Array], keys: Sequence[str], num_rows: int) -> Entries:
    """One tag per column (AWS `resourceTags/user:*`, OCI `tags/<ns>.<key>`); blank cells are
    not tags."""
    if not columns or not num_rows:
        return empty(num_rows)
    width = len(columns)
    texts = [to_text(c) for c in columns]
    stacked = pa.concat_arrays(texts)
    row_major = (
        np.arange(width, dtype=np.int64)[None, :] * num_rows
        + np.arange(num_rows, dtype=np.int64)[:, None]
    )
    values = stacked.take(pa.array(row_major.ravel()))
    names = pa.array(list(keys), pa.string()).take(
        pa.array(np.tile(np.arange(width, dtype=np.int64), num_rows))
    )
    valid = pc.is_valid(values)
    counts = np.zeros(num_rows, dtype=np.int64)
    for text in texts:
        counts += text.is_valid().to_numpy(zero_copy_only=False)
    return Entries(pa.array(counts), names.filter(valid), values.filter(valid))


def from_json_objects(
    text: pa.Array, column: str, where: Where, *, wrap_bare: bool = False
) -> Entries:
    """From JSON object strings, one per row (CUR 2.0 CSV maps). With `wrap_bare`, objects
    written without their outer braces (Azure: '"k": "v","k2": "v2"') are wrapped first. Each
    distinct object is parsed once, all of them by one pyarrow JSON read of the joined
    lines, and rows take their object's entries."""
    objects = to_text(text)
    if wrap_bare:
        wrapped = pc.binary_join_element_wise("{", objects, "}", "")
        objects = pc.if_else(pc.starts_with(objects, "{"), objects, wrapped)
    encoded = pc.dictionary_encode(objects)
    distinct = encoded.dictionary
    if not len(distinct):
        return empty(len(objects))
    positions = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    _, first_rows = np.unique(positions, return_index=True)
    if len(positions) and positions.min() < 0:
        first_rows = first_rows[1:]
    distinct_where = Where(where.file, where.rows.take(pa.array(first_rows, pa.int64())))
    table = parse_json_objects(distinct, column, distinct_where)
    fields = []
    for name in table.column_names:
        values = table.column(name).combine_chunks()
        if pa.types.is_nested(values.type):
            index = int(pc.index(pc.is_valid(values), True).as_py())
            message = f"tag {name!r} has a nested value"
            raise distinct_where.error(column, index, message, "bad_tags")
        fields.append(values)
    per_object = from_columns(fields, table.column_names, len(distinct))
    return take(per_object, encoded.indices)


def take(entries: Entries, indices: pa.Array) -> Entries:
    """The entries of the given rows, in that order (rows may repeat)."""
    counts = entries.counts.to_numpy(zero_copy_only=False)
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    pairs = pa.StructArray.from_arrays([entries.keys, entries.values], fields=list(ENTRY))
    return from_entry_lists(pa.ListArray.from_arrays(pa.array(offsets), pairs).take(indices))


def rename_keys(entries: Entries, rename: Callable[[pa.Array], pa.Array]) -> Entries:
    return Entries(entries.counts, rename(entries.keys), entries.values)


def _filtered(entries: Entries, keep: pa.Array) -> Entries:
    parents = entries.parents().filter(keep)
    counts = np.bincount(parents.to_numpy(), minlength=entries.num_rows)
    return Entries(
        pa.array(counts.astype(np.int64)), entries.keys.filter(keep), entries.values.filter(keep)
    )


def merge(primary: Entries, secondary: Entries) -> Entries:
    """Primary entries plus the secondary ones whose key the row does not already have."""
    if not len(secondary.keys):
        return primary
    if not len(primary.keys):
        return secondary
    primary_parents, secondary_parents = primary.parents(), secondary.parents()
    primary_ids = pc.binary_join_element_wise(
        pc.cast(primary_parents, pa.string()), primary.keys, "\x1f"
    )
    secondary_ids = pc.binary_join_element_wise(
        pc.cast(secondary_parents, pa.string()), secondary.keys, "\x1f"
    )
    fresh = pc.invert(pc.is_in(secondary_ids, value_set=primary_ids))
    parents = pa.concat_arrays([primary_parents, secondary_parents.filter(fresh)])
    order = pc.sort_indices(parents)
    keys = pa.concat_arrays([primary.keys, secondary.keys.filter(fresh)]).take(order)
    values = pa.concat_arrays([primary.values, secondary.values.filter(fresh)]).take(order)
    counts = np.bincount(parents.to_numpy(), minlength=primary.num_rows).astype(np.int64)
    return Entries(pa.array(counts), keys, values)


def _json_string(text: pa.Array) -> pa.Array:
    """Each string as a JSON string literal, quotes included (RFC 8259 escaping)."""
    control = not pc.all(pc.utf8_is_printable(text)).as_py()
    quotes = pc.any(pc.match_substring(text, '"')).as_py()
    backslashes = pc.any(pc.match_substring(text, "\\")).as_py()
    escaped = pc.replace_substring(text, "\\", "\\\\") if backslashes else text
    if quotes:
        escaped = pc.replace_substring(escaped, '"', '\\"')
    if control:
        for code in range(0x20):
            char = chr(code)
            escaped = pc.replace_substring(
                escaped, char, _SHORT_ESCAPES.get(char, f"\\u{code:04x}")
            )
    return pc.binary_join_element_wise('"', escaped, '"', "")


def to_columns(entries: Entries) -> tuple[pa.Array, pa.Array]:
    """(`Tags` JSON object strings, `x_TagsMap` maps); both null on rows without tags."""
    counts = entries.counts.to_numpy(zero_copy_only=False)
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    no_tags = pa.array(counts == 0)
    values_json = pc.fill_null(_json_string(entries.values), "null")
    pairs = pc.binary_join_element_wise(_json_string(entries.keys), values_json, ":")
    rows = pa.ListArray.from_arrays(pa.array(offsets), pairs)
    body = pc.binary_join(rows, ",")
    tags_json = pc.if_else(no_tags, _NULL_TEXT, pc.binary_join_element_wise("{", body, "}", ""))
    tags_map = pa.MapArray.from_arrays(
        pa.array(offsets), entries.keys, entries.values, type=TAGS_MAP, mask=no_tags
    )
    return tags_json, tags_map
