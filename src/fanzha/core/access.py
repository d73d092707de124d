"""Access is decided here and nowhere else.

- ``user_can(user, permission)``: what a user's roles allow.
- ``ScopedQuerySet.visible_to(user)``: the records of the areas the user's organisation covers, and,
  for banks and operators, only the records addressed to their organisation.
- ``get_visible_or_404``: a record outside one's scope answers exactly like a missing one.
- ``area_visible_to(user, area)`` / ``organisation_covers(organisation, area)``: whether an area is in a
  user's (a unit's) jurisdiction — the same path rule as ``visible_to``.
- ``import_batches_q(user, permission_of)``: the import batches a user sees — their own, and for the
  centre's leader and analyst their unit's, of the importers whose records they may read.
- ``visible_areas(user)``: the areas of the user's jurisdiction (every area for the administrator);
  ``visible_area(user, value)``: the one a list's area filter names, if it is among them.
- ``jobs_q(user)`` / ``notifications_q(user)``: the background jobs and the inbox messages a user sees.
- ``exports_q(user)``: the exports made in the background a user sees and downloads: their own only.
- ``may_change_shared_rules(user)``: whether a user may change the platform's shared configuration (the
  grading rules, the fraud-type table): only the staff of the top centre (:func:`top_centre_ids`).
- ``with_checks_loaded(users)``: users read with what these checks read of each, for a caller checking
  many users against many records (the SLA sweep's supervisors).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from fanzha.core.roles import has_area_scope, permissions_of

M = TypeVar("M", bound=models.Model)


def in_force(user: Any) -> bool:
    """A signed-in, active user whose organisation (if any) is active: a deactivated organisation's
    users keep their accounts but lose every permission and record at their next request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    organisation = getattr(user, "organisation", None)
    return organisation is None or organisation.is_active


def user_permissions(user: Any) -> frozenset[str]:
    if not in_force(user):
        return frozenset()
    return permissions_of(user.role_codes)


def user_can(user: Any, permission: str) -> bool:
    return permission in user_permissions(user)


def require(user: Any, permission: str) -> None:
    if not user_can(user, permission):
        raise PermissionDenied(permission)


def jurisdiction_paths(user: Any) -> list[str]:
    """Area-path prefixes the user may read; empty for banks, operators and non-field roles."""
    if not in_force(user):
        return []
    cached = getattr(user, "_jurisdiction_paths", None)
    if cached is not None:
        return list(cached)
    paths: list[str] = []
    organisation = user.organisation
    if organisation is not None and has_area_scope(user.role_codes):
        paths = organisation.jurisdiction_paths()
    user._jurisdiction_paths = tuple(paths)
    return paths


def with_checks_loaded(users: models.QuerySet[Any]) -> list[Any]:
    """The users of ``users`` with what the checks here read of each — its roles, its unit, the unit's
    area and covered areas — loaded in three queries however many they are: :func:`user_can`,
    :func:`in_force` and :func:`jurisdiction_paths` on them then cost no query (the last one computed
    once a user and kept on it). Read once by a caller checking the same users against many records;
    each check was otherwise two queries a user (roles, covered areas)."""
    loaded = list(
        users.select_related("organisation__area").prefetch_related("roles", "organisation__covered_areas")
    )
    for user in loaded:
        user._role_codes = frozenset(held.role for held in user.roles.all())
    return loaded


def area_q(user: Any, area_field: str = "area") -> Q:
    return paths_q(jurisdiction_paths(user), f"{area_field}__path")


def paths_q(paths: list[str], path_field: str) -> Q:
    """Rows whose area path (``path_field``) lies at or under one of ``paths``; none for no paths."""
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{path_field}__startswith": path})
    return condition


def areas_under(paths: list[str]) -> models.QuerySet[Any]:
    """The areas at or under one of ``paths`` (area-path prefixes, e.g. a jurisdiction); none for none."""
    from fanzha.core.models import Area

    return Area.objects.filter(paths_q(paths, "path"))


MAX_ID_DIGITS = 18  # a 64-bit id has at most 19 digits; longer is none of ours


def whole_number(value: str) -> int | None:
    """A record id or version as a query string or form writes it ("12"); None for anything else — "²"
    (a digit to ``str.isdigit``), "١٢" or 5,000 nines (beyond what ``int`` reads) included."""
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_ID_DIGITS:
        return None
    return int(value)


def visible_area(user: Any, value: str) -> Any:
    """The area a list's ``?area=`` names (an id as written) when it is in the user's jurisdiction, else
    None (no such area, one outside it, or not an id): the one reading the warning, case and people
    lists share."""
    pk = whole_number(value)
    return visible_areas(user).filter(pk=pk).first() if pk is not None else None


def visible_areas(user: Any) -> models.QuerySet[Any]:
    """The areas of the user's jurisdiction; every area for the administrator (``area.manage``), none
    for a user out of force, a bank, an operator or the auditor."""
    from fanzha.core.models import Area

    if user_can(user, "area.manage"):
        return Area.objects.all()
    return areas_under(jurisdiction_paths(user))


