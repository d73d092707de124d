"""The audit log: append-only, each record chained to the previous one by a SHA-256 hash.

The database refuses UPDATE and DELETE on this table (triggers in migration 0002), except DELETE
of rows covered by an AuditPurgePermit, which only the retention purge writes and removes again
inside one transaction.
"""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, db_index=True)
    actor_username = models.CharField("操作人", max_length=150, blank=True)
    actor_organisation = models.CharField("操作人单位", max_length=120, blank=True)
    action = models.CharField("事件", max_length=40, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True, db_index=True)
    object_label = models.CharField("对象", max_length=200, blank=True)
    fields = models.JSONField("字段", default=list)
    details = models.JSONField("详情", default=dict)
    ip = models.CharField("IP", max_length=45, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    channel = models.CharField("渠道", max_length=16, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "审计记录"

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("audit records cannot be changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit records cannot be deleted")


class AuditPurgePermit(models.Model):
    """Written and removed by the retention purge in one transaction; allows DELETE up to ``upto_id``."""

    upto_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"purge permit ≤ {self.upto_id}"
