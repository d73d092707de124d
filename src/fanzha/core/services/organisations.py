"""Writes to organisations and users."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fanzha.audit.services import audit_change, audit_record
from fanzha.core import access
from fanzha.core.models import Area, Organisation, User, UserRole
from fanzha.core.models.organisations import ADDRESSEE_KINDS, OrganisationKind
from fanzha.core.roles import ROLES
from fanzha.core.security import (
    MUST_CHANGE_AT,
    TOTP_PERMISSION,
    sessions_end,
    totp_consume,
    totp_step,
    unlock_username,
)
from fanzha.core.services.areas import find_area, require_in_force


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    area: Area,
    covered_areas: Iterable[Area] = (),
    parent: Organisation | None = None,
    code: str = "",
    contact_phone: str = "",
) -> Organisation:
    if actor is not None:
        access.require(actor, "organisation.manage")
    require_in_force("area", [area])
    require_in_force("covered_areas", covered_areas)
    organisation = Organisation(
        name=name.strip(), kind=kind, area=area, parent=parent, code=code, contact_phone=contact_phone
    )
    organisation.full_clean()
    organisation.save()
    organisation.covered_areas.set(list(covered_areas))
    audit_change(actor=actor, obj=organisation, action="record.create", changed=["name", "kind", "area"])
    return organisation


ORGANISATION_FIELDS = ("name", "kind", "area", "parent", "code", "contact_phone", "is_active")


class Changed(list[str]):
    """The changed field names (audited), with ``notes``: what the administrator is told about the work
    the unit held when it was deactivated (counts and unit names; empty otherwise)."""

    def __init__(self, names: Iterable[str] = (), notes: Iterable[str] = ()) -> None:
        super().__init__(names)
        self.notes = list(notes)


@transaction.atomic
def organisation_update(
    *, actor: Any, organisation: Organisation, covered_areas: Iterable[Area] | None = None, **changes: Any
) -> Changed:
    """Change an organisation's details or jurisdiction; returns the changed field names (audited).

    Deactivated (有效 off), the unit's open warnings go on at once (:func:`_unit_work_handed_on`); it is
    not refused for the work it holds."""
    access.require(actor, "organisation.manage")
    unknown = set(changes) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changed = [name for name, value in changes.items() if getattr(organisation, name) != value]
    parent = changes.get("parent")
    if parent is not None and (parent.pk == organisation.pk or _is_descendant(parent, organisation)):
        raise ValidationError({"parent": "上级单位不能是本单位或其下级单位"})
    if "kind" in changed:
        _check_users_fit_kind(organisation, changes["kind"])
    kept = (
        set(organisation.covered_areas.values_list("pk", flat=True)) if covered_areas is not None else set()
    )
    if "area" in changed:  # what a unit has already it keeps until changed
        require_in_force("area", [changes["area"]])
    require_in_force("covered_areas", [a for a in covered_areas or () if a.pk not in kept])
    if changes.get("is_active") is False and organisation.pk == actor.organisation_id:
        # Its users lose every permission at once: the administrator would lock themselves out.
        raise ValidationError({"is_active": "不能停用自己所在的单位，请由另一单位的系统管理员办理"})
    deactivated = "is_active" in changed and changes["is_active"] is False
    if deactivated:
        _lock_unit_work(organisation)
    for name in changed:
        setattr(organisation, name, changes[name])
    organisation.full_clean()
    organisation.save()
    notes = _unit_work_handed_on(actor, organisation) if deactivated else []
    if "is_active" in changed and changes["is_active"] is True:
        sessions_end(organisation.users.values_list("pk", flat=True))  # see user_reactivate
    if covered_areas is not None:
        new = {a.pk for a in covered_areas}
        if new != set(organisation.covered_areas.values_list("pk", flat=True)):
            organisation.covered_areas.set(list(new))
            changed.append("covered_areas")
    if changed:
        audit_change(actor=actor, obj=organisation, action="record.update", changed=changed)
    return Changed(changed, notes)


def _lock_unit_work(organisation: Organisation) -> None:
    """Before a unit is deactivated: its open warnings, then its users' rows (``FOR UPDATE``; the order
    of a handover, the warning then the users). An intake or a handover that chose one of its users
    commits first, and its warning is handed on with the others."""
    from fanzha.warnings import workflow as warning_work  # warnings builds on core: imported here

    warning_work.warnings_lock_held(organisation=organisation)
    list(User.objects.select_for_update(of=("self",)).filter(organisation=organisation).values_list("pk"))


def _unit_work_handed_on(actor: Any, organisation: Organisation) -> list[str]:
    """A unit just deactivated: its open warnings routed elsewhere, and who may give its users' open
    cases a new officer told. The administrator's notes."""
    from fanzha.warnings import workflow as warning_work

    moved = warning_work.warnings_redispatch_held(
        actor=actor, organisation=organisation, reason="原承办单位停用"
    )
    notes = [moved.text("本单位")] if moved.total else []
    return notes + _cases_left({"officer__organisation": organisation}, "本单位人员")


