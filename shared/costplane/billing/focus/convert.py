"""Vectorised conversion of source columns to FOCUS types that fails at the exact cell.

Every conversion is a whole-array pyarrow kernel. When one fails, the offending element is
found by bisecting the array (log2(n) kernel calls on slices, no per-row Python), so the
error still names the file, the source column and the 1-based source row.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from costplane.billing.focus.columns import DECIMAL, TIMESTAMP
from costplane.billing.focus.errors import BillFileError

WIDE_DECIMAL = pa.decimal256(76, 38)
log = logging.getLogger("costplane.billing")
"""Wide enough to parse any decimal string a bill carries before rounding to DECIMAL's scale."""

MULTIPLY_OPERAND = pa.decimal256(37, 10)
"""Product of two of these fits decimal256(75, 20); it is then rounded back to DECIMAL."""

SUM_OPERAND = pa.decimal128(37, 10)
"""Sum of two of these fits decimal128(38, 10), DECIMAL itself."""

_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError)

Kernel = Callable[[pa.Array], pa.Array]


@dataclass(frozen=True, slots=True)
class Where:
    """Locates array elements in the source: file name and the source row of each element."""

    file: str
    rows: pa.Array
    """int64 1-based source row number of each element (credit rows repeat their parent's)."""

    def error(self, column: str, index: int, message: str, code: str) -> BillFileError:
        row = self.rows[index].as_py() if index < len(self.rows) else None
        return BillFileError(self.file, message, column=column, row=row, code=code)


def per_distinct(values: pa.Array, kernel: Kernel) -> pa.Array:
    """`kernel` applied to the distinct values only, then expanded by take: bill columns
    repeat (a resource's id on every hour it ran), so costly string kernels run once each."""
    encoded = pc.dictionary_encode(values)
    return kernel(encoded.dictionary).take(encoded.indices)


def first_true(mask: pa.Array) -> int | None:
    """Index of the first true element of a boolean array (nulls count as false)."""
    if not pc.any(mask).as_py():
        return None
    return int(pc.index(pc.fill_null(mask, False), True).as_py())


def first_failing(values: pa.Array, kernel: Kernel) -> int:
    """Index of the first element on which `kernel` raises, found by bisection."""
    lo, hi = 0, len(values)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            kernel(values.slice(lo, mid - lo))
        except _ARROW_ERRORS:
            hi = mid
        else:
            lo = mid
    return lo


def convert(
    values: pa.Array, kernel: Kernel, column: str, where: Where, code: str, what: str
) -> pa.Array:
    """Run `kernel`; on failure, raise BillFileError at the first element it cannot convert."""
    try:
        return kernel(values)
    except _ARROW_ERRORS as exc:
        index = first_failing(values, kernel)
        raise where.error(column, index, f"{values[index].as_py()!r} is not {what}", code) from exc


def blank_to_null(values: pa.Array) -> pa.Array:
    """Empty strings as null (bills write both for "no value"); a cheap length check first,
    since most columns have none."""
    blank = pc.equal(pc.binary_length(values), 0)
    if not pc.any(blank).as_py():
        return values
    return pc.if_else(blank, pa.scalar(None, values.type), values)


def _round_decimal(values: pa.Array) -> pa.Array:
    return pc.cast(pc.round(values, 10), DECIMAL)


def to_decimal(values: pa.Array, column: str, where: Where) -> pa.Array:
    """Exact decimal128(38, 10): decimal strings are parsed as decimals, never through float.

    Values with more than 10 fractional digits are rounded half-to-even (the table's scale).
    Floats (Parquet doubles) are already binary in the source and are rounded to the scale.
    """
    kind = values.type
    if pa.types.is_null(kind):
        return pa.nulls(len(values), DECIMAL)
    if kind == DECIMAL:
        return values
    if pa.types.is_decimal(kind):
        exact = convert(values, _round_decimal, column, where, "bad_number", "a decimal in range")
        return report_underflow(values, exact, column, where)
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        cast = convert(
            values, lambda v: pc.cast(v, DECIMAL), column, where, "bad_number", "a finite number"
        )
        return report_underflow(values, cast, column, where)
    if pa.types.is_dictionary(kind):
        return to_decimal(pc.cast(values, kind.value_type), column, where)
    try:
        return pc.cast(values, DECIMAL)
    except _ARROW_ERRORS:
        pass
    text = blank_to_null(pc.utf8_trim_whitespace(pc.cast(values, pa.string())))
    malformed = pc.invert(pc.match_substring_regex(text, _NUMBER))
    index = first_true(malformed)
    if index is not None:
        message = f"{text[index].as_py()!r} is not a number"
        raise where.error(column, index, message, "bad_number")
    wide = convert(
        text,
        partial(pc.cast, target_type=WIDE_DECIMAL),
        column,
        where,
        "bad_number",
        "a number in range",
    )
    exact = convert(wide, _round_decimal, column, where, "bad_number", "a number in range")
    return report_underflow(wide, exact, column, where)


