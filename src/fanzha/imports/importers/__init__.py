"""The registry of importers, by code."""

from __future__ import annotations

from fanzha.imports.importers.areas import AreaImporter
from fanzha.imports.importers.base import Importer
from fanzha.imports.importers.ledger import LedgerImporter
from fanzha.imports.importers.organisations import OrganisationImporter
from fanzha.imports.importers.people import PersonImporter
from fanzha.imports.importers.users import UserImporter
from fanzha.imports.importers.warnings import WarningImporter


def _case_importer() -> type[Importer]:
    from fanzha.cases.importer import CaseImporter  # the cases app builds on the import pipeline

    return CaseImporter


# A fresh importer per run: importers keep per-run lookup caches.
IMPORTERS: dict[str, type[Importer]] = {
    cls.code: cls
    for cls in (
        AreaImporter,
        OrganisationImporter,
        UserImporter,
        PersonImporter,
        WarningImporter,
        LedgerImporter,
        _case_importer(),
    )
}


def get_importer(code: str) -> Importer | None:
    cls = IMPORTERS.get(code)
    return cls() if cls is not None else None


__all__ = ["IMPORTERS", "Importer", "get_importer"]
