"""Users: each belongs to one organisation and holds one or more roles (fanzha.core.roles)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from fanzha.core.pii.fields import EncryptedTextField
from fanzha.core.roles import ROLE_CHOICES


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="单位", null=True, on_delete=models.PROTECT, related_name="users"
    )
    work_phone = EncryptedTextField("工作电话", blank=True, default="")
    totp_secret = EncryptedTextField("动态口令密钥", blank=True, default="")
    totp_enabled = models.BooleanField("启用动态口令", default=False)
    totp_last_step = models.BigIntegerField("最近使用的动态口令时间步", null=True, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", default=timezone.now)

    class Meta:
        verbose_name = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("role", flat=True)) if self.pk else frozenset()
            self._role_codes = cached
        return cached


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField("角色", max_length=32, choices=ROLE_CHOICES)

    class Meta:
        verbose_name = "用户角色"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="core_userrole_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
