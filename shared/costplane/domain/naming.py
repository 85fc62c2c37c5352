"""Resource-type naming shared by event adapters and bill readers, so both sides agree."""

from __future__ import annotations

_KEEP_ENDINGS = ("ss", "us", "is")


def singular(word: str) -> str:
    """`virtualmachines` -> `virtualmachine`, `registries` -> `registry`; `redis` stays.

    Azure names types in the plural in ARM ids; costplane's resource types are singular.
    """
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith(_KEEP_ENDINGS) or not word.endswith("s"):
        return word
    return word[:-1]
