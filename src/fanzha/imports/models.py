"""One row per import attempt: what was imported, by whom, with what result; and, while a large file
waits for the worker, its bytes, encrypted."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BatchStatus(models.TextChoices):
    RUNNING = "running", "导入中"
    COMMITTED = "committed", "已导入"
    REJECTED = "rejected", "已拒绝"
    CHECKED = "checked", "已检查（未导入）"
    SKIPPED = "skipped", "重复文件（未改动）"
    FAILED = "failed", "导入中断"


class ImportBatch(models.Model):
    importer = models.CharField("导入类型", max_length=32)
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("文件摘要", max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField("状态", max_length=16, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    dry_run = models.BooleanField("仅检查", default=False)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_new = models.PositiveIntegerField("新增", default=0)
    rows_updated = models.PositiveIntegerField("更新", default=0)
    rows_unchanged = models.PositiveIntegerField("未变", default=0)
    rows_rejected = models.PositiveIntegerField("有误", default=0)
    message = models.TextField("说明", blank=True)
    unknown_columns = models.JSONField("未识别的列", default=list, blank=True)
    # The file's header in order, each column with the field it was read as ("" for one not read).
    columns = models.JSONField("文件的列", default=list, blank=True)
    errors = models.JSONField("行错误", default=list, blank=True)
    # Rows imported with something to check (a wrong check digit, an unknown source…): row, column, message.
    notices = models.JSONField("行提示", default=list, blank=True)
    job = models.ForeignKey(
        "jobs.Job",
        verbose_name="后台任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入批次"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["importer", "sha256", "status"])]

    def __str__(self) -> str:
        return f"导入批次 #{self.pk}"

    @property
    def importer_label(self) -> str:
        from fanzha.imports.importers import IMPORTERS

        cls = IMPORTERS.get(self.importer)
        return cls.label if cls is not None else self.importer

    @property
    def outcome_text(self) -> str:
        """The status and message as the page and the commands say them, the status once: "已导入", not
        "已导入：已导入"."""
        status = self.get_status_display()
        return self.message if self.message.startswith(status) else f"{status}：{self.message}"


class ImportUpload(models.Model):
    """The uploaded file of a batch waiting for (or being run by) the worker.

    ``payload`` is ``fanzha.core.pii.crypto.encrypt_bytes`` of the file, bound to the batch id; the row is
    deleted when the import ends, whatever the outcome.
    """

    batch = models.OneToOneField(
        ImportBatch,
        verbose_name="导入批次",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="upload",
    )
    payload = models.BinaryField("文件内容（已加密）")
    size = models.PositiveIntegerField("文件大小（字节）")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "待导入文件"

    def __str__(self) -> str:
        return f"待导入文件 #{self.pk}"