def _shown(value: object) -> str:
    return str(value.normalize()) if isinstance(value, Decimal) else str(value)


def report_underflow(source: pa.Array, exact: pa.Array, column: str, where: Where) -> pa.Array:
    """`exact`, after logging a warning that names the file, row and column when a non-zero
    source value is below DECIMAL's scale (1e-10) and so is stored as 0: reported, never
    zeroed in silence."""
    zeroed = pc.and_(
        pc.not_equal(source, pc.cast(0, source.type)), pc.equal(exact, pc.cast(0, DECIMAL))
    )
    index = first_true(zeroed)
    if index is not None:
        count = pc.sum(pc.cast(pc.fill_null(zeroed, False), pa.int64())).as_py()
        message = (
            f"{count} non-zero value(s) below the lake's precision (10 decimal places) are "
            f"stored as 0, the first {_shown(source[index].as_py())}"
        )
        log.warning("%s", where.error(column, index, message, "below_precision"))
    return exact


def to_text(values: pa.Array, *, blank_is_null: bool = True) -> pa.Array:
    """A plain string array: dictionaries decoded, numbers formatted and (by default) empty
    strings made null."""
    kind = values.type
    if pa.types.is_null(kind):
        return pa.nulls(len(values), pa.string())
    if pa.types.is_dictionary(kind):
        values = pc.cast(values, kind.value_type)
        kind = values.type
    if not pa.types.is_string(kind):
        values = pc.cast(values, pa.string())
    return blank_to_null(values) if blank_is_null else values


def _iso_aware(values: pa.Array) -> pa.Array:
    return pc.cast(values, TIMESTAMP)


def _iso_naive(values: pa.Array) -> pa.Array:
    return pc.cast(pc.cast(values, pa.timestamp("us")), TIMESTAMP)


_ZONED = r"(Z|[+-]\d\d:?\d\d)$"


def to_timestamp(
    values: pa.Array, column: str, where: Where, formats: Sequence[str] = ()
) -> pa.Array:
    """UTC microseconds from temporal columns or text: ISO 8601 with a zone, ISO 8601 without
    one (read as UTC), then the source's own strptime `formats` in order (first match wins).
    """
    kind = values.type
    if pa.types.is_null(kind):
        return pa.nulls(len(values), TIMESTAMP)
    if pa.types.is_timestamp(kind):
        if kind.tz is None:
            values = pc.cast(values, pa.timestamp("us"), safe=False)
        return pc.cast(values, TIMESTAMP, safe=False)
    if pa.types.is_date(kind):
        return _iso_naive(values)
    text = to_text(values)
    iso_first = _looks_iso(text) or not formats
    parsed = _parse_iso(text, column, where, strict=not formats) if iso_first else None
    if parsed is None or parsed.null_count > text.null_count:
        parsed = _parse_formats(text, formats, parsed)
        if not iso_first and parsed.null_count > text.null_count:
            parsed = pc.coalesce(parsed, _parse_iso(text, column, where, strict=False))
    index = first_true(pc.and_(pc.is_valid(text), pc.is_null(parsed)))
    if index is not None:
        raise where.error(column, index, _not_a_time(text, index), "bad_timestamp")
    return parsed


def _looks_iso(text: pa.Array) -> bool:
    """Whether the column's first value starts like ISO 8601 (decides which parser runs
    first, so a column in a source-specific format never pays for failed ISO casts)."""
    present = pc.drop_null(text)
    return bool(len(present)) and re.match(r"\d{4}-\d\d-\d\d", present[0].as_py()) is not None


