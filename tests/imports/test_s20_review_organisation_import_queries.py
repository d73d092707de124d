"""Review (s20): checking an organisations file reads the stored units once, not once a row."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanzha.core.models import Organisation
from fanzha.imports.importers.base import Row
from fanzha.imports.importers.organisations import OrganisationImporter


def _validation_queries(actor, names: list[str]) -> tuple[int, list[Row]]:  # type: ignore[no-untyped-def]
    importer = OrganisationImporter()
    rows = [
        Row(number=n, values={"name": name, "kind": "派出所", "area": "331199100"})
        for n, name in enumerate(names, start=2)
    ]
    with CaptureQueriesContext(connection) as queries:
        for row in rows:
            importer.validate_row(actor=actor, row=row)
    return len(queries), rows


def test_the_queries_of_checking_rows_do_not_grow_with_the_rows(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    few, _ = _validation_queries(admin, [f"测试单位{n}" for n in range(2)])
    many, rows = _validation_queries(admin, [f"测试单位{n}" for n in range(40)])
    assert many == few
    assert all(row.cleaned and row.cleaned["existing"] is None for row in rows)


def test_an_existing_unit_is_still_found_by_its_name(world) -> None:  # type: ignore[no-untyped-def]
    existing = Organisation.objects.order_by("pk").first()
    assert existing is not None
    _, rows = _validation_queries(world.users["admin"], [existing.name, "新设单位"])
    assert [row.cleaned["existing"] for row in rows] == [existing.pk, None]
