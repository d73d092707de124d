"""A batch of warnings pushed to the API at once (POST /api/warnings/batch): the file import's bulk path.

A partner's system with a day's list (an operator's people called by fraud numbers, a bank's flagged
transfers) sends it in one request instead of thousands. The items go through the import pipeline as
the rows of a table — the same checks, grading, routing, one transaction, one audit record and one
import batch (shown on the import page) as a file — so all of it is received or none; a push repeated
byte for byte changes nothing, and an item pushed before (same source and 预警编号) is unchanged.
Items are numbered from 1 on the batch page, from 0 (``index``) in the API's answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

from fanzha.imports.importers.base import NEW, UPDATED
from fanzha.imports.importers.warnings import WarningImporter
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.imports.pipeline import batch_create, check_allowed, table_process
from fanzha.imports.readers import Table
from fanzha.warnings.services import PUSH_SCOPE, own_source_id

MAX_ITEMS = 5000  # a request's items: about 2 MB of JSON, received in a few seconds


@dataclass
class ItemResult:
    index: int  # the item's place in the request, from 0
    outcome: str  # received | unchanged | rejected
    source: str = ""
    source_id: str = ""
    notices: list[str] = field(default_factory=list)


@dataclass
class BatchResult:
    batch: ImportBatch
    items: list[ItemResult]

    @property
    def ok(self) -> bool:
        return self.batch.status == BatchStatus.COMMITTED  # a push is never skipped: it is read again


class PushImporter(WarningImporter):
    """The warning importer for a push: the items' keys are no sender's columns."""

    def layout_columns(self, batch: Any) -> list[list[str]]:
        """No sender's columns (its keys are none): its rows go back in our own list's, not in a file's
        of the same source; what comes without a file keeps going back in the latest file's."""
        return []


# Always in the header: a list needs one of them, an item lacking all is answered by its index.
IDENTIFIERS = ("name", "id_number", "phone")


def _table(items: list[dict[str, str]]) -> Table:
    """The items as a table: the header is every field any item names, in order of first use, and
    the identifiers (an item without any is rejected as one, not the batch as a headerless file)."""
    header = list(dict.fromkeys([*(name for item in items for name in item), *IDENTIFIERS]))
    return Table(header=header, header_row=0, rows=[(n, item) for n, item in enumerate(items, start=1)])


def _fingerprint(items: list[dict[str, str]], pushed_by: Any) -> bytes:
    """The batch's hash (on the import page): the items and who pushed them."""
    who = f"partner:{pushed_by.pk}" if pushed_by is not None else "user"
    return f"{who}\n{json.dumps(items, ensure_ascii=False, sort_keys=True)}".encode()


def warnings_push_batch(
    *, actor: Any = None, key: Any = None, items: list[dict[str, str]], skip_rejected: bool = False
) -> BatchResult:
    """Receive ``items`` (each a warning's fields as texts) as one import batch.

    By a partner's API key (``key``, scope ``warnings``: the rows are recorded under its organisation's
    kind of source and on its source ids, and the batch under its organisation) or by a user with
    ``warning.import``. ``skip_rejected``: receive the usable items when some are not.
    """
    pushed_by = key.organisation if key is not None else None
    if key is not None and not (key.is_active and pushed_by.is_active and PUSH_SCOPE in key.scopes):
        raise PermissionDenied(PUSH_SCOPE)  # the API's authentication refuses these first
    importer = PushImporter(skip_rejected=skip_rejected, pushed_by=pushed_by)
    check_allowed(actor, importer)
    data = _fingerprint(items, pushed_by)
    name = f"接口推送（{len(items)} 条）" + (f"：{pushed_by.name}" if pushed_by is not None else "")
    batch = batch_create(actor=actor, importer=importer, file_name=name, data=data, dry_run=False)
    if pushed_by is not None:
        batch.organisation = pushed_by
        batch.save(update_fields=["organisation"])
    result = table_process(batch, importer, actor, _table(items))
    return BatchResult(result.batch, _item_results(importer, result.batch, items))


OUTCOME_WORDS = {NEW: "received", UPDATED: "received"}


def _item_results(
    importer: WarningImporter, batch: ImportBatch, items: list[dict[str, str]]
) -> list[ItemResult]:
    """Each item's outcome, source and id (as the partner sent it) and notices."""
    if batch.status != BatchStatus.COMMITTED:
        return []
    notices: dict[int, list[str]] = {}
    for number, _column, message in importer.row_notices():
        notices.setdefault(number, []).append(message)
    for number, message in importer.skipped:
        notices.setdefault(number, []).append(message)
    outcomes = importer.outcomes()
    results = []
    for row in importer.rows():
        clean = row.cleaned.get("clean")
        if clean is None:  # unusable, left out by skip_rejected
            item = items[row.number - 1]
            results.append(
                ItemResult(row.number - 1, "rejected", item.get("source", ""), item.get("source_id", ""))
            )
        else:
            outcome = OUTCOME_WORDS.get(outcomes.get(row.number, ""), "unchanged")
            source_id = (
                own_source_id(clean.source_id, importer.pushed_by) if importer.pushed_by else clean.source_id
            )
            results.append(ItemResult(row.number - 1, outcome, clean.source, source_id))
        results[-1].notices = notices.get(row.number, [])
    return results
