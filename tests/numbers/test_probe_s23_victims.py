"""Probe of session 23 (victims): the centre's analyst sends a run's potential victims into warning
intake and decides indicator proposals; the grid worker receives the warnings. Runs are stored from
hand-built call records through the engine's own victims query (the scores are chosen, not modelled)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.numbers import engine
from fanzha.numbers.background import numbers_store
from fanzha.numbers.models import PotentialVictim, RunStatus, ScoringRun
from fanzha.numbers.services import numbers_proposal_decide, numbers_send_warnings
from fanzha.screening.numbers import features as F
from fanzha.screening.numbers.victims import potential_victims
from fanzha.warnings.models import Warning
from tests.screening.numbers.conftest import write_csv

RISK_A, RISK_B = "17012340001", "17012340002"
KNOWN = "13905710001"  # 王秀英, registered in 城东社区第一网格 (tests.personas)
STRANGER, QUIET, SMS_ONLY = "13800000001", "13800000002", "13800000003"
HEADER = ["caller", "callee", "start_time", "duration"]


def _today(hour: int, minute: int = 0, days_ago: int = 1) -> str:
    """A China-time moment of yesterday's calls (never in the future), so that the warnings fall in the
    merge window."""
    day = timezone.localtime(timezone.now(), dt.timezone(dt.timedelta(hours=8))).date()
    day -= dt.timedelta(days=days_ago)
    return f"{day:%Y-%m-%d} {hour:02d}:{minute:02d}:00"


def _result(tmp: Path, calls: list[list[Any]], risky: list[tuple[str, float]], sms=()) -> engine.EngineResult:  # noqa: ANN001
    tmp.mkdir(parents=True, exist_ok=True)
    files = F.Sources([write_csv(tmp / "calls.csv", HEADER, calls)], [], [], [])
    if sms:
        files.sms.append(write_csv(tmp / "sms.csv", ["sender", "receiver", "time"], list(sms)))
    con = F.connect(memory_limit="256MB", threads=1)
    try:
        F.load_raw(con, files)
        victims = potential_victims(con, risky)
    finally:
        con.close()
    result = engine.EngineResult({"numbers": 10, "edges": len(calls)}, 10, 0.5, len(risky))
    result.scored = [
        {"number": n, "score": s, "is_high_risk": True, "reasons": ["测试理由"]} for n, s in risky
    ]
    result.victims = victims
    result.proposals = [{"value": n, "score": s, "evidence": ["测试理由"]} for n, s in risky]
    return result


def _stored(world: Any, result: engine.EngineResult) -> ScoringRun:
    analyst = world.users["analyst"]
    run = ScoringRun.objects.create(
        created_by=analyst, organisation=analyst.organisation, status=RunStatus.RUNNING
    )
    return numbers_store(run_id=run.pk, result=result)


BASE_CALLS = [
    [RISK_A, KNOWN, _today(9, 0), 0],  # missed, then a call back of 8 min: high
    [KNOWN, RISK_A, _today(9, 10), 480],
    [RISK_A, STRANGER, _today(10, 0), 45],  # one call of 45 s: medium
    [RISK_B, STRANGER, _today(10, 30), 20],
    [RISK_A, QUIET, _today(11, 0), 5],  # low
]


def _base_run(world: Any, tmp_path: Path) -> ScoringRun:
    return _stored(world, _result(tmp_path / "a", BASE_CALLS, [(RISK_A, 0.95), (RISK_B, 0.8)]))


def test_the_victims_list_ranks_and_explains_the_records(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = _base_run(world, tmp_path)
    victims = list(run.victims.order_by("rank"))
    assert [v.number for v in victims] == [KNOWN, STRANGER, QUIET]
    known, stranger = victims[0], victims[1]
    assert (known.grade, known.calls, known.answered_calls, known.callbacks) == ("high", 1, 0, 1)
    assert "曾回拨 1 次" in known.reasons and "最长通话 8 分钟" in known.reasons
    assert (stranger.risk_numbers, stranger.calls, stranger.total_duration) == (2, 2, 65)
    when = [f"{timezone.localtime(t):%Y-%m-%d %H:%M}:00" for t in (known.first_contact, known.last_contact)]
    assert when == [_today(9, 0), _today(9, 10)]  # the missed call, then the call back (China time)
    client.force_login(world.users["analyst"])
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    for number in (KNOWN, STRANGER, QUIET, RISK_A, RISK_B):
        assert number not in page
    assert page.index("139****0001") < page.index("138****0001") < page.index("138****0002")


def test_an_sms_only_victim_is_not_said_to_be_called_zero_times(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sms = [[RISK_A, SMS_ONLY, _today(8, m)] for m in range(3)]
    run = _stored(world, _result(tmp_path / "s", BASE_CALLS, [(RISK_A, 0.95)], sms=sms))
    victim = run.victims.get(number_hash=PotentialVictim.objects.get(run=run, sms=3).number_hash)
    client.force_login(world.users["analyst"])
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert victim.sms == 3
    assert "呼叫 0 次" not in page
    assert "收到 1 个高风险号码的短信 3 条" in page


def _send(world: Any, run: ScoringRun, **how: Any) -> Any:
    return numbers_send_warnings(actor=world.users["analyst"], run=run, **how)


def _warning_of(number: str) -> Warning:
    from fanzha.warnings.models import WarningSourceRef

    found = [ref.warning for ref in WarningSourceRef.objects.select_related("warning__person")]
    mine = {w.pk: w for w in found if w.person.phone == number}
    assert len(mine) == 1, mine
    return next(iter(mine.values()))


def test_each_sent_victim_is_a_graded_routed_warning(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = _base_run(world, tmp_path)
    result = _send(world, run, top=3)
    assert (result.new, result.merged, result.skipped) == (3, 0, 0)
    known = _warning_of(KNOWN)
    assert known.area == world.area("城东社区第一网格") and not known.needs_placement
    assert known.grade_reasons  # graded by the centre's rules (calls, callbacks), reasons listed
    assert "号码研判" in known.notes and "曾回拨 1 次" in known.notes
    assert RISK_A in known.suspect_numbers
    stranger = _warning_of(STRANGER)
    assert stranger.needs_placement and stranger.organisation_id is None  # the centre's queue
    assert set(stranger.suspect_numbers.split()) >= {RISK_A, RISK_B}
    audit = AuditEvent.objects.filter(action="numbers.send_warnings").get()
    assert audit.details["new"] == 3
    client.force_login(world.users["grid_cd"])
    mine = (
        client.get(reverse("warning_mine")).content.decode()
        + client.get(reverse("warning_list")).content.decode()
    )
    page = client.get(reverse("warning_detail", args=[known.pk]))
    assert page.status_code == 200, page.status_code
    text = page.content.decode()
    assert "曾回拨 1 次" in text and "170****0001" in text  # why, for the grid worker
    for number in (KNOWN, RISK_A):
        assert number not in text and number not in mine


def test_sending_twice_or_an_overlapping_run_makes_no_second_warning(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = _base_run(world, tmp_path)
    _send(world, run, top=3)
    again = _send(world, run, top=3)
    assert (again.new, again.merged, again.unchanged) == (0, 0, 3)
    same = _base_run(world, tmp_path / "same")  # the same extract uploaded again
    assert (_send(world, same, top=3).unchanged) == 3
    more = [*BASE_CALLS, [RISK_A, KNOWN, _today(12, 0), 120]]  # a later extract overlapping the first
    later = _stored(world, _result(tmp_path / "b", more, [(RISK_A, 0.95), (RISK_B, 0.8)]))
    sent = _send(world, later, top=3)
    assert (sent.new, sent.merged, sent.unchanged) == (0, 1, 2)
    known = _warning_of(KNOWN)
    assert known.merged_count == 1 and known.facts["calls"] == 2 and known.facts["callbacks"] == 1
    assert Warning.objects.count() == 3


def test_a_victim_with_an_open_warning_gets_it_merged(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings.intake import WarningInput
    from fanzha.warnings.services import warning_receive

    earlier = WarningInput(
        source="bank", source_id="B-1", phone=KNOWN, warned_at=_today(9, 30), amount="3000"
    )
    open_one = warning_receive(actor=world.users["analyst"], data=earlier).warning
    run = _base_run(world, tmp_path)
    sent = _send(world, run, top=1)
    assert (sent.new, sent.merged) == (0, 1)
    open_one.refresh_from_db()
    assert open_one.merged_count == 1 and RISK_A in open_one.suspect_numbers
    assert Warning.objects.filter(person__phone_hash=open_one.person.phone_hash).count() == 1


def test_service_numbers_are_never_victims(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    calls = [
        [RISK_A, "95588", _today(9, 0), 300],
        [RISK_A, "10690000123", _today(9, 5), 300],
        [RISK_A, "106590001234567", _today(9, 6), 300],
        [RISK_A, "0571-95187", _today(9, 7), 300],
        [RISK_A, STRANGER, _today(9, 8), 300],
    ]
    run = _stored(world, _result(tmp_path, calls, [(RISK_A, 0.9)]))
    assert [v.number for v in run.victims.all()] == [STRANGER]


def test_a_rejected_number_is_not_proposed_again_without_new_evidence(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = _base_run(world, tmp_path)
    numbers_proposal_decide(
        actor=world.users["analyst"], proposal=run.proposals.get(score=0.95), confirm=False
    )
    again = _base_run(world, tmp_path / "again")
    assert [p.score for p in again.proposals.all()] == [0.8]


def test_a_run_where_nothing_is_high_risk_says_so(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _result(tmp_path, BASE_CALLS, [])
    result.scored = [{"number": STRANGER, "score": 0.1, "is_high_risk": False, "reasons": []}]
    run = _stored(world, result)
    client.force_login(world.users["analyst"])
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert "没有高于阈值的号码" in page and "发送预警" not in page
    assert _send(world, run, top=5).sent == 0


def test_the_warning_export_and_pages_mask_the_victims(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io

    import openpyxl

    run = _base_run(world, tmp_path)
    _send(world, run, top=3)
    client.force_login(world.users["analyst"])
    response = client.get(reverse("warning_export"))
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    cells = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value)
    for number in (KNOWN, STRANGER, RISK_A, RISK_B):
        assert number not in cells
    listing = client.get(reverse("warning_list")).content.decode()
    runs = client.get(reverse("numbers_run_list")).content.decode()
    for number in (KNOWN, STRANGER, RISK_A, RISK_B):
        assert number not in listing and number not in runs


def test_a_victim_that_is_a_listed_fraud_number_is_not_sent(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """RISK_A confirmed on the list after run 1; run 2 scores it under the threshold and lists it as a
    victim of RISK_B: sending it warned a fraud number's holder as a victim."""
    first = _base_run(world, tmp_path)
    numbers_proposal_decide(
        actor=world.users["analyst"], proposal=first.proposals.get(score=0.95), confirm=True
    )
    calls = [[RISK_B, RISK_A, _today(12, 0), 200], [RISK_B, STRANGER, _today(12, 5), 60]]
    second = _stored(world, _result(tmp_path / "b", calls, [(RISK_B, 0.8)]))
    assert {v.number for v in second.victims.all()} == {RISK_A, STRANGER}
    sent = _send(world, second, top=5)
    assert (sent.new, sent.listed, sent.skipped) == (1, 1, 0)
    assert not [w for w in Warning.objects.select_related("person") if w.person.phone == RISK_A]


