"""Rows imported with something to check: kept on the batch, shown on its page and in its CSV."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.imports.pipeline import import_run
from tests.warnings.files import row, warning_csv


def test_it_keeps_and_shows_the_rows_imported_with_notices(world, client) -> None:  # type: ignore[no-untyped-def]
    wrong_digit = row(2, id_number="331102195601010010")  # a check digit that does not add up
    data = warning_csv([row(1), wrong_digit, row(3, fraud_type="某种新骗法")])
    result = import_run(actor=world.users["leader"], importer="warnings", file_name="a.csv", data=data)
    assert result.ok and result.batch.rows_new == 3 and result.batch.rows_rejected == 0
    notices = result.batch.notices
    assert {n["row"] for n in notices} == {3, 4} and all(n["message"] for n in notices)
    assert "331102195601010010" not in str(notices)
    assert "2 行带有需核实的提示" in result.batch.message
    commit = AuditEvent.objects.get(action="import.commit")
    assert commit.details["flagged_rows"] == 2
    client.force_login(world.users["leader"])
    page = client.get(reverse("import_detail", args=[result.batch.pk])).content.decode()
    assert 'data-testid="notices"' in page and "需核实的提示" in page
    listing = client.get(reverse("import_errors", args=[result.batch.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(listing.streaming_content).decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == {"3", "4"} and all(
        r[3].startswith("（提示，已导入）") for r in rows[1:]
    )


def test_it_says_only_imported_when_no_row_needs_checking(world) -> None:  # type: ignore[no-untyped-def]
    result = import_run(
        actor=world.users["leader"], importer="warnings", file_name="a.csv", data=warning_csv([row(1)])
    )
    assert result.batch.notices == [] and result.batch.message == "已导入"
