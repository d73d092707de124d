"""Exports of more rows than FANZHA_EXPORT_INLINE_ROWS are made by the worker and downloaded from 我的导出.

The setting is lowered to 2 rows here, so three warnings are a "large" export. The worker runs with the
jobs framework's own command (``worker --once``); the files are compared with the request's.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.core.models import UserRole
from fanzha.jobs.models import Job, JobStatus, Notification
from fanzha.warnings import export_jobs
from fanzha.warnings.models import ExportStatus, WarningExport
from tests.personas import World
from tests.warnings.helpers import make_warning

TODAY = timezone.localdate().isoformat()
FEEDBACK = {"source": "superior", "start": TODAY, "end": TODAY}


@pytest.fixture
def three(world: World, settings: Any, tmp_path: Any) -> World:
    """Three warnings of 城东社区; exports of more than 2 rows go to the worker, their files to the
    test's own folder."""
    settings.EXPORT_INLINE_ROWS, settings.VAR_DIR = 2, tmp_path
    for n in (1, 2, 3):
        make_warning(n)
    return world


def cells(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def inline(client: Any, settings: Any, url: str, params: dict[str, str]) -> bytes:
    """The same export made in the request (the setting raised above the rows)."""
    settings.EXPORT_INLINE_ROWS = 1000
    response = client.get(url, params)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def run_worker() -> None:
    call_command("worker", "--once")


def download(client: Any, export: WarningExport, **more: Any) -> Any:
    return client.get(reverse("warning_export_download", args=[export.pk]), **more)


def test_an_export_up_to_the_setting_is_made_in_the_request_as_before(three: World, client: Any) -> None:
    client.force_login(three.users["leader"])
    response = client.get(reverse("warning_export"), {"grade": "medium", "end": TODAY})
    assert response.status_code == 302  # 3 rows: queued
    WarningExport.objects.all().delete()
    Job.objects.all().delete()
    response = client.get(reverse("warning_export"), {"grade": "medium", "source": "operator"})
    assert response.status_code == 200 and response.content.startswith(b"PK")  # 0 rows: at once
    assert not WarningExport.objects.exists() and not Job.objects.exists()


def test_a_large_list_export_goes_to_the_worker_and_comes_back_as_the_same_file(
    three: World, client: Any, settings: Any
) -> None:
    leader = three.users["leader"]
    client.force_login(leader)
    area = str(three.area("城东社区").pk)
    asked = {"area": area, "grade": "medium", "source": "superior", "start": TODAY}
    response = client.get(reverse("warning_export"), asked, follow=True)
    assert response.redirect_chain[0][0] == f"{reverse('warning_list')}?{urlencode(asked)}"
    assert "导出共 3 条，已在后台生成，完成后会在通知中提供下载链接" in response.content.decode()
    export = WarningExport.objects.get()
    assert export.status == ExportStatus.QUEUED and export.rows == 3 and export.params == asked
    assert export.job.kind == "warnings.export" and export.job.args == {"export_id": export.pk}
    assert not AuditEvent.objects.filter(action="pii.export").exists()

    run_worker()
    export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.rows == 3
    assert export.expires_at == export.finished_at + timedelta(hours=24)
    assert Job.objects.get(pk=export.job_id).status == JobStatus.SUCCEEDED
    made = AuditEvent.objects.get(action="pii.export")
    assert made.actor_id == leader.pk and made.channel == "worker"
    assert made.details == {"filters": asked, "rows": 3, "masked": True, "export_id": export.pk}
    note = Notification.objects.get(recipient=leader)
    assert note.link == reverse("warning_exports") and "3 条" in note.title

    page = client.get(reverse("warning_exports")).content.decode()
    assert reverse("warning_export_download", args=[export.pk]) in page
    assert "区划 城东社区、等级 中、来源 上级推送、接收自 " + TODAY in page
    got = download(client, export)
    assert got.status_code == 200 and got["Cache-Control"] == "no-store"
    assert "attachment" in got["Content-Disposition"]
    assert AuditEvent.objects.get(action="export.download").details == {"kind": "list", "rows": 3}
    assert cells(got.content) == cells(inline(client, settings, reverse("warning_export"), asked))
    assert len(cells(got.content)["预警"]) == 4


def test_the_feedback_goes_to_the_worker_and_its_csv_has_the_same_bytes(
    three: World, client: Any, settings: Any
) -> None:
    analyst = three.users["analyst"]
    client.force_login(analyst)
    response = client.get(reverse("warning_feedback"), {**FEEDBACK, "format": "csv"})
    assert response.status_code == 302 and response["Location"] == reverse("warning_feedback")
    export = WarningExport.objects.get()
    assert export.params == {**FEEDBACK, "format": "csv"} and export.kind == "feedback"
    run_worker()
    got = download(client, WarningExport.objects.get())
    assert got["Content-Type"] == "text/csv; charset=utf-8"
    assert got.content == inline(client, settings, reverse("warning_feedback"), {**FEEDBACK, "format": "csv"})
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[1][0] == "T00001"


def test_the_feedback_xlsx_from_the_worker_holds_the_request_s_cells(
    three: World, client: Any, settings: Any
) -> None:
    client.force_login(three.users["analyst"])
    client.get(reverse("warning_feedback"), {**FEEDBACK, "format": "xlsx"})
    run_worker()
    got = download(client, WarningExport.objects.get())
    assert got.content.startswith(b"PK")
    url = reverse("warning_feedback")
    assert cells(got.content) == cells(inline(client, settings, url, {**FEEDBACK, "format": "xlsx"}))


def test_the_file_is_stored_encrypted_and_only_its_requester_downloads_it(three: World, client: Any) -> None:
    client.force_login(three.users["leader"])
    client.get(reverse("warning_export"))
    run_worker()
    export = WarningExport.objects.get()
    stored = (export_jobs.export_dir() / export.stored_name).read_bytes()
    assert stored.startswith(b"v1:") and b"PK" not in stored[:10]
    for persona, status in (("analyst", 404), ("head_cg", 404), ("grid_cd", 403), ("auditor", 403)):
        client.force_login(three.users[persona])
        assert download(client, export).status_code == status, persona
        if status == 404:  # may export: their own 我的导出 has none of it
            page = client.get(reverse("warning_exports")).content.decode()
            assert "没有后台导出" in page and "export-download" not in page
    assert not AuditEvent.objects.filter(action="export.download").exists()


def test_a_requester_who_lost_the_permission_before_the_job_ran_gets_a_failed_export(
    three: World, client: Any
) -> None:
    leader = three.users["leader"]
    client.force_login(leader)
    client.get(reverse("warning_export"))
    UserRole.objects.filter(user=leader).delete()
    run_worker()
    export = WarningExport.objects.get()
    job = Job.objects.get(pk=export.job_id)
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert export_jobs.NO_PERMISSION in job.last_error
    assert export.status == ExportStatus.FAILED and export.message == export_jobs.NO_PERMISSION
    assert export.stored_name == "" and not any(export_jobs.export_dir().glob(f"{export.pk}-*"))
    assert not AuditEvent.objects.filter(action="pii.export").exists()
    assert Notification.objects.get(recipient=leader).title == "导出未完成：预警清单"


def test_the_job_builds_for_the_requester_s_jurisdiction_now(three: World, client: Any) -> None:
    """The filters are stored, not the rows: the file is what the requester sees when it is made."""
    make_warning(4, source_id="SHIQIAO", address="青溪县龙泉乡石桥村3组8号")
    client.force_login(three.users["head_cg"])  # 城关派出所's head: 石桥村 is 龙泉's
    client.get(reverse("warning_export"))
    run_worker()
    got = download(client, WarningExport.objects.get())
    ids = [row[2] for row in cells(got.content)["预警"][1:]]
    assert sorted(ids) == ["T00001", "T00002", "T00003"]


def test_the_sweep_deletes_an_expired_file(three: World, client: Any) -> None:
    client.force_login(three.users["leader"])
    client.get(reverse("warning_export"))
    run_worker()
    export = WarningExport.objects.get()
    path = export_jobs.export_dir() / export.stored_name
    assert export_jobs.exports_sweep() == {"failed": 0, "expired": 0, "removed": 0} and path.exists()
    later = timezone.now() + timedelta(hours=24, minutes=1)
    assert export_jobs.exports_sweep(now=later) == {"failed": 0, "expired": 1, "removed": 0}
    export.refresh_from_db()
    assert not path.exists() and export.status == ExportStatus.EXPIRED and export.stored_name == ""
    response = download(client, export)
    assert response.status_code == 302 and response["Location"] == reverse("warning_exports")
    assert "已过期" in client.get(reverse("warning_exports")).content.decode()


def test_the_sweep_removes_a_file_no_ready_export_names_and_fails_an_export_whose_job_ended(
    three: World, client: Any
) -> None:
    folder = export_jobs.export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stray = folder / "999-0000.enc"
    stray.write_bytes(b"v1:left by a failed commit")
    client.force_login(three.users["leader"])
    client.get(reverse("warning_export"))
    export = WarningExport.objects.get()
    Job.objects.filter(pk=export.job_id).update(status=JobStatus.CANCELLED)
    later = timezone.now() + timedelta(hours=2)
    assert export_jobs.exports_sweep(now=later) == {"failed": 1, "expired": 0, "removed": 1}
    export.refresh_from_db()
    assert not stray.exists() and export.status == ExportStatus.FAILED
    assert export.message == export_jobs.INTERRUPTED


def test_filters_holding_personal_data_are_not_stored(three: World) -> None:
    with pytest.raises(ValidationError, match="身份证号、手机号或银行卡号"):
        export_jobs.export_enqueue(
            actor=three.users["leader"], kind="list", params={"source": "13912345678"}, rows=3
        )
    assert not WarningExport.objects.exists() and not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("allow_audit_flush")
def test_the_rows_are_read_outside_a_transaction(three: World, client: Any, monkeypatch: Any) -> None:
    """On SQLite a transaction is the write lock (BEGIN IMMEDIATE): an export read inside one — a city's
    month, about a minute — held every acknowledgement, visit and import waiting, and failed them past
    20 s. The list is read in autocommit, in the request and in the worker alike."""
    from django.db import connection

    from fanzha.warnings import exports

    seen: list[bool] = []
    list_rows = exports.list_rows

    def watched(qs: Any) -> Any:
        seen.append(connection.in_atomic_block)
        return list_rows(qs)

    monkeypatch.setattr(exports, "list_rows", watched)
    client.force_login(three.users["leader"])
    assert client.get(reverse("warning_export"), {"grade": "medium", "start": TODAY}).status_code == 302
    run_worker()
    assert WarningExport.objects.get().status == ExportStatus.READY
    export_jobs.settings.EXPORT_INLINE_ROWS = 1000
    assert client.get(reverse("warning_export"), {"grade": "medium", "start": TODAY}).status_code == 200
    assert seen == [False, False]


def test_the_filters_asked_read_in_the_list_s_order_whatever_order_the_database_keeps(three: World) -> None:
    """PostgreSQL's jsonb keeps an object's keys shortest first (start before source): 我的导出 named the
    filters in that order there, in the order asked on SQLite."""
    area = str(three.area("城东社区").pk)
    stored = {"start": TODAY, "source": "superior", "grade": "medium", "area": area}
    export = WarningExport(kind="list", params=stored)
    said = export_jobs.described(export, export_jobs.area_names([export]))
    assert said == f"区划 城东社区、等级 中、来源 上级推送、接收自 {TODAY}"


def taken_away_while_made(monkeypatch: Any, then: Any) -> None:
    """Run ``then`` while the worker reads the list's rows, after their count: what happens elsewhere
    while a long export is made."""
    from fanzha.warnings import exports

    list_rows = exports.list_rows

    def meanwhile(qs: Any) -> Any:
        then()
        return list_rows(qs)

    monkeypatch.setattr(exports, "list_rows", meanwhile)


def test_a_job_taken_away_from_its_stalled_worker_stores_no_file_over_the_sweep_s_failure(
    three: World, client: Any, monkeypatch: Any, settings: Any
) -> None:
    """Its last attempt's worker stopped beating (a paused process, a locked database) while it made the
    file: the job was failed as lost, the sweep failed the export and told the requester. The worker then
    woke up and finished: it stored its file, turned the failed export ready and said 导出已完成 too."""
    from fanzha.jobs.queue import job_claim, job_execute, jobs_reclaim_stale

    leader = three.users["leader"]
    client.force_login(leader)
    client.get(reverse("warning_export"))
    export = WarningExport.objects.get()
    now = timezone.now()
    stale = now + timedelta(seconds=settings.WORKER_STALE_SECONDS + 1)
    job_claim("worker-a", now=now)  # the first attempt's worker was killed: the job back to the queue
    assert jobs_reclaim_stale(now=stale) == {"requeued": 1, "failed": 0}
    job = job_claim("worker-b", now=stale)
    assert job is not None and job.attempts == job.max_attempts == 2

    def lost_and_swept() -> None:
        later = stale + timedelta(seconds=settings.WORKER_STALE_SECONDS + 1)
        assert jobs_reclaim_stale(now=later) == {"requeued": 0, "failed": 1}
        assert export_jobs.exports_sweep(now=later)["failed"] == 1

    taken_away_while_made(monkeypatch, lost_and_swept)
    assert job_execute(job, "worker-b") == JobStatus.FAILED
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and export.message == export_jobs.INTERRUPTED
    assert export.stored_name == "" and not any(export_jobs.export_dir().glob("*"))
    assert list(Notification.objects.filter(recipient=leader).values_list("title", flat=True)) == [
        "导出未完成：预警清单"
    ]


def test_an_export_settled_while_its_file_was_made_is_not_made_ready(three: World, monkeypatch: Any) -> None:
    """However the export was settled meanwhile (failed by the sweep, by another attempt), the file made
    after it is deleted, not stored over it."""
    leader = three.users["leader"]
    export = export_jobs.export_enqueue(actor=leader, kind="list", params={}, rows=3)
    taken_away_while_made(
        monkeypatch, lambda: export_jobs.export_fail(export_id=export.pk, message=export_jobs.INTERRUPTED)
    )
    outcome = export_jobs.export_run_queued(export_id=export.pk, report=lambda pct, message: None)
    assert outcome == {"export_id": export.pk, "status": ExportStatus.FAILED, "rows": 3}
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and export.stored_name == ""
    assert not any(export_jobs.export_dir().glob("*"))
    assert Notification.objects.filter(recipient=leader).count() == 1


def test_a_file_the_key_no_longer_reads_is_said_so_and_expiry_is_at_its_moment(
    three: World, client: Any, settings: Any
) -> None:
    from fanzha.core.pii.crypto import generate_key

    client.force_login(three.users["leader"])
    client.get(reverse("warning_export"))
    run_worker()
    export = WarningExport.objects.get()
    settings.PII_KEY = generate_key()  # the personal-data key replaced since the file was made
    response = download(client, export, follow=True)
    assert response.redirect_chain == [(reverse("warning_exports"), 302)]
    assert export_jobs.UNREADABLE in response.content.decode()
    assert not AuditEvent.objects.filter(action="export.download").exists()
    moment = export.expires_at
    assert export_jobs.is_downloadable(export, moment - timedelta(microseconds=1))
    assert not export_jobs.is_downloadable(export, moment)
    assert export_jobs.exports_sweep(now=moment)["expired"] == 1


def test_a_job_retried_while_its_first_worker_was_paused_is_stored_once(
    three: World, client: Any, monkeypatch: Any, settings: Any
) -> None:
    """The first attempt's worker stopped beating while it made the file; the job went back to the queue
    and another worker made and stored it. The first then woke up: it stored a second file over the
    first and the requester was told twice."""
    from fanzha.jobs.queue import job_claim, job_execute, jobs_reclaim_stale

    leader = three.users["leader"]
    client.force_login(leader)
    client.get(reverse("warning_export"))
    export = WarningExport.objects.get()
    job = job_claim("worker-a")
    assert job is not None
    retried: list[bool] = []

    def retried_elsewhere() -> None:
        if retried:  # the other worker's own reading
            return
        retried.append(True)
        stale = timezone.now() + timedelta(seconds=settings.WORKER_STALE_SECONDS + 1)
        assert jobs_reclaim_stale(now=stale) == {"requeued": 1, "failed": 0}
        Job.objects.filter(pk=job.pk).update(run_at=timezone.now())
        run_worker()

    taken_away_while_made(monkeypatch, retried_elsewhere)
    assert job_execute(job, "worker-a") == JobStatus.SUCCEEDED  # as the other worker left it
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert [path.name for path in export_jobs.export_dir().glob("*")] == [export.stored_name]
    assert Notification.objects.filter(recipient=leader).count() == 1
    assert Job.objects.get(pk=job.pk).attempts == 2
