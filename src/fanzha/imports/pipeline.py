"""The one import pipeline: read → map columns → validate every row → commit all rows or none.

A file with any bad row commits nothing and yields a row-level error report (values masked). A clean
file is committed in ONE transaction through the domain services, so a crash or kill leaves the whole
file or none of it. A file already committed (same importer, same SHA-256) changes nothing.
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from fanzha.audit.services import audit_record
from fanzha.core import access, conflicts
from fanzha.core.checkpoints import deferred_checkpoint
from fanzha.core.locks import transaction_lock
from fanzha.core.pii.masking import quoted, scrub_text
from fanzha.imports.columns import CellError, ColumnMap, header_score, map_row, match_header
from fanzha.imports.importers import get_importer
from fanzha.imports.importers.base import NEW, SKIPPED, UNCHANGED, UPDATED, Importer, Row, RowRejected
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.imports.readers import HEADER_SCAN_ROWS, ImportFileError, Table, read_table

MAX_STORED_ERRORS = 5000
MAX_LISTED_SKIPS = 20  # skipped rows named one by one in the batch's message; the rest are counted
MAX_COLUMN_TEXT = 40
MAX_HEADER_TEXT = 100
VALIDATE_REPORT_EVERY = 200
Progress = Callable[[int, int], None]

# Why a batch stopped by an error was failed: no exception's text (it can quote a cell's value).
CONFLICT_MESSAGE = "数据库冲突：另一项操作在同一时刻修改了相同的记录，未导入任何记录，请重新导入"
INTERRUPTED_MESSAGE = "导入中断：处理时出错，未导入任何记录，请重新导入；如再次出现请联系管理员"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    batch: ImportBatch

    @property
    def ok(self) -> bool:
        return self.batch.status in (BatchStatus.COMMITTED, BatchStatus.CHECKED, BatchStatus.SKIPPED)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.batch.errors)

    def summary(self) -> str:
        """The counts as the command prints them last; a check-only run (--dry-run) says it imported
        nothing: its counts are what an import would do."""
        b = self.batch
        done = "checked, not imported" if b.status == BatchStatus.CHECKED else "imported"
        return (
            f"{done}: {b.rows_new} new, {b.rows_updated} updated, {b.rows_unchanged} unchanged, "
            f"{b.rows_rejected} rejected"
        )


class _DryRunDone(Exception):
    """Raised to roll back a dry run after every row went through the services."""


def resolve_importer(importer: str | Importer) -> Importer:
    if isinstance(importer, Importer):
        return importer
    found = get_importer(importer)
    if found is None:
        raise ValueError(f"未知的导入类型：{importer}")
    return found


def check_allowed(actor: Any, importer: Importer) -> None:
    if actor is None:
        if not importer.allow_system:
            raise PermissionDenied("该导入需要指定导入人")
        return
    access.require(actor, importer.permission)


def import_run(
    *,
    actor: Any,
    importer: str | Importer,
    file_name: str,
    data: bytes,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file; never raises for bad content (the batch says why), only for no permission."""
    imp = resolve_importer(importer)
    check_allowed(actor, imp)
    batch = batch_create(actor=actor, importer=imp, file_name=file_name, data=data, dry_run=dry_run)
    with failed_on_error(batch):
        return batch_process(batch, imp, actor, data, progress=progress)


def batch_create(
    *, actor: Any, importer: Importer, file_name: str, data: bytes, dry_run: bool
) -> ImportBatch:
    """A new batch, "running" until :func:`batch_process` (or a failure) settles it."""
    return ImportBatch.objects.create(
        importer=importer.code,
        file_name=PurePath(file_name or "").name[:255] or "未命名文件",
        sha256=hashlib.sha256(data).hexdigest(),
        actor=actor,
        organisation=getattr(actor, "organisation", None),
        dry_run=dry_run,
    )


def failure_message(exc: BaseException) -> str:
    """Why an import stopped by ``exc`` was failed, for its batch: a conflict's reason or a generic one."""
    return CONFLICT_MESSAGE if conflicts.is_conflict(exc) else INTERRUPTED_MESSAGE


