"""Users (用户): the accounts of a county's grid workers, police officers, bank staff…, keyed by username.

A county centre moving to fanzha creates its hundreds of accounts from one list instead of one by one.
Rows go through the user services, so the checks (roles that fit the unit's kind, no deactivating
oneself) and the audit records are those of the 用户 pages. A blank cell keeps what an existing account
has; the roles of a row replace the account's roles.

Passwords never travel in a file: a file with a password column is refused as a whole. A new account
gets an unusable password (it cannot log in) until the administrator sets its initial password in the
system, which the user must change at first login.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError

from fanzha.core.models import Organisation, User
from fanzha.core.roles import ROLES
from fanzha.core.services import organisations as user_services
from fanzha.imports.columns import NUMERIC_REJECT, Field
from fanzha.imports.importers.areas import validation_message
from fanzha.imports.importers.base import NEW, UNCHANGED, UPDATED, Importer, Row, RowRejected

USERNAME_MAX = 150  # User.username
DISPLAY_NAME_MAX = 50  # User.display_name
WORK_PHONE_MAX = 32  # as the 新建用户 form
ROLE_SPLIT = re.compile(r"[、,，;；/／\s]+")
CREATED_KEY = "users_created"  # the import.commit audit details: the pks of the accounts a file created

CREDENTIAL_COLUMN_REFUSED = (
    "文件含有密码列，整份文件未导入：密码不通过文件传递。请删除该列后重新上传；"
    "新账户的初始密码在系统中设置（首次登录须修改）"
)
KEPT_AS_IS = "导入不修改已有账户的{label}（只修改角色和状态）；请留空或填写系统中的{label}"


def _word_key(text: str) -> str:
    return re.sub(r"[\s_]+", "", unicodedata.normalize("NFKC", text).lower())


# A role by its Chinese name (roles.py) or its code.
ROLE_WORDS: dict[str, str] = {
    _word_key(word): role.code for role in ROLES.values() for word in (role.name, role.code)
}
ROLE_HINT = "、".join(role.name for role in ROLES.values())

ACTIVE, INACTIVE = "在用", "停用"
STATUS_WORDS: dict[str, bool] = {
    **{_word_key(w): True for w in (ACTIVE, "启用", "正常", "有效", "active", "enabled")},
    **{_word_key(w): False for w in (INACTIVE, "已停用", "禁用", "无效", "inactive", "disabled")},
}

FIELDS = [
    Field(
        "username",
        "用户名",
        ("账号", "账户", "帐号", "登录名", "登录账号", "用户账号", "username", "user name", "login"),
        required=True,
        numeric=NUMERIC_REJECT,  # 警号 0123 as a number would lose its zero
        fold=True,
    ),
    Field("display_name", "姓名", ("名字", "真实姓名", "用户姓名", "name", "full name", "display name")),
    Field(
        "organisation",
        "单位名称",
        ("单位", "所属单位", "工作单位", "机构名称", "organisation", "organization", "unit"),
    ),
    Field("roles", "角色", ("角色名称", "用户角色", "roles", "role")),
    Field(
        "work_phone",
        "工作电话",
        ("办公电话", "联系电话", "电话", "work phone", "phone"),
        numeric=NUMERIC_REJECT,
        pii="phone",
        fold=True,
    ),
    Field("status", "状态", ("账户状态", "账号状态", "用户状态", "status"), fold=True),
    # Read only to refuse the file: its values are never used, kept or quoted.
    Field(
        "password",
        "密码（不接受）",
        ("初始密码", "登录密码", "临时密码", "口令", "password", "passwd", "pwd", "initial password"),
    ),
]


def parse_roles(text: str) -> tuple[list[str], list[str]]:
    """The role codes a cell names, and the words that name none."""
    codes: list[str] = []
    unknown: list[str] = []
    for word in (w for w in ROLE_SPLIT.split(text.strip()) if w):
        code = ROLE_WORDS.get(_word_key(word))
        if code is None:
            unknown.append(word)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


class UserImporter(Importer):
    code = "users"
    label = "用户"
    permission = "user.manage"
    fields = FIELDS

    def __init__(self) -> None:
        self._units: dict[str, Organisation] | None = None  # every unit by its name, read once a file
        self._created: list[int] = []

    def _unit(self, name: str) -> Organisation | None:
        if self._units is None:
            self._units = {o.name: o for o in Organisation.objects.all()}
        return self._units.get(name)

    # ── rows ──────────────────────────────────────────────────────────────────

    def _check_username(self, row: Row) -> str:
        f = self.field("username")
        username = row.values.get("username", "")
        if not username:
            row.error(f, "请填写用户名")
            return ""
        try:
            User.username_validator(username)
        except ValidationError:
            row.error(f, "用户名只能由字母、数字、汉字和 @ . + - _ 组成，不能有空格", username)
            return ""
        if len(username) > USERNAME_MAX:
            row.error(f, f"用户名不能超过 {USERNAME_MAX} 个字符", username)
            return ""
        return username

    def _check_lengths(self, row: Row) -> None:
        for name, most in (("display_name", DISPLAY_NAME_MAX), ("work_phone", WORK_PHONE_MAX)):
            text = row.values.get(name, "")
            if len(text) > most:
                f = self.field(name)
                row.error(f, f"{f.label}不能超过 {most} 个字符", text)

    def _check_unit(self, row: Row) -> Organisation | None:
        name = row.values.get("organisation", "")
        if not name:
            return None
        unit = self._unit(name)
        if unit is None:
            row.error(self.field("organisation"), "系统中没有该单位（单位名称须与系统中的完全一致）", name)
        return unit

    def _check_roles(self, row: Row) -> list[str] | None:
        """The role codes, or None when the cell is blank (an existing account keeps its own)."""
        text = row.values.get("roles", "")
        if not text:
            return None
        codes, unknown = parse_roles(text)
        if unknown:
            words = "、".join(f"“{word}”" for word in unknown)
            row.error(self.field("roles"), f"未知角色{words}，应为：{ROLE_HINT}", text)
        return codes

    def _check_status(self, row: Row) -> bool | None:
        text = row.values.get("status", "")
        if not text:
            return None
        active = STATUS_WORDS.get(_word_key(text))
        if active is None:
            row.error(self.field("status"), f"状态应为“{ACTIVE}”或“{INACTIVE}”，留空则不改", text)
        return active

    def validate_row(self, *, actor: Any, row: Row) -> None:
        username = self._check_username(row)
        self._check_lengths(row)
        unit = self._check_unit(row)
        roles = self._check_roles(row)
        active = self._check_status(row)
        if row.errors:
            return
        row.cleaned = {
            "username": username,
            "display_name": row.values.get("display_name", ""),
            "work_phone": row.values.get("work_phone", ""),
            "organisation": unit,
            "roles": roles,
            "active": active,
        }

    def validate_file(self, *, actor: Any, rows: list[Row]) -> None:
        if rows and "password" in rows[0].values:  # the column is there, filled in or not
            rows[0].error(self.field("password"), CREDENTIAL_COLUMN_REFUSED)
        self.reject_duplicates(rows, "username", self.field("username"), "用户名")
        named = [row.cleaned["username"] for row in rows if row.cleaned and not row.errors]
        stored = {
            u.username: u
            for u in User.objects.filter(username__in=named)
            .select_related("organisation")
            .prefetch_related("roles")
        }
        for row in rows:
            if row.cleaned and not row.errors:
                existing = stored.get(row.cleaned["username"])
                if existing is None:
                    self._check_new(row)
                else:
                    self._check_existing(row, existing, actor)
                row.cleaned["existing"] = existing.pk if existing is not None else None

    def _check_new(self, row: Row) -> None:
        data = row.cleaned
        unit = data["organisation"]
        if unit is None:
            row.error(self.field("organisation"), "新用户须填写单位名称")
        elif not unit.is_active:
            row.error(self.field("organisation"), "该单位已停用，不能新建其用户", unit.name)
        if not data["roles"]:
            row.error(self.field("roles"), "新用户须填写角色")
        if unit is not None and data["roles"]:
            self._check_roles_fit(row, unit)

    def _check_existing(self, row: Row, user: User, actor: Any) -> None:
        data = row.cleaned
        unit = data["organisation"]
        if unit is not None and unit.pk != user.organisation_id:
            row.error(self.field("organisation"), KEPT_AS_IS.format(label="单位"), unit.name)
        for name in ("display_name", "work_phone"):
            if data[name] and data[name] != getattr(user, name):
                f = self.field(name)
                row.error(f, KEPT_AS_IS.format(label=f.label), data[name])
        if data["roles"]:
            if user.organisation is None:
                row.error(self.field("roles"), "该账户没有所属单位，不能通过导入设置角色")
            else:
                self._check_roles_fit(row, user.organisation)
        if data["active"] is False and actor is not None and user.pk == actor.pk:
            row.error(self.field("status"), "不能停用自己的账户", row.values.get("status", ""))

    def _check_roles_fit(self, row: Row, unit: Organisation) -> None:
        """The services' own rule, so the message is that of the 用户 pages."""
        try:
            user_services._check_roles(row.cleaned["roles"], unit)
        except ValidationError as exc:
            row.error(self.field("roles"), validation_message(exc), row.values.get("roles", ""))

    # ── writing ───────────────────────────────────────────────────────────────

    def commit_row(self, *, actor: Any, row: Row) -> str:
        data = row.cleaned
        try:
            if data["existing"] is None:
                self._create(actor, data)
                return NEW
            user = User.objects.select_related("organisation").get(pk=data["existing"])
            changed = self._set_roles(actor, user, data["roles"])
            changed = self._set_status(actor, user, data["active"]) or changed
        except ValidationError as exc:
            raise RowRejected(validation_message(exc)) from exc
        return UPDATED if changed else UNCHANGED

    def _create(self, actor: Any, data: dict[str, Any]) -> None:
        user = user_services.user_create(
            actor=actor,
            username=data["username"],
            password=None,  # no login until the administrator sets its initial password
            organisation=data["organisation"],
            roles=data["roles"],
            display_name=data["display_name"],
            work_phone=data["work_phone"],
            must_change_password=True,
        )
        self._created.append(user.pk)
        if data["active"] is False:
            user_services.user_deactivate(actor=actor, user=user)

    @staticmethod
    def _set_roles(actor: Any, user: User, roles: list[str] | None) -> bool:
        if roles is None or set(roles) == set(user.role_codes):
            return False
        user_services.user_set_roles(actor=actor, user=user, roles=roles)
        return True

    @staticmethod
    def _set_status(actor: Any, user: User, active: bool | None) -> bool:
        if active is None or active == user.is_active:
            return False
        if active:
            return user_services.user_reactivate(actor=actor, user=user)
        user_services.user_deactivate(actor=actor, user=user)
        return True

    def commit_details(self, batch: Any) -> dict[str, Any]:
        return {CREATED_KEY: list(self._created)} if self._created else {}
