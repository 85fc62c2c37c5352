"""Package-data mapping tables (CSV) and vectorised lookups against them.

Tables are read once per process; lookups are `pc.index_in` + `take`, so a batch costs a
hash join, not a per-row dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv


@cache
def table(name: str) -> pa.Table:
    """A mapping table shipped in this package, every column a string."""
    data = resources.files(__package__).joinpath(name).read_bytes()
    reader = pacsv.read_csv(
        pa.BufferReader(data),
        convert_options=pacsv.ConvertOptions(
            strings_can_be_null=False, auto_dict_encode=False, column_types=None
        ),
    )
    return reader.cast(pa.schema([pa.field(n, pa.string()) for n in reader.column_names]))


def lookup(
    values: pa.Array, name: str, key: str, results: Sequence[str], *, casefold: bool = False
) -> list[pa.Array]:
    """For each value, the `results` columns of the row of `name` whose `key` equals it
    (null where no row matches). With `casefold`, keys compare lower-cased. The join runs on
    the distinct values (bill columns are low-cardinality), then expands by take."""
    mapping = table(name)
    keys = mapping[key].combine_chunks()
    distinct = pc.dictionary_encode(values)
    wanted = distinct.dictionary
    if casefold:
        keys, wanted = pc.utf8_lower(keys), pc.utf8_lower(wanted)
    index = pc.index_in(wanted, value_set=keys)
    return [
        mapping[column].combine_chunks().take(index).take(distinct.indices) for column in results
    ]
