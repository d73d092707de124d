"""The navigation a user sees, by what their roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from fanzha.core.access import user_permissions
from fanzha.core.roles import ROLES

# (label, url name, permission or None for every signed-in user)
NAVIGATION: list[tuple[str, str, str | None]] = [
    ("首页", "home", None),
    ("预警", "warning_list", "warning.view"),
    ("案件", "case_list", "case.view"),
    ("止付冻结请求", "case_bank_queue", "case.bank"),
    ("人员", "person_list", "person.view"),
    ("行政区划", "area_list", "area.view"),
    ("单位", "organisation_list", "organisation.view"),
    ("用户", "user_list", "user.manage"),
    ("风险筛查", "screen", "screening.use"),
    ("号码研判", "numbers_run_list", "numbers.analyse"),
    ("诈骗类型", "screen_typology", None),
    ("接口密钥", "apikey_list", "apikey.manage"),
    ("导入", "import_list", "person.import"),
    ("工作日历", "calendar", "calendar.edit"),
    ("审计日志", "audit_list", "audit.view"),
    ("后台任务", "job_list", None),
    ("消息", "inbox", None),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    granted = user_permissions(user)
    items = [(label, reverse(name)) for label, name, perm in NAVIGATION if perm is None or perm in granted]
    roles = [ROLES[code].name for code in sorted(user.role_codes) if code in ROLES]
    return {"nav_items": items, "user_roles": roles, "user_perms": granted}
