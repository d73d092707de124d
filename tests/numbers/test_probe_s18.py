"""Probe s18: operator extracts as they arrive, the run page after a failure, and who may act on a run.

A demanding centre analyst and an operator's data engineer: the page names the files as uploaded (never
the server's scratch paths) and speaks Chinese; the services refuse another organisation's run whoever
calls them; the command line answers unusable input with exit 2 and a clear message.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from fanzha.core.services import organisations as org_services
from fanzha.jobs.queue import job_claim, job_execute
from fanzha.numbers.models import ProposalStatus, RunStatus, ScoringRun
from fanzha.numbers.services import (
    UploadedFile,
    numbers_proposal_decide,
    numbers_send_warnings,
    numbers_submit,
)
from fanzha.warnings.models import Warning
from tests.numbers.extract import calls_csv
from tests.numbers.factories import stored_run
from tests.personas import PASSWORD


def _work() -> None:
    """Run every due job, as the worker would."""
    for _ in range(10):
        job = job_claim("w-test")
        if job is None:
            return
        job_execute(job, "w-test")


def _scored(world: Any, files: list[UploadedFile]) -> ScoringRun:
    run = numbers_submit(actor=world.users["analyst"], files=files)
    _work()
    run.refresh_from_db()
    return run


def _page(client: Any, world: Any, run: ScoringRun) -> str:
    client.force_login(world.users["analyst"])
    return client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()


# ── who may act on a run ─────────────────────────────────────────────────────


@pytest.fixture
def neighbour(world: Any) -> Any:
    """An analyst of another county's centre."""
    centre = org_services.organisation_create(
        actor=None, name="邻县反诈中心", kind="centre", area=world.area("龙泉乡")
    )
    return org_services.user_create(
        actor=None, username="neighbour", password=PASSWORD, organisation=centre, roles=["centre_analyst"]
    )


def test_another_centres_analyst_cannot_decide_a_proposal_even_through_the_service(world, neighbour) -> None:  # type: ignore[no-untyped-def]
    proposal = stored_run(world).proposals.get()
    with pytest.raises(PermissionDenied):
        numbers_proposal_decide(actor=neighbour, proposal=proposal, confirm=False)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING and proposal.decided_by is None


def test_another_centres_analyst_cannot_send_its_victims_even_through_the_service(world, neighbour) -> None:  # type: ignore[no-untyped-def]
    run = stored_run(world)
    with pytest.raises(PermissionDenied):
        numbers_send_warnings(actor=neighbour, run=run, top=1)
    assert not Warning.objects.exists()
    assert run.victims.get().warning_id is None


def test_the_runs_own_analyst_still_decides_and_sends(world) -> None:  # type: ignore[no-untyped-def]
    run = stored_run(world)
    analyst = world.users["analyst"]
    assert numbers_send_warnings(actor=analyst, run=run, top=1).new == 1
    decided = numbers_proposal_decide(actor=analyst, proposal=run.proposals.get(), confirm=True)
    assert decided.status == ProposalStatus.CONFIRMED


# ── the run page names the uploaded files, in Chinese ────────────────────────

NO_DURATION = "本机号码,对端号码,呼叫类型,开始时间\n13800138000,13900000001,1,2026-03-01 10:00:00\n"


def test_a_run_failed_on_a_missing_column_names_the_uploaded_file_and_the_column_in_chinese(
    world, client
) -> None:  # type: ignore[no-untyped-def]
    run = _scored(world, [UploadedFile("calls", "移动话单.csv", NO_DURATION.encode())])
    assert run.status == RunStatus.FAILED
    assert "移动话单.csv" in run.message and "通话时长" in run.message
    page = _page(client, world, run)
    assert "/tmp" not in page and "fanzha-numbers-run" not in page and "calls-" not in page
    assert "移动话单.csv" in page


def test_the_notes_of_a_gbk_extract_name_the_uploaded_file_not_a_scratch_path(world, client) -> None:  # type: ignore[no-untyped-def]
    data = calls_csv().decode().replace("成都", "成都市").encode("gbk")
    run = _scored(world, [UploadedFile("calls", "电信话单.csv", data)])
    assert run.status == RunStatus.SUCCEEDED
    assert any("电信话单.csv" in note and "GBK" in note for note in run.quality["notes"])
    page = _page(client, world, run)
    assert "/tmp" not in page and "fanzha-numbers-run" not in page and "calls-" not in page


