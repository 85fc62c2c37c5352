"""A child process that ingests one bill and kills itself with SIGKILL at an injected point.

Usage: python fault_child.py [--gate=DIR] LAKE BILL [TARGET N WHEN]. TARGET is
`module:Class.method`; on its Nth call the process sends itself SIGKILL, `before` or `after`
the call runs. Without a target the ingest runs to the end (a concurrent writer). With a gate,
the process says it is ready (a file in DIR) and waits for DIR/go before it opens the lake, so
that racing writers start together rather than as their imports happen to finish.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any


def kill_at(target: str, nth: int, when: str) -> None:
    module_name, qualname = target.split(":")
    owner_name, method = qualname.split(".")
    owner = getattr(importlib.import_module(module_name), owner_name)
    original = getattr(owner, method)
    calls = 0

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == nth and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = original(*args, **kwargs)
        if calls == nth and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    static = isinstance(inspect.getattr_static(owner, method), staticmethod)
    setattr(owner, method, staticmethod(wrapper) if static else wrapper)


def wait_at(gate: Path) -> None:
    (gate / f"ready-{os.getpid()}").touch()
    while not (gate / "go").exists():
        time.sleep(0.001)


def main(*args: str) -> None:
    if args[0].startswith("--gate="):
        gate, args = Path(args[0].removeprefix("--gate=")), args[1:]
    else:
        gate = None
    lake, bill, *fault = args
    spec = importlib.util.spec_from_file_location(
        "lake_bills", Path(__file__).with_name("conftest.py")
    )
    assert spec is not None
    assert spec.loader is not None
    bills = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bills)
    from costplane.billing.lake.table import open_lake
    from costplane.billing.lake.writer import ingest

    if fault:
        target, nth, when = fault
        kill_at(target, int(nth), when)
    if gate is not None:
        wait_at(gate)
    ingest(open_lake(Path(lake)), bills.ArrowStreamNormaliser(), [Path(bill)])


if __name__ == "__main__":
    main(*sys.argv[1:])
