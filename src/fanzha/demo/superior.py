"""The superior centre's side of the demo's 上级推送 warnings: its own level of each row, and its lists of
the rows still unanswered, pushed again the next morning.

Drawn from a random stream of its own, so the rest of the demo draws the same. The superior grades its
rows in the four colours (预警级别): mostly 黄 or 蓝, fewer 橙, a few 红 — 红 and 橙 far more often for a
transfer in progress or a large amount. The centre's seeded rules (推送方定为紧急/高/中) read them, so a
red row is graded 紧急 with the reason “推送方预警级别：紧急”.

Each morning (``LIST_TIME``) the superior re-sends most of the previous day's rows it has no answer for
(not closed by then) as a list; the centre imports it like any file (:func:`fanzha.imports.pipeline.
import_run`), so every row in it is ``unchanged`` and recorded as pushed again (``WarningRepush``): the
day's feedback answers it and it is one of that list's 本批预警. The import stamps its own clock; the
batch and its re-pushes are then moved back to the list's morning (the audit record keeps the load's
time, as the demo's cases do).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field

from django.utils import timezone

from fanzha.core.models import User
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.imports.pipeline import import_run
from fanzha.warnings import typology
from fanzha.warnings.intake import WarningInput
from fanzha.warnings.models import Warning, WarningRepush

TRANSFER_SHARE = 0.05  # rows the superior flags 正在转账
LARGE_AMOUNT = 50_000
# What the row is → the superior's level (预警级别) weights: 红, 橙, 黄, 蓝.
LEVEL_WORDS = ("红色", "橙色", "黄色", "蓝色")
LEVEL_WEIGHTS = {
    "transfer": (6, 3, 1, 0),
    "large": (5, 4, 1, 0),
    "amount": (1, 4, 4, 1),  # 10,000 or more
    "small": (0, 2, 5, 3),
    "plain": (0.4, 1.4, 4.6, 3.6),
}
LIST_TIME = dt.time(9, 0)  # the superior's morning list of yesterday's rows still unanswered
REPUSH_SHARE = 0.7  # of those rows, pushed again (the rest were answered by phone, or left off the list)
LIST_NAME = "上级推送未反馈预警清单_{day:%Y%m%d}.csv"
# The list's columns (the importer's headers) and the pushed row's field each is written from.
LIST_COLUMNS = (
    ("预警编号", "source_id"),
    ("预警来源", "source"),
    ("姓名", "name"),
    ("身份证号", "id_number"),
    ("手机号", "phone"),
    ("现住址", "address"),
    ("诈骗类型", "fraud_type"),
    ("预警时间", "warned_at"),
    ("涉案金额", "amount"),
    ("正在转账", "transfer_in_progress"),
    ("预警级别", "pushed_level"),
    ("备注", "notes"),
)


def _kind(data: WarningInput) -> str:
    """What the row is, for its level: a transfer under way, a large or a noted amount, or neither."""
    if data.transfer_in_progress:
        return "transfer"
    if not data.amount:
        return "plain"
    amount = int(data.amount)
    return "large" if amount >= LARGE_AMOUNT else ("amount" if amount >= 10_000 else "small")


@dataclass
class Superior:
    """The superior's levels and re-sent lists; ``rows`` are its warnings as it pushed them, in order."""

    rng: random.Random
    rows: list[tuple[Warning, WarningInput]] = field(default_factory=list)

    def grade(self, data: WarningInput) -> None:
        """The superior's own facts of a row it pushes: maybe 正在转账, and its 预警级别."""
        if self.rng.random() < TRANSFER_SHARE:
            data.transfer_in_progress = "是"
        data.pushed_level = self.rng.choices(LEVEL_WORDS, weights=LEVEL_WEIGHTS[_kind(data)])[0]

    def pushed(self, warning: Warning, data: WarningInput) -> None:
        self.rows.append((warning, data))

    def lists(self, now: dt.datetime) -> dict[dt.datetime, list[WarningInput]]:
        """Each morning's list (by its time, before ``now``): the rows of the day before still unanswered
        then, most of them."""
        found: dict[dt.datetime, list[WarningInput]] = {}
        for warning, data in self.rows:
            at = list_time(warning.received_at)
            if at >= now or (warning.closed_at is not None and warning.closed_at <= at):
                continue
            if self.rng.random() < REPUSH_SHARE:
                found.setdefault(at, []).append(data)
        return found

    def push_again(self, leader: User, now: dt.datetime) -> int:
        """Import each morning's list as the centre would; returns the rows pushed again."""
        lists = self.lists(now)
        for at, rows in lists.items():
            _import_list(leader, at, rows)
        return sum(len(rows) for rows in lists.values())


def _import_list(leader: User, at: dt.datetime, rows: list[WarningInput]) -> None:
    """One morning's list imported by the centre leader, then moved back to its morning."""
    name = LIST_NAME.format(day=at)
    batch = import_run(actor=leader, importer="warnings", file_name=name, data=list_file(rows)).batch
    if batch.status != BatchStatus.COMMITTED or batch.rows_unchanged != len(rows):
        raise RuntimeError(f"演示数据：上级推送清单未按原样导入（{name}：{batch.message}）")
    took = (batch.finished_at or batch.created_at) - batch.created_at
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=at, finished_at=at + took)
    WarningRepush.objects.filter(batch=batch).update(received_at=at)


def list_time(received_at: dt.datetime) -> dt.datetime:
    """The morning after ``received_at`` (local), when the superior's list of unanswered rows comes."""
    day = timezone.localdate(received_at) + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, LIST_TIME))


def _cell(data: WarningInput, name: str) -> str:
    value = getattr(data, name)
    if name == "fraud_type":
        return typology.label(value)
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S}"
    return str(value or "")


def list_file(rows: list[WarningInput]) -> bytes:
    """The superior's list as a CSV file, its rows as first pushed."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for header, _ in LIST_COLUMNS])
    writer.writerows([_cell(data, name) for _, name in LIST_COLUMNS] for data in rows)
    return out.getvalue().encode("utf-8-sig")
