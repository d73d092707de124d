"""Operators deliver extracts gzipped: the upload page takes ``.csv.gz`` as the command line reads it,
checked as a plain CSV is — a corrupt one, an empty one or one that decompresses past the limit is
refused in Chinese with nothing stored, and a gzip bomb is decompressed in bounded memory."""

from __future__ import annotations

import gzip
import tracemalloc

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.numbers.models import RunStatus, RunUpload, ScoringRun
from tests.numbers.extract import calls_csv
from tests.numbers.factories import run_now

MB = 1024 * 1024


def _post(client, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(reverse("numbers_run_upload"), {"calls": SimpleUploadedFile(name, data)})


def _nothing_stored() -> None:
    assert not ScoringRun.objects.exists() and not RunUpload.objects.exists()


def test_a_gzipped_extract_is_scored_as_the_plain_one(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    response = _post(client, "移动话单.csv.gz", gzip.compress(calls_csv()))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert RunUpload.objects.get().suffix == ".csv.gz"
    gzipped = run_now(ScoringRun.objects.get())
    assert gzipped.files[0]["name"] == "移动话单.csv.gz"
    assert _post(client, "移动话单.csv", calls_csv()).status_code == 302
    plain = run_now(ScoringRun.objects.order_by("pk").last())
    assert gzipped.status == plain.status == RunStatus.SUCCEEDED
    assert (gzipped.numbers_total, gzipped.high_risk_count, gzipped.victims_count) == (
        plain.numbers_total,
        plain.high_risk_count,
        plain.victims_count,
    )
    assert gzipped.numbers_total > 0


def test_a_corrupt_gzip_is_refused_in_chinese_and_nothing_stored(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    whole = gzip.compress(calls_csv())
    for broken in (whole[: len(whole) // 2], whole[:10] + b"\x00" * 50 + whole[60:]):
        response = _post(client, "voc.csv.gz", broken)
        body = response.content.decode()
        assert response.status_code == 400 and "gzip" in body and "损坏" in body, body[:2000]
    response = _post(client, "voc.csv.gz", b"not gzip at all")  # whole, only not compressed
    body = response.content.decode()
    assert response.status_code == 400 and "gzip" in body and "未压缩" in body, body[:2000]
    _nothing_stored()


def test_an_empty_gzip_is_an_empty_file(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    response = _post(client, "voc.csv.gz", gzip.compress(b""))
    assert response.status_code == 400 and "空" in response.content.decode()
    _nothing_stored()


def test_a_gzip_bomb_is_refused_past_the_decompressed_limit(world, client, settings) -> None:  # type: ignore[no-untyped-def]
    from fanzha.numbers import services

    settings.IMPORT_MAX_BYTES = 1 * MB
    bomb = gzip.compress(b"0" * (services.GZIP_MAX_FACTOR * MB + 1), compresslevel=9)
    assert len(bomb) < MB  # within the upload limit as sent
    client.force_login(world.users["analyst"])
    tracemalloc.start()
    try:
        response = _post(client, "voc.csv.gz", bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    body = response.content.decode()
    assert response.status_code == 400 and "解压后" in body and "上限" in body, body[:2000]
    assert peak < 8 * MB  # streamed: never the whole decompressed file in memory
    _nothing_stored()


def test_a_gzipped_file_over_the_upload_limit_is_refused(world, client, settings) -> None:  # type: ignore[no-untyped-def]
    import os

    settings.IMPORT_MAX_BYTES = 1 * MB
    client.force_login(world.users["analyst"])
    response = _post(client, "voc.csv.gz", gzip.compress(os.urandom(MB + 1024), compresslevel=1))
    assert response.status_code == 400 and "上限" in response.content.decode()
    _nothing_stored()


def test_the_upload_page_offers_gzipped_csv(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    body = client.get(reverse("numbers_run_upload")).content.decode()
    assert ".csv.gz" in body and 'accept=".csv,.csv.gz,.gz,.parquet,.pq"' in body


def test_other_compressed_forms_are_refused_in_chinese(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    for name in ("voc.csv.zst", "voc.csv.bz2", "voc.parquet.gz"):
        response = _post(client, name, b"x")
        assert response.status_code == 400 and ".csv.gz" in response.content.decode(), name
    _nothing_stored()
