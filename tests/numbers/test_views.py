"""Pages: upload, progress, masked numbers with Chinese reasons, send to warnings once, proposals."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.jobs.queue import RunContext, job_claim, job_execute
from fanzha.numbers.models import ProposalStatus, RunStatus, ScoringRun
from fanzha.warnings.models import Warning, WarningSourceRef
from tests.numbers.extract import FRAUD, calls_csv
from tests.numbers.factories import run_now, submit_extract


def test_it_uploads_an_extract_and_shows_the_progress(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    response = client.post(
        reverse("numbers_run_upload"), {"calls": SimpleUploadedFile("voc.csv", calls_csv())}
    )
    run = ScoringRun.objects.get()
    url = reverse("numbers_run_detail", args=[run.pk])
    assert response.status_code == 302 and response["Location"] == url
    assert f'hx-get="{url}"' in client.get(url).content.decode()
    job = job_claim("w-test")
    RunContext(job, "w-test").progress(40, "正在计算号码特征")
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="run-status"') and "40%" in partial and "正在计算号码特征" in partial
    job_execute(job, "w-test")
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED


def test_it_rejects_an_upload_without_a_calls_file_or_with_a_wrong_type(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    response = client.post(reverse("numbers_run_upload"), {"calls": SimpleUploadedFile("voc.xlsx", b"x")})
    assert response.status_code == 400 and "只接受 CSV 或 Parquet" in response.content.decode()
    assert not ScoringRun.objects.exists()


def test_it_masks_numbers_and_shows_chinese_reasons(world, client) -> None:  # type: ignore[no-untyped-def]
    run = run_now(submit_extract(world.users["analyst"]))
    client.force_login(world.users["leader"])
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert "170****0001" in page and FRAUD[0] not in page
    assert "139****0000" in page and "13905700000" not in page
    assert "不同号码" in page and "回拨 1 次" in page and "发送预警" in page
    assert "上传的数据中没有短信、上网流量记录" in page  # which model scored the run, and why


def test_it_sends_the_top_victims_into_warnings_once(world, client) -> None:  # type: ignore[no-untyped-def]
    run = run_now(submit_extract(world.users["analyst"]))
    client.force_login(world.users["analyst"])
    url = reverse("numbers_send_warnings", args=[run.pk])
    client.post(url, {"top": "3"})
    assert Warning.objects.count() == 3
    refs = WarningSourceRef.objects.filter(source_id__startswith=f"号码研判:{run.pk}:")
    assert refs.count() == 3
    first = run.victims.get(rank=1)
    assert first.warning is not None and first.warning.facts["callbacks"] == 1
    assert "回拨 1 次" in first.warning.notes
    client.post(url, {"top": "3"})
    assert Warning.objects.count() == 3
    audits = AuditEvent.objects.filter(action="numbers.send_warnings", object_id=str(run.pk))
    assert [a.details["new"] for a in audits.order_by("id")] == [3, 0]
    assert audits.order_by("id").last().details["unchanged"] == 3


def test_it_sends_the_selected_victims(world, client) -> None:  # type: ignore[no-untyped-def]
    run = run_now(submit_extract(world.users["analyst"]))
    chosen = run.victims.get(rank=5)
    client.force_login(world.users["leader"])
    client.post(reverse("numbers_send_warnings", args=[run.pk]), {"victim": [str(chosen.pk)]})
    chosen.refresh_from_db()
    assert Warning.objects.count() == 1 and chosen.warning is not None


def test_it_records_who_confirmed_a_proposal(world, client) -> None:  # type: ignore[no-untyped-def]
    run = run_now(submit_extract(world.users["analyst"]))
    proposal = run.proposals.first()
    client.force_login(world.users["leader"])
    url = reverse("numbers_proposal_decide", args=[proposal.pk])
    client.post(url, {"decision": "confirm"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONFIRMED and proposal.decided_by == world.users["leader"]
    decided = AuditEvent.objects.filter(action="numbers.proposal_decide", object_id=str(proposal.pk))
    assert decided.count() == 1
    client.post(url, {"decision": "reject"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONFIRMED


def test_it_refuses_other_roles_and_other_centres(world, client) -> None:  # type: ignore[no-untyped-def]
    run = run_now(submit_extract(world.users["analyst"]))
    url = reverse("numbers_run_detail", args=[run.pk])
    client.force_login(world.users["telecom"])
    assert client.get(url).status_code == 403
    assert client.post(reverse("numbers_send_warnings", args=[run.pk]), {"top": "3"}).status_code == 403
    ScoringRun.objects.filter(pk=run.pk).update(organisation=world.orgs["城关派出所"])
    client.force_login(world.users["analyst"])
    assert client.get(url).status_code == 404
    assert client.post(reverse("numbers_send_warnings", args=[run.pk]), {"top": "3"}).status_code == 404
    assert Warning.objects.count() == 0
