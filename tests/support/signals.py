"""Budget notifications read through the engine's one envelope registry, as the runner does."""

from __future__ import annotations

from typing import Any

from costplane.domain.signals import BudgetSignal
from costplane.engine.envelopes import parse_document, registered_envelopes


def parse_signal(document: Any) -> BudgetSignal | None:
    """The signal a payload holds; None when it holds none; its rejection when it is malformed."""
    parsed = parse_document(document)
    if parsed.rejected and parsed.envelope in registered_signals():
        raise parsed.rejected[0]
    return parsed.signals[0] if parsed.signals else None


def registered_signals() -> list[str]:
    return [name for name in registered_envelopes() if "budget" in name]
