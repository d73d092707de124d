"""Probe of the 号码研判 pages as an analyst uses them: odd form values, file names that are numbers,
and runs whose lists are longer than one page."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.jobs.queue import job_claim, job_execute
from fanzha.numbers.models import (
    IndicatorProposal,
    PotentialVictim,
    ProposalStatus,
    RunStatus,
    ScoredNumber,
    ScoringRun,
)
from fanzha.numbers.services import number_hash
from fanzha.warnings.models import Warning
from tests.numbers.factories import stored_run

SUBSCRIBER = "13905712345"  # a subscriber's number, as operators name a per-number extract


def _work() -> None:
    """Run every due job, as the worker would."""
    for _ in range(5):
        job = job_claim("w-test")
        if job is None:
            return
        job_execute(job, "w-test")


# ── odd values in the send form ──────────────────────────────────────────────


def test_a_digit_python_cannot_read_as_a_number_is_no_server_error(world, client) -> None:  # type: ignore[no-untyped-def]
    """“²” is a digit to str.isdigit but not to int(), and a 30-digit id is past a database integer:
    the send form answered 500."""
    run = stored_run(world)
    client.force_login(world.users["analyst"])
    url = reverse("numbers_send_warnings", args=[run.pk])
    victim = str(run.victims.get().pk)
    odd = [{"top": "²"}, {"victim": "²"}, {"victim": "9" * 30}, {"victim": ["²", victim], "top": "①"}]
    for data in odd:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200, data
    assert Warning.objects.count() == 1  # the one readable victim id was sent, once


# ── an uploaded file's name is shown masked ─────────────────────────────────


def test_a_file_named_by_a_subscribers_number_is_shown_masked(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    upload = SimpleUploadedFile(f"{SUBSCRIBER}话单.csv", "姓名,年龄\n张三,3\n".encode())
    assert client.post(reverse("numbers_run_upload"), {"calls": upload}).status_code == 302
    _work()
    run = ScoringRun.objects.get()
    assert run.status == RunStatus.FAILED
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert SUBSCRIBER not in page and SUBSCRIBER not in run.message and SUBSCRIBER not in str(run.files)
    assert "139****2345话单.csv" in page  # the file is still recognisable


def test_a_run_stored_with_a_clear_file_name_shows_it_masked(world, client) -> None:  # type: ignore[no-untyped-def]
    run = stored_run(world)
    run.files = [{"kind": "calls", "name": f"{SUBSCRIBER}.csv", "size": 10, "sha256": "0" * 64}]
    run.save(update_fields=["files"])
    client.force_login(world.users["analyst"])
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert SUBSCRIBER not in page and "139****2345.csv" in page


# ── lists longer than one page ───────────────────────────────────────────────


def _long_run(world: Any, count: int) -> ScoringRun:
    """A finished run with ``count`` high-risk numbers, potential victims and pending proposals."""
    analyst = world.users["analyst"]
    run = ScoringRun.objects.create(
        created_by=analyst,
        organisation=analyst.organisation,
        status=RunStatus.SUCCEEDED,
        numbers_total=count,
        high_risk_count=count,
        victims_count=count,
        proposals_count=count,
    )
    fraud = [f"170{i:08d}" for i in range(1, count + 1)]
    people = [f"139{i:08d}" for i in range(1, count + 1)]
    ScoredNumber.objects.bulk_create(
        ScoredNumber(
            run=run, number=n, number_hash=number_hash(n), rank=i, score=1 - i / 1000, is_high_risk=True
        )
        for i, n in enumerate(fraud, 1)
    )
    PotentialVictim.objects.bulk_create(
        PotentialVictim(
            run=run, number=n, number_hash=number_hash(n), rank=i, grade="low", priority=1, calls=1
        )
        for i, n in enumerate(people, 1)
    )
    IndicatorProposal.objects.bulk_create(
        IndicatorProposal(run=run, number=n, number_hash=number_hash(n), score=1 - i / 1000)
        for i, n in enumerate(fraud, 1)
    )
    return run


def test_the_lists_past_the_first_page_can_be_reviewed_and_decided(world, client) -> None:  # type: ignore[no-untyped-def]
    run = _long_run(world, 205)
    client.force_login(world.users["analyst"])
    url = reverse("numbers_run_detail", args=[run.pk])
    first = client.get(url).content.decode()
    assert "170****0205" not in first and "139****0205" not in first
    assert "proposals_page=2" in first and "victims_page=2" in first and "numbers_page=2" in first
    last = run.proposals.order_by("score").first()
    second = client.get(url, {"proposals_page": 2}).content.decode()
    assert "170****0205" in second and reverse("numbers_proposal_decide", args=[last.pk]) in second
    assert "139****0205" in client.get(url, {"victims_page": 2}).content.decode()
    assert "170****0205" in client.get(url, {"numbers_page": 2}).content.decode()


def test_deciding_a_proposal_on_a_later_page_comes_back_to_that_page(world, client) -> None:  # type: ignore[no-untyped-def]
    run = _long_run(world, 205)
    last = run.proposals.order_by("score").first()
    client.force_login(world.users["analyst"])
    response = client.post(
        reverse("numbers_proposal_decide", args=[last.pk]),
        {"decision": "reject", "reason": "核实为正常商户", "proposals_page": "2"},
    )
    last.refresh_from_db()
    assert last.status == ProposalStatus.REJECTED
    page = reverse("numbers_run_detail", args=[run.pk]) + "?proposals_page=2"
    assert response["Location"].startswith(page)


# ── a victim intake cannot take ──────────────────────────────────────────────


def test_a_victim_whose_number_identifies_nobody_is_marked_and_offers_no_box(world, client) -> None:  # type: ignore[no-untyped-def]
    """A landline without its area code (or a number abroad) is skipped by intake (无法识别): the page
    offered it as sendable before and after every send, with nothing to say which rows were skipped."""
    run = stored_run(world)
    local = PotentialVictim.objects.create(
        run=run, number="87654321", number_hash=number_hash("87654321"), rank=2, grade="low", priority=0.4
    )
    client.force_login(world.users["analyst"])
    url = reverse("numbers_run_detail", args=[run.pk])
    page = client.get(url).content.decode()
    assert f'name="victim" value="{local.pk}"' not in page
    assert f'name="victim" value="{run.victims.get(rank=1).pk}"' in page
    assert "无法发送：" in page and "固定电话缺少区号" in page and "87654321" not in page
    sent = client.post(reverse("numbers_send_warnings", args=[run.pk]), {"top": "2"}, follow=True)
    assert "新建 1 条" in sent.content.decode() and "无法识别 1 条" in sent.content.decode()
