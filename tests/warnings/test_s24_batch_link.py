"""An import batch and its warnings (本批预警): the source ids a file's rows write carry the batch, the
list filters by it within the viewer's scope, the batch's page links to it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.imports.pipeline import import_run
from fanzha.warnings import fastwrite, selectors
from fanzha.warnings.models import Warning, WarningSourceRef
from tests.personas import login
from tests.warnings.files import row, warning_csv, warning_xlsx
from tests.warnings.helpers import make_warning
from tests.warnings.test_api_batch import a_key, item, push
from tests.warnings.test_list import LIST_QUERIES

SHIQIAO = "青溪县龙泉乡石桥村3组12号"  # 龙泉派出所's jurisdiction; the rows' default is 城关's 城东社区


def imported(world: Any, data: bytes, name: str = "预警清单.csv") -> ImportBatch:
    result = import_run(actor=world.users["analyst"], importer="warnings", file_name=name, data=data)
    assert result.ok, result.errors
    return result.batch


def refs_of(batch: ImportBatch) -> set[str]:
    return set(WarningSourceRef.objects.filter(batch=batch).values_list("source_id", flat=True))


def listed(user: Any, batch: ImportBatch) -> set[int]:
    qs, applied = selectors.filtered(user, {"batch": str(batch.pk)})
    assert applied == {"batch": str(batch.pk)}
    return set(qs.values_list("pk", flat=True))


def test_a_files_source_ids_carry_its_batch(world) -> None:  # type: ignore[no-untyped-def]
    batch = imported(world, warning_csv([row(1), row(2, address=SHIQIAO)]))
    assert refs_of(batch) == {"YJ000001", "YJ000002"}
    assert WarningSourceRef.objects.filter(batch__isnull=True).count() == 0


def test_the_one_warning_path_records_no_batch(world) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(1)
    assert list(warning.source_refs.values_list("batch", flat=True)) == [None]


def test_a_merge_links_the_warning_to_the_second_batch_too(world) -> None:  # type: ignore[no-untyped-def]
    first = imported(world, warning_csv([row(1), row(2, address=SHIQIAO)]))
    second = imported(world, warning_csv([row(3, id_number=row(1)[2], source="运营商", amount="60000")]))
    assert second.rows_updated == 1 and second.rows_new == 0
    merged = Warning.objects.get(source_id="YJ000001")
    assert refs_of(second) == {"YJ000003"}
    assert set(merged.source_refs.values_list("batch", flat=True)) == {first.pk, second.pk}
    leader = world.users["leader"]
    assert listed(leader, second) == {merged.pk}
    assert listed(leader, first) == set(Warning.objects.values_list("pk", flat=True))


def test_rows_received_before_write_no_ref_and_the_first_batch_keeps_them(world) -> None:  # type: ignore[no-untyped-def]
    first = imported(world, warning_csv([row(1), row(2)]))
    same = import_run(
        actor=world.users["analyst"],
        importer="warnings",
        file_name="again.csv",
        data=warning_csv([row(1), row(2)]),
    ).batch
    assert same.status == BatchStatus.SKIPPED and not refs_of(same)
    again = imported(world, warning_xlsx([row(1), row(2), row(4)]), name="again.xlsx")
    assert (again.rows_new, again.rows_unchanged) == (1, 2)
    assert refs_of(first) == {"YJ000001", "YJ000002"}
    assert refs_of(again) == {"YJ000004"}
    assert WarningSourceRef.objects.count() == 3


def test_the_list_filter_keeps_to_the_viewers_jurisdiction(world) -> None:  # type: ignore[no-untyped-def]
    make_warning(9)  # another warning of 城东社区, in no batch
    batch = imported(world, warning_csv([row(1), row(2, address=SHIQIAO)]))
    chengdong = Warning.objects.get(source_id="YJ000001")
    shiqiao = Warning.objects.get(source_id="YJ000002")
    assert listed(world.users["leader"], batch) == {chengdong.pk, shiqiao.pk}
    assert listed(world.users["police_cg"], batch) == {chengdong.pk}
    assert listed(world.users["police_lq"], batch) == {shiqiao.pk}
    assert listed(world.users["bank"], batch) == set()
    for odd in ("²", "9" * 5000, "-1", "x"):  # no batch id: not applied, the list as it is
        qs, applied = selectors.filtered(world.users["leader"], {"batch": odd})
        assert "batch" not in applied and qs.count() == 3


def test_the_list_page_filters_by_batch_in_its_pinned_queries(  # type: ignore[no-untyped-def]
    world, client, django_assert_num_queries
) -> None:
    make_warning(9)
    batch = imported(world, warning_csv([row(1), row(2, address=SHIQIAO)]))
    login(client, world.users["police_cg"])
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("warning_list"), {"batch": batch.pk})
    page = response.content.decode()
    assert f"仅显示导入批次 #{batch.pk} 的预警" in page
    assert f'<input type="hidden" name="batch" value="{batch.pk}">' in page  # kept by the filter form
    shown = {w.pk for w in response.context["page"]}
    assert shown == {Warning.objects.get(source_id="YJ000001").pk}


def test_the_batch_page_links_to_its_warnings(world, client) -> None:  # type: ignore[no-untyped-def]
    batch = imported(world, warning_csv([row(1), row(2, address=SHIQIAO)]))
    login(client, world.users["analyst"])
    page = client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    link = f'href="{reverse("warning_list")}?batch={batch.pk}"'
    assert link in page and "查看本批预警（2 条）" in page


def test_no_link_for_a_dry_run_or_a_rejected_file(world, client) -> None:  # type: ignore[no-untyped-def]
    checked = import_run(
        actor=world.users["analyst"],
        importer="warnings",
        file_name="a.csv",
        data=warning_csv([row(1)]),
        dry_run=True,
    ).batch
    assert checked.status == BatchStatus.CHECKED and not WarningSourceRef.objects.exists()
    login(client, world.users["analyst"])
    assert "查看本批预警" not in client.get(reverse("import_detail", args=[checked.pk])).content.decode()


def test_a_deleted_batch_leaves_its_source_ids(world) -> None:  # type: ignore[no-untyped-def]
    """The retention purge deletes old batches; the source ids keep re-imports no-ops without them."""
    batch = imported(world, warning_csv([row(1), row(2)]))
    ImportBatch.objects.filter(pk=batch.pk).delete()
    assert list(WarningSourceRef.objects.values_list("batch", flat=True)) == [None, None]


def test_a_partners_batch_push_records_its_batch(world) -> None:  # type: ignore[no-untyped-def]
    _, token = a_key(world)
    body = push(Client(enforce_csrf_checks=True), {"warnings": [item(1), item(2)]}, token).json()
    batch = ImportBatch.objects.get(pk=body["batch"])
    assert refs_of(batch) == {"ICBC-0001", "ICBC-0002"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's binary COPY")
def test_the_copy_writes_the_batch_as_a_binary_bigint(world) -> None:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        types = fastwrite._binary_types(cursor.cursor, '"warnings_warningsourceref"', ['"batch_id"'])
    assert types == [20]  # int8: a binary column, None written as NULL
