"""Warnings (预警): who is at risk, how urgent, who must act and by when, and what happened.

Personal data on a warning (the address as received, an ID number or phone kept for correction,
suspect numbers and accounts, notes) is encrypted at rest; the person is a core.Person.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from fanzha.core import access
from fanzha.core.access import ScopedQuerySet
from fanzha.core.pii.fields import EncryptedTextField


class Grade(models.TextChoices):
    URGENT = "urgent", "紧急"
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


GRADE_ORDER = [Grade.URGENT, Grade.HIGH, Grade.MEDIUM, Grade.LOW]


def grade_rank(grade: str) -> int:
    """0 for 紧急 … 3 for 低: lower is more urgent."""
    return GRADE_ORDER.index(Grade(grade))


class Status(models.TextChoices):
    NEW = "new", "待分派"
    ASSIGNED = "assigned", "待签收"
    ACKNOWLEDGED = "acknowledged", "已签收"
    CONTACTED = "contacted", "已联系"
    CLOSED = "closed", "已办结"


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.ACKNOWLEDGED, Status.CONTACTED)
# Allowed transitions; a handover goes back to "assigned" (to someone) or "new" (to the centre).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ASSIGNED, Status.CLOSED}),
    Status.ASSIGNED: frozenset({Status.ASSIGNED, Status.NEW, Status.ACKNOWLEDGED, Status.CLOSED}),
    Status.ACKNOWLEDGED: frozenset({Status.ASSIGNED, Status.NEW, Status.CONTACTED, Status.CLOSED}),
    Status.CONTACTED: frozenset({Status.ASSIGNED, Status.NEW, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class Outcome(models.TextChoices):
    DISSUADED = "dissuaded", "劝阻成功"
    NOT_REACHED = "not_reached", "未接触到人"
    DEFRAUDED = "defrauded", "已被骗"
    INVALID = "invalid", "无效预警"
    REFUSED = "refused", "拒绝配合"


# Outcomes that end the warning; the others leave it open for another attempt.
FINAL_OUTCOMES = frozenset({Outcome.DISSUADED, Outcome.DEFRAUDED, Outcome.INVALID})


class Warning(models.Model):
    source = models.CharField("预警来源", max_length=40)
    source_id = models.CharField("预警编号", max_length=100)
    # No index of their own on person, area, address hash or acknowledger: the composite indexes below
    # lead with person and area, and nothing looks warnings up by the other two (16 → 12 indexes to
    # maintain on every write of a 100,000-row import).
    person = models.ForeignKey(
        "core.Person",
        verbose_name="当事人",
        on_delete=models.PROTECT,
        related_name="warnings",
        db_index=False,
    )
    fraud_type = models.CharField("诈骗类型", max_length=40, blank=True)
    grade = models.CharField("等级", max_length=8, choices=Grade.choices, default=Grade.LOW)
    grade_reasons = models.JSONField("定级理由", default=list, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.NEW)
    escalated = models.BooleanField("已升级督办", default=False)
    area = models.ForeignKey(
        "core.Area", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    needs_placement = models.BooleanField("待中心定位", default=False)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name="承办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(  # indexed by warnings_assignee, which it leads
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    amount = models.DecimalField("涉案金额", max_digits=14, decimal_places=2, null=True, blank=True)
    address = EncryptedTextField("现住址（来源所报）", blank=True, default="")
    address_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_number_raw = EncryptedTextField("身份证号（待更正）", blank=True, default="")
    phone_raw = EncryptedTextField("手机号（待更正）", blank=True, default="")
    suspect_numbers = EncryptedTextField("嫌疑号码", blank=True, default="")
    suspect_accounts = EncryptedTextField("嫌疑账号", blank=True, default="")
    notes = EncryptedTextField("备注", blank=True, default="")
    facts = models.JSONField("定级要素", default=dict, blank=True)
    quality_flags = models.JSONField("数据问题", default=list, blank=True)
    outcome = models.CharField("处置结果", max_length=16, choices=Outcome.choices, blank=True)
    warned_at = models.DateTimeField("预警时间")
    received_at = models.DateTimeField("接收时间")
    # When the SLA clock now running started: at receipt, again at a handover (转交) to another unit and
    # at the centre's placement out of its queue. Every recomputation of the deadlines (a regrade, a
    # merge) counts from it (:attr:`clock_start`); received_at stays the warning's own time. Set by
    # intake and filled by migration 0010; empty only for a row written by a raw writer that does not
    # know it (read as the receipt).
    clock_started_at = models.DateTimeField("时限起算时间", null=True, blank=True)
    assigned_at = models.DateTimeField("派发时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    contacted_at = models.DateTimeField("联系时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    due_ack_at = models.DateTimeField("签收时限")
    due_contact_at = models.DateTimeField("联系时限")
    remind_ack_at = models.DateTimeField("签收提醒时间", null=True, blank=True)
    remind_contact_at = models.DateTimeField("联系提醒时间", null=True, blank=True)
    ack_reminded = models.BooleanField("已提醒签收", default=False)
    contact_reminded = models.BooleanField("已提醒联系", default=False)
    ack_breached = models.BooleanField("签收超时", default=False)
    contact_breached = models.BooleanField("联系超时", default=False)
    merged_count = models.PositiveIntegerField("合并次数", default=0)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "预警"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="warnings_warning_source_id"),
        ]
        indexes = [
            models.Index(fields=["status", "due_ack_at"], name="warnings_open_due"),
            models.Index(fields=["status", "due_contact_at"], name="warnings_open_contact_due"),
            models.Index(fields=["status", "remind_ack_at"], name="warnings_open_remind"),
            models.Index(fields=["person", "status"], name="warnings_person_status"),
            # A user's open warnings counted for least-loaded routing (an index range, not their history).
            models.Index(fields=["assignee", "status", "assigned_at"], name="warnings_assignee"),
            models.Index(fields=["source", "received_at"], name="warnings_source_time"),
            # The centre's list: newest first, narrowed by grade, status or area (see selectors).
            models.Index(fields=["-received_at", "-id"], name="warnings_recent"),
            models.Index(fields=["grade", "-received_at", "-id"], name="warnings_grade_recent"),
            models.Index(fields=["status", "-received_at", "-id"], name="warnings_status_recent"),
            models.Index(fields=["area", "-received_at", "-id"], name="warnings_area_recent"),
        ]

    def __str__(self) -> str:
        return f"预警 #{self.pk}（{self.get_grade_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def clock_start(self):  # type: ignore[no-untyped-def]
        """When the SLA clock now running started (the receipt unless restarted since)."""
        return self.clock_started_at or self.received_at

    def next_due(self):  # type: ignore[no-untyped-def]
        """The deadline that runs now: acknowledging until acknowledged, then contact until the person
        is reached; none after (a reached person's contact deadline was met, even when the warning was
        handed over and acknowledged again)."""
        if self.status in (Status.NEW, Status.ASSIGNED):
            return self.due_ack_at
        if self.status == Status.ACKNOWLEDGED and self.contacted_at is None:
            return self.due_contact_at
        return None


def _pushed_by() -> Any:
    """The partner organisation whose API key pushed a row (a source ref's, a re-push's); None for files,
    forms and logged-in users."""
    return models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )


def _pushed_in() -> Any:
    """The import batch (file or API batch push) a row came in. SET_NULL, not PROTECT: batches are
    records the retention purge deletes (RETENTION_IMPORTS_DAYS), while a source ref keeps a re-import a
    no-op and a re-push the later period's feedback: both outlive their batch."""
    return models.ForeignKey(
        "imports.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )


class WarningSourceRef(models.Model):
    """Every (source, source id) that reached a warning, the merged ones too: re-imports are no-ops."""

    source = models.CharField(max_length=40)
    source_id = models.CharField(max_length=100)
    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="source_refs")
    received_at = models.DateTimeField()
    row_values = models.JSONField(default=dict, blank=True)  # masked values as pushed, for feedback
    # The partner organisation whose API key pushed it (its feedback is read back by that key); None for
    # files, forms and logged-in users.
    pushed_by = _pushed_by()
    # The import batch (file or API batch push) whose row brought it, new or merged: the list's 本批预警
    # (``?batch=``). None for the one-warning path (API, form) and for refs older than the link.
    batch = _pushed_in()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="warnings_sourceref_unique"),
        ]
        indexes = [  # partial: a file's 100,000 source ids (no partner) add nothing to maintain
            models.Index(
                fields=["pushed_by", "received_at"],
                name="warnings_sourceref_pushed",
                condition=models.Q(pushed_by__isnull=False),
            ),
            # A batch's warnings (the list's filter reads the warning ids from the index alone; the purge
            # of a batch finds its refs by it). Partial: the refs of single warnings are not in it.
            models.Index(
                fields=["batch", "warning"],
                name="warnings_sourceref_batch",
                condition=models.Q(batch__isnull=False),
            ),
            # The feedback list (反馈上级): a source's rows received in a period, in the order they came
            # (received_at, id), the warning at hand to test the user's sight and count from the index
            # alone (exports.feedback_parts); and the sources pushed at all (exports.pushed_sources).
            models.Index(
                fields=["source", "received_at", "id", "warning"], name="warnings_sourceref_received"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.source_id}"


class WarningRepush(models.Model):
    """A pushed row received again, unchanged, in a later list (a file, a batch push or a partner's push):
    the warning is not touched, but its answer is owed in that list's feedback period too, and it is one
    of that list's 本批预警. The first receipt is the source ref itself; a row repeated within one list is
    recorded once."""

    ref = models.ForeignKey(WarningSourceRef, on_delete=models.CASCADE, related_name="repushes")
    received_at = models.DateTimeField()
    pushed_by = _pushed_by()
    batch = _pushed_in()

    class Meta:
        indexes = [
            models.Index(fields=["received_at"], name="warnings_repush_received"),
            models.Index(
                fields=["batch", "ref"],
                name="warnings_repush_batch",
                condition=models.Q(batch__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} @ {self.received_at:%Y-%m-%d %H:%M}"


class EventKind(models.TextChoices):
    CREATED = "created", "接收预警"
    MERGED = "merged", "合并重复预警"
    GRADED = "graded", "定级"
    ROUTED = "routed", "定位派发"
    PLACED = "placed", "人工定位"
    ACKNOWLEDGED = "acknowledged", "签收"
    CONTACT = "contact", "联系记录"
    CLOSED = "closed", "办结"
    HANDED_OVER = "handed_over", "转交"
    REMINDED = "reminded", "时限提醒"
    ESCALATED = "escalated", "超时升级"
    NOTE = "note", "备注"


# The history lines of a warning leaving a unit with its clock (``data.clock``): a handover, a merge's
# re-routing from the grid worker to the station, and any line taking a warning out of the centre's queue
# to a unit (the queue's clock, counted against the centre: ``sla.queue_clock_record``). The statistics
# read them by kind (``selectors.handed_on``) through the partial index below, which SQLite uses only
# when the query's ``IN`` list is the index's own: one tuple for both.
HANDED_ON = (EventKind.HANDED_OVER, EventKind.ROUTED)


class WarningEvent(models.Model):
    """The warning's history as its people read it; no personal data in clear in ``message``."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # The on-time rate's handover lines (selectors.handed_on: by kind, of the warnings in scope):
            # only those lines, ~1 % of the history, by warning — not every line of every warning.
            models.Index(
                fields=["warning"], condition=Q(kind__in=HANDED_ON), name="warnings_event_handed_on"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.warning_id}"


class ContactKind(models.TextChoices):
    CALL = "call", "电话劝阻"
    VISIT = "visit", "上门劝阻"


class Contact(models.Model):
    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField("方式", max_length=8, choices=ContactKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contacted_at = models.DateTimeField("联系时间")
    arrived_at = models.DateTimeField("到达时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices)
    notes = EncryptedTextField("情况说明", blank=True, default="")
    follow_up_on = models.DateField("回访日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "劝阻记录"
        ordering = ["contacted_at", "id"]
        # A warning's latest contact (its pending 回访, selectors.latest_contacts) read by one index step:
        # with the warning id alone PostgreSQL may walk the primary key backwards for each warning
        # instead (it did after the demo's bulk load, before statistics: minutes for the morning reminder).
        indexes = [models.Index(fields=["warning", "id"], name="warnings_contact_latest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.get_outcome_display()}"


class ContactPhoto(models.Model):
    """A photo from a visit, encrypted in the database (it shows a person and their home)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="photos")
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"照片 #{self.pk}"


class GradingRule(models.Model):
    """One rule of the centre's grading: when every condition set holds, at least ``grade``, with a reason."""

    name = models.CharField("名称", max_length=80)
    enabled = models.BooleanField("启用", default=True)
    position = models.PositiveIntegerField("顺序", default=100)
    fraud_types = models.JSONField("诈骗类型", default=list, blank=True)
    sources = models.JSONField("预警来源", default=list, blank=True)
    # The sender's own level of the warning (预警级别, read as a grade): any of these.
    pushed_levels = models.JSONField("推送方预警级别", default=list, blank=True)
    min_age = models.PositiveSmallIntegerField("最低年龄", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("最高年龄", null=True, blank=True)
    min_amount = models.DecimalField("最低涉案金额", max_digits=14, decimal_places=2, null=True, blank=True)
    min_calls = models.PositiveIntegerField("被诈骗号码呼叫次数不少于", null=True, blank=True)
    min_callbacks = models.PositiveIntegerField("回拨次数不少于", null=True, blank=True)
    transfer_in_progress = models.BooleanField("正在转账", null=True, blank=True)
    grade = models.CharField("等级", max_length=8, choices=Grade.choices)
    reason = models.CharField("理由模板", max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "定级规则"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class PushedLayout(models.Model):
    """The columns of a file received from a source, in the file's order: the feedback list (反馈) goes
    back to the sender in the layout its rows came in, its own column names, with the outcome added.

    One per file (import batch) and source it brought rows of; its rows are those of the source received
    at ``received_at`` (every row of one file is received at one instant). An API batch push's has no
    columns: its rows go back in our own list's. One saved before layouts were kept per file
    (``received_at`` empty, one per source) stays the layout of its source's rows received until it was
    saved (``updated_at``).
    """

    source = models.CharField("预警来源", max_length=40)
    columns = models.JSONField("列", default=list)  # [[header text, field name or ""], …]
    batch = models.ForeignKey("imports.ImportBatch", null=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField("接收时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "推送清单格式"
        constraints = [
            models.UniqueConstraint(fields=["batch", "source"], name="warnings_pushedlayout_batch_source"),
        ]
        indexes = [models.Index(fields=["source", "received_at"], name="warnings_pushedlayout_received")]

    def __str__(self) -> str:
        return f"{self.source} 推送清单格式"


class AddressPlacement(models.Model):
    """An address the centre placed by hand: the next warning at that address goes there directly."""

    address_hash = models.CharField(max_length=64, unique=True)
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="+")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"地址定位 → {self.area_id}"


class FraudTypeAlias(models.Model):
    """A way the centre's senders write a fraud type that the typology does not know (a superior
    platform's numeric code such as 0103, a bank's own wording): the centre's table, edited in the UI."""

    text = models.CharField("来单写法", max_length=60)
    key = models.CharField(max_length=60, unique=True)  # typology.key(text): how it is compared
    fraud_type = models.CharField("对应诈骗类型", max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "诈骗类型对照"
        ordering = ["text"]

    def __str__(self) -> str:
        return f"诈骗类型对照 {self.text}"


class ExportKind(models.TextChoices):
    LIST = "list", "预警清单"
    FEEDBACK = "feedback", "反馈上级"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    READY = "ready", "可下载"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已过期"


class WarningExportQuerySet(models.QuerySet["WarningExport"]):
    def visible_to(self, user: Any) -> WarningExportQuerySet:
        """Only the requester sees (and downloads) an export (:func:`fanzha.core.access.exports_q`)."""
        return self.filter(access.exports_q(user))


class WarningExport(models.Model):
    """An export made by the worker (more rows than ``FANZHA_EXPORT_INLINE_ROWS``): what was asked — the
    filters as the list applied them, or the feedback form's source, period and format; codes and dates,
    never a query and never personal data — and the file it made, stored encrypted under
    ``var/exports`` until it expires (docs/warnings.md §6)."""

    kind = models.CharField("导出内容", max_length=16, choices=ExportKind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.CASCADE, related_name="+"
    )
    params = models.JSONField("筛选条件", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=ExportStatus.choices, default="queued")
    rows = models.PositiveIntegerField("条数", default=0)  # counted when asked; the file's once made
    filename = models.CharField("文件名", max_length=200, blank=True)
    stored_name = models.CharField(max_length=100, blank=True)  # the encrypted file in var/exports
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    message = models.CharField("说明", max_length=500, blank=True)
    job = models.ForeignKey(
        "jobs.Job",
        verbose_name="后台任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True, db_index=True)

    objects = WarningExportQuerySet.as_manager()

    class Meta:
        verbose_name = "后台导出"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"导出 #{self.pk} {self.get_kind_display()}"
