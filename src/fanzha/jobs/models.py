"""Background jobs, periodic schedules, notifications (inbox and outbox) and the working-day calendar."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from fanzha.core import access


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


FINISHED_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class JobQuerySet(models.QuerySet["Job"]):
    def visible_to(self, user: Any) -> JobQuerySet:
        """Everyone sees their own jobs, a centre's leader those of its jurisdiction's units, the
        administrator all of them (:func:`fanzha.core.access.jobs_q`)."""
        return self.filter(access.jobs_q(user))


class Job(models.Model):
    """One unit of background work. ``args`` and ``result`` never hold personal data in clear."""

    kind = models.CharField("任务类型", max_length=100, db_index=True)
    args = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    run_at = models.DateTimeField("计划运行时间")
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    max_attempts = models.PositiveIntegerField("最多尝试次数", default=3)
    last_error = models.TextField("最近错误", blank=True)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    progress_message = models.CharField("进度说明", max_length=200, blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    locked_by = models.CharField("工作进程", max_length=120, blank=True)
    heartbeat_at = models.DateTimeField("心跳时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "run_at"], name="jobs_job_due"),
            models.Index(fields=["status", "heartbeat_at"], name="jobs_job_heartbeat"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="jobs_job_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"任务 #{self.pk} {self.kind}"

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)


class Schedule(models.Model):
    """A periodic job: every N seconds, or daily at a time of day in Asia/Shanghai."""

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("任务类型", max_length=100)
    args = models.JSONField("参数", default=dict, blank=True)
    every_seconds = models.PositiveIntegerField("间隔秒数", null=True, blank=True)
    daily_at = models.TimeField("每日时间（北京时间）", null=True, blank=True)
    next_run_at = models.DateTimeField("下次运行时间", db_index=True)
    last_enqueued_at = models.DateTimeField("上次提交时间", null=True, blank=True)
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "定时任务"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(every_seconds__isnull=False, daily_at__isnull=True)
                    | models.Q(every_seconds__isnull=True, daily_at__isnull=False)
                ),
                name="jobs_schedule_one_period",
            ),
            models.CheckConstraint(
                condition=models.Q(every_seconds__isnull=True) | models.Q(every_seconds__gte=1),
                name="jobs_schedule_every_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NotificationLevel(models.TextChoices):
    INFO = "info", "提示"
    SUCCESS = "success", "完成"
    WARNING = "warning", "注意"
    DANGER = "danger", "紧急"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: Any) -> NotificationQuerySet:
        """Only the recipient sees a notification (:func:`fanzha.core.access.notifications_q`)."""
        return self.filter(access.notifications_q(user))


class Notification(models.Model):
    """An inbox message. ``link`` is a path inside the platform and never carries personal data."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    level = models.CharField("级别", max_length=16, choices=NotificationLevel.choices, default="info")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="jobs_notification_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutboxChannel(models.TextChoices):
    SMS = "sms", "短信"
    IM = "im", "即时通讯"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class OutboxMessage(models.Model):
    """A message waiting for an SMS or IM adapter; the text is masked of personal data."""

    channel = models.CharField("渠道", max_length=8, choices=OutboxChannel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField("内容（已脱敏）")
    status = models.CharField("状态", max_length=8, choices=OutboxStatus.choices, default="pending")
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "待发消息"
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "channel"], name="jobs_outbox_pending")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"


class CalendarDay(models.Model):
    """A centre's override of the statutory calendar for one day."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("工作日")
    name = models.CharField("名称", max_length=50, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "工作日历调整"
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "工作日" if self.is_working_day else "休息日"
        return f"{self.date.isoformat()} {kind}"