def test_the_status_line_names_the_problems_in_chinese(world, client) -> None:  # type: ignore[no-untyped-def]
    data = calls_csv() + "13905700001,13905700002,不是时间,-5,成都,金牛区,x\r\n".encode()
    run = _scored(world, [UploadedFile("calls", "voc.csv", data)])
    assert run.status == RunStatus.SUCCEEDED
    assert "bad_time" not in run.message and "negative_duration" not in run.message
    assert "calls:" not in run.message
    assert "时间无法识别 1" in run.message and "通话时长为负 1" in run.message, run.message
    page = _page(client, world, run)
    status = page[page.find('id="run-status"') :][:2000]
    assert "bad_time" not in status and "时间无法识别 1" in status


# ── the command line: unusable input is exit 2 with a clear message, before the work ─────────────

CALLS = "本机号码,对端号码,呼叫类型,开始时间,通话时长\n13800138000,13900000001,主叫,2026-03-01 10:00:00,30\n"


def _cli(argv: list[str], capsys: Any) -> tuple[int, str]:
    from fanzha.screening.numbers.cli import main  # noqa: PLC0415 - the engine, only where it runs

    code = main(argv)
    return code, capsys.readouterr().err


def test_features_writes_into_a_new_folder_as_score_does(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    calls = tmp_path / "voc.csv"
    calls.write_text(CALLS, encoding="utf-8")
    out, edges, report = tmp_path / "a" / "f.csv", tmp_path / "b" / "e.csv", tmp_path / "c" / "r.json"
    argv = ["features", "--calls", str(calls), "--output", str(out), "--edges-output", str(edges)]
    code, err = _cli([*argv, "--report", str(report)], capsys)
    assert code == 0 and out.exists() and edges.exists() and report.exists(), err


def test_features_into_a_folder_that_cannot_be_made_is_refused_before_the_work(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    calls = tmp_path / "voc.csv"
    calls.write_text(CALLS, encoding="utf-8")
    out = calls / "f.csv"  # a file stands where the folder would be
    code, err = _cli(["features", "--calls", str(calls), "--output", str(out)], capsys)
    assert code == 2 and "无法读写文件" in err and str(calls) in err
    assert "意外" not in err and "IOException" not in err


def test_scoring_a_raw_extract_as_features_says_what_the_file_lacks(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    calls = tmp_path / "voc.csv"
    calls.write_text(CALLS, encoding="utf-8")
    code, err = _cli(["score", "--features", str(calls), "--output", str(tmp_path / "s.csv")], capsys)
    assert code == 2 and "node_id" in err and "features" in err
    assert "意外" not in err and "BinderException" not in err
    assert not (tmp_path / "s.csv").exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [("--threads", "0"), ("--threads", "-2"), ("--memory-limit", "lots"), ("--memory-limit", "2")],
)
def test_features_refuses_a_bad_thread_count_or_memory_limit_as_a_usage_error(
    tmp_path, capsys, option, value
) -> None:  # type: ignore[no-untyped-def]
    calls = tmp_path / "voc.csv"
    calls.write_text(CALLS, encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        _cli(["features", "--calls", str(calls), "--output", str(tmp_path / "f.csv"), option, value], capsys)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert option in err and "意外" not in err and not (tmp_path / "f.csv").exists()


def test_features_still_takes_the_usual_memory_limits(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    calls = tmp_path / "voc.csv"
    calls.write_text(CALLS, encoding="utf-8")
    for limit in ("2GB", "500MB", "1.5 GB", "2GiB", "80%"):
        out = tmp_path / "f.csv"
        argv = ["features", "--calls", str(calls), "--output", str(out), "--memory-limit", limit]
        assert _cli([*argv, "--threads", "1"], capsys)[0] == 0 and out.exists()


def test_a_missing_column_is_named_in_chinese_as_well(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    calls = tmp_path / "voc.csv"
    calls.write_text(NO_DURATION, encoding="utf-8")
    code, err = _cli(["features", "--calls", str(calls), "--output", str(tmp_path / "f.csv")], capsys)
    assert code == 2 and "缺少必需的列：通话时长（duration）" in err, err
    junk = tmp_path / "junk.csv"
    junk.write_text("foo,bar\n1,2\n", encoding="utf-8")
    code, err = _cli(["features", "--sms", str(junk), "--output", str(tmp_path / "f.csv")], capsys)
    assert (
        code == 2 and "本机号码（phone）、对端号码（opposite）、短信类型（sms_type）、时间（time）" in err
    ), err
