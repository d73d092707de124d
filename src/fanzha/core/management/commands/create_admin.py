"""``fanzha create_admin USERNAME --organisation NAME [--area CODE] [--name 姓名]``: the first system
administrator of an empty install, with an initial password printed once (to change at first login)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fanzha.audit import context
from fanzha.core.models import User
from fanzha.core.services import organisations as org_services


class Command(BaseCommand):
    help = "新建第一个系统管理员（空库上线时用；单位不存在时作为反诈中心建在区划树的顶级区划）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="登录用户名")
        parser.add_argument("--organisation", required=True, help="所在单位名称，如 青溪县公安局反诈中心")
        parser.add_argument(
            "--area", default="", help="单位不存在时，反诈中心所在的区划代码（默认区划树的顶级）"
        )
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args: Any, **options: Any) -> None:
        from fanzha.imports.importers.users import initial_password

        username = options["username"].strip()
        password = initial_password(User(username=username, display_name=options["name"]))
        try:
            with context.bound("cli"):
                user = org_services.first_admin_create(
                    username=username,
                    password=password,
                    organisation_name=options["organisation"],
                    area_code=options["area"],
                    display_name=options["name"],
                )
        except org_services.FirstAdminRefused as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已新建系统管理员 {user.username}（{user.organisation}）。")
        self.stdout.write(f"初始密码：{password}")
        self.stderr.write("初始密码只显示这一次，首次登录时须修改。其他账户请登录后在“用户”页新建或导入。")