def batch_fail(*, batch_id: int, message: str, **details: Any) -> bool:
    """Mark a running batch failed (its file's transaction wrote nothing) and audit it ("import.fail").

    False when the batch had already ended (it is then left as it is). Runs in the caller's transaction.
    """
    updated = ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.RUNNING).update(
        status=BatchStatus.FAILED, message=message, finished_at=timezone.now()
    )
    if not updated:
        return False
    batch = ImportBatch.objects.get(pk=batch_id)
    audit_record(
        actor=None,
        action="import.fail",
        obj=batch,
        details={"importer": batch.importer, "job": batch.job_id, "message": message, **details},
    )
    return True


@contextmanager
def failed_on_error(batch: ImportBatch) -> Iterator[None]:
    """An exception escaping the block fails the running ``batch`` at once, then goes on up.

    For the imports run while someone waits (a page, a command, a batch push). The failure is written in
    a fresh short transaction after the file's one rolled back; when that write fails too (the database
    still locked), the batch is left running for the sweep and the first error is the one raised.
    """
    try:
        yield
    except Exception as exc:
        _settle_failed(batch, exc)
        raise


def _settle_failed(batch: ImportBatch, exc: Exception) -> None:
    """Fail ``batch`` for ``exc`` in its own transaction (a savepoint inside a caller's); never raises."""
    message = failure_message(exc)
    try:
        with transaction.atomic():
            failed = batch_fail(batch_id=batch.pk, message=message, conflict=conflicts.conflict_kind(exc))
        if failed:
            batch.refresh_from_db(fields=["status", "message", "finished_at"])
    except Exception as second:
        logger.warning(
            "import batch could not be marked failed; left running for the sweep",
            extra={"batch": batch.pk, "error": type(exc).__name__, "settle_error": type(second).__name__},
        )


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the duration (reference counting still frees)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            _settle_young()
            gc.enable()


