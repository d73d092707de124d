"""A file named .parquet (or .pq) is checked at upload as a .csv is: one that is no Parquet file — a CSV,
a workbook renamed — or one cut off is refused saying so, nothing stored; it no longer ran the job to fail
with DuckDB's English (“No magic bytes found at end of file”)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.jobs.models import Job
from fanzha.numbers.models import RunUpload, ScoringRun
from tests.numbers.extract import calls_csv
from tests.numbers.factories import run_now


def _post(client, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(reverse("numbers_run_upload"), {"calls": SimpleUploadedFile(name, data)})


def _parquet(tmp_path: Path) -> bytes:
    source, target = tmp_path / "voc.csv", tmp_path / "voc.parquet"
    source.write_bytes(calls_csv())
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{source}', all_varchar=true)) TO '{target}' (FORMAT parquet)")  # noqa: S608
    return target.read_bytes()


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("移动话单.parquet", calls_csv(), "不是 Parquet 文件，像是 CSV 文本"),
        ("话单.pq", b"PK\x03\x04" + b"\0" * 40, "不是 Parquet 文件，是Excel 工作簿（.xlsx）或 ZIP 压缩文件"),
        ("话单.parquet", b"\x1f\x8b\x08" + b"\0" * 40, "不是 Parquet 文件，是gzip 压缩文件"),
    ],
)
def test_a_file_named_parquet_that_is_not_one_is_refused_saying_what_it_is(
    world, client, name: str, data: bytes, said: str
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    response = _post(client, name, data)
    html = response.content.decode()
    assert response.status_code == 400 and f"“{name}”{said}" in html and "未保存" in html
    assert not ScoringRun.objects.exists() and not RunUpload.objects.exists() and not Job.objects.exists()


def test_a_parquet_file_cut_off_is_refused(world, client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    whole = _parquet(tmp_path)
    response = _post(client, "话单.parquet", whole[: len(whole) // 2])
    assert response.status_code == 400 and "不完整" in response.content.decode()
    assert not ScoringRun.objects.exists()


def test_a_real_parquet_file_is_taken_and_scored(world, client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    response = _post(client, "话单.parquet", _parquet(tmp_path))
    assert response.status_code == 302
    run = run_now(ScoringRun.objects.get())
    assert run.status == "succeeded" and run.high_risk_count > 0


def test_a_plain_csv_named_csv_gz_is_told_it_is_not_compressed(world, client) -> None:  # type: ignore[no-untyped-def]
    """Not “已损坏或不完整”: the file is whole, only not gzipped — the analyst is told to name it .csv."""
    client.force_login(world.users["analyst"])
    response = _post(client, "移动话单.csv.gz", calls_csv())
    html = response.content.decode()
    assert (
        response.status_code == 400
        and "“移动话单.csv.gz”不是有效的 gzip 压缩文件：像是未压缩的 CSV 文本" in html
    )
    assert "已损坏" not in html and not ScoringRun.objects.exists()


def test_a_gzip_file_cut_off_is_still_called_damaged(world, client) -> None:  # type: ignore[no-untyped-def]
    import gzip

    client.force_login(world.users["analyst"])
    whole = gzip.compress(calls_csv())
    response = _post(client, "移动话单.csv.gz", whole[: len(whole) // 2])
    assert response.status_code == 400 and "文件已损坏或不完整" in response.content.decode()


def test_a_gzipped_csv_named_csv_is_refused_saying_to_name_it_csv_gz(world, client) -> None:  # type: ignore[no-untyped-def]
    """It was stored and its run failed as “既不是 UTF-8 也不是 GBK/GB18030 编码” — the wrong diagnosis."""
    import gzip

    client.force_login(world.users["analyst"])
    response = _post(client, "移动话单.csv", gzip.compress(calls_csv()))
    html = response.content.decode()
    assert response.status_code == 400 and "“移动话单.csv”是 gzip 压缩文件" in html and ".csv.gz" in html
    assert not ScoringRun.objects.exists() and not RunUpload.objects.exists()
