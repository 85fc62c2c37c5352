"""The one error a normaliser raises on a bill it cannot read, pointing at the exact cell."""

from __future__ import annotations


class BillFileError(ValueError):
    """A bill file we refuse: `file`, `column` and 1-based data `row` say where, when known.

    Rendered "FILE: row N, column C: message"; the parts that are unknown are left out.
    `code` is a stable, countable reason (missing_column, bad_number, bad_timestamp, ...).
    """

    def __init__(
        self,
        file: str,
        message: str,
        *,
        column: str | None = None,
        row: int | None = None,
        code: str = "bad_bill_file",
    ) -> None:
        self.file = file
        self.column = column
        self.row = row
        self.message = message
        self.code = code
        super().__init__(self._render())

    def _render(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column}" if self.column is not None else "",
            )
            if part
        )
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.file, self.message, self.column, self.row, self.code))


def _rebuild(
    file: str, message: str, column: str | None, row: int | None, code: str
) -> BillFileError:
    return BillFileError(file, message, column=column, row=row, code=code)


class UnknownSourceError(ValueError):
    """A source name no normaliser is registered under; the message lists the valid ones."""

    def __init__(self, name: str, valid: list[str]) -> None:
        self.name = name
        self.valid = valid
        super().__init__(f"unknown bill source {name!r}; valid sources: {', '.join(valid)}")
