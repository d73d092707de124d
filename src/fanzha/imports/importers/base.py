"""What every importer provides to the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fanzha.imports.columns import CellError, Field

NEW = "new"
UPDATED = "updated"
UNCHANGED = "unchanged"
SKIPPED = "skipped"  # a rejected row the user chose to leave out (the rest imported): counted as rejected


@dataclass
class Row:
    """One data row: its spreadsheet row number, the mapped texts, and what validation made of them."""

    number: int
    values: dict[str, str]
    cleaned: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    # The filled cells of the file's columns no field reads, by header (``Importer.keeps_unread`` only).
    unread: dict[str, str] = field(default_factory=dict)

    def error(self, f: Field | None, message: str, value: str = "") -> None:
        column = f.label if f is not None else ""
        shown = f.masked(value) if f is not None and value else ""
        self.errors.append(CellError(column, shown, message))


class RowRejected(Exception):
    """Raised by ``commit_row`` when the domain service refuses the row; the message is Chinese."""

    def __init__(self, message: str, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column


class Importer:
    """Subclasses set ``code``, ``label``, ``permission``, ``fields`` and implement the hooks."""

    code: str = ""
    label: str = ""
    permission: str = ""
    # Who may read a batch of it besides its author (a colleague of the centre, core.access): whoever may
    # read what it imports. Empty: ``permission`` (a users import only for who manages users).
    read_permission: str = ""
    allow_system: bool = False  # may run without a user (CLI by an operator)
    fields: list[Field] = []
    keeps_unread: bool = False  # the rows carry the cells of the columns not read (Row.unread)
    # Fields the blank template (imports.blanks) leaves out: columns the importer refuses (a password).
    template_leaves_out: tuple[str, ...] = ()

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def extra_missing(self, present: set[str]) -> list[str]:
        """Labels of required columns beyond the fields marked ``required`` (e.g. one of two)."""
        return []

    def validate_row(self, *, actor: Any, row: Row) -> None:
        """Fill ``row.cleaned`` or add ``row.errors`` (Chinese messages)."""
        raise NotImplementedError

    def validate_file(self, *, actor: Any, rows: list[Row]) -> None:
        """Checks across rows (duplicates, references); adds to the rows' errors."""

    def order(self, rows: list[Row]) -> list[Row]:
        """The order to commit in (default: file order)."""
        return rows

    def begin(self, batch: Any) -> None:
        """Called once before the first ``commit_row``, in the file's transaction (a dry run's too): the
        batch the rows are committed under, for an importer that records it on what the rows write."""

    def commit_row(self, *, actor: Any, row: Row) -> str:
        """Write one validated row through the domain services; returns NEW, UPDATED or UNCHANGED."""
        raise NotImplementedError

    def row_notices(self) -> list[tuple[int, str, str]]:
        """(row, column, message) of the rows imported with something to check, once committed: kept on
        the batch and shown with it. Messages name problems, never personal values."""
        return []

    def committed(self, batch: Any) -> None:
        """Called once every row is written, in the file's transaction (not for a dry run): what the
        importer keeps about the file itself (``batch.columns``: its header and what each was read as)."""

    def commit_details(self, batch: Any) -> dict[str, Any]:
        """Extra details (no personal data) for the file's one ``import.commit`` audit record."""
        return {}

    def reject_duplicates(self, rows: list[Row], key: str, f: Field, what: str) -> None:
        """Each later row whose ``cleaned[key]`` repeats an earlier row's is an error."""
        first: dict[Any, int] = {}
        for row in rows:
            value = row.cleaned.get(key)
            if row.errors or not value:
                continue
            if value in first:
                row.error(f, f"与第 {first[value]} 行的{what}重复", str(value))
            else:
                first[value] = row.number
