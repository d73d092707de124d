"""User management for system administrators (permission user.manage). Writes go through the services."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from fanzha.core import access, security
from fanzha.core.forms_users import PasswordResetForm, UserCreateForm, UserDetailsForm, UserRolesForm
from fanzha.core.models import User, UserRole
from fanzha.core.pii.masking import mask_phone
from fanzha.core.roles import ROLES
from fanzha.core.services import organisations as user_services
from fanzha.core.views import edit_conflicts
from fanzha.core.views.auth import add_service_errors
from fanzha.imports.importers import users as user_import
from fanzha.imports.models import BatchStatus, ImportBatch

PERMISSION = "user.manage"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_HEADER = ["用户名", "姓名", "单位", "初始密码"]
RECENT_IMPORTS = 20


def _user_or_404(request: HttpRequest, pk: int) -> User:
    access.require(request.user, PERMISSION)
    return get_object_or_404(User.objects.select_related("organisation"), pk=pk)


def _role_names(user: User) -> list[str]:
    return [ROLES[r.role].name for r in user.roles.all() if r.role in ROLES]


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, PERMISSION)
    users = User.objects.select_related("organisation").prefetch_related("roles").order_by("username")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    locked = security.locked_usernames([u.username for u in page])
    rows = [
        {
            "user": u,
            "roles": _role_names(u),
            "locked": u.username in locked,
            "must_change": security.password_must_change(u),
        }
        for u in page
    ]
    context = {"page": page, "rows": rows, "imports": _imports_awaiting_passwords()}
    return render(request, "core/users/user_list.html", context)


def _imports_awaiting_passwords() -> list[dict[str, Any]]:
    """The recent users imports with new accounts that have no password yet, and how many."""
    batches = ImportBatch.objects.filter(
        importer=user_import.UserImporter.code, status=BatchStatus.COMMITTED, rows_new__gt=0
    ).order_by("-created_at", "-id")[:RECENT_IMPORTS]
    found = []
    for batch in batches:
        waiting = user_import.awaiting_password(user_import.created_by(batch)).count()
        if waiting:
            found.append({"batch": batch, "waiting": waiting})
    return found


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, PERMISSION)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                organisation=data["organisation"],
                roles=data["roles"],
                display_name=data["display_name"],
                work_phone=data["work_phone"],
                must_change_password=True,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已新建用户 {user.username}，首次登录时须修改初始密码。")
            return redirect("user_edit_roles", pk=user.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "core/users/user_form.html", {"form": form}, status=status)


USER_LABELS = {"display_name": "姓名", "work_phone": "工作电话", "organisation": "单位", "roles": "角色"}


def _stored_details(user: User) -> dict[str, object]:
    """What the 编辑 form writes, as stored now (its edit token's values)."""
    return {
        "display_name": user.display_name,
        "work_phone": user.work_phone,
        "organisation": user.organisation_id,
    }


def _stored_roles(user: User) -> dict[str, object]:
    """The roles the 角色 form replaces, as held now (read afresh, not the user's cached codes)."""
    return {"roles": sorted(UserRole.objects.filter(user=user).values_list("role", flat=True))}


def _written_details(form: UserDetailsForm) -> edit_conflicts.Written:
    """What the posted 编辑 form stores, as :func:`_stored_details` reads it (工作电话 left blank: the
    number stored now)."""

    def values(user: User) -> dict[str, object]:
        phone = form.work_phone_change()
        organisation = form.cleaned_data["organisation"]
        return {
            "display_name": form.cleaned_data["display_name"],
            "work_phone": user.work_phone if phone is None else phone,
            "organisation": organisation.pk if organisation is not None else None,
        }

    return values


def _details_form(user: User, data: object = None) -> UserDetailsForm:
    initial = {"display_name": user.display_name, "organisation": user.organisation_id}
    form = UserDetailsForm(
        data, initial=initial, current=user.organisation, phone_shown=mask_phone(user.work_phone)
    )
    edit_conflicts.carry_token(form, user, _stored_details)
    return form


def _refused(stale: list[str], user: User) -> str:
    """Which of the account's fields changed meanwhile; the work phone masked, as on the page."""
    shown = {"work_phone": mask_phone(user.work_phone)} if "work_phone" in stale else {}
    return edit_conflicts.refused_message(stale, USER_LABELS, shown)


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """编辑: 姓名, 工作电话 (replaced, kept when blank, or removed with 删除工作电话), 单位 (a transfer);
    the service's refusals are shown on the form, and a form opened before another change is refused."""
    user = _user_or_404(request, pk)
    form = _details_form(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stale, changed = edit_conflicts.save_unless_changed(
                request,
                user,
                _stored_details,
                lambda: user_services.user_update(
                    actor=request.user,
                    user=user,
                    display_name=data["display_name"],
                    work_phone=form.work_phone_change(),  # blank keeps; 删除工作电话 removes
                    organisation=data["organisation"],
                ),
                _written_details(form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if stale:
                kept = edit_conflicts.unchanged(stale)
                form = edit_conflicts.show_refused(_details_form(user), _refused(stale, user), form, kept)
            else:
                if changed:
                    messages.success(request, f"已保存用户 {user.username} 的资料。")
                else:
                    messages.info(request, "没有修改。")
                return redirect("user_edit_roles", pk=user.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "core/users/user_edit.html", {"form": form, "target": user}, status=status)


def _detail_page(
    request: HttpRequest,
    user: User,
    roles_form: UserRolesForm,
    reset_form: PasswordResetForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "core/users/user_roles.html",
        {
            "target": user,
            "form": roles_form,
            "reset_form": reset_form,
            "roles": _role_names(user),
            "locked": user.username in security.locked_usernames([user.username]),
            "must_change": security.password_must_change(user),
            "is_self": user.pk == request.user.pk,
        },
        status=status,
    )


def _roles_form(user: User, data: object = None) -> UserRolesForm:
    form = UserRolesForm(data, initial={"roles": sorted(user.role_codes)})
    edit_conflicts.carry_token(form, user, _stored_roles)
    return form


@login_required
def user_edit_roles(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user_or_404(request, pk)
    form = _roles_form(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            roles = form.cleaned_data["roles"]
            stale, _ = edit_conflicts.save_unless_changed(
                request,
                user,
                _stored_roles,
                lambda: user_services.user_set_roles(actor=request.user, user=user, roles=roles),
                lambda _: {"roles": sorted(roles)},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not stale:
                messages.success(request, "角色已保存。")
                return redirect("user_edit_roles", pk=user.pk)
            user.__dict__.pop("_role_codes", None)  # the roles held now, on the page and the form
            kept = edit_conflicts.unchanged(stale)
            form = edit_conflicts.show_refused(_roles_form(user), _refused(stale, user), form, kept)
    status = 400 if request.method == "POST" else 200
    return _detail_page(request, user, form, PasswordResetForm(), status)


def _account_action(request: HttpRequest, user: User, service: Any, done: str) -> HttpResponse:
    """Run one account service for the administrator; its refusal or success is shown as a message
    (with what the service says it did besides, when it returns a list of notes)."""
    try:
        notes = service(actor=request.user, user=user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done + "".join(notes if isinstance(notes, list) else []))
    return redirect("user_edit_roles", pk=user.pk)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """停用; the message says where the open warnings it held went and what open cases it leaves."""
    user = _user_or_404(request, pk)
    return _account_action(request, user, user_services.user_deactivate, f"已停用用户 {user.username}。")


@login_required
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user_or_404(request, pk)
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            user_services.user_reset_password(
                actor=request.user, user=user, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc, "password")
        else:
            messages.success(request, f"已为 {user.username} 设置临时密码，用户下次登录时须修改。")
            return redirect("user_edit_roles", pk=user.pk)
    roles_form = UserRolesForm(initial={"roles": sorted(user.role_codes)})
    return _detail_page(request, user, roles_form, form, status=400)


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user_or_404(request, pk)
    cleared = user_services.user_unlock(actor=request.user, user=user)
    messages.success(request, f"已解除 {user.username} 的登录锁定（清除 {cleared} 条失败记录）。")
    return redirect("user_edit_roles", pk=user.pk)


@login_required
@require_POST
def user_totp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Lost phone: the administrator removes the user's TOTP; the user sets it up again."""
    user = _user_or_404(request, pk)
    done = f"已重置 {user.username} 的动态口令，用户登录后须重新设置。"
    return _account_action(request, user, user_services.user_totp_reset, done)


@login_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user_or_404(request, pk)
    if user_services.user_reactivate(actor=request.user, user=user):
        messages.success(request, f"已恢复用户 {user.username}，该用户可以重新登录。")
    else:
        messages.info(request, f"用户 {user.username} 的账户本来就是有效的。")
    return redirect("user_edit_roles", pk=user.pk)


@login_required
@require_POST
def user_import_passwords(request: HttpRequest, pk: int) -> HttpResponse:
    """生成初始密码: the accounts a users import created that have no password yet get one each, handed
    over once as a spreadsheet (not kept anywhere in clear); the users change it at first login."""
    access.require(request.user, PERMISSION)
    batch = get_object_or_404(
        ImportBatch, pk=pk, importer=user_import.UserImporter.code, status=BatchStatus.COMMITTED
    )
    issued, left = user_import.initial_passwords_issue(actor=request.user, batch=batch)
    if not issued:
        messages.info(request, f"导入批次 #{batch.pk} 新建的账户都已有密码（或已停用），未生成新的密码。")
        return redirect("user_list")
    if left:
        messages.warning(
            request,
            f"已为导入批次 #{batch.pk} 的 {len(issued)} 个账户生成初始密码；"
            f"还有 {left} 个账户尚无密码，请再次点击“生成初始密码”。",
        )
    response = HttpResponse(_password_sheet(issued), content_type=XLSX_TYPE)
    name = f"初始密码_导入批次{batch.pk}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    add_never_cache_headers(response)  # Cache-Control: … no-store …: the sheet is given once
    return response


def _password_sheet(issued: list[tuple[User, str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("初始密码")

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula (a name may start with =)
        return cell

    sheet.append([text(h) for h in SHEET_HEADER])
    for user, password in issued:
        unit = str(user.organisation or "")
        sheet.append([text(user.username), text(user.display_name), text(unit), text(password)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
