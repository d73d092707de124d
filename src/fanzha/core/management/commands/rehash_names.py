"""``fanzha rehash_names``: the people's name search hashes made again after names began to compare
without letter case (once after upgrading; again changes nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fanzha.core.services.persons import rehash_names


class Command(BaseCommand):
    help = "重新计算人员姓名的检索哈希（姓名改为不区分大小写比较后，升级时运行一次）"

    def handle(self, *args: Any, **options: Any) -> None:
        updated = rehash_names()
        self.stdout.write(f"已更新 {updated} 名人员的姓名检索哈希")
