"""A day of a county's calls (2 million records, ≈ 120 MB of CSV) is past the default upload limit. The
refusal said only “超过 50 MB 的上限”: it now gives the file's size and the way in (gzip it, or split
it into several files), and the upload page states the limit before the analyst tries. A gzipped file
refused for what it holds decompressed is named, as every other refusal names its file."""

from __future__ import annotations

import gzip
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.numbers import services
from fanzha.numbers.models import ScoringRun

MB = 1024 * 1024


def _calls(size: int) -> bytes:
    out = io.StringIO()
    out.write("phone_no_m,opposite_no_m,calltype_id,start_datetime,call_dur\n")
    n = 0
    while out.tell() < size:
        out.write(f"139057{n % 100000:05d},13800138000,1,2026-03-01 10:00:00,60\n")
        n += 1
    return out.getvalue().encode()


def _post(client, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(reverse("numbers_run_upload"), {"calls": SimpleUploadedFile(name, data)})


def test_a_file_past_the_limit_is_refused_with_its_size_and_the_way_in(world, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_BYTES = 1 * MB
    client.force_login(world.users["analyst"])
    response = _post(client, "移动话单.csv", _calls(int(1.5 * MB)))
    body = response.content.decode()
    assert response.status_code == 400
    assert "“移动话单.csv”有 1.5 MB，超过每个文件 1 MB 的上限，未保存" in body
    assert (
        "请压缩为 .csv.gz" in body
        and f"拆分为多个文件后一并上传（每类最多 {services.MAX_FILES_PER_KIND} 个）" in body
    )
    assert not ScoringRun.objects.exists()


def test_the_service_says_the_same(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_BYTES = 1 * MB
    message = services.too_large("13905712345话单.csv", int(2.25 * MB))
    assert message.startswith("“139****2345话单.csv”有 2.2 MB，超过每个文件 1 MB 的上限")


def test_the_upload_page_states_the_limit(world, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_BYTES = 50 * MB
    client.force_login(world.users["analyst"])
    page = client.get(reverse("numbers_run_upload")).content.decode()
    assert "每个文件不超过 50 MB，较大的话单请压缩为 .csv.gz 或拆分后上传" in page


def test_a_gzipped_file_refused_for_what_it_holds_is_named(world, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_BYTES = 1 * MB
    client.force_login(world.users["analyst"])
    bomb = gzip.compress(b"0" * (services.GZIP_MAX_FACTOR * MB + 1), compresslevel=9)
    assert "“三月话单.csv.gz”解压后超过" in _post(client, "三月话单.csv.gz", bomb).content.decode()
    assert (
        "“四月话单.csv.gz”是空的（解压后没有内容）"
        in _post(client, "四月话单.csv.gz", gzip.compress(b"")).content.decode()
    )
