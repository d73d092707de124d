"""Which importers a user may run, and the import batches they see (the rule is in core.access)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fanzha.core import access
from fanzha.imports.importers import IMPORTERS
from fanzha.imports.models import ImportBatch


def import_permissions() -> set[str]:
    return {cls.permission for cls in IMPORTERS.values()}


def can_import_anything(user: Any) -> bool:
    return any(access.user_can(user, perm) for perm in import_permissions())


def importers_for(user: Any) -> list[tuple[str, str]]:
    """(code, label) of the importers the user may run."""
    return [(code, cls.label) for code, cls in IMPORTERS.items() if access.user_can(user, cls.permission)]


def batches_visible_to(user: Any) -> QuerySet[ImportBatch]:
    permission_of = {code: cls.read_permission or cls.permission for code, cls in IMPORTERS.items()}
    return ImportBatch.objects.filter(access.import_batches_q(user, permission_of)).select_related("actor")
