"""Scoring runs over an operator extract and what they found.

Numbers are personal data: stored encrypted (EncryptedTextField) with a keyed search hash beside them,
masked on every page. The uploaded files live encrypted in :class:`RunUpload` only while queued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fanzha.core.access import ScopedQuerySet
from fanzha.core.pii.fields import EncryptedTextField
from fanzha.core.pii.masking import mask_phone


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class FileKind(models.TextChoices):
    CALLS = "calls", "话单"
    SMS = "sms", "短信记录"
    APPS = "apps", "上网流量记录"
    SPENDING = "spending", "消费记录"


class ScoringRun(models.Model):
    """One upload scored by the committed default model; visible to its organisation's analysts."""

    scope_area_field = None
    scope_addressee_field = "organisation"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="单位", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    message = models.TextField("说明", blank=True)
    files = models.JSONField("文件（类别、名称、大小、SHA-256）", default=list)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    numbers_total = models.PositiveIntegerField("号码数", default=0)
    high_risk_count = models.PositiveIntegerField("高风险号码数", default=0)
    victims_count = models.PositiveIntegerField("潜在受害人数", default=0)
    proposals_count = models.PositiveIntegerField("涉诈名单建议数", default=0)
    threshold = models.FloatField("阈值", null=True, blank=True)
    quality = models.JSONField("数据质量报告", default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "号码研判"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"号码研判 #{self.pk}"


class RunUpload(models.Model):
    """An uploaded file, encrypted, kept only until the run's job has read it."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="uploads")
    kind = models.CharField(max_length=16, choices=FileKind.choices)
    suffix = models.CharField(max_length=10)
    payload = models.BinaryField()
    size = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.size} B)"


class ScoredNumber(models.Model):
    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="scored")
    number = EncryptedTextField("号码")
    number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    rank = models.PositiveIntegerField("排名")
    score = models.FloatField("风险分")
    is_high_risk = models.BooleanField("高风险", default=False)
    reasons = models.JSONField("主要理由", default=list, blank=True)

    class Meta:
        ordering = ["run", "rank"]

    def __str__(self) -> str:
        return mask_phone(self.number)

    @property
    def masked(self) -> str:
        return mask_phone(self.number)


class VictimGrade(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class PotentialVictim(models.Model):
    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="victims")
    number = EncryptedTextField("号码")
    number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    rank = models.PositiveIntegerField("排名")
    grade = models.CharField("等级", max_length=8, choices=VictimGrade.choices)
    priority = models.FloatField("优先级")
    risk_numbers = models.PositiveIntegerField("联系过的高风险号码数", default=0)
    max_score = models.FloatField("最高风险分", default=0)
    calls = models.PositiveIntegerField("来电次数", default=0)
    answered_calls = models.PositiveIntegerField("接通次数", default=0)
    total_duration = models.FloatField("累计通话秒数", default=0)
    longest_call = models.FloatField("最长通话秒数", default=0)
    sms = models.PositiveIntegerField("短信条数", default=0)
    callbacks = models.PositiveIntegerField("回拨次数", default=0)
    callback_duration = models.FloatField("回拨通话秒数", default=0)
    first_contact = models.DateTimeField("首次联系", null=True, blank=True)
    last_contact = models.DateTimeField("最近联系", null=True, blank=True)
    reasons = models.TextField("理由", blank=True)  # the high-risk numbers in it masked
    suspect_numbers = EncryptedTextField("联系过的高风险号码", blank=True, default="")  # one a line
    warning = models.ForeignKey(
        "warnings.Warning", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField("发送预警时间", null=True, blank=True)

    class Meta:
        ordering = ["run", "rank"]

    def __str__(self) -> str:
        return mask_phone(self.number)

    @property
    def masked(self) -> str:
        return mask_phone(self.number)

    @property
    def called_back(self) -> bool:
        return self.callbacks > 0


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "已驳回"


class IndicatorProposal(models.Model):
    """A number proposed for the indicator list (涉诈名单), pending a person's decision."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="proposals")
    number = EncryptedTextField("号码")
    number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    score = models.FloatField("风险分")
    evidence = models.JSONField("依据", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decision_reason = models.TextField("确认或驳回理由", blank=True, default="")
    # the runs it was moved from while pending, the latest last, each {"run", "score", "evidence"}: a run
    # stored again whose results no longer name it gives it back to the run before (its evidence)
    moved_from = models.JSONField("移入前的研判", default=list, blank=True)

    class Meta:
        ordering = ["run", "-score", "id"]

    def __str__(self) -> str:
        return mask_phone(self.number)

    @property
    def masked(self) -> str:
        return mask_phone(self.number)
