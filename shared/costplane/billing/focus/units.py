"""Provider units in FOCUS UnitFormat ("Hrs" -> "Hours", "GB-Mo" -> "GB-Months").

Units are low-cardinality, so each distinct value is rewritten once (in Python, per value)
and the array is rebuilt with a dictionary take: cost is per distinct unit, not per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from costplane.billing.focus.convert import to_text
from costplane.billing.focus.mappings import table

_TIME = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "Hour"),
    **dict.fromkeys(("mo", "mon", "mos", "month", "months"), "Month"),
    **dict.fromkeys(("d", "day", "days"), "Day"),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "Second"),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), "Minute"),
    **dict.fromkeys(("ms", "millisecond", "milliseconds"), "Millisecond"),
    **dict.fromkeys(("yr", "yrs", "year", "years"), "Year"),
}
_CANONICAL_SIZES = frozenset(
    [
        "b",
        "Kb",
        "Mb",
        "Gb",
        "Tb",
        "Pb",
        "Eb",
        "B",
        "KB",
        "MB",
        "GB",
        "TB",
        "PB",
        "EB",
        "Kib",
        "Mib",
        "Gib",
        "Tib",
        "Pib",
        "Eib",
        "KiB",
        "MiB",
        "GiB",
        "TiB",
        "PiB",
        "EiB",
    ]
)
_SIZE_WORDS = {
    **{u.lower(): u for u in _CANONICAL_SIZES if u.endswith("B")},
    **dict.fromkeys(("byte", "bytes"), "B"),
    **dict.fromkeys(("kilobyte", "kilobytes"), "KB"),
    **dict.fromkeys(("megabyte", "megabytes"), "MB"),
    **dict.fromkeys(("gigabyte", "gigabytes"), "GB"),
    **dict.fromkeys(("terabyte", "terabytes"), "TB"),
    **dict.fromkeys(("mebibyte", "mebibytes"), "MiB"),
    **dict.fromkeys(("gibibyte", "gibibytes"), "GiB"),
    **dict.fromkeys(("tebibyte", "tebibytes"), "TiB"),
}

_SIZES = "|".join(sorted(_CANONICAL_SIZES))
_TIMES = "Year|Month|Day|Hour|Minute|Second"
_COUNT = r"[A-Za-z][A-Za-z0-9]*(?:\s+[A-Za-z][A-Za-z0-9]*)*"
_PLURAL_TIMES = "Years|Months|Days|Hours|Minutes|Seconds"
VALID_UNIT = re.compile(
    "|".join(
        f"(^{p}$)"
        for p in (
            f"({_SIZES}|{_TIMES}|{_PLURAL_TIMES}|{_COUNT})",
            f"({_SIZES}|{_COUNT})-({_PLURAL_TIMES})",
            f"({_SIZES}|{_COUNT}|{_PLURAL_TIMES})/({_TIMES})",
            f"[0-9]+ ({_SIZES}|{_TIMES}|{_PLURAL_TIMES}|{_COUNT})",
            f"({_SIZES}|{_COUNT}|{_PLURAL_TIMES})/[0-9]+ ({_PLURAL_TIMES})",
        )
    )
)
"""The UnitFormat patterns the FinOps Foundation's focus-validator 2.2.1 accepts."""


def _size(word: str) -> str | None:
    return word if word in _CANONICAL_SIZES else _SIZE_WORDS.get(word.lower())


def _time(word: str) -> str | None:
    return _TIME.get(word.lower())


def _count(word: str) -> str:
    return word[:1].upper() + word[1:] if word.islower() else word


def _simple(text: str) -> str:
    words = [w for w in re.split(r"[-\s]+", text.strip()) if w]
    if not words:
        return text
    times = [_time(w) for w in words]
    sizes = [_size(w) for w in words]
    if len(words) == 1:
        return f"{times[0]}s" if times[0] else sizes[0] or _count(words[0])
    if times[-1] and len(words) >= 2:
        base = next((s for s in sizes[:-1] if s), None) or " ".join(_count(w) for w in words[:-1])
        return f"{base}-{times[-1]}s"
    if not any(sizes) and not text.islower():
        return text.strip()
    return " ".join(sizes[i] or _count(w) for i, w in enumerate(words))


def _denominator(text: str) -> str:
    match = re.fullmatch(r"\s*(\d+)\s+(\S+)\s*", text)
    if match and _time(match.group(2)):
        return f"{match.group(1)} {_time(match.group(2))}s"
    time = _time(text.strip())
    return time or _simple(text)


@cache
def unit_format(raw: str) -> str:
    """One provider unit in FOCUS UnitFormat; values we cannot place are returned trimmed."""
    text = raw.strip()
    known = _overrides().get(text)
    if known is None and re.search(r"\sper\s", text, flags=re.IGNORECASE):
        return unit_format(re.sub(r"\s+per\s+", "/", text, flags=re.IGNORECASE))
    if known is not None:
        return known
    quantity, rest = "", text
    match = re.fullmatch(r"(\d+)\s+(.+)", text)
    if match:
        quantity, rest = match.group(1), match.group(2)
    if "/" in rest:
        numerator, denominator = rest.split("/", 1)
        unit = f"{_simple(numerator) if numerator.strip() else 'Units'}/{_denominator(denominator)}"
    else:
        unit = _simple(rest)
    if quantity and quantity != "1":
        unit = f"{quantity} {unit}"
    return unit if VALID_UNIT.match(unit) else text


@cache
def _overrides() -> dict[str, str]:
    units = table("units.csv")
    return dict(zip(units["source_unit"].to_pylist(), units["unit"].to_pylist(), strict=True))


def map_distinct(values: pa.Array, rewrite: Callable[[str], str | None]) -> pa.Array:
    """Apply `rewrite` once per distinct string and rebuild the array by dictionary take."""
    text = to_text(values)
    encoded = pc.dictionary_encode(text)
    dictionary = encoded.dictionary.to_pylist()
    rewritten = pa.array([rewrite(v) for v in dictionary], pa.string())
    return rewritten.take(encoded.indices)


def normalise_units(values: pa.Array) -> pa.Array:
    return map_distinct(values, unit_format)
