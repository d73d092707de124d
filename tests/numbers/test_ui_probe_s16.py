"""A finished run's page as the analyst reads it: Chinese data-quality lines, no stale progress text."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from fanzha.jobs.models import Job, JobStatus
from tests.numbers.factories import stored_run

QUALITY = {
    "calls": {"files": 1, "records": 1500, "distinct_records": 1490, "duplicates": 10, "bad_time": 3},
    "sms": {"files": 0, "records": 0, "distinct_records": 0, "duplicates": 0},
    "edges": 1347,
    "numbers": 153,
    "notes": [],
    "message": "生成 153 个号码的特征。",
}


def _finished(world):  # type: ignore[no-untyped-def]
    run = stored_run(world)
    run.quality = QUALITY
    run.files = [{"kind": "calls", "name": "voc.csv", "size": 85000, "sha256": "ab" * 32}]
    run.job = Job.objects.create(
        kind="numbers.run",
        status=JobStatus.SUCCEEDED,
        run_at=timezone.now(),
        progress=100,
        progress_message="正在保存结果",
    )
    run.save()
    return run


def test_it_shows_the_data_quality_in_chinese(world, client) -> None:  # type: ignore[no-untyped-def]
    run = _finished(world)
    client.force_login(world.users["analyst"])
    body = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert "&#x27;records&#x27;" not in body and "'records'" not in body  # no Python dict dump
    assert "话单 · voc.csv" in body
    assert "话单：1 个文件，1500 条记录（去重后 1490 条）" in body
    assert "重复记录 10" in body and "时间无法识别 3" in body
    assert "短信：" not in body  # a kind not uploaded says nothing


def test_a_finished_run_does_not_say_it_is_still_saving(world, client) -> None:  # type: ignore[no-untyped-def]
    run = _finished(world)
    client.force_login(world.users["analyst"])
    body = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert "正在保存结果" not in body


def test_the_upload_page_names_the_columns_instead_of_a_repository_path(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    body = client.get(reverse("numbers_run_upload")).content.decode()
    assert "docs/numbers.md" not in body
    assert "本机号码" in body and "对端号码" in body and "通话时长" in body