def _is_descendant(candidate: Organisation, ancestor: Organisation) -> bool:
    seen: set[int] = set()
    node: Organisation | None = candidate
    while node is not None and node.pk not in seen:
        if node.parent_id == ancestor.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def roles_not_allowed(roles: Iterable[str], kind: str) -> list[str]:
    """The roles a user of an organisation of ``kind`` may not hold: a bank's or an operator's users
    read only what is addressed to them, never records by area. The one rule for user creation, role
    changes and a change of the organisation's kind."""
    if kind not in ADDRESSEE_KINDS:
        return []
    return sorted(r for r in set(roles) if r in ROLES and ROLES[r].area_scope)


def _check_roles(roles: Iterable[str], organisation: Organisation) -> list[str]:
    roles = sorted(set(roles))
    if not roles:
        raise ValidationError({"roles": "至少选择一个角色"})
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationError({"roles": f"未知角色：{'、'.join(unknown)}"})
    if roles_not_allowed(roles, organisation.kind):
        raise ValidationError({"roles": "银行、运营商单位的用户不能担任按辖区查看记录的角色"})
    return roles


MAX_NAMED_USERS = 10


def _check_users_fit_kind(organisation: Organisation, kind: str) -> None:
    """Refuses a new kind some of the organisation's users (active or not) hold a role for that it
    does not allow, naming how many users and which roles; their roles must change first."""
    misfits: dict[str, list[str]] = {}
    held = UserRole.objects.filter(user__organisation=organisation).values_list("user__username", "role")
    for username, role in held.order_by("user__username", "role"):
        if roles_not_allowed([role], kind):
            misfits.setdefault(username, []).append(role)
    if not misfits:
        return
    roles = sorted({role for held_roles in misfits.values() for role in held_roles})
    named = [
        f"{username}（{'、'.join(ROLES[r].name for r in held_roles)}）"
        for username, held_roles in list(misfits.items())[:MAX_NAMED_USERS]
    ]
    more = "等" if len(misfits) > MAX_NAMED_USERS else ""
    raise ValidationError(
        {
            "kind": (
                f"本单位有 {len(misfits)} 名用户担任“{OrganisationKind(kind).label}”单位不能担任的角色"
                f"（{'、'.join(ROLES[r].name for r in roles)}）：{'；'.join(named)}{more}。"
                "请先调整这些用户的角色，再修改单位类型"
            )
        }
    )


