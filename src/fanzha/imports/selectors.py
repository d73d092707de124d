"""Which import batches a user may see: their own; centre roles also their organisation's."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fanzha.core import access
from fanzha.imports.importers import IMPORTERS
from fanzha.imports.models import ImportBatch

CENTRE_ROLES = frozenset({"centre_leader", "centre_analyst"})


def import_permissions() -> set[str]:
    return {cls.permission for cls in IMPORTERS.values()}


def can_import_anything(user: Any) -> bool:
    return any(access.user_can(user, perm) for perm in import_permissions())


def importers_for(user: Any) -> list[tuple[str, str]]:
    """(code, label) of the importers the user may run."""
    return [(code, cls.label) for code, cls in IMPORTERS.items() if access.user_can(user, cls.permission)]


def batches_visible_to(user: Any) -> QuerySet[ImportBatch]:
    if not getattr(user, "is_authenticated", False):
        return ImportBatch.objects.none()
    condition = Q(actor_id=user.pk)
    if user.role_codes & CENTRE_ROLES and user.organisation_id is not None:
        condition |= Q(organisation_id=user.organisation_id)
    return ImportBatch.objects.filter(condition).select_related("actor")
