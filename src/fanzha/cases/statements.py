"""Bank statements on a case: upload, column mapping for unknown layouts, rows stored once.

A file whose layout is known is imported at once; an unknown layout is kept (encrypted) until a
person maps its columns. Rows repeated across overlapping statements count once (the engine's rule:
a serial number once; without one, as often as the statement listing it most). Re-uploading the
same file changes nothing.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping as MappingABC
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fanzha.audit.services import audit_record
from fanzha.cases.bulk import LARGE_BYTES, import_columnar, key_hashes, row_key
from fanzha.cases.common import (
    account_hash,
    add_event,
    clean_account,
    masked_row_error,
    require_account,
    require_case,
)
from fanzha.cases.models import Case, EventKind, Statement, StatementStatus, Transaction
from fanzha.core.pii import crypto
from fanzha.core.pii.masking import mask_digit_runs
from fanzha.tracing.kinds import CODE
from fanzha.tracing.layouts import FIELDS, Mapping, find_header
from fanzha.tracing.statements import ParsedStatement, UnknownLayout, read_rows, read_statement
from fanzha.tracing.statements import Transaction as Row

MAX_BYTES = 256 * 1024 * 1024  # a year of a busy card is ~1M rows, ~120 MB of CSV
FILE_CONTEXT = b"cases.statement"
SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
MAPPABLE_FIELDS = FIELDS


def _suffix(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError({"file": "只支持 CSV、TXT、XLSX、XLS 格式的流水"})
    return suffix


class _Scratch:
    """The upload as a temporary file (the readers take paths), removed afterwards."""

    def __init__(self, data: bytes, suffix: str) -> None:
        self.handle = tempfile.NamedTemporaryFile(suffix=suffix)  # noqa: SIM115
        self.handle.write(data)
        self.handle.flush()

    def __enter__(self) -> Path:
        return Path(self.handle.name)

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def _key_hashes(rows: list[Row], account: str) -> list[str]:
    keys = [
        row_key(
            clean_account(r.account or account),
            r.serial,
            r.amount,
            f"{r.time:%Y-%m-%d %H:%M:%S}",
            clean_account(r.counterparty_account),
        )
        for r in rows
    ]
    return key_hashes(keys, [r.serial for r in rows])


def _aware(moment: Any) -> Any:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _store_rows(statement: Statement, parsed: ParsedStatement, account: str) -> int:
    rows = parsed.transactions
    hashes = _key_hashes(rows, account)
    before = Transaction.objects.filter(case=statement.case).count()
    Transaction.objects.bulk_create(
        [_transaction(statement, row, digest, account) for row, digest in zip(rows, hashes, strict=True)],
        ignore_conflicts=True,
        batch_size=500,
    )
    return Transaction.objects.filter(case=statement.case).count() - before


def _transaction(statement: Statement, row: Row, digest: str, account: str) -> Transaction:
    own = clean_account(row.account or account)
    other = clean_account(row.counterparty_account)
    return Transaction(
        case=statement.case,
        statement=statement,
        key_hash=digest,
        line=row.row,
        account=own,
        account_hash=account_hash(own),
        time=_aware(row.time),
        amount_fen=row.amount,
        balance_fen=row.balance,
        counterparty=other,
        counterparty_hash=account_hash(other) if other else "",
        counterparty_name=row.counterparty_name,
        counterparty_bank=row.counterparty_bank[:60],
        serial=row.serial[:100],
        category=CODE[row.category],
        platform=row.platform[:50],
        refund=row.refund_of is not None,
    )


def _errors(parsed: ParsedStatement) -> list[dict[str, Any]]:
    return [{"row": e.row, "message": masked_row_error(e.message)} for e in parsed.errors[:500]]


def _finish(actor: Any, statement: Statement, parsed: ParsedStatement) -> Statement:
    require_account(statement.account, (r.account for r in parsed.transactions))
    account = statement.account or next((r.account for r in parsed.transactions if r.account), "")
    statement.account = clean_account(account)
    statement.account_hash = account_hash(account) if account else ""
    statement.rows_read = parsed.rows_read
    statement.errors = _errors(parsed)
    brk = parsed.balance_break
    statement.balance_break = (
        {"row": brk.row, "expected": brk.expected, "found": brk.found} if brk is not None else None
    )
    statement.rows_added = _store_rows(statement, parsed, statement.account)
    statement.duplicates = len(parsed.transactions) - statement.rows_added
    return _record(actor, statement, parsed.notes)


def _record(actor: Any, statement: Statement, notes: list[str] | None = None) -> Statement:
    """Mark the statement imported and say so in the case's history, with what of the file was left
    out (a 说明 sheet skipped, its name's account numbers masked: a bank names sheets after them)."""
    statement.status, statement.data = StatementStatus.IMPORTED, None
    statement.save()
    note = "，余额不平" if statement.balance_break else ""
    left_out = "".join(f"；{mask_digit_runs(text)}" for text in notes or [])
    add_event(
        statement.case,
        actor,
        EventKind.STATEMENT,
        f"导入流水 {statement.rows_added} 笔（重复 {statement.duplicates} 笔{note}）{left_out}",
    )
    audit_record(
        actor=actor,
        action="case.statement",
        obj=statement,
        details={"case": statement.case_id, "sha256": statement.sha256, "rows": statement.rows_added},
    )
    return statement


@transaction.atomic
def statement_upload(
    *, actor: Any, case: Case, file_name: str, data: bytes, account: str = "", bank_name: str = ""
) -> tuple[Statement, bool]:
    """The statement (new, or the one already uploaded with the same content) and whether it is new."""
    require_case(actor, case, "case.trace")
    suffix = _suffix(file_name)
    if not data or len(data) > MAX_BYTES:
        raise ValidationError({"file": f"文件为空或超过 {MAX_BYTES // 1024 // 1024} MB"})
    sha = hashlib.sha256(data).hexdigest()
    existing = Statement.objects.filter(case=case, sha256=sha).first()
    if existing is not None:
        if existing.status == StatementStatus.MAPPING and not existing.account and clean_account(account):
            existing.account = clean_account(account)  # asked for on the mapping step's refusal
            existing.save(update_fields=["account"])
        return existing, False
    statement = Statement.objects.create(
        case=case,
        file_name=Path(file_name).name[:200],
        sha256=sha,
        account=clean_account(account),
        bank_name=bank_name.strip()[:60],
        uploaded_by=actor,
    )
    with _Scratch(data, suffix) as path:
        try:
            if _large(suffix, data):
                import_columnar(statement, path, statement.account)
                return _record(actor, statement), True
            parsed = read_statement(path, account=statement.account)
        except UnknownLayout:
            statement.data = crypto.encrypt_bytes(data, context=FILE_CONTEXT)
            statement.save(update_fields=["data"])
            add_event(case, actor, EventKind.STATEMENT, f"上传流水《{statement.file_name}》，待指定列格式")
            return statement, True
        except ValueError as exc:
            raise ValidationError({"file": f"无法读取流水：{exc}"}) from exc
    return _finish(actor, statement, parsed), True


def _large(suffix: str, data: bytes) -> bool:
    """CSV statements over ``LARGE_BYTES`` go through the columnar path (DuckDB)."""
    return suffix in (".csv", ".txt") and len(data) > LARGE_BYTES


def preview_rows(statement: Statement, limit: int = 12) -> list[list[str]]:
    """The first rows of a statement waiting for its mapping (for the mapping page)."""
    if statement.data is None:
        return []
    data = crypto.decrypt_bytes(bytes(statement.data), context=FILE_CONTEXT)
    with _Scratch(data, Path(statement.file_name).suffix.lower() or ".csv") as path:
        rows = read_rows(path)[:limit]
    return [["" if c is None else str(c) for c in row] for row in rows]


@transaction.atomic
def statement_map(
    *, actor: Any, statement: Statement, header_row: int, choice: MappingABC[str, str]
) -> Statement:
    """Import a statement of an unknown layout with the columns a person chose (field → header text)."""
    statement = Statement.objects.select_for_update().select_related("case").get(pk=statement.pk)
    require_case(actor, statement.case, "case.trace")
    if statement.status != StatementStatus.MAPPING or statement.data is None:
        raise ValidationError({"mapping": "该流水已导入"})
    data = crypto.decrypt_bytes(bytes(statement.data), context=FILE_CONTEXT)
    with _Scratch(data, Path(statement.file_name).suffix.lower() or ".csv") as path:
        rows = read_rows(path)
        if not 0 <= header_row < min(len(rows), 30):
            raise ValidationError({"header_row": "请选择表头所在的行"})
        try:
            mapping = Mapping.from_choice(rows[header_row], choice)
        except ValueError as exc:
            raise ValidationError({"mapping": str(exc)}) from exc
        if _large(path.suffix.lower(), data):
            import_columnar(statement, path, statement.account, mapping)
            return _record(actor, statement)
        parsed = read_statement(path, mapping=mapping, account=statement.account)
    return _finish(actor, statement, parsed)


def header_guess(rows: list[list[str]]) -> int:
    found = find_header(rows)
    return found[0] if found else 0