def _check_password(password: str, user: User) -> None:
    """The password policy (AUTH_PASSWORD_VALIDATORS); errors belong to the ``password`` field."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    organisation: Organisation,
    roles: Iterable[str],
    display_name: str = "",
    work_phone: str = "",
    must_change_password: bool = False,
) -> User:
    if actor is not None:
        access.require(actor, "user.manage")
    role_list = _check_roles(roles, organisation)
    user = User(
        username=username.strip(), display_name=display_name, organisation=organisation, work_phone=work_phone
    )
    if password is None:  # no login until an administrator sets one (accounts from a users import)
        user.set_unusable_password()
    else:
        _check_password(password, user)
        user.set_password(password)
    user.password_changed_at = MUST_CHANGE_AT if must_change_password else timezone.now()
    _check_username_case(user.username)
    user.full_clean(exclude=["password"])
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in role_list])
    audit_change(actor=actor, obj=user, action="record.create", changed=["username", "organisation"])
    audit_record(actor=actor, action="user.roles", obj=user, details={"roles": role_list})
    return user


USERNAME_OTHER_CASE = (
    "已有用户名只差大小写的账户（登录区分大小写，会成为同一人的第二个账户）：请编辑该账户，或换一个用户名"
)


def _check_username_case(username: str) -> None:
    """A new username an account's differs from only by case (icbc01 beside ICBC01) is refused, as the
    users import refuses it. The same username exactly is the model's own unique check."""
    others = User.objects.filter(username__iexact=username).exclude(username=username)
    if others.exists():
        raise ValidationError({"username": USERNAME_OTHER_CASE})


WORK_PHONE_MAX = 32  # as the 新建用户 form


@transaction.atomic
def user_update(
    *,
    actor: Any,
    user: User,
    display_name: str | None = None,
    work_phone: str | None = None,
    organisation: Organisation | None = None,
) -> list[str]:
    """Change an account's 姓名, 工作电话 or 单位 (None keeps what it has); returns the changed field
    names (audited, never their values). A change of unit is a transfer (调动): see
    :func:`check_transfer`.

    The user's row is locked and read afresh first: a role change by another administrator or a case
    given to the user meanwhile (``user_set_roles`` and ``case_reassign`` lock the same row) waits for
    this change, and this one checks the roles and work in hand as they are now, not as ``user`` was
    read. An intake or a handover that chose the user holds the row ``FOR KEY SHARE`` on PostgreSQL
    (``routing.Assigner.users_of``): this change waits for it, then counts its warning."""
    access.require(actor, "user.manage")
    locked = User.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=user.pk)
    wanted: dict[str, Any] = {
        "display_name": display_name.strip() if display_name is not None else None,
        "work_phone": work_phone.strip() if work_phone is not None else None,
        "organisation": organisation,
    }
    changed = [name for name, value in wanted.items() if _differs(locked, name, value)]
    if not changed:
        return []
    if len(wanted["work_phone"] or "") > WORK_PHONE_MAX:
        raise ValidationError({"work_phone": f"工作电话不能超过 {WORK_PHONE_MAX} 个字符"})
    if "organisation" in changed:
        check_transfer(actor=actor, user=locked, organisation=organisation)  # type: ignore[arg-type]
    for name in changed:
        setattr(locked, name, wanted[name])
    locked.full_clean(exclude=["password"])
    locked.save(update_fields=changed)
    for name in changed:  # the caller's copy shows the change (the users import goes on with it)
        setattr(user, name, wanted[name])
    user.__dict__.pop("_jurisdiction_paths", None)
    audit_change(actor=actor, obj=locked, action="record.update", changed=changed)
    return changed


def _differs(user: User, name: str, value: Any) -> bool:
    if value is None:  # kept
        return False
    if name == "organisation":
        return bool(value.pk != user.organisation_id)
    return bool(value != getattr(user, name))


def check_transfer(
    *, actor: Any, user: User, organisation: Organisation, roles: Iterable[str] | None = None
) -> None:
    """A user moved to ``organisation`` (调动): not into a deactivated unit, not the administrator out of
    their own unit, only with roles the new unit's kind allows (``roles``: those the user will hold,
    their current ones by default), and not while they hold open warnings or are the officer of open
    cases — those belong to the old unit's jurisdiction and are handed over first."""
    if not organisation.is_active:
        raise ValidationError({"organisation": f"“{organisation.name}”已停用，不能调入用户"})
    if actor is not None and user.pk == actor.pk:
        raise ValidationError({"organisation": "不能调动自己的单位，请由另一位系统管理员办理"})
    misfits = roles_not_allowed(user.role_codes if roles is None else roles, organisation.kind)
    if misfits:
        names = "、".join(ROLES[r].name for r in misfits)
        raise ValidationError(
            {
                "organisation": (
                    f"银行、运营商单位的用户不能担任按辖区查看记录的角色（{names}）；"
                    f"请先调整该用户的角色，再调动到“{organisation.name}”"
                )
            }
        )
    held = _work_in_hand(user)
    if held:
        raise ValidationError({"organisation": f"该用户{'，'.join(held)}，属原单位辖区，请先处理后再调动"})


