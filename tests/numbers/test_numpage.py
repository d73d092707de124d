"""The 号码研判 pages as an analyst uses them: uploads of the wrong kind, numbers in file names."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.numbers.models import RunUpload, ScoringRun

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
