"""Pages of an API report saved as JSON: one page (`{…}`) or an array of pages (`[{…}, …]`),
read one page at a time, so memory is bounded by the largest page, not by the file.

A file up to WHOLE_FILE_BYTES is decoded in one orjson call. A bigger one is cut into its
top-level elements by a vectorised scan (numpy: quotes not escaped, brackets outside
strings, nesting depth by cumulative sum), chunk by chunk, and each page decoded alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from costplane.billing.focus.errors import BillFileError

WHOLE_FILE_BYTES = 32 << 20
CHUNK_BYTES = 8 << 20
_WHITESPACE = b" \t\r\n"
_OPEN = (ord("{"), ord("["))
_CLOSE = (ord("}"), ord("]"))


def _input(path: Path) -> pa.NativeFile:
    return pa.input_stream(str(path), compression="detect")


def read_head(path: Path, size: int) -> bytes:
    """The first `size` bytes of the file, decompressed."""
    try:
        with _input(path) as stream:
            data: bytes = stream.read(size)
    except (OSError, EOFError, pa.ArrowInvalid) as exc:
        message = f"cannot read the file ({exc}); it is truncated or corrupt"
        raise BillFileError(str(path), message, code="unreadable_file") from exc
    return data


def _decode(file: str, data: bytes, page: int) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        message = f"page {page} is not JSON ({exc}); the file looks truncated"
        raise BillFileError(file, message, code="malformed_json") from exc


def pages(path: Path) -> Iterator[tuple[int, Any]]:
    """(1-based page number, decoded page) for each page of the file, in order."""
    file = str(path)
    if not path.is_file():
        raise BillFileError(file, "no such file", code="missing_file")
    head = read_head(path, WHOLE_FILE_BYTES + 1)
    first = head.lstrip(_WHITESPACE)[:1]
    if first not in (b"{", b"["):
        raise BillFileError(file, "not a JSON page or array of pages", code="malformed_json")
    if len(head) <= WHOLE_FILE_BYTES:
        whole = _decode(file, head, 1)
        yield from enumerate(whole if isinstance(whole, list) else [whole], start=1)
        return
    number = 0
    for number, element in enumerate(_elements(path, array=first == b"["), start=1):
        yield number, _decode(file, element, number)
    if number == 0:
        raise BillFileError(file, "the array holds no pages", code="malformed_json")


@dataclass(slots=True)
class _Scan:
    """What carries from one chunk to the next: nesting depth, inside a string or not, the
    backslashes ending the chunk, and the bytes of the element begun but not ended."""

    depth: int = 0
    in_string: bool = False
    backslashes: int = 0
    pending: list[bytes] | None = None


def _elements(path: Path, *, array: bool) -> Iterator[bytes]:
    """The top-level elements of an array (or the one object) as bytes, chunk by chunk."""
    target = 1 if array else 0
    scan = _Scan()
    with _input(path) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            yield from _cut(chunk, scan, target)
    if scan.depth or scan.in_string:
        message = "the file ends inside a page: it is truncated"
        raise BillFileError(str(path), message, code="truncated_json")


def _cut(chunk: bytes, scan: _Scan, target: int) -> Iterator[bytes]:
    data = np.frombuffer(chunk, np.uint8)
    quotes = data == ord('"')
    backslash = data == ord("\\")
    if backslash.any() or scan.backslashes:
        index = np.arange(len(data))
        last_other = np.maximum.accumulate(np.where(backslash, -1, index))
        run = index - last_other + np.where(last_other < 0, scan.backslashes, 0)
        before = np.concatenate(([scan.backslashes], run[:-1]))
        quotes &= before % 2 == 0
        scan.backslashes = int(run[-1])
    outside = (np.cumsum(quotes) + scan.in_string) % 2 == 0
    opens = (np.isin(data, _OPEN) & outside).astype(np.int64)
    closes = (np.isin(data, _CLOSE) & outside).astype(np.int64)
    depth = scan.depth + np.cumsum(opens - closes)
    starts = np.flatnonzero(opens.astype(bool) & (depth == target + 1))
    ends = np.flatnonzero(closes.astype(bool) & (depth == target))
    begin = 0 if scan.pending is not None else None
    marks = sorted([(int(i), True) for i in starts] + [(int(i), False) for i in ends])
    for position, is_start in marks:
        if is_start:
            begin = position
            scan.pending = []
        elif begin is not None and scan.pending is not None:
            yield b"".join([*scan.pending, chunk[begin : position + 1]])
            begin, scan.pending = None, None
    if begin is not None and scan.pending is not None:
        scan.pending.append(chunk[begin:])
    scan.in_string = bool(~outside[-1]) if len(data) else scan.in_string
    scan.depth = int(depth[-1]) if len(data) else scan.depth
