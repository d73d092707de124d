"""Partner API keys and the per-minute request counters behind the rate limit."""

from __future__ import annotations

from django.db import models

# What a key may call: code → what the issuing page says.
SCOPES = {
    "screen": "风险筛查（POST /api/screen）",
    "warnings": "推送预警（POST /api/warnings）",
}


class ApiKey(models.Model):
    """A partner's key. Only ``key_hash`` (SHA-256 of the token) is stored; the token is shown once.

    Tokens are 32 random bytes (``secrets.token_urlsafe``), so a plain SHA-256 cannot be reversed
    by guessing; it needs no secret of its own and survives a change of the personal-data key.
    """

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="所属单位", on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField("名称", max_length=100)
    prefix = models.CharField("密钥前缀", max_length=16, help_text="明文前几位，便于识别，不足以调用")
    key_hash = models.CharField("密钥哈希", max_length=64, unique=True)
    scopes = models.JSONField("权限范围", default=list)
    rate_per_minute = models.PositiveIntegerField("每分钟请求上限", default=60)
    created_by = models.ForeignKey(
        "core.User", verbose_name="签发人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        "core.User", verbose_name="吊销人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    request_count = models.BigIntegerField("请求次数", default=0)
    item_count = models.BigIntegerField("筛查条数", default=0)

    class Meta:
        verbose_name = "接口密钥"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def scope_labels(self) -> list[str]:
        return [SCOPES.get(code, code) for code in self.scopes]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RateCounter(models.Model):
    """Requests of one caller (``bucket``: ``key:<id>`` or ``user:<id>``) in one clock minute.

    A database row, so the limit holds across worker processes on SQLite and PostgreSQL alike.
    """

    bucket = models.CharField(max_length=64)
    window = models.BigIntegerField()  # minutes since the epoch
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bucket", "window"], name="screen_ratecounter_unique")]

    def __str__(self) -> str:
        return f"{self.bucket}@{self.window}: {self.count}"
