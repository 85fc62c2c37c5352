"""Optimistic commits: stage changes against the table as it is now, retry on a conflict.

pyiceberg already retries a conflicting commit by rebasing the staged snapshot; what it
cannot do is re-plan (a restatement's files to delete may have been replaced by another
writer meanwhile). So on CommitFailedException or ValidationException we re-read the table
and stage the change again from scratch, with exponential backoff and jitter.
"""

from __future__ import annotations

import random
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pyiceberg.exceptions import CommitFailedException, ValidationException
from pyiceberg.table import Table, Transaction

ATTEMPTS = 10
BASE_DELAY_S = 0.05
MAX_DELAY_S = 5.0


def commit_with_retry(
    table: Table,
    stage: Callable[[Table, Transaction], None],
    *,
    attempts: int = ATTEMPTS,
) -> Table:
    """Commit what `stage(table, transaction)` stages, re-staging after a conflict.

    `stage` must derive everything it stages from the `table` it is given (re-read after
    each conflict), never from state computed before the first attempt.
    """
    attempt = 0
    while True:
        transaction = table.transaction()
        stage(table, transaction)
        try:
            return transaction.commit_transaction()
        except (CommitFailedException, ValidationException):
            attempt += 1
            if attempt == attempts:
                raise
            delay = min(MAX_DELAY_S, BASE_DELAY_S * 2**attempt)
            time.sleep(delay * random.uniform(0.5, 1.0))
            table = table.refresh()


@contextmanager
def quiet_empty_deletes() -> Iterator[None]:
    """Stage an overwrite or delete without pyiceberg's warning that it matched no rows: a
    table's first write for a key replaces nothing, as expected."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Delete operation did not match any records")
        yield