def _work_in_hand(user: User) -> list[str]:
    """What the user still holds in the old unit's jurisdiction: open warnings assigned to them and
    open cases they are the officer of (both apps build on core, so read here without importing them
    at module level)."""
    from fanzha.cases.models import OPEN_STATUSES as OPEN_CASE_STATUSES
    from fanzha.cases.models import Case
    from fanzha.warnings.models import OPEN_STATUSES as OPEN_WARNING_STATUSES
    from fanzha.warnings.models import Warning

    held = []
    warnings = Warning.objects.filter(assignee=user, status__in=OPEN_WARNING_STATUSES).count()
    if warnings:
        held.append(f"还有 {warnings} 条未办结的预警由其承办（请先转交或改派他人）")
    cases = Case.objects.filter(officer=user, status__in=OPEN_CASE_STATUSES).count()
    if cases:
        held.append(f"还是 {cases} 起未结案件的承办民警（请先更换这些案件的承办民警或结案）")
    return held


@transaction.atomic
def user_set_roles(*, actor: Any, user: User, roles: Iterable[str]) -> list[str]:
    """Replace the user's roles. The row is locked and read afresh first (as in :func:`user_update`):
    the roles are checked against the unit the user is in now, and the present roles are those now
    held, not those ``user`` was read with."""
    access.require(actor, "user.manage")
    locked = User.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=user.pk)
    role_list = _check_roles(roles, locked.organisation)  # type: ignore[arg-type]
    held = locked.role_codes
    if locked.pk == actor.pk and "sysadmin" in held and "sysadmin" not in role_list:
        raise ValidationError({"roles": "不能取消自己的系统管理员角色"})
    gained = set(role_list) - set(held)
    if locked.pk == actor.pk and gained:
        # Separation of duties: whoever manages accounts cannot hand themselves a role that reads records.
        raise ValidationError({"roles": "不能给自己增加角色，请由另一位系统管理员办理"})
    UserRole.objects.filter(user=locked).exclude(role__in=role_list).delete()
    existing = set(UserRole.objects.filter(user=locked).values_list("role", flat=True))
    UserRole.objects.bulk_create([UserRole(user=locked, role=r) for r in role_list if r not in existing])
    user.__dict__.pop("_role_codes", None)
    user.__dict__.pop("_jurisdiction_paths", None)
    audit_record(actor=actor, action="user.roles", obj=locked, details={"roles": role_list})
    return role_list


@transaction.atomic
def user_change_password(*, actor: Any, user: User, password: str) -> None:
    _check_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    audit_record(actor=actor, action="password.change", obj=user)


@transaction.atomic
def user_deactivate(*, actor: Any, user: User) -> list[str]:
    """The account can no longer log in; its open sessions end at their next request. Never refused for
    the work it holds (it is also the emergency lock-out): its open warnings go on at once, to a
    colleague or where the routing sends them (``warnings_redispatch_held``), and whoever may give its
    open cases a new officer is told (:func:`_cases_left`). Returns what the administrator is told about
    that work (counts and unit names; nothing when it held none, or was inactive already).

    The user's row is locked ``FOR UPDATE`` (as in :func:`user_update`): an intake or a handover that
    chose the user (``FOR KEY SHARE``) commits first, and its warning is handed on with the others; one
    that comes later no longer finds the user active. The user's warnings are locked before the row, in
    the order a handover takes them (the warning, then the users)."""
    from fanzha.warnings import workflow as warning_work  # warnings builds on core: imported here

    access.require(actor, "user.manage")
    if user.pk == actor.pk:
        raise ValidationError("不能停用自己的账户")
    warning_work.warnings_lock_held(user=user)
    locked = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
    if not locked.is_active:
        return []
    locked.is_active = user.is_active = False
    locked.save(update_fields=["is_active"])
    moved = warning_work.warnings_redispatch_held(actor=actor, user=locked, reason="原承办人账户停用")
    notes = [moved.text("该用户")] if moved.total else []
    notes += _cases_left({"officer": locked}, "该用户")
    audit_record(actor=actor, action="user.deactivate", obj=locked)  # after every row lock: see warning_place
    return notes


