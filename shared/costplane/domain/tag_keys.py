"""Tag keys are spelled differently on every cloud; compare them in one canonical form."""

from __future__ import annotations

from functools import lru_cache

_SEPARATORS = str.maketrans("", "", "-_ .:/")


@lru_cache(maxsize=4096)
def canonical(key: str) -> str:
    """`CostCenter`, `cost-center`, `cost_center` and GCP's `costcenter` compare equal."""
    return key.translate(_SEPARATORS).casefold()