def addressee_q(user: Any, organisation_field: str) -> Q:
    organisation_id = getattr(user, "organisation_id", None)
    if not in_force(user) or organisation_id is None:
        return Q(pk__in=[])
    return Q(**{organisation_field: organisation_id})


# The roles that see their unit's import batches besides their own.
UNIT_IMPORT_ROLES = frozenset({"centre_leader", "centre_analyst"})


def import_batches_q(user: Any, permission_of: Mapping[str, str]) -> Q:
    """The import batches ``user`` sees: their own; for the centre's leader and analyst also their
    unit's, of the importers whose records they may read (``permission_of``: importer code → the
    permission to read its batches) — not the administrator's users import, whose rows and error report
    name staff accounts an analyst may not manage."""
    if not in_force(user):
        return Q(pk__in=[])
    condition = Q(actor_id=user.pk)
    if user.organisation_id is None or not user.role_codes & UNIT_IMPORT_ROLES:
        return condition
    readable = [code for code, permission in permission_of.items() if user_can(user, permission)]
    return condition | Q(organisation_id=user.organisation_id, importer__in=readable)


def jobs_q(user: Any) -> Q:
    """The background jobs ``user`` sees: their own; with ``job.view_jurisdiction`` (a centre's leader)
    also those started by the users of the units whose area is in their jurisdiction (the city centre's
    leader: its counties'; a county's: its own) — a job's name, file and progress are its unit's work;
    with ``job.view_all`` (the administrator) every job, the schedules' too."""
    if not in_force(user):
        return Q(pk__in=[])
    if user_can(user, "job.view_all"):
        return Q()
    condition = Q(created_by_id=user.pk)
    if user_can(user, "job.view_jurisdiction"):
        condition |= area_q(user, "created_by__organisation__area")
    return condition


def notifications_q(user: Any) -> Q:
    """The inbox messages ``user`` sees: those sent to them, while they are in force."""
    if not in_force(user):
        return Q(pk__in=[])
    return Q(recipient_id=user.pk)


def exports_q(user: Any) -> Q:
    """The exports the worker made that ``user`` sees and downloads: those they asked for, while they are
    in force — nobody else's, not a leader's nor the administrator's (a file of another's jurisdiction
    and filters; each download audited as its requester's)."""
    if not in_force(user):
        return Q(pk__in=[])
    return Q(requested_by_id=user.pk)


# The permission that changes the grading rules and the fraud-type table; every centre holding it reads
# them, only the top centre's staff change them (:func:`may_change_shared_rules`).
SHARED_RULES = "warning.grade_rules"


def top_centre_ids() -> frozenset[int]:
    """The active centres whose jurisdiction contains the area of every other active centre: the city's
    centre over its county centres, or the only centre of a one-county platform. None when two centres
    stand side by side with none over both (two county centres and no city centre)."""
    from fanzha.core.models import Organisation
    from fanzha.core.models.organisations import OrganisationKind

    centres = list(
        Organisation.objects.filter(kind=OrganisationKind.CENTRE, is_active=True)
        .select_related("area")
        .prefetch_related("covered_areas")
    )
    return frozenset(
        centre.pk for centre in centres if all(organisation_covers(centre, other.area) for other in centres)
    )


def may_change_shared_rules(user: Any) -> bool:
    """Whether ``user`` may change the platform's shared configuration — the grading rules and the
    fraud-type table, which grade and type the warnings of every county the platform serves: a holder of
    ``warning.grade_rules`` in a top centre (:func:`top_centre_ids`). A county centre reads them."""
    return user_can(user, SHARED_RULES) and user.organisation_id in top_centre_ids()


def require_shared_rules(user: Any) -> None:
    """Refuse (403) a change of the shared configuration to anyone but the top centre's staff."""
    if not may_change_shared_rules(user):
        raise PermissionDenied(SHARED_RULES)


class ScopedQuerySet(models.QuerySet[M]):
    """Rows that belong to an area (``area_field``) and/or are addressed to an organisation."""

    area_field: str | None = "area"
    addressee_field: str | None = None

    def visible_to(self, user: Any) -> ScopedQuerySet[M]:
        model = self.model
        area_field = getattr(model, "scope_area_field", self.area_field)
        addressee_field = getattr(model, "scope_addressee_field", self.addressee_field)
        condition = Q(pk__in=[])
        if area_field:
            condition |= area_q(user, area_field)
        if addressee_field:
            condition |= addressee_q(user, addressee_field)
        return self.filter(condition)


def get_visible_or_404(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """The record if it exists and the user may see it; otherwise the same 404 either way."""
    visible = queryset.visible_to(user)  # type: ignore[attr-defined]
    try:
        return visible.get(**lookup)  # type: ignore[no-any-return]
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("记录不存在") from exc


def _within(area: Any, paths: list[str]) -> bool:
    return any(area.path.startswith(path) for path in paths)


def area_visible_to(user: Any, area: Any) -> bool:
    return _within(area, jurisdiction_paths(user))


def organisation_covers(organisation: Any, area: Any) -> bool:
    """Whether ``area`` is in the unit's jurisdiction: what its users of an area-scoped role see
    (:func:`jurisdiction_paths`); never for a bank or operator, which see by addressee only."""
    return _within(area, organisation.jurisdiction_paths())