def _cases_left(officer: dict[str, Any], who: str) -> list[str]:
    """Open cases whose officer is gone (deactivated, or of a deactivated unit; ``officer``: the filter):
    not given to anyone here (an officer is chosen deliberately: 更换承办民警), but those who may choose
    one (``case_reassign``: who may work the case there) are told once this commits. The administrator's
    note ([] when there are none)."""
    from fanzha.cases.models import OPEN_STATUSES as OPEN_CASE_STATUSES
    from fanzha.cases.models import Case
    from fanzha.cases.services import eligible_officers_by_area

    open_cases = Case.objects.filter(status__in=OPEN_CASE_STATUSES, **officer).select_related("area")
    cases = list(open_cases.order_by("number"))
    if not cases:
        return []
    by_area = eligible_officers_by_area({case.area_id: case.area for case in cases}.values())
    told: dict[int, tuple[User, list[Case]]] = {}
    for case in cases:
        for user in by_area[case.area_id]:
            told.setdefault(user.pk, (user, []))[1].append(case)
    transaction.on_commit(lambda: _notify_cases_left(list(told.values())))
    return [
        f"{who}还是 {len(cases)} 起未结案件的承办民警，案件不会自动改派；"
        f"已通知可更换承办民警的人员（{len(told)} 人），请尽快在案件页“更换承办民警”。"
    ]


def _notify_cases_left(told: list[tuple[User, list[Any]]]) -> None:
    from django.urls import reverse

    from fanzha.jobs.models import NotificationLevel
    from fanzha.jobs.services import notify

    for user, cases in told:
        numbers = "、".join(case.number for case in cases)
        notify(
            recipients=[user],
            title=f"{len(cases)} 起未结案件需要更换承办民警",
            body=f"原承办民警的账户或单位已停用：{numbers}。请在案件页“更换承办民警”。",
            link=reverse("case_detail", kwargs={"pk": cases[0].pk})
            if len(cases) == 1
            else reverse("case_list"),
            level=NotificationLevel.WARNING,
        )


OWN_PASSWORD_RESET = "不能在此重置自己的密码：请在“修改密码”页面输入当前密码后修改"  # noqa: S105  (a message)


@transaction.atomic
def user_reset_password(*, actor: Any, user: User, password: str) -> None:
    """An administrator sets a temporary password; the user must change it at next login. Never their
    own: that is the 修改密码 page, which asks for the current password (a session left open or stolen
    must not be enough to take the account)."""
    access.require(actor, "user.manage")
    if user.pk == actor.pk:
        raise ValidationError({"password": OWN_PASSWORD_RESET})
    _check_password(password, user)
    user.set_password(password)
    user.password_changed_at = MUST_CHANGE_AT
    user.save(update_fields=["password", "password_changed_at"])
    audit_record(actor=actor, action="user.password_reset", obj=user)


@transaction.atomic
def user_unlock(*, actor: Any, user: User) -> int:
    """Clears the failed logins counted against the username and against the addresses it
    failed from (django-axes), so neither lock keeps the user out."""
    access.require(actor, "user.manage")
    cleared = unlock_username(user.get_username())
    audit_record(actor=actor, action="user.unlock", obj=user, details={"cleared": cleared})
    return cleared


@transaction.atomic
def user_totp_enable(*, actor: Any, user: User, secret: str, code: str) -> None:
    """Turns on the second factor once the user proves their app holds ``secret``."""
    access.require(actor, TOTP_PERMISSION)
    if actor.pk != user.pk:
        raise PermissionDenied("只能为自己的账户设置动态口令")
    if user.totp_enabled:
        raise ValidationError({"code": "动态口令已启用"})
    step = totp_step(secret, code)
    if step is None:
        raise ValidationError({"code": "动态口令不正确，请核对手机时间后重试"})
    user.totp_secret = secret
    user.totp_enabled = True
    user.totp_last_step = step  # this code is used up: it cannot log in as well
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
    audit_record(actor=actor, action="totp.enable", obj=user)


