"""Tags become GCP labels: lowercase `[a-z0-9_-]`, at most 63 characters, keys start with a letter.

The conversion is lossy but stable and readable: letters are lowercased (`CostCenter` becomes
`costcenter`, `CC-1001` becomes `cc-1001`), every other character becomes `_` (`cost center`
becomes `cost_center`, `a@b.com` becomes `a_b_com`), the result is cut to 63 characters, and a
key that would not start with a letter is prefixed with `k` (`1st` becomes `k1st`). Non-ASCII
letters, which GCP would accept, are replaced too, so labels stay portable across tools. The
taxonomy compares keys without case and separators, so `costcenter` still reads as CostCenter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MAX_LENGTH = 63
_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]")


def label_value(value: str) -> str:
    return _NOT_ALLOWED.sub("_", value.lower())[:MAX_LENGTH]


def label_key(key: str) -> str:
    converted = label_value(key)
    if not ("a" <= converted[:1] <= "z"):
        converted = f"k{converted}"[:MAX_LENGTH]
    return converted


def to_labels(tags: Mapping[str, str]) -> dict[str, str]:
    return {label_key(key): label_value(value) for key, value in tags.items()}