def _settle_young() -> None:
    """Move what was allocated during the pause into the oldest generation, untraversed.

    The collector counts allocations while paused, so the first allocation after it is enabled again
    would run a young collection over every object the pause made and the caller still holds (a big
    file's rows, until the caller drops them: ≈ 0.1 s a million objects, for nothing). Moved instead
    (``freeze`` then ``unfreeze``: two list splices), they are looked at by the next full collection.
    Not when something else froze objects on purpose (a pre-forking server): ``unfreeze`` would free
    those too.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


@gc_paused()  # a big file keeps millions of objects alive: no full collections over them
def batch_process(
    batch: ImportBatch,
    imp: Importer,
    actor: Any,
    data: bytes,
    *,
    progress: Progress | None = None,
    validating: Progress | None = None,
) -> ImportResult:
    """Read, validate and commit (or reject) the file of a running batch.

    ``validating(done, total)`` is called every few hundred rows while rows are checked (outside any
    transaction); ``progress(done, total)`` after each row written, inside the file's one transaction.
    """
    previous = _committed_before(batch)
    if previous is not None:
        return _finish_skipped(batch, previous)
    try:
        table = read_table(
            data,
            is_header=lambda cells: header_score(cells, imp.fields, imp.extra_missing),
            reads=lambda header: columns_read(header, imp),
        )
    except ImportFileError as exc:
        return _reject(batch, message=str(exc))
    skip_non_data_rows(table, imp)
    uncomputed = uncomputed_problem(table, imp)
    if uncomputed:
        return _reject(batch, message=uncomputed)
    return _table_process(batch, imp, actor, table, progress, validating, same_file_skipped=True)


def columns_read(header: list[str], imp: Importer) -> list[str]:
    """The header texts of the columns ``imp`` reads (its fields', second and stand-in columns too)."""
    return read_headers(match_header(header, imp.fields))


def read_headers(columns: ColumnMap) -> list[str]:
    """The header texts of the columns a field reads (first, second and stand-in columns)."""
    return [text for text, _ in (*columns.used, *columns.seconds)]


MAX_LISTED_UNCOMPUTED = 5  # rows named per column in the refusal; the rest are counted


def uncomputed_problem(table: Table, imp: Importer) -> str:
    """Why the file is refused when a column the importer reads holds formulas with no computed value
    in its data rows (``""``: it holds none). A program wrote the workbook and no spreadsheet has
    calculated it: each such cell reads as empty, so a 预警编号, a name, a time or an amount would be
    silently missing. Opening the file in Excel or WPS and saving it stores the results. Column names
    and row numbers only: a formula may hold personal data."""
    if not table.uncomputed:
        return ""
    columns = match_header(table.header, imp.fields)
    kept = {number for number, _ in table.rows}
    parts = []
    for text, _ in (*columns.used, *columns.seconds):
        numbers = [number for number in table.uncomputed.get(text, []) if number in kept]
        if numbers:
            listed = "、".join(str(number) for number in numbers[:MAX_LISTED_UNCOMPUTED])
            more = f"等 {len(numbers)} 行" if len(numbers) > MAX_LISTED_UNCOMPUTED else "行"
            parts.append(f"“{quoted(text, MAX_COLUMN_TEXT)}”列第 {listed} {more}")
    if not parts:
        return ""
    return (
        "文件中有公式没有计算结果（文件由程序生成，未在 Excel 或 WPS 中保存过），这些单元格无法读取："
        + "，".join(parts)
        + "；整份文件未导入，请用 Excel 或 WPS 打开文件、保存后重新导入"
    )


SECOND_HEADER = "是表头的第二行（同样的列名换一种写法），已跳过"


def skip_non_data_rows(table: Table, imp: Importer) -> None:
    """Leave out (and name in ``table.skipped``) the rows of a file that hold no one's data: the
    header written again in other words right below it (Warning ID, Name … under 预警编号, 姓名 …), and
    rows with nothing in any column the importer reads — a 序号 left in a pre-numbered template's empty
    line, a group's heading written in the 序号 column (城关片区). A value merged down from a row above
    (one 预警来源 for a block of rows, merged over the template's empty lines too) is not the row's own.
    Validated, each was a row naming nobody, refused with the whole file, or a warning for a person
    named "Name"."""
    columns = match_header(table.header, imp.fields)
    read = [text for text, _ in (*columns.used, *columns.seconds)]
    if not read:
        return  # no column read: the missing columns are the file's error
    kept = []
    for number, record in table.rows:
        if number == table.header_row + 1 and _names_the_same_fields(record, columns, imp):
            table.skipped.append((number, SECOND_HEADER))
            continue
        merged_in = table.merged_in.get(number, set())
        if any(str(record.get(text, "")).strip() for text in read if text not in merged_in):
            kept.append((number, record))
            continue
        filled = "、".join(
            f"“{quoted(text, MAX_COLUMN_TEXT)}”"
            for text, value in record.items()
            if value and text not in merged_in
        )
        table.skipped.append((number, f"只有{filled}列有内容，不是数据行，已跳过"))
    if len(kept) < len(table.rows):
        table.rows = kept
        table.skipped.sort()


def _names_the_same_fields(record: dict[str, str], columns: ColumnMap, imp: Importer) -> bool:
    """Whether a row names, column by column, the fields the header above it names (two at least,
    none another): the header again in other words, not data (a bank's 证件类型 column saying 身份证
    names no field of its own column)."""
    header_fields = columns.columns | {text: f.name for text, f in columns.seconds}
    cells = [str(value) for value in record.values()]
    found = match_header(cells, imp.fields)
    row_fields = found.columns | {text: f.name for text, f in found.seconds}
    same = 0
    for text, value in record.items():
        name = row_fields.get(str(value)) if value else None
        if name is None:
            continue
        if name != header_fields.get(text):
            return False
        same += 1
    return same >= 2


@gc_paused()
def table_process(batch: ImportBatch, imp: Importer, actor: Any, table: Table) -> ImportResult:
    """Validate and commit (or reject) rows that came as a table, not a file (a JSON batch pushed to
    the API): the same checks, transaction and record as a file's. The same rows again are read again
    (not skipped by their hash, as a file is): each is answered as the first time — unchanged, with its
    source and id, or rejected with its reason."""
    with failed_on_error(batch):
        return _table_process(batch, imp, actor, table)


def _table_process(
    batch: ImportBatch,
    imp: Importer,
    actor: Any,
    table: Table,
    progress: Progress | None = None,
    validating: Progress | None = None,
    *,
    same_file_skipped: bool = False,
) -> ImportResult:
    """``same_file_skipped``: a file (not a push) committed by another batch while this one was read and
    checked is skipped as its duplicate (:func:`_commit`)."""
    notes = reading_notes(table)
    rows, problem = _validated_rows(imp, actor, table, batch, validating)
    if problem:
        return _reject(batch, message=_with_notes(problem, notes), notes=notes)
    batch.rows_total = len(rows)
    if any(row.errors for row in rows):
        message = "文件中有错误的行，整份文件未导入；请按错误清单修改后重新上传"
        return _reject(batch, rows=rows, message=_with_notes(message, notes), notes=notes)
    if not rows:  # a list with nothing in it today: imported, nothing to add
        notes = "；".join(filter(None, [NO_DATA_ROWS, notes]))
    return _commit(batch, imp, actor, rows, progress, notes, same_file_skipped=same_file_skipped)


def _committed_before(batch: ImportBatch) -> ImportBatch | None:
    """The committed batch of the same importer and hash, if any: this one is then the same again."""
    same = ImportBatch.objects.filter(
        importer=batch.importer, sha256=batch.sha256, status=BatchStatus.COMMITTED
    )
    return same.exclude(pk=batch.pk).first()


NO_DATA_ROWS = "文件中只有表头，没有数据行，未导入任何记录"


def reading_notes(table: Table) -> str:
    """What the reader left out or chose (footer lines, repeated headers, other sheets), for the
    batch's message: row numbers and reasons only, never a cell's content."""
    parts = [f"第 {number} 行{why}" for number, why in table.skipped[:MAX_LISTED_SKIPS]]
    if len(table.skipped) > MAX_LISTED_SKIPS:
        parts.append(f"另有 {len(table.skipped) - MAX_LISTED_SKIPS} 行表尾或重复表头已跳过")
    return "；".join([*table.notes, *parts])


def _with_notes(message: str, notes: str) -> str:
    return f"{message}。{notes}" if notes else message


def batch_reject(batch: ImportBatch, message: str, unknown_columns: list[str] | None = None) -> ImportResult:
    """Reject a running batch as a whole with ``message`` (e.g. from the upload check)."""
    batch.unknown_columns = list(unknown_columns or [])
    return _reject(batch, message=message)


def missing_columns(imp: Importer, header: list[str], header_row: int) -> tuple[str, list[str]]:
    """The message for required columns the header lacks (or ``""``), and the columns not used.

    When no row qualified as the header, the row given may be data (a list without a header row):
    unless it clearly is a header (recognised column names, nothing that looks like an ID
    number, phone or account), no cell of it is quoted, so no personal data reaches the message,
    the batch record or the screen.
    """
    columns = match_header(header, imp.fields)
    unused = [quoted(text, MAX_COLUMN_TEXT) for text in (*columns.unknown, *columns.duplicate)]
    missing = [*columns.missing, *imp.extra_missing(columns.fields_present)]
    if not missing:
        return "", unused
    wanted = "、".join(f"“{label}”" for label in missing)
    if not _looks_like_header(header, columns):
        named = sorted(imp.fields, key=lambda f: not f.required)[:3]  # this importer's own columns
        example = "".join(f"“{f.label}”" for f in named)
        message = (
            f"未找到表头：文件前 {HEADER_SCAN_ROWS} 个非空行中没有一行含有必需的列{wanted}；"
            f"请在数据上方加上列名一行（如{example}）后重新上传（为保护个人信息，不显示单元格内容）"
        )
        return message, []
    return f"缺少必需的列：{'、'.join(missing)}（表头在第 {header_row} 行）", unused


def _looks_like_header(header: list[str], columns: ColumnMap) -> bool:
    """Recognised column names (two, or nothing else) and no cell that looks like personal data."""
    texts = [text for text in header if text]
    recognised = len(columns.used) + len(columns.duplicate)
    enough = recognised >= 2 or (recognised >= 1 and recognised == len(texts))
    return enough and all(scrub_text(text) == text for text in texts)


def file_columns(header: list[str], columns: ColumnMap) -> list[list[str]]:
    """The file's header in order, each column with the field it is read as ("" for a column not read:
    unknown, or a repeated column of a field that takes no second). Numbers that look personal are
    masked, as in messages."""
    read = columns.columns | {text: f.name for text, f in columns.seconds}
    return [[scrub_text(str(text))[:MAX_HEADER_TEXT], read.get(text, "")] for text in header]


def unread_headers(header: list[str], columns: ColumnMap) -> list[str]:
    """The headers of the columns no field reads (as :func:`file_columns` marks them ``""``)."""
    read = set(read_headers(columns))
    return [text for text in header if text and text not in read]


def _validated_rows(
    imp: Importer, actor: Any, table: Table, batch: ImportBatch, validating: Progress | None = None
) -> tuple[list[Row], str]:
    problem, batch.unknown_columns = missing_columns(imp, table.header, table.header_row)
    if problem:
        return [], problem
    columns = match_header(table.header, imp.fields)
    batch.columns = file_columns(table.header, columns)
    rows = []
    total = len(table.rows)
    unread = unread_headers(table.header, columns) if imp.keeps_unread else []
    for done, (number, record) in enumerate(table.rows, start=1):
        values, cell_errors = map_row(record, columns)
        row = Row(number=number, values=values, errors=list(cell_errors))
        if number in table.misaligned:
            row.errors.insert(0, CellError("", "", misaligned_message(table.misaligned[number])))
        if unread:
            row.unread = {header: text for header in unread if (text := str(record.get(header, "")).strip())}
        if not row.errors:
            imp.validate_row(actor=actor, row=row)
        rows.append(row)
        if validating is not None and (done % VALIDATE_REPORT_EVERY == 0 or done == total):
            validating(done, total)
    imp.validate_file(actor=actor, rows=rows)
    return rows, ""


def misaligned_message(extra: int) -> str:
    """Why a text file's row wider than its header is refused (no cell quoted: each may be anyone's)."""
    return (
        f"本行比表头多 {extra} 格：多半是某个单元格里的逗号（或制表符）没有加引号，把它分成了两格，"
        "其后各列已错位，无法确定各列的内容；请检查本行（如地址、备注中的逗号）或让导出方给这样的单元格加上引号后重新导出"
    )


def _error_list(rows: list[Row]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    for row in rows:
        for error in row.errors:
            errors.append(
                {"row": row.number, "column": error.column, "value": error.value, "message": error.message}
            )
            if len(errors) >= MAX_STORED_ERRORS:
                return errors
    return errors


def _notice_list(notices: list[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """The rows imported with something to check, as the batch keeps them (the first few thousand)."""
    return [
        {"row": number, "column": column, "message": message}
        for number, column, message in notices[:MAX_STORED_ERRORS]
    ]


def _counts(batch: ImportBatch, notes: str = "") -> dict[str, Any]:
    """The batch's row counts for its audit record, with the reader's notes (row numbers and reasons
    of the lines it left out, never their content) when there are any."""
    counts = {
        "importer": batch.importer,
        "rows": batch.rows_total,
        "new": batch.rows_new,
        "updated": batch.rows_updated,
        "unchanged": batch.rows_unchanged,
        "rejected": batch.rows_rejected,
    }
    return {**counts, "reading": notes} if notes else counts


@transaction.atomic
def _reject(
    batch: ImportBatch, *, message: str, rows: list[Row] | None = None, notes: str = ""
) -> ImportResult:
    rows = rows or []
    batch.status = BatchStatus.REJECTED
    batch.message = message
    batch.rows_total = len(rows) or batch.rows_total
    batch.rows_new = batch.rows_updated = batch.rows_unchanged = 0
    batch.rows_rejected = sum(1 for row in rows if row.errors)
    batch.errors = _error_list(rows)
    batch.finished_at = timezone.now()
    batch.save()
    if not batch.dry_run:
        audit_record(actor=batch.actor, action="import.reject", obj=batch, details=_counts(batch, notes))
    return ImportResult(batch)


@transaction.atomic
def _finish_skipped(batch: ImportBatch, previous: ImportBatch) -> ImportResult:
    batch.status = BatchStatus.SKIPPED
    batch.rows_total = previous.rows_total
    batch.rows_rejected = previous.rows_rejected  # left out then (the user chose to), left out now
    batch.rows_unchanged = previous.rows_total - previous.rows_rejected
    batch.message = f"与已导入的批次 #{previous.pk} 内容完全相同，未作改动"
    batch.finished_at = timezone.now()
    batch.save()
    if not batch.dry_run:
        audit_record(
            actor=batch.actor,
            action="import.commit",
            obj=batch,
            details={**_counts(batch), "same_as": previous.pk},
        )
    return ImportResult(batch)


def lock_same_file(batch: ImportBatch) -> None:
    """Wait for any other import of the same file (same importer, same SHA-256) to end, until the
    caller's transaction ends (call it inside, first). PostgreSQL: an advisory lock keyed by the file;
    SQLite's writers already queue at ``BEGIN IMMEDIATE``."""
    digest = hashlib.sha256(f"import:{batch.importer}:{batch.sha256}".encode()).digest()
    transaction_lock(int.from_bytes(digest[:8], "big", signed=True))


def _commit(
    batch: ImportBatch,
    imp: Importer,
    actor: Any,
    rows: list[Row],
    progress: Progress | None,
    notes: str = "",
    *,
    same_file_skipped: bool = False,
) -> ImportResult:
    """Commit the checked rows in one transaction. ``same_file_skipped``: the file is looked for among
    the committed batches again inside it, behind any other import of the same file: two people
    uploading the same list at the same moment both passed the first look (:func:`batch_process`)
    before either had committed; the later one is then skipped as the same again, changing nothing,
    as it would have been a moment later."""
    ordered = imp.order(rows)
    current: Row | None = None
    try:
        with deferred_checkpoint(), transaction.atomic():
            if same_file_skipped:
                lock_same_file(batch)
                previous = _committed_before(batch)
                if previous is not None:
                    return _finish_skipped(batch, previous)
            imp.begin(batch)
            counts = {NEW: 0, UPDATED: 0, UNCHANGED: 0, SKIPPED: 0}
            for done, current in enumerate(ordered, start=1):
                counts[imp.commit_row(actor=actor, row=current)] += 1
                if progress is not None:
                    progress(done, len(ordered))
            batch.rows_new, batch.rows_updated, batch.rows_unchanged = (
                counts[NEW],
                counts[UPDATED],
                counts[UNCHANGED],
            )
            batch.rows_rejected = counts[SKIPPED]
            if batch.dry_run:
                raise _DryRunDone
            imp.committed(batch)
            notices = imp.row_notices()
            batch.notices = _notice_list(notices)
            flagged = len({number for number, _, _ in notices})
            _finish_committed(batch, imp.commit_details(batch), notes, flagged)
    except _DryRunDone:
        batch.status = BatchStatus.CHECKED
        # The status says 已检查（未导入） already: the commands print both, the status once
        # (“已检查（未导入）：检查通过”); the batch's page shows them apart, no flash (views.import_upload).
        batch.message = _with_notes("检查通过", notes)
        batch.finished_at = timezone.now()
        batch.save()
    except RowRejected as exc:
        assert current is not None
        current.errors.append(CellError(exc.column, "", exc.message))
        message = _with_notes("导入时有行被拒绝，整份文件未导入", notes)
        return _reject(batch, rows=rows, message=message, notes=notes)
    return ImportResult(batch)


def _finish_committed(
    batch: ImportBatch, extra: dict[str, Any] | None = None, notes: str = "", flagged: int = 0
) -> None:
    batch.status = BatchStatus.COMMITTED
    done = f"已导入；其中 {flagged} 行带有需核实的提示，已随记录导入（见提示清单）" if flagged else "已导入"
    batch.message = _with_notes(done, notes)
    batch.finished_at = timezone.now()
    batch.save()
    details = {**_counts(batch, notes), **(extra or {})}
    if flagged:
        details["flagged_rows"] = flagged
    audit_record(actor=batch.actor, action="import.commit", obj=batch, details=details)