def _parse_iso(text: pa.Array, column: str, where: Where, *, strict: bool) -> pa.Array:
    """ISO 8601 with a zone, or without one (read as UTC), or a mix of both; elements that
    are not ISO become null, or (`strict`) raise at the first of them."""
    try:
        return _iso_aware(text)
    except _ARROW_ERRORS:
        pass
    parsed = pa.nulls(len(text), TIMESTAMP)
    zoned = pc.match_substring_regex(text, _ZONED)
    for mask, kernel in ((zoned, _iso_aware), (pc.invert(zoned), _iso_naive)):
        part = pc.if_else(mask, text, pa.scalar(None, pa.string()))
        try:
            parsed = pc.coalesce(parsed, kernel(part))
        except _ARROW_ERRORS:
            if strict:
                bad = first_failing(part, kernel)
                raise where.error(column, bad, _not_a_time(text, bad), "bad_timestamp") from None
    return parsed


def _parse_formats(text: pa.Array, formats: Sequence[str], parsed: pa.Array | None) -> pa.Array:
    result = parsed if parsed is not None else pa.nulls(len(text), TIMESTAMP)
    for fmt in formats:
        pending = pc.and_(pc.is_valid(text), pc.is_null(result))
        if not pc.any(pending).as_py():
            break
        candidates = pc.if_else(pending, text, pa.scalar(None, pa.string()))
        attempt = pc.strptime(candidates, format=fmt, unit="us", error_is_null=True)
        result = pc.coalesce(result, pc.cast(attempt, TIMESTAMP))
    return result


def _not_a_time(text: pa.Array, index: int) -> str:
    return f"{text[index].as_py()!r} is not a date/time in a format this source writes"


def add(a: pa.Array, b: pa.Array) -> pa.Array:
    """Exact decimal sum in DECIMAL (operands are at most 27 integer digits)."""
    return pc.add(pc.cast(a, SUM_OPERAND), pc.cast(b, SUM_OPERAND))


def subtract(a: pa.Array, b: pa.Array) -> pa.Array:
    return pc.subtract(pc.cast(a, SUM_OPERAND), pc.cast(b, SUM_OPERAND))


PRICE_OPERAND = pa.decimal128(18, 10)
QUANTITY_OPERAND = pa.decimal128(19, 10)


def multiply(price: pa.Array, quantity: pa.Array) -> pa.Array:
    """Decimal product truncated to DECIMAL's 10 fractional digits (well inside the 1e-9
    tolerance FOCUS validation allows). Fast path in decimal128 when the operands fit
    (|price| < 1e8, |quantity| < 1e9), else exact in decimal256 and rounded."""
    try:
        narrow = pc.multiply(pc.cast(price, PRICE_OPERAND), pc.cast(quantity, QUANTITY_OPERAND))
    except _ARROW_ERRORS:
        product = pc.multiply(pc.cast(price, MULTIPLY_OPERAND), pc.cast(quantity, MULTIPLY_OPERAND))
        return _round_decimal(product)
    return pc.cast(narrow, DECIMAL, safe=False)


def zeros(length: int) -> pa.Array:
    return pa.repeat(pa.scalar(0, DECIMAL), length)


def _read_json_lines(lines: pa.Array, schema: pa.Schema | None) -> pa.Table:
    whole = pa.ListArray.from_arrays(pa.array([0, len(lines)], pa.int32()), lines)
    data = pc.binary_join(whole, "")[0].as_buffer()
    options = pajson.ParseOptions(
        explicit_schema=schema, unexpected_field_behavior="ignore" if schema else "infer"
    )
    table = pajson.read_json(pa.BufferReader(data), parse_options=options)
    if table.num_rows != len(lines):
        raise pa.ArrowInvalid(f"{table.num_rows} objects parsed from {len(lines)} lines")
    return table


def parse_json_objects(
    objects: pa.Array, column: str, where: Where, schema: pa.Schema | None = None
) -> pa.Table:
    """JSON object strings (one per row; null as {}) parsed by one pyarrow JSON read of the
    joined lines; the table has one row per element. A row that is not a JSON object (or
    does not fit `schema`) raises BillFileError at that row."""
    lines = pc.binary_join_element_wise(pc.fill_null(objects, "{}"), "", "\n")
    kernel = partial(_read_json_lines, schema=schema)
    try:
        return kernel(lines)
    except _ARROW_ERRORS as exc:
        index = first_failing(lines, kernel)
        message = f"{objects[index].as_py()!r} is not the JSON this column holds"
        raise where.error(column, index, message, "bad_json") from exc
