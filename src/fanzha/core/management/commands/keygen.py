"""Print fresh secrets for a production environment file."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand

from fanzha.core.pii.crypto import generate_key


class Command(BaseCommand):
    help = "生成生产环境所需的 SECRET_KEY 与 FANZHA_PII_KEY"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"SECRET_KEY={secrets.token_urlsafe(60)}")
        self.stdout.write(f"FANZHA_PII_KEY={generate_key()}")
        self.stderr.write("把 FANZHA_PII_KEY 另行妥善备份：丢失后已加密的个人信息无法解密。")
