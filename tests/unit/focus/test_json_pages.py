"""A file of report pages is read one page at a time, the same pages whether it is decoded
whole or cut by the streaming scan (brackets and quotes inside strings included)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from costplane.billing.focus import json_pages
from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.json_pages import pages

TRICKY = [
    {"data": [{"results": [{"model": 'a "quoted" [model] {x}', "n": 1}]}], "next_page": None},
    {"data": [{"results": [{"model": "ends in a backslash \\", "n": 2}]}], "next_page": 'p\\"2'},
    {"data": [], "has_more": False},
]


@pytest.fixture
def streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file streams, in chunks of a few bytes, so pages and strings cross chunks."""
    monkeypatch.setattr(json_pages, "WHOLE_FILE_BYTES", 0)
    monkeypatch.setattr(json_pages, "CHUNK_BYTES", 7)


def write(tmp_path: Path, value: object, *, indent: bool = False) -> Path:
    path = tmp_path / "pages.json"
    path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0))
    return path


@pytest.mark.parametrize("indent", [False, True])
def test_streamed_pages_are_the_decoded_pages(tmp_path, streaming, indent):
    path = write(tmp_path, TRICKY, indent=indent)
    assert [page for _, page in pages(path)] == TRICKY


def test_one_page_file_is_one_page_when_streamed(tmp_path, streaming):
    path = write(tmp_path, TRICKY[0])
    assert list(pages(path)) == [(1, TRICKY[0])]


def test_a_small_file_is_decoded_whole(tmp_path):
    assert [n for n, _ in pages(write(tmp_path, TRICKY))] == [1, 2, 3]


def test_a_streamed_file_cut_inside_a_page_is_truncated(tmp_path, streaming):
    path = write(tmp_path, TRICKY)
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(BillFileError) as error:
        list(pages(path))
    assert error.value.code == "truncated_json"
