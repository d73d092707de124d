"""Large uploads go through the job "imports.run": encrypted while queued, progress on the batch page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Person
from fanzha.imports import background
from fanzha.imports.models import BatchStatus, ImportBatch, ImportUpload
from fanzha.jobs.models import Job, JobStatus
from fanzha.jobs.queue import RunContext, job_claim, job_execute
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row, unique_people, xlsx_bytes
from tests.imports.test_views import upload

SECRET_NAME = "欧阳秘密"


@pytest.fixture
def small_inline(monkeypatch):  # type: ignore[no-untyped-def]
    """Files above 3 rows go to the worker, so the tests need not build thousands of rows."""
    monkeypatch.setattr(background, "INLINE_MAX_ROWS", 3)


def people_file(count: int = 6) -> tuple[bytes, str]:
    rows = unique_people(1, count - 1) + [person_row(count, name=SECRET_NAME)]
    return csv_bytes(PEOPLE_HEADER, rows), rows[-1][1]


def stored_payloads() -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM imports_importupload")
        return [bytes(row[0]) for row in cursor.fetchall()]


def test_it_queues_a_large_upload_and_keeps_the_file_encrypted(world, client, small_inline) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    data, id_number = people_file()
    response = upload(client, "people", data)
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("import_detail", args=[batch.pk])
    assert batch.status == BatchStatus.RUNNING and Person.objects.count() == 2  # nothing imported yet
    assert batch.job is not None and batch.job.kind == "imports.run"
    assert batch.job.args == {"batch_id": batch.pk} and batch.job.created_by == world.users["leader"]
    [payload] = stored_payloads()
    assert id_number.encode() not in payload and SECRET_NAME.encode() not in payload
    assert data not in payload and payload.startswith(b"v1:")
    upload_row = ImportUpload.objects.get(batch=batch)
    assert upload_row.size == len(data)
    assert background.decrypt_bytes(upload_row.payload, context=background.upload_context(batch.pk)) == data


def test_it_runs_the_queued_import_in_the_worker_and_deletes_the_file(world, client, small_inline) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    data, _ = people_file(6)
    upload(client, "people", data)
    call_command("worker", "--once")
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.COMMITTED and batch.rows_new == 6
    assert Person.objects.count() == 8
    assert not ImportUpload.objects.exists() and stored_payloads() == []
    job = Job.objects.get(pk=batch.job_id)
    assert job.status == JobStatus.SUCCEEDED and job.result["new"] == 6
    commit = AuditEvent.objects.get(action="import.commit")
    assert commit.actor_id == world.users["leader"].pk and commit.channel == "worker"
    page = client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    assert "新增 6，更新 0，未变 0，有误 0" in page and "hx-get" not in page


def test_it_shows_the_progress_to_the_owner_and_hides_the_batch_from_others(
    world, client, small_inline
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    upload(client, "people", people_file(6)[0])
    batch = ImportBatch.objects.get()
    url = reverse("import_detail", args=[batch.pk])
    page = client.get(url).content.decode()
    assert "排队中" in page and f'hx-get="{url}"' in page and 'hx-trigger="every 2s"' in page
    job = job_claim("w-test")
    assert job is not None and job.pk == batch.job_id
    RunContext(job, "w-test").progress(37, "正在校验：120/300 行")
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="import-status"') and "<html" not in partial
    assert "37%" in partial and "正在校验：120/300 行" in partial and "hx-get" in partial
    client.force_login(world.users["admin"])  # may import (areas), but not this batch
    assert client.get(url).status_code == 404
    client.force_login(world.users["police_cg"])
    assert client.get(url).status_code == 403
    assert job_execute(job, "w-test") == JobStatus.SUCCEEDED
    client.force_login(world.users["leader"])
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "已导入" in done and "新增 6" in done and "hx-get" not in done


def test_it_shows_row_errors_of_a_queued_import_and_commits_nothing(world, client, small_inline) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    rows = unique_people(1, 5) + [person_row(9, id_number="330102199001011235")]
    upload(client, "people", xlsx_bytes(PEOPLE_HEADER, rows), name="名单.xlsx")
    assert ImportBatch.objects.get().status == BatchStatus.RUNNING
    call_command("worker", "--once")
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.REJECTED and Person.objects.count() == 2
    assert not ImportUpload.objects.exists()
    page = client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    assert "3301**********1235" in page and "330102199001011235" not in page
    assert reverse("import_errors", args=[batch.pk]) in page


def test_it_rejects_a_large_file_without_the_required_columns_at_once(world, client, small_inline) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    rows = [row[:1] + row[2:] for row in unique_people(1, 10)]
    upload(client, "people", csv_bytes(["备注", *PEOPLE_HEADER[2:]], rows))
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.REJECTED and batch.job is None
    assert batch.message == "缺少必需的列：姓名、身份证号（表头在第 1 行）"
    assert batch.unknown_columns == ["备注"]
    assert not ImportUpload.objects.exists() and not Job.objects.exists()
    upload(client, "people", b"PK\x03\x04 not really a workbook", name="坏文件.xlsx")
    assert ImportBatch.objects.filter(status=BatchStatus.REJECTED).count() == 2


def test_it_queues_files_above_the_default_threshold_and_runs_small_ones_at_once(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    large = unique_people(1, background.INLINE_MAX_ROWS + 1)
    upload(client, "people", csv_bytes(PEOPLE_HEADER, large), dry_run="on")
    queued = ImportBatch.objects.get()
    assert queued.status == BatchStatus.RUNNING and queued.job is not None
    upload(client, "people", csv_bytes(PEOPLE_HEADER, large[:3]))
    small = ImportBatch.objects.exclude(pk=queued.pk).get()
    assert small.status == BatchStatus.COMMITTED and small.job is None  # imported in the request
    call_command("worker", "--once")
    queued.refresh_from_db()
    assert queued.status == BatchStatus.CHECKED and queued.rows_total == background.INLINE_MAX_ROWS + 1
    assert queued.rows_unchanged == 3 and Person.objects.count() == 5  # a dry run writes nothing
    assert Job.objects.get(pk=queued.job_id).progress == 100


def test_it_skips_a_queued_file_identical_to_a_committed_one(world, small_inline) -> None:  # type: ignore[no-untyped-def]
    data, _ = people_file(6)
    leader = world.users["leader"]
    first = background.import_enqueue(actor=leader, importer="people", file_name="a.csv", data=data)
    second = background.import_enqueue(actor=leader, importer="people", file_name="b.csv", data=data)
    call_command("worker", "--once")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == BatchStatus.COMMITTED and second.status == BatchStatus.SKIPPED
    assert Person.objects.count() == 8 and not ImportUpload.objects.exists()


def test_it_rejects_a_queued_file_when_the_importer_lost_the_permission(world, small_inline) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    batch = background.import_enqueue(
        actor=analyst, importer="people", file_name="a.csv", data=people_file()[0]
    )
    analyst.roles.all().delete()
    call_command("worker", "--once")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.REJECTED and batch.message == background.NO_PERMISSION_MESSAGE
    assert Person.objects.count() == 2 and not ImportUpload.objects.exists()