@transaction.atomic
def user_totp_disable(*, actor: Any, user: User, code: str) -> None:
    """Turns off the second factor; a current code proves the device is in hand."""
    if actor is None or actor.pk != user.pk:  # also after the role that allowed it was removed
        raise PermissionDenied("只能为自己的账户设置动态口令")
    if not user.totp_enabled:
        raise ValidationError({"code": "动态口令未启用"})
    if not totp_consume(user, code):
        raise ValidationError({"code": "动态口令不正确或已使用过，请等待手机上出现新的口令"})
    _totp_clear(user)
    audit_record(actor=actor, action="totp.disable", obj=user)


def _totp_clear(user: User) -> None:
    user.totp_secret = ""
    user.totp_enabled = False
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])


@transaction.atomic
def user_totp_reset(*, actor: Any, user: User) -> None:
    """An administrator removes another user's second factor (lost phone); the user sets it up again."""
    access.require(actor, "user.manage")
    if user.pk == actor.pk:
        raise ValidationError("不能重置自己的动态口令，请在“动态口令”页面用手机上的口令停用")
    if not (user.totp_enabled or user.totp_secret):
        raise ValidationError("该用户未启用动态口令")
    _totp_clear(user)
    audit_record(actor=actor, action="totp.reset", obj=user)


@transaction.atomic
def user_reactivate(*, actor: Any, user: User) -> bool:
    """A deactivated account may log in again; False when it was already active. It starts from a fresh
    login: a session left open when it was deactivated (a lost phone's) is deleted, not brought back."""
    access.require(actor, "user.manage")
    if user.is_active:
        return False
    user.is_active = True
    user.save(update_fields=["is_active"])
    sessions_end([user.pk])
    audit_record(actor=actor, action="user.reactivate", obj=user)
    return True


class FirstAdminRefused(Exception):
    """Why ``fanzha create_admin`` made no account (the message says what to do)."""


@transaction.atomic
def first_admin_create(
    *, username: str, password: str, organisation_name: str, area_code: str = "", display_name: str = ""
) -> User:
    """The first system administrator of an empty install, from the command line (no actor): in the
    named unit, created as the county's 反诈中心 in the top of the area tree (or ``area_code``) when it
    is not there yet. The password must be changed at first login. Refused once an administrator
    exists: the next accounts are made on the 用户 page, audited under a person."""
    holders = UserRole.objects.filter(role="sysadmin", user__is_active=True).values("user_id").distinct()
    if holders.exists():
        raise FirstAdminRefused(
            f"已有系统管理员（{holders.count()} 个），未新建账户：请由系统管理员在“用户”页新建账户。"
        )
    organisation = Organisation.objects.filter(name=organisation_name.strip()).first()
    if organisation is None:
        organisation = organisation_create(
            actor=None,
            name=organisation_name,
            kind=OrganisationKind.CENTRE,
            area=_centre_area(area_code),
        )
    elif not organisation.is_active:
        raise FirstAdminRefused(f"单位“{organisation.name}”已停用，请换一个单位。")
    return user_create(
        actor=None,
        username=username,
        password=password,
        organisation=organisation,
        roles=["sysadmin"],
        display_name=display_name,
        must_change_password=True,
    )


def _centre_area(area_code: str) -> Area:
    if area_code:
        area = find_area(area_code.strip())
        if area is None:
            raise FirstAdminRefused(
                f"区划树中没有区划代码 {area_code}，请核对，或先导入区划（fanzha areas import 文件）。"
            )
        return area
    tops = list(Area.objects.filter(parent=None, is_active=True))
    if not tops:
        raise FirstAdminRefused(
            "区划树是空的：请先导入本县的区划（fanzha areas import 区划代码.xlsx），再新建管理员。"
        )
    if len(tops) > 1:
        raise FirstAdminRefused("区划树有多个顶级区划，请用 --area 指定反诈中心所在的区划代码。")
    return tops[0]
