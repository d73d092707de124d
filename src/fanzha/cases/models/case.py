"""Cases (案件): victims, payments, suspects' identifiers, history and attachments.

Money is kept in fen (分) as integers. Account numbers, names, narratives and suspects' identifiers
are encrypted at rest; the *_hash columns are keyed hashes for exact search and for tracing.
Measures (stop-payment, freeze), returns and bank statements are in ``funds``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fanzha.core.access import ScopedQuerySet
from fanzha.core.pii.fields import EncryptedTextField


class Status(models.TextChoices):
    REPORTED = "reported", "报案"
    ACCEPTED = "accepted", "受理"
    FILED = "filed", "立案"
    INVESTIGATING = "investigating", "侦查"
    SOLVED = "solved", "破案"
    CLOSED = "closed", "结案"
    NOT_FILED = "not_filed", "不予立案"


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.REPORTED: frozenset({Status.ACCEPTED, Status.NOT_FILED}),
    Status.ACCEPTED: frozenset({Status.FILED, Status.NOT_FILED}),
    Status.FILED: frozenset({Status.INVESTIGATING, Status.SOLVED}),
    Status.INVESTIGATING: frozenset({Status.SOLVED, Status.CLOSED}),
    Status.SOLVED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.NOT_FILED: frozenset(),
}
# The normal path of a case, in order (不予立案 leaves it after 报案 or 受理).
ORDER_OF_STATUS = (
    Status.REPORTED,
    Status.ACCEPTED,
    Status.FILED,
    Status.INVESTIGATING,
    Status.SOLVED,
    Status.CLOSED,
)
OPEN_STATUSES = (Status.REPORTED, Status.ACCEPTED, Status.FILED, Status.INVESTIGATING, Status.SOLVED)


class Origin(models.TextChoices):
    WARNING = "warning", "预警转案件"
    COUNTER = "counter", "窗口报案"
    IMPORT = "import", "批量导入"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "电话"
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信"
    QQ = "qq", "QQ"
    APP = "app", "App / 网站"
    SOCIAL = "social", "短视频、直播、社交平台"
    GAME = "game", "游戏平台"
    IN_PERSON = "in_person", "当面"
    OTHER = "other", "其他"


class Case(models.Model):
    number = models.CharField("案件编号", max_length=32, unique=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.REPORTED)
    origin = models.CharField("来源", max_length=16, choices=Origin.choices, default=Origin.COUNTER)
    source_ref = models.CharField("导入编号", max_length=100, blank=True)
    warning = models.OneToOneField(
        "warnings.Warning",
        verbose_name="来源预警",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
    )
    fraud_type = models.CharField("诈骗类型", max_length=40, blank=True)
    contact_method = models.CharField("接触方式", max_length=16, choices=ContactMethod.choices, blank=True)
    area = models.ForeignKey("core.Area", verbose_name="发案地", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办民警",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    occurred_at = models.DateTimeField("发案时间", null=True, blank=True)
    reported_at = models.DateTimeField("报案时间")
    loss_fen = models.BigIntegerField("损失金额（分）", default=0)
    summary = EncryptedTextField("简要案情", blank=True, default="")
    detained = models.PositiveIntegerField("抓获嫌疑人", default=0)
    results_note = EncryptedTextField("战果说明", blank=True, default="")
    is_draft = models.BooleanField("草稿（待核实）", default=False)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "案件"
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-reported_at"], name="cases_status_recent"),
            models.Index(fields=["area", "-reported_at"], name="cases_area_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="cases_case_unique_source_ref",
            )
        ]

    def __str__(self) -> str:
        return f"案件 {self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Victim(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="victims")
    person = models.ForeignKey(
        "core.Person", verbose_name="受害人", on_delete=models.PROTECT, related_name="+"
    )
    loss_fen = models.BigIntegerField("损失金额（分）", default=0)

    objects = ScopedQuerySet.as_manager()
    scope_area_field = "case__area"

    class Meta:
        verbose_name = "受害人"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="cases_victim_unique")]

    def __str__(self) -> str:
        return str(self.person)  # masked name


class Channel(models.TextChoices):
    BANK = "bank", "银行转账"
    THIRD_PARTY = "third_party", "第三方支付"
    CASH = "cash", "现金"
    CRYPTO = "crypto", "虚拟币"
    OTHER = "other", "其他"


class Payment(models.Model):
    """One payment the victim made to the fraud: the start of a stop-payment and of a trace."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="payments")
    victim = models.ForeignKey(
        Victim, verbose_name="付款人", on_delete=models.CASCADE, related_name="payments"
    )
    paid_at = models.DateTimeField("付款时间")
    amount_fen = models.BigIntegerField("金额（分）")
    channel = models.CharField("方式", max_length=16, choices=Channel.choices, default=Channel.BANK)
    from_account = EncryptedTextField("付款账号", blank=True, default="")
    to_account = EncryptedTextField("收款账号")
    to_account_hash = models.CharField(max_length=64, db_index=True, editable=False)
    to_name = EncryptedTextField("收款户名", blank=True, default="")
    to_bank = models.CharField("收款银行/平台", max_length=60, blank=True)
    bank_org = models.ForeignKey(
        "core.Organisation",
        verbose_name="接收止付请求的银行",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reference = models.CharField("交易流水号", max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_area_field = "case__area"

    class Meta:
        verbose_name = "支付记录"
        ordering = ["paid_at", "id"]

    def __str__(self) -> str:
        return f"付款 #{self.pk}"


class SuspectKind(models.TextChoices):
    PHONE = "phone", "电话号码"
    ACCOUNT = "account", "银行账号"
    PAYMENT_ID = "payment_id", "支付账号"
    URL = "url", "网址"
    APP = "app", "App"
    WECHAT = "wechat", "微信号"
    QQ = "qq", "QQ号"
    OTHER = "other", "其他"


class Suspect(models.Model):
    """A number, account, URL or app the fraud used (the indicator list takes confirmed ones)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspects")
    kind = models.CharField("类别", max_length=16, choices=SuspectKind.choices)
    value = EncryptedTextField("号码/账号/网址")
    value_hash = models.CharField(max_length=64, db_index=True, editable=False)
    note = models.CharField("说明", max_length=200, blank=True)
    confirmed = models.BooleanField("已核实", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "涉案信息"
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "value_hash"], name="cases_suspect_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class EventKind(models.TextChoices):
    CREATED = "created", "登记案件"
    STATUS = "status", "状态变更"
    EDITED = "edited", "修改"
    VICTIM = "victim", "受害人"
    PAYMENT = "payment", "支付记录"
    SUSPECT = "suspect", "涉案信息"
    RESULT = "result", "战果"
    MEASURE = "measure", "止付冻结"
    ANSWER = "answer", "银行反馈"
    ALERT = "alert", "时限提醒"
    STATEMENT = "statement", "流水导入"
    TRACE = "trace", "资金溯源"
    RETURN = "return", "资金返还"
    ATTACHMENT = "attachment", "附件"


class CaseEvent(models.Model):
    """The case's history as its officers read it; no personal data in clear in ``message``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    message = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A file on the case (报案材料, 转账截图, 聊天记录), encrypted in the database."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField("说明", max_length=100)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_area_field = "case__area"

    def __str__(self) -> str:
        return f"附件 #{self.pk}"
