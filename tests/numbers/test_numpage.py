"""The 号码研判 pages as an analyst uses them: uploads of the wrong kind, numbers in file names."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.numbers.models import ProposalStatus, RunUpload, ScoringRun
from tests.numbers.extract import calls_csv
from tests.numbers.factories import stored_run

SUBSCRIBER = "13905712345"  # operators name a one-subscriber extract by the number


def _upload(client, **files: tuple[str, bytes]):  # type: ignore[no-untyped-def]
    data = {kind: SimpleUploadedFile(name, content) for kind, (name, content) in files.items()}
    return client.post(reverse("numbers_run_upload"), data)


def test_a_broken_gzip_named_by_a_number_is_refused_with_the_number_masked(world, client) -> None:  # type: ignore[no-untyped-def]
    """The refusal of a corrupt .csv.gz named the file in clear: the subscriber's number on the page."""
    client.force_login(world.users["analyst"])
    response = _upload(client, calls=(f"{SUBSCRIBER}话单.csv.gz", b"not gzip at all"))
    page = response.content.decode()
    assert response.status_code == 400
    assert SUBSCRIBER not in page
    assert "139****2345话单.csv.gz" in page and "不是有效的 gzip 压缩文件" in page
    assert not ScoringRun.objects.exists() and not RunUpload.objects.exists()


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["caller", "callee", "start_time", "duration"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_pdf_or_a_workbook_named_csv_is_refused_at_upload_saying_what_it_is(world, client) -> None:  # type: ignore[no-untyped-def]
    """A PDF named .csv was stored and its run failed with a long list of “missing columns”."""
    client.force_login(world.users["analyst"])
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n" * 20
    for name, content, what in (("话单.csv", pdf, "PDF 文件"), ("话单.csv", _xlsx(), "Excel 工作簿")):
        response = _upload(client, calls=(name, content))
        page = response.content.decode()
        assert response.status_code == 400, name
        assert f"“话单.csv”是{what}" in page and "不是 CSV" in page
    assert not ScoringRun.objects.exists() and not RunUpload.objects.exists()


def test_a_refused_file_among_several_is_named(world, client) -> None:  # type: ignore[no-untyped-def]
    """Of a month's calls files, the empty one, the one of a wrong type and the one past the size limit
    were refused without saying which (“所提交的是空文件。”); each is named, its number masked."""
    client.force_login(world.users["analyst"])
    url = reverse("numbers_run_upload")
    good = calls_csv()
    cases = (
        (f"{SUBSCRIBER}-03.csv", b"", "空文件"),
        (f"{SUBSCRIBER}-03.xlsx", good, "只接受 CSV 或 Parquet"),
    )
    for name, content, said in cases:
        files = [SimpleUploadedFile("01.csv", good), SimpleUploadedFile(name, content)]
        response = client.post(url, {"calls": files})
        page = response.content.decode()
        assert response.status_code == 400, name
        assert f"“139****2345-03.{name.rsplit('.', 1)[1]}”" in page and said in page, page[-3000:]
        assert SUBSCRIBER not in page
    with override_settings(IMPORT_MAX_BYTES=len(good) - 1):
        files = [SimpleUploadedFile("01.csv", b"a,b\n"), SimpleUploadedFile("02.csv", good)]
        page = client.post(url, {"calls": files}).content.decode()
        assert "“02.csv”有 " in page and "超过每个文件" in page
    assert not ScoringRun.objects.exists()


def test_a_proposal_decided_by_two_analysts_keeps_the_first_and_tells_the_second(world, client) -> None:  # type: ignore[no-untyped-def]
    """The second decision was refused with “该建议已处理过” only: the analyst could not tell whether the
    number stands confirmed or rejected, nor who decided; now they are told, and nothing changes."""
    run = stored_run(world)
    proposal = run.proposals.get()
    url = reverse("numbers_proposal_decide", args=[proposal.pk])
    client.force_login(world.users["leader"])
    client.post(url, {"decision": "reject", "reason": "核实为正常用户"})
    client.force_login(world.users["analyst"])
    page = client.post(url, {"decision": "confirm"}, follow=True).content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED and proposal.decided_by == world.users["leader"]
    assert "该建议已由 leader 于" in page and " 驳回，未再更改" in page and "已驳回，未再" not in page
    assert AuditEvent.objects.filter(action="numbers.proposal_decide").count() == 1
