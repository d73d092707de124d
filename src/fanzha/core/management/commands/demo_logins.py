"""``fanzha demo_logins``: the demo login of each role, printed only when the demo users exist."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from fanzha.audit.models import AuditEvent
from fanzha.core.models import User
from fanzha.core.roles import ROLES
from fanzha.demo.accounts import DEMO_LOGINS, DEMO_PASSWORD, MARKER_USERNAME


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def demo_login_rows() -> list[tuple[str, str, str, str]]:
    """(role, username, password, organisation) of each demo user that exists; empty without the demo.

    The demo is there when it was loaded (a ``demo.load`` audit record) and its marker user still
    has the demo password, so a real ``leader`` account never gets a wrong password printed.
    """
    try:
        users = {
            u.username: u
            for u in User.objects.filter(username__in=[d.username for d in DEMO_LOGINS]).select_related(
                "organisation"
            )
        }
        loaded = AuditEvent.objects.filter(action="demo.load").exists()
    except DatabaseError:  # not migrated yet: nothing to show
        return []
    marker = users.get(MARKER_USERNAME)
    if not loaded or marker is None or not marker.check_password(DEMO_PASSWORD):
        return []
    return [
        (ROLES[login.role].name, login.username, DEMO_PASSWORD, str(users[login.username].organisation or ""))
        for login in DEMO_LOGINS
        if login.username in users
    ]


class Command(BaseCommand):
    help = "打印演示数据中各角色的登录账号（仅在已载入演示数据时）"

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            return
        rows = demo_login_rows()
        if not rows:
            return
        header = ("角色", "用户名", "密码", "单位")
        widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(4)]
        self.stdout.write("演示账号（所有账号密码相同，仅供演示，切勿用于真实数据）：")
        for row in [header, *rows]:
            self.stdout.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
