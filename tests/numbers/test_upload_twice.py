"""The same extract uploaded twice on 号码研判: the analyst is told which run had it, when and who
uploaded it — and the run goes ahead (an operator may send the same file again on purpose). A totals
line (合计) of an extract is named on the run's page as such, not as bad records."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.core.services import organisations as org_services
from fanzha.numbers.models import RunStatus, ScoringRun
from fanzha.numbers.quality import run_message
from fanzha.numbers.services import UploadedFile, numbers_submit
from tests.numbers.extract import calls_csv
from tests.numbers.factories import run_now
from tests.personas import PASSWORD


def _upload(client: Any, user: Any, name: str, data: bytes) -> Any:
    client.force_login(user)
    return client.post(reverse("numbers_run_upload"), {"calls": SimpleUploadedFile(name, data)}, follow=True)


def test_the_same_file_uploaded_again_is_scored_and_the_analyst_told_of_the_earlier_run(
    world, client
) -> None:  # type: ignore[no-untyped-def]
    first = numbers_submit(
        actor=world.users["leader"], files=[UploadedFile("calls", "话单.csv", calls_csv())]
    )
    response = _upload(client, world.users["analyst"], "移动话单-重发.csv", calls_csv())
    assert response.status_code == 200
    second = ScoringRun.objects.exclude(pk=first.pk).get()  # not refused
    assert second.status == RunStatus.QUEUED
    page = response.content.decode()
    when = timezone.localtime(first.created_at).strftime("%Y-%m-%d %H:%M")
    told = f"“移动话单-重发.csv”与研判 #{first.pk} 的文件相同（SHA-256 一致）：leader 于 {when} 上传"
    assert told in page  # was: only “文件已加密保存并提交后台研判”
    assert second.files[0]["uploaded_before"]["run"] == first.pk
    assert f'href="{reverse("numbers_run_detail", args=[first.pk])}"' in page  # the file list links it
    audit = AuditEvent.objects.get(action="numbers.submit", object_id=str(second.pk))
    assert audit.details["uploaded_before"] == [first.pk]


def test_a_new_file_and_the_first_upload_get_no_such_notice(world, client) -> None:  # type: ignore[no-untyped-def]
    first = _upload(client, world.users["analyst"], "话单.csv", calls_csv())
    other = _upload(client, world.users["analyst"], "话单2.csv", calls_csv(seed=8))
    for response in (first, other):
        assert "的文件相同" not in response.content.decode()
    assert not any("uploaded_before" in run.files[0] for run in ScoringRun.objects.all())


def test_a_file_uploaded_three_times_names_the_latest_run_and_counts_them(world, client) -> None:  # type: ignore[no-untyped-def]
    runs = [
        numbers_submit(actor=world.users["analyst"], files=[UploadedFile("calls", "voc.csv", calls_csv())])
    ]
    runs.append(
        numbers_submit(actor=world.users["analyst"], files=[UploadedFile("calls", "voc.csv", calls_csv())])
    )
    page = _upload(client, world.users["analyst"], "voc.csv", calls_csv()).content.decode()
    assert f"与研判 #{runs[1].pk} 的文件相同" in page and "此前共有 2 次研判用过该文件" in page


def test_another_centres_upload_of_the_same_file_is_never_named(world, client) -> None:  # type: ignore[no-untyped-def]
    centre = org_services.organisation_create(
        actor=None, name="邻县反诈中心", kind="centre", area=world.area("龙泉乡")
    )
    neighbour = org_services.user_create(
        actor=None, username="neighbour", password=PASSWORD, organisation=centre, roles=["centre_analyst"]
    )
    numbers_submit(actor=neighbour, files=[UploadedFile("calls", "voc.csv", calls_csv())])
    page = _upload(client, world.users["analyst"], "voc.csv", calls_csv()).content.decode()
    assert "的文件相同" not in page and "neighbour" not in page


def test_a_totals_line_is_named_on_the_run_page_as_such(world, client) -> None:  # type: ignore[no-untyped-def]
    text = calls_csv().decode("utf-8")
    out = io.StringIO()
    csv.writer(out).writerow(["合计", "", "", "123456", "", "", ""])
    run = run_now(
        numbers_submit(
            actor=world.users["analyst"],
            files=[UploadedFile("calls", "voc.csv", (text + out.getvalue()).encode("utf-8"))],
        )
    )
    assert run.status == RunStatus.SUCCEEDED
    calls = run.quality["calls"]
    assert calls["footer_lines"] == 1 and calls["missing_number"] == calls["long_duration"] == 0
    assert "已跳过：话单 合计、小计等汇总行（不是记录，已跳过） 1" in run_message(run.quality)
    client.force_login(world.users["analyst"])
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert "“voc.csv”：合计、小计等汇总行 1 条（不是记录，未计入）" in page
