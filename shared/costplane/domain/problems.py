"""Render pydantic validation errors as one line naming each path at fault."""

from __future__ import annotations

from pydantic import ValidationError


def describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
    )
