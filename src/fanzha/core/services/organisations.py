"""Writes to organisations and users."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fanzha.audit.services import audit_change, audit_record
from fanzha.core import access
from fanzha.core.models import Area, Organisation, User, UserRole
from fanzha.core.roles import ROLES


@transaction.atomic
def organisation_create(
    *, actor: Any, name: str, kind: str, area: Area, covered_areas: Iterable[Area] = (),
    parent: Organisation | None = None, code: str = "", contact_phone: str = "",
) -> Organisation:
    if actor is not None:
        access.require(actor, "organisation.manage")
    organisation = Organisation(
        name=name.strip(), kind=kind, area=area, parent=parent, code=code, contact_phone=contact_phone
    )
    organisation.full_clean()
    organisation.save()
    organisation.covered_areas.set(list(covered_areas))
    audit_change(actor=actor, obj=organisation, action="record.create", changed=["name", "kind", "area"])
    return organisation


def _check_roles(roles: Iterable[str], organisation: Organisation) -> list[str]:
    roles = sorted(set(roles))
    if not roles:
        raise ValidationError({"roles": "至少选择一个角色"})
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationError({"roles": f"未知角色：{'、'.join(unknown)}"})
    if organisation.is_addressee_only and any(ROLES[r].area_scope for r in roles):
        raise ValidationError({"roles": "银行、运营商单位的用户不能担任按辖区查看记录的角色"})
    return roles


@transaction.atomic
def user_create(
    *, actor: Any, username: str, password: str, organisation: Organisation, roles: Iterable[str],
    display_name: str = "", work_phone: str = "",
) -> User:
    if actor is not None:
        access.require(actor, "user.manage")
    role_list = _check_roles(roles, organisation)
    user = User(username=username.strip(), display_name=display_name, organisation=organisation,
                work_phone=work_phone)
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.full_clean(exclude=["password"])
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in role_list])
    audit_change(actor=actor, obj=user, action="record.create", changed=["username", "organisation"])
    audit_record(actor=actor, action="user.roles", obj=user, details={"roles": role_list})
    return user


@transaction.atomic
def user_set_roles(*, actor: Any, user: User, roles: Iterable[str]) -> list[str]:
    access.require(actor, "user.manage")
    role_list = _check_roles(roles, user.organisation)  # type: ignore[arg-type]
    UserRole.objects.filter(user=user).exclude(role__in=role_list).delete()
    existing = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in role_list if r not in existing])
    user.__dict__.pop("_role_codes", None)
    audit_record(actor=actor, action="user.roles", obj=user, details={"roles": role_list})
    return role_list


@transaction.atomic
def user_change_password(*, actor: Any, user: User, password: str) -> None:
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    audit_record(actor=actor, action="password.change", obj=user)