def test_a_victim_proposed_by_another_run_is_not_sent_and_the_page_says_so(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _base_run(world, tmp_path)  # RISK_A proposed, pending
    calls = [[RISK_B, RISK_A, _today(12, 0), 200]]
    second = _stored(world, _result(tmp_path / "b", calls, [(RISK_B, 0.8)]))
    client.force_login(world.users["analyst"])
    response = client.post(reverse("numbers_send_warnings", args=[second.pk]), {"top": "5"}, follow=True)
    assert "1 人本身是涉诈名单（或待确认建议）中的号码，未发送" in response.content.decode()
    assert not [w for w in Warning.objects.select_related("person") if w.person.phone == RISK_A]


def test_a_proposal_decision_records_who_and_why(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = _base_run(world, tmp_path)
    proposal = run.proposals.get(score=0.95)
    client.force_login(world.users["analyst"])
    url = reverse("numbers_proposal_decide", args=[proposal.pk])
    client.post(url, {"decision": "reject", "reason": "号码为快递公司外呼，已核实"})
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.decided_by == world.users["analyst"]
    assert proposal.decision_reason == "号码为快递公司外呼，已核实"
    audit = AuditEvent.objects.filter(action="numbers.proposal_decide").get()
    assert audit.details["reason"] == "号码为快递公司外呼，已核实"
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert "号码为快递公司外呼，已核实" in page


def test_a_decision_reason_never_shows_a_number_in_clear(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = _base_run(world, tmp_path)
    proposal = run.proposals.get(score=0.95)
    client.force_login(world.users["analyst"])
    url = reverse("numbers_proposal_decide", args=[proposal.pk])
    client.post(url, {"decision": "confirm", "reason": f"受害人 {KNOWN} 报案确认"})
    audit = AuditEvent.objects.filter(action="numbers.proposal_decide").get()
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert KNOWN not in audit.details["reason"] and KNOWN not in page
    assert "报案确认" in page


def test_the_short_reason_counts_the_talk_of_the_calls_back(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A missed call answered by an 8-minute call back: the list's short reason said only
    “被 1 个高风险号码呼叫 1 次，回拨 1 次” — how long they talked (the call back) was missing."""
    run = _base_run(world, tmp_path)
    client.force_login(world.users["analyst"])
    page = client.get(reverse("numbers_run_detail", args=[run.pk])).content.decode()
    assert "累计通话 8.0 分钟" in page


def test_the_grid_worker_reveals_the_victim_by_post_and_it_is_audited(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = _base_run(world, tmp_path)
    _send(world, run, top=1)
    known = _warning_of(KNOWN)
    assert known.assignee is not None
    client.force_login(known.assignee)
    url = reverse("person_reveal", args=[known.person_id])
    assert KNOWN not in url
    answer = client.post(url, {"field": "phone", "purpose": "contact"})
    assert answer.status_code == 200 and KNOWN in answer.content.decode()
    assert AuditEvent.objects.filter(actor_id=known.assignee.pk, object_id=str(known.person_id)).exists()


def test_a_landline_victim_is_sent_like_a_mobile(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    landline = "05781234567"  # 丽水, 7-digit local number
    calls = [[RISK_A, landline, _today(9, 0), 400]]
    run = _stored(world, _result(tmp_path, calls, [(RISK_A, 0.9)]))
    assert [v.number for v in run.victims.all()] == [landline]
    sent = _send(world, run, top=1)
    assert (sent.new, sent.skipped) == (1, 0)


def test_the_warning_page_shows_the_notes_and_suspect_numbers_masked(world, client) -> None:  # type: ignore[no-untyped-def]
    """The warning page showed neither the report's notes nor its suspect numbers: a grid worker sent a
    potential victim read only “未命中定级规则” — not the calls, the call back, the numbers."""
    from fanzha.warnings.intake import WarningInput
    from fanzha.warnings.services import warning_receive

    data = WarningInput(
        source="manual",
        phone=KNOWN,
        warned_at=_today(9),
        suspect_numbers="0571-88886666、17012345678",
        notes="家属 13812345678 反映：接到冒充客服电话",
    )
    warning = warning_receive(actor=world.users["analyst"], data=data).warning
    client.force_login(world.users["grid_cd"])
    page = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert "接到冒充客服电话" in page and "138****5678" in page and "170****5678" in page
    for number in ("13812345678", "17012345678", "057188886666", "88886666"):
        assert number not in page


def test_a_number_rejected_after_it_moved_is_not_proposed_again_on_the_evidence_it_moved_from(
    world, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """RISK_A proposed by run 1 (0.95), moved to run 2 (0.97), rejected there; the extract of run 1
    uploaded again (0.95, the same reasons) proposed it again — evidence the analyst had already seen."""
    _base_run(world, tmp_path / "one")
    two = _stored(world, _result(tmp_path / "two", BASE_CALLS, [(RISK_A, 0.97)]))
    moved = two.proposals.get()
    assert moved.moved_from and moved.moved_from[0]["score"] == 0.95
    numbers_proposal_decide(
        actor=world.users["analyst"], proposal=moved, confirm=False, reason="已核实为正常商户"
    )
    again = _base_run(world, tmp_path / "again")
    assert [p.score for p in again.proposals.all()] == [0.8]


def test_the_warning_does_not_name_the_engine_grade_as_its_own(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The victim's reasons end “预警等级：高” (the engine's grade: a call back); the warning is graded by
    the centre's rules (高 here: the person on record is over 70 by their ID number, beside the seeded
    回拨 rule's 中) and its page said both the warning's grade and 预警等级：高."""
    run = _base_run(world, tmp_path)
    _send(world, run, top=1)
    known = _warning_of(KNOWN)
    assert known.grade == "high" and any(reason.endswith("岁") for reason in known.grade_reasons)
    assert "回拨 1 次" in known.grade_reasons
    client.force_login(known.assignee)
    page = client.get(reverse("warning_detail", args=[known.pk])).content.decode()
    assert "预警等级：高" not in page and "研判等级：高" in page


def test_the_run_page_marks_a_listed_victim_and_offers_no_box_for_it(world, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _base_run(world, tmp_path)  # RISK_A proposed, pending
    calls = [[RISK_B, RISK_A, _today(12, 0), 200], [RISK_B, STRANGER, _today(12, 5), 60]]
    second = _stored(world, _result(tmp_path / "b", calls, [(RISK_B, 0.8)]))
    listed = second.victims.get(rank=1)
    assert listed.number == RISK_A
    client.force_login(world.users["analyst"])
    page = client.get(reverse("numbers_run_detail", args=[second.pk])).content.decode()
    assert f'value="{listed.pk}"' not in page and "涉诈名单号码，不发送" in page
