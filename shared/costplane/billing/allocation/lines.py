"""One record batch of bill lines, each column and tag read once however many rules use it.

A string column (or tag) is dictionary-encoded once per batch; a filter on it is then
decided on the few distinct values and mapped to the lines through their codes, so fifty
rules on one column cost one hash pass plus fifty integer lookups.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.allocation.errors import AllocationError
from costplane.billing.allocation.rules import Dimension

Mask = npt.NDArray[np.bool_]
Codes = npt.NDArray[np.int32]
TAGS_MAP = "x_TagsMap"


class LineView:
    """Columns, tag values and masks of one batch, as pyarrow arrays and numpy booleans."""

    def __init__(self, batch: pa.RecordBatch, tag_keys: Iterable[str]) -> None:
        self.batch = batch
        self.rows = batch.num_rows
        self._tag_keys = sorted(set(tag_keys))
        self._tags: dict[str, pa.Array] | None = None
        self._encoded: dict[Dimension, tuple[Codes, pa.Array]] = {}
        self._present: dict[Dimension, Mask] = {}

    def column(self, name: str) -> pa.Array:
        index = self.batch.schema.get_field_index(name)
        if index < 0:
            raise AllocationError("unknown_column", f"the bill lines have no column {name!r}")
        return self.batch.column(index)

    def value(self, dimension: Dimension) -> pa.Array:
        """The tag's value (null where the line lacks it) or the column, on each line."""
        if dimension.tag is None:
            assert dimension.column is not None
            return self.column(dimension.column)
        if self._tags is None:
            self._tags = tag_columns(self.column(TAGS_MAP), self._tag_keys)
        return self._tags[dimension.tag]

    def isin(self, dimension: Dimension, values: Sequence[str]) -> Mask:
        """Lines whose value is one of `values`."""
        return self._lookup(dimension, pc.is_in(self._dictionary(dimension), pa.array(values)))

    def has_value(self, dimension: Dimension) -> Mask:
        """Lines where the value is neither null nor empty: an empty tag is no tag."""
        if dimension not in self._present:
            present = pc.not_equal(self._dictionary(dimension), "")
            self._present[dimension] = self._lookup(dimension, present)
        return self._present[dimension]

    def _dictionary(self, dimension: Dimension) -> pa.Array:
        if dimension not in self._encoded:
            encoded = pc.dictionary_encode(self.value(dimension))
            codes = pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int32, copy=False)
            self._encoded[dimension] = (codes, encoded.dictionary)
        return self._encoded[dimension][1]

    def _lookup(self, dimension: Dimension, per_value: pa.Array) -> Mask:
        """Map a decision per distinct value onto the lines (code -1, null, maps to False)."""
        table = np.append(as_mask(per_value), False)
        mask: Mask = table[self._encoded[dimension][0]]
        return mask


def as_mask(values: pa.Array | pa.ChunkedArray) -> Mask:
    mask: Mask = pc.fill_null(values, False).to_numpy(zero_copy_only=False).astype(bool)
    return mask


def tag_columns(tags: pa.MapArray, keys: list[str]) -> dict[str, pa.Array]:
    """For each key, its first value in each line's tag map, in one pass over the map keys.

    Works on the map's flat key/value arrays with numpy (offsets say which line an entry
    belongs to), several times faster than one `map_lookup` per key.
    """
    offsets = tags.offsets.to_numpy()
    start, end = int(offsets[0]), int(offsets[-1])
    which = pc.index_in(tags.keys.slice(start, end - start), value_set=pa.array(keys, pa.string()))
    which_np = pc.fill_null(which, -1).to_numpy(zero_copy_only=False)
    items = tags.items.slice(start, end - start)
    valid_lines = as_mask(tags.is_valid())
    out: dict[str, pa.Array] = {}
    for i, key in enumerate(keys):
        entries = np.flatnonzero(which_np == i)
        lines = np.searchsorted(offsets, entries + start, side="right") - 1
        first = np.full(len(tags), -1, dtype=np.int64)
        first[lines[::-1]] = entries[::-1]
        first[~valid_lines] = -1
        out[key] = items.take(pa.array(first, mask=first < 0))
    return out
