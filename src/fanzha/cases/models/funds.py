"""Money: stop-payment and freeze requests to banks (措施), returns (返还), statements and their rows.

A measure is addressed to a bank organisation: bank users see only their own queue
(``scope_addressee_field``); officers see the measures of cases in their jurisdiction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fanzha.cases.models.case import Case, Payment, Victim
from fanzha.core.access import ScopedQuerySet
from fanzha.core.pii.fields import EncryptedTextField


class MeasureKind(models.TextChoices):
    STOP = "stop", "紧急止付"
    FREEZE = "freeze", "冻结"


class MeasureStatus(models.TextChoices):
    SENT = "sent", "待银行反馈"
    IN_FORCE = "in_force", "生效中"
    NOT_EFFECTIVE = "not_effective", "未生效"
    EXPIRED = "expired", "已到期"
    RENEWED = "renewed", "已续期"
    RELEASED = "released", "已解除"


class Answer(models.TextChoices):
    STOPPED = "stopped", "已止付"
    FROZEN = "frozen", "已冻结"
    INSUFFICIENT = "insufficient", "余额不足"
    MOVED_ON = "moved_on", "资金已转出"
    NO_ACCOUNT = "no_account", "非本行账户"


class Measure(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures")
    payment = models.ForeignKey(
        Payment, verbose_name="源于付款", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField("措施", max_length=8, choices=MeasureKind.choices)
    sequence = models.PositiveSmallIntegerField("第几次", default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_measure"
    )
    # The answered measure whose bank said the money moved on to this account (资金已转出): the requests
    # sent onward from one answer share what moved on (``measures.onward_available_fen``).
    onward_from = models.ForeignKey(
        "self",
        verbose_name="上一级措施",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="onward_measures",
    )
    account = EncryptedTextField("账号")
    account_hash = models.CharField(max_length=64, db_index=True, editable=False)
    account_name = EncryptedTextField("户名", blank=True, default="")
    bank_name = models.CharField("开户行/平台", max_length=60, blank=True)
    bank_org = models.ForeignKey(
        "core.Organisation",
        verbose_name="接收银行",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hop = models.PositiveSmallIntegerField("层级", default=0)  # 0 = the card the victim paid into
    requested_fen = models.BigIntegerField("请求金额（分）")
    status = models.CharField(
        "状态", max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.SENT
    )
    sent_at = models.DateTimeField("发送时间")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("事由", max_length=200, blank=True)
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.CharField("银行反馈", max_length=16, choices=Answer.choices, blank=True)
    effective_fen = models.BigIntegerField("止付/冻结金额（分）", default=0)
    balance_fen = models.BigIntegerField("账户余额（分）", null=True, blank=True)
    moved_to = EncryptedTextField("资金去向账号", blank=True, default="")
    answer_note = models.CharField("反馈说明", max_length=200, blank=True)
    # When the bank stopped or froze the money (its answer says so; it may be recorded later): the legal
    # clock runs from here (``clocks.expires``). Empty when nothing was held.
    executed_at = models.DateTimeField("执行时间", null=True, blank=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    alerted = models.BooleanField("已到期提醒", default=False)
    # When the clock check told the officer and the bank that the answer is overdue (once).
    answer_overdue_at = models.DateTimeField("反馈超时提醒时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_area_field = "case__area"
    scope_addressee_field = "bank_org"

    class Meta:
        verbose_name = "止付冻结"
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="cases_measure_clock"),
            models.Index(fields=["bank_org", "status", "-sent_at"], name="cases_measure_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def in_force(self) -> bool:
        return self.status == MeasureStatus.IN_FORCE


class Return(models.Model):
    """A decision to return frozen money to a victim, and when it was done (≤ 3 working days)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="returns")
    victim = models.ForeignKey(
        Victim, verbose_name="受害人", on_delete=models.CASCADE, related_name="returns"
    )
    measure = models.ForeignKey(
        Measure,
        verbose_name="冻结措施",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="returns",
    )
    amount_fen = models.BigIntegerField("决定返还金额（分）")
    decided_on = models.DateField("返还决定日期")
    due_on = models.DateField("应返还日期")
    returned_on = models.DateField("实际返还日期", null=True, blank=True)
    returned_fen = models.BigIntegerField("实际返还金额（分）", default=0)
    alerted = models.BooleanField("已提醒", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_area_field = "case__area"

    class Meta:
        verbose_name = "资金返还"
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"返还 #{self.pk}"

    @property
    def done(self) -> bool:
        return self.returned_on is not None


class StatementStatus(models.TextChoices):
    MAPPING = "mapping", "待指定列"
    IMPORTED = "imported", "已导入"


class Statement(models.Model):
    """One bank statement file uploaded to a case; the file is kept encrypted until its columns are mapped."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="statements")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=StatementStatus.choices, default=StatementStatus.MAPPING)
    data = models.BinaryField(null=True, blank=True)  # encrypted upload, dropped once imported
    account = EncryptedTextField("本方账号", blank=True, default="")
    account_hash = models.CharField(max_length=64, blank=True, editable=False)
    bank_name = models.CharField("开户行", max_length=60, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_added = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": n, "message": ...}]
    balance_break = models.JSONField(null=True, blank=True)  # first row that does not reconcile
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_area_field = "case__area"

    class Meta:
        verbose_name = "银行流水"
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "sha256"], name="cases_statement_unique_file")]

    def __str__(self) -> str:
        return f"流水 #{self.pk}"


class Transaction(models.Model):
    """One statement row, once per case however many overlapping statements list it (``key_hash``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transactions")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="transactions")
    key_hash = models.CharField(max_length=64)
    line = models.PositiveIntegerField()
    account = EncryptedTextField()
    account_hash = models.CharField(max_length=64)
    time = models.DateTimeField()
    amount_fen = models.BigIntegerField()  # + in / − out
    balance_fen = models.BigIntegerField(null=True)
    counterparty = EncryptedTextField(blank=True, default="")
    counterparty_hash = models.CharField(max_length=64, blank=True)
    counterparty_name = EncryptedTextField(blank=True, default="")
    counterparty_bank = models.CharField(max_length=60, blank=True)
    serial = models.CharField(max_length=100, blank=True)
    category = models.PositiveSmallIntegerField()  # fanzha.tracing.kinds.CATEGORIES
    platform = models.CharField(max_length=50, blank=True)
    refund = models.BooleanField(default=False)

    class Meta:
        ordering = ["time", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "key_hash"], name="cases_transaction_once")]
        indexes = [models.Index(fields=["case", "account_hash"], name="cases_tx_account")]

    def __str__(self) -> str:
        return f"交易 #{self.pk}"
