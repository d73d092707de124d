"""The history ledger (预警处置台账): ``fanzha warnings import-ledger FILE`` and the import page's kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fanzha.audit.models import AuditEvent
from fanzha.imports.pipeline import import_run
from fanzha.jobs.models import Notification
from fanzha.warnings import selectors
from fanzha.warnings.escalation import sla_check
from fanzha.warnings.models import Contact, ContactKind, Outcome, Status, Warning, WarningEvent
from tests.imports.files import csv_bytes, xlsx_bytes
from tests.warnings.files import HEADER, row
from tests.warnings.test_cli import command

LEDGER = HEADER + ["签收时间", "联系方式", "联系时间", "处置结果", "处置单位", "处置民警"]
WARNED = dt.datetime(2026, 3, 2, 9, 0)


def at(**delta: Any) -> str:
    return (WARNED + dt.timedelta(**delta)).strftime("%Y-%m-%d %H:%M")


def ledger_row(
    n: int, ack: str, kind: str, contact: str, outcome: str, unit: str = "", officer: str = ""
) -> list:
    return row(n, warned_at=at()) + [ack, kind, contact, outcome, unit, officer]


# Times well inside the tightest window (紧急: 5 min to acknowledge, 30 to reach) or past the widest
# (低: 24 h, 72 h), so what is on time does not depend on the grade the rules give.
ROWS = [
    ledger_row(1, at(minutes=2), "电话", at(minutes=10), "劝阻成功", "城东社区居委会", "张网格"),
    ledger_row(2, at(days=5), "上门", at(days=6), "已劝阻"),
    ledger_row(3, "", "电话", at(minutes=3), "未联系上"),  # acknowledged by the call, not reached
    ledger_row(4, at(minutes=1), "电话", at(minutes=15), "已被骗报案"),
    ledger_row(5, at(days=4), "电话", at(days=4), "无效预警"),
    ledger_row(6, at(minutes=2), "上门走访", at(minutes=20), "拒绝配合"),
    ledger_row(7, "", "", "", ""),  # still open
    ledger_row(8, "", "", "", "劝了"),  # a wording nobody can read: open, with a notice
]


def _named_grid_worker(world: Any) -> Any:
    worker = world.users["grid_cd"]
    worker.display_name = "张网格"
    worker.save(update_fields=["display_name"])
    return worker


def test_it_closes_the_worked_rows_with_their_contacts_and_keeps_the_others_open(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    worker = _named_grid_worker(world)
    file = tmp_path / "台账.csv"
    file.write_bytes(csv_bytes(LEDGER, ROWS))
    out, code = command("warnings", "import-ledger", str(file))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[-1] == "imported: 8 new, 0 merged, 0 unchanged, 0 rejected"
    assert lines[-2].startswith("台账：6 条按已办结导入"), lines[-2]
    assert "2 条未办结进入待办" in lines[-2] and "1 条已被骗未自动生成案件草稿" in lines[-2]
    w = {x.source_id: x for x in Warning.objects.all()}
    first = w["YJ000001"]
    assert first.status == Status.CLOSED and first.outcome == Outcome.DISSUADED
    assert first.organisation == world.orgs["城东社区居委会"] and first.assignee == worker
    assert first.acknowledged_by == worker
    warned = timezone.make_aware(WARNED)
    assert first.received_at == warned and first.clock_started_at == warned
    assert first.acknowledged_at == warned + dt.timedelta(minutes=2)
    assert first.contacted_at == first.closed_at == warned + dt.timedelta(minutes=10)
    assert not first.ack_breached and not first.contact_breached and not first.escalated
    contact = Contact.objects.get(warning=first)
    assert (contact.kind, contact.outcome, contact.actor) == (ContactKind.CALL, Outcome.DISSUADED, worker)
    late = w["YJ000002"]
    assert late.ack_breached and late.contact_breached and not late.escalated
    assert not Contact.objects.filter(warning=late).exists()  # no officer, no user (the CLI): the line tells
    assert WarningEvent.objects.filter(
        warning=late, message__startswith="台账导入（历史处置）：上门劝阻"
    ).exists()
    unreached = w["YJ000003"]
    assert unreached.outcome == Outcome.NOT_REACHED and unreached.contacted_at is None
    assert unreached.acknowledged_at == warned + dt.timedelta(minutes=3)
    assert w["YJ000004"].outcome == Outcome.DEFRAUDED
    assert "第 5 行 处置结果（提示）：已被骗：台账导入不自动生成案件草稿" in out
    for source_id in ("YJ000007", "YJ000008"):
        still = w[source_id]
        assert still.is_open and still.received_at == warned and still.outcome == ""
        assert still.due_ack_at > timezone.now()  # the clock restarted at the import
    assert "台账处置结果：劝了" in w["YJ000008"].notes
    assert "第 9 行 处置结果（提示）：未能识别的处置结果“劝了”" in out
    assert "第 8 行 预警时间（提示）：预警时间距今已超过签收时限：时限自导入时起计算" in out
    # Nobody is told of the past: only the open rows' assignees are told of them.
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told <= {w["YJ000007"].assignee_id, w["YJ000008"].assignee_id}
    # One audit record for the file, with the ledger's counts.
    event = AuditEvent.objects.get(action="import.commit")
    assert event.details["ledger"]["closed"] == 6 and event.details["ledger"]["clock_from_import"] == 2
    # The SLA sweep finds nothing to remind or escalate.
    report = sla_check(timezone.now())
    assert report.escalated == 0
    assert not Warning.objects.filter(escalated=True).exists()


def test_the_statistics_count_the_ledger_as_computed_by_hand(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _named_grid_worker(world)
    file = tmp_path / "台账.xlsx"
    file.write_bytes(xlsx_bytes(LEDGER, ROWS, title="青溪县预警处置台账"))
    assert command("warnings", "import-ledger", str(file))[1] == 0
    (totals,) = selectors.summary(Warning.objects.all())
    # 劝阻率: 劝阻成功 (1, 2) of those reached (1, 2, 4, 5, 6) less the invalid one (5): 2 / 4.
    assert (totals["dissuaded"], totals["dissuadable"], totals["dissuasion_rate"]) == (2, 4, "50.0%")
    # 按时签收率: acknowledged 1–6 (3 by its call), on time 1, 3, 4, 6; the open rows' clocks run.
    assert (totals["acked_on_time"], totals["ack_due"], totals["on_time_rate"]) == (4, 6, "66.7%")
    # 联系及时率: reached 1, 2, 4, 5, 6; on time 1, 4, 6 (3 closed unreached within its time: not counted).
    assert (totals["contacted_on_time"], totals["contact_due"]) == (3, 5)
    assert totals["contact_on_time_rate"] == "60.0%"
    assert (totals["closed"], totals["open"]) == (6, 2)


def test_the_same_ledger_again_changes_nothing(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _named_grid_worker(world)
    first, again = tmp_path / "a.csv", tmp_path / "b.xlsx"
    first.write_bytes(csv_bytes(LEDGER, ROWS))
    again.write_bytes(xlsx_bytes(LEDGER, ROWS))
    assert command("warnings", "import-ledger", str(first))[1] == 0
    before = [
        list(Warning.objects.order_by("pk").values()),
        Contact.objects.count(),
        WarningEvent.objects.count(),
        Notification.objects.count(),
    ]
    out, code = command("warnings", "import-ledger", str(again))
    assert code == 0 and out.splitlines()[-1] == "imported: 0 new, 0 merged, 8 unchanged, 0 rejected"
    assert "台账：0 条按已办结导入" in out
    out, code = command("warnings", "import-ledger", str(first))  # byte for byte: a duplicate file
    assert code == 0 and out.splitlines()[-1] == "imported: 0 new, 0 merged, 8 unchanged, 0 rejected"
    after = [
        list(Warning.objects.order_by("pk").values()),
        Contact.objects.count(),
        WarningEvent.objects.count(),
        Notification.objects.count(),
    ]
    assert after == before


def test_times_it_cannot_use_are_row_notices(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ledger_row(1, "", "电话", at(days=-1), "劝阻成功"),  # before the warning
        ledger_row(2, "2099-01-01 10:00", "电话", "2099-01-01 10:00", "劝阻成功"),  # in the future
        ledger_row(3, "", "微信", at(minutes=5), "成功劝阻"),  # a way of contact it does not know
    ]
    file = tmp_path / "台账.csv"
    file.write_bytes(csv_bytes(LEDGER, rows))
    out, code = command("warnings", "import-ledger", str(file))
    assert code == 0, out
    assert "第 2 行 联系时间（提示）：联系时间早于预警时间，未采用" in out
    assert "第 3 行 签收时间（提示）：签收时间晚于导入时间，未采用" in out
    assert "第 3 行 联系时间（提示）：联系时间晚于导入时间，未采用" in out
    assert "第 4 行 处置方式（提示）：未能识别的处置方式“微信”：按电话劝阻记录" in out
    w = {x.source_id: x for x in Warning.objects.all()}
    for source_id in ("YJ000001", "YJ000002"):  # closed as recorded, without a time to count
        closed = w[source_id]
        assert closed.status == Status.CLOSED and closed.contacted_at is None
        assert closed.closed_at == closed.warned_at and not closed.ack_breached
    assert w["YJ000003"].outcome == Outcome.DISSUADED and "台账处置方式：微信" in w["YJ000003"].notes


def test_the_import_page_kind_records_contacts_under_the_importing_user(world) -> None:  # type: ignore[no-untyped-def]
    leader = world.users["leader"]
    data = csv_bytes(LEDGER, [ledger_row(1, "", "上门", at(minutes=20), "已劝阻", "城关派出所", "李警官")])
    result = import_run(actor=leader, importer="warning_ledger", file_name="台账.csv", data=data)
    assert result.ok, result.batch.errors
    warning = Warning.objects.get()
    assert warning.organisation == world.orgs["城关派出所"] and warning.assignee is None
    assert "台账处置民警：李警官" in warning.notes
    contact = Contact.objects.get()
    assert contact.actor == leader and contact.kind == ContactKind.VISIT
    assert contact.arrived_at == contact.contacted_at
    notices = [notice["message"] for notice in result.batch.notices if notice["column"] == "处置民警"]
    assert notices == ["未在处置单位中找到唯一的该姓名账户：处置人记入备注"]


def test_a_ledger_never_merges_a_person_warned_twice(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    same = row(1)[2]
    rows = [ledger_row(1, "", "电话", at(minutes=5), "劝阻成功"), ledger_row(2, "", "", "", "")]
    rows[1][2] = same
    file = tmp_path / "台账.csv"
    file.write_bytes(csv_bytes(LEDGER, rows))
    out, code = command("warnings", "import-ledger", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected"
    assert Warning.objects.filter(status=Status.CLOSED).count() == 1
    assert Warning.objects.exclude(status=Status.CLOSED).count() == 1


def test_a_pushed_list_still_reads_lianxi_fangshi_as_a_phone(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    header = [("联系方式" if h == "手机号" else h) for h in HEADER]
    file = tmp_path / "list.csv"
    file.write_bytes(csv_bytes(header, [row(1)]))
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected"
    assert Warning.objects.get().person.phone == row(1)[3]


def test_the_import_page_offers_the_ledger_and_imports_it(world, client) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(world.users["analyst"])
    page = client.get(reverse("import_list"))
    assert "预警处置台账（历史）" in page.content.decode()
    upload = SimpleUploadedFile("台账.xlsx", xlsx_bytes(LEDGER, ROWS[:2]))
    response = client.post(reverse("import_upload", kwargs={"importer": "warning_ledger"}), {"file": upload})
    assert response.status_code in (200, 302)
    assert Warning.objects.filter(status=Status.CLOSED).count() == 2
    # 张网格 has no account here, row 2 names nobody: both contacts under the user who imported them
    assert Contact.objects.filter(actor=world.users["analyst"]).count() == 2
    client.force_login(world.users["police_cg"])
    upload = SimpleUploadedFile("台账.csv", csv_bytes(LEDGER, ROWS[2:3]))
    response = client.post(reverse("import_upload", kwargs={"importer": "warning_ledger"}), {"file": upload})
    assert response.status_code == 403


def test_a_warning_received_before_keeps_its_work_and_the_row_says_so(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pushed, ledger = tmp_path / "list.csv", tmp_path / "台账.csv"
    pushed.write_bytes(csv_bytes(HEADER, [row(1, warned_at=at())]))
    assert command("warnings", "import", str(pushed))[1] == 0
    ledger.write_bytes(csv_bytes(LEDGER, ROWS[:1]))
    out, code = command("warnings", "import-ledger", str(ledger))
    assert code == 0 and out.splitlines()[-1] == "imported: 0 new, 0 merged, 1 unchanged, 0 rejected"
    assert "第 2 行 处置结果（提示）：该预警此前已接收且未办结：台账的处置结果未采用" in out
    assert Warning.objects.get().is_open


# ── two months of a ledger: its dates, its credit, its open rows ─────────────────────────────────────
SEPT, OCT = dt.datetime(2026, 9, 10, 9, 0), dt.datetime(2026, 10, 15, 9, 0)


def dated_row(
    n: int,
    warned: dt.datetime,
    ack: Any,
    kind: str,
    contact: Any,
    outcome: str,
    unit: str = "",
    officer: str = "",
) -> list:
    def shown(delta: Any) -> str:
        return "" if delta is None else (warned + delta).strftime("%Y-%m-%d %H:%M")

    warned_at = warned.strftime("%Y-%m-%d %H:%M")
    return row(n, warned_at=warned_at) + [shown(ack), kind, shown(contact), outcome, unit, officer]


MIN, DAY = dt.timedelta(minutes=1), dt.timedelta(days=1)
# Rows 1–2 in September, 3–4 in October; each names a unit that is not the one its address (城东社区)
# routes to, or nobody. Times well inside the tightest window or past the widest, as above.
TWO_MONTHS = [
    dated_row(1, SEPT, 2 * MIN, "电话", 10 * MIN, "劝阻成功", "龙泉派出所", "police_lq"),
    dated_row(2, SEPT + 10 * DAY, 5 * DAY, "上门", 6 * DAY, "已劝阻", "龙泉派出所"),
    dated_row(3, OCT, None, "电话", 3 * MIN, "未联系上", "石桥村村委会", "grid_sq"),
    dated_row(4, OCT + 5 * DAY, 1 * MIN, "电话", 15 * MIN, "无效预警"),
]


def _import(tmp_path: Any, rows: list, name: str = "台账.csv") -> str:
    file = tmp_path / name
    file.write_bytes(csv_bytes(LEDGER, rows) if name.endswith(".csv") else xlsx_bytes(LEDGER, rows))
    out, code = command("warnings", "import-ledger", str(file))
    assert code == 0, out
    return out


def test_a_ledger_row_is_dated_by_its_warning_time_in_the_feedback_and_its_history(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings.exports import feedback_refs
    from fanzha.warnings.models import WarningRepush

    leader = world.users["leader"]
    _import(tmp_path, TWO_MONTHS)
    w = {x.source_id: x for x in Warning.objects.all()}

    def fed(start: dt.date, end: dt.date) -> set[str]:
        return set(feedback_refs(leader, "superior", start, end).values_list("source_id", flat=True))

    # 反馈上级: each row in the period of its own 预警时间, none in the import's.
    assert fed(dt.date(2026, 9, 1), dt.date(2026, 9, 30)) == {"YJ000001", "YJ000002"}
    assert fed(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == {"YJ000003", "YJ000004"}
    today = timezone.localdate()
    assert fed(today, today) == set()
    for warning in w.values():
        ref = warning.source_refs.get()
        assert ref.received_at == warning.warned_at == warning.received_at
        # Assigned as it was received (to the officer the ledger names), never after its 签收.
        if warning.assignee_id is not None:
            assert warning.assigned_at == warning.warned_at
        else:
            assert warning.assigned_at is None
        if warning.acknowledged_at is not None:
            assert warning.assigned_at is None or warning.assigned_at <= warning.acknowledged_at
        first = WarningEvent.objects.filter(warning=warning).order_by("at", "pk").first()
        assert first.at == warning.warned_at
    # The same ledger again (another file) is no new push: nothing more in today's feedback.
    _import(tmp_path, TWO_MONTHS, "台账.xlsx")
    assert not WarningRepush.objects.exists()
    assert fed(today, today) == set()


def _on_time(figures: dict[str, Any]) -> tuple[int, ...]:
    return tuple(figures[name] for name in ("acked_on_time", "ack_due", "contacted_on_time", "contact_due"))


def test_the_statistics_of_two_months_of_ledger_as_computed_by_hand(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    leader = world.users["leader"]
    _import(tmp_path, TWO_MONTHS)

    def month(start: str, end: str) -> dict[str, Any]:
        qs, _ = selectors.filtered(leader, {"start": start, "end": end, "source": "superior"})
        (figures,) = selectors.summary(qs)
        return figures

    sept, octo = month("2026-09-01", "2026-09-30"), month("2026-10-01", "2026-10-31")
    today = timezone.localdate().isoformat()
    assert month(today, today)["total"] == 0
    assert (sept["total"], octo["total"]) == (2, 2)
    # September: row 1 acknowledged after 2 min, reached after 10; row 2 after 5 and 6 days (both late).
    assert sept["mean_ack"] == (2 * MIN + 5 * DAY) / 2
    assert sept["mean_contact"] == (10 * MIN + 6 * DAY) / 2
    assert _on_time(sept) == (1, 2, 1, 2)
    # October: row 3 acknowledged by its call (3 min), not reached; row 4 acknowledged after 1 min,
    # reached after 15 (无效预警: out of the dissuasion rate).
    assert octo["mean_ack"] == (3 * MIN + 1 * MIN) / 2
    assert octo["mean_contact"] == 15 * MIN
    assert _on_time(octo) == (2, 2, 1, 1)
    assert (octo["dissuaded"], octo["dissuadable"]) == (0, 0)


def test_a_closed_row_is_credited_to_the_unit_and_officer_the_ledger_names(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _import(tmp_path, TWO_MONTHS)
    w = {x.source_id: x for x in Warning.objects.all()}
    lq, sq = world.orgs["龙泉派出所"], world.orgs["石桥村村委会"]
    assert (w["YJ000001"].organisation, w["YJ000001"].assignee) == (lq, world.users["police_lq"])
    assert (w["YJ000002"].organisation, w["YJ000002"].assignee) == (lq, None)
    assert (w["YJ000003"].organisation, w["YJ000003"].assignee) == (sq, world.users["grid_sq"])
    by_unit = {
        r["organisation_id"]: r for r in selectors.summary(Warning.objects.all(), selectors.UNIT_FIELDS)
    }
    assert by_unit[lq.pk]["closed"] == 2 and by_unit[sq.pk]["closed"] == 1
    by_person = {
        r["assignee_id"]: r for r in selectors.summary(Warning.objects.all(), selectors.PERSON_FIELDS)
    }
    assert by_person[world.users["police_lq"].pk]["dissuaded"] == 1
    assert world.users["police_cg"].pk not in by_person and world.users["grid_cd"].pk not in by_person
    # The first history line tells the ledger's unit, not a routing of today to a unit that never saw it.
    for warning in w.values():
        first = WarningEvent.objects.filter(warning=warning).order_by("at", "pk").first()
        assert "派给" not in first.message and "台账导入" in first.message, first.message
    first = WarningEvent.objects.filter(warning=w["YJ000001"]).order_by("at", "pk").first()
    assert "处置单位 龙泉派出所" in first.message and first.data["organisation"] == lq.pk
    assert not Notification.objects.exists()


def test_an_open_row_goes_to_the_unit_and_officer_the_ledger_names(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    recent = timezone.localtime().replace(tzinfo=None, second=0, microsecond=0) - dt.timedelta(hours=2)
    rows = [
        # 签收 in time two days ago; the deadline to reach the person has passed: it runs from the import.
        dated_row(1, OCT, 2 * MIN, "", None, "", "龙泉派出所", "police_lq"),
        dated_row(2, recent, None, "", None, "", "石桥村村委会", "nobody"),  # officer not found
        dated_row(3, recent, None, "", None, "", "城关派出所", "head_cg"),  # a 所长: not one to hold it
        dated_row(4, recent, None, "", None, "", "不存在派出所", "police_lq"),  # unit not found
    ]
    out = _import(tmp_path, rows)
    w = {x.source_id: x for x in Warning.objects.all()}
    held = w["YJ000001"]
    assert (held.organisation, held.assignee) == (world.orgs["龙泉派出所"], world.users["police_lq"])
    assert held.status == Status.ACKNOWLEDGED and held.acknowledged_by == world.users["police_lq"]
    warned = timezone.make_aware(OCT)
    assert held.acknowledged_at == warned + 2 * MIN and held.assigned_at == warned
    assert held.due_ack_at < held.acknowledged_at + DAY and not held.ack_breached  # its own clock, kept
    assert held.due_contact_at > timezone.now()  # from the import
    acked = WarningEvent.objects.get(warning=held, kind="acknowledged")
    assert acked.at == held.acknowledged_at and acked.data["ack"] == "on_time"
    assert "第 2 行 预警时间（提示）：预警时间距今已超过联系时限：时限自导入时起计算" in out
    (totals,) = selectors.summary(Warning.objects.filter(pk=held.pk))
    assert (totals["acked_on_time"], totals["ack_due"]) == (1, 1)
    other = w["YJ000002"]
    assert (other.organisation, other.assignee) == (world.orgs["石桥村村委会"], world.users["grid_sq"])
    assert other.status == Status.ASSIGNED and "台账处置民警：nobody" in other.notes
    assert "第 3 行 处置民警（提示）：未在处置单位中找到唯一可承办的该姓名账户" in out
    leader_row = w["YJ000003"]
    assert leader_row.organisation == world.orgs["城关派出所"]
    assert leader_row.assignee == world.users["police_cg"]
    assert "第 4 行 处置民警（提示）" in out
    first = WarningEvent.objects.filter(warning=leader_row).order_by("at", "pk").first()
    assert first.message.endswith("处置单位 城关派出所，承办人 police_cg（导入时按派单规则选定）")
    routed = w["YJ000004"]
    assert routed.organisation in (world.orgs["城关派出所"], world.orgs["城东社区居委会"])
    assert "第 5 行 处置单位（提示）：未找到可承办预警的该名称单位：按预警地址派单" in out
    assert "台账处置单位：不存在派出所" in routed.notes
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert world.users["police_lq"].pk in told and world.users["grid_sq"].pk in told


def test_the_feedback_sends_ledger_rows_up_in_their_period_in_the_senders_layout(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings import exports

    pushed = tmp_path / "list.csv"
    pushed.write_bytes(csv_bytes(HEADER, [row(9)]))
    assert command("warnings", "import", str(pushed))[1] == 0
    layout = exports.standing_layout("superior")
    _import(tmp_path, TWO_MONTHS)
    assert exports.standing_layout("superior") == layout  # a ledger is no pushed list's layout
    ((header, rows),) = exports.feedback_sections(
        world.users["leader"], "superior", dt.date(2026, 9, 1), dt.date(2026, 9, 30)
    )
    assert header == [text for text, _ in exports.layout_feedback_columns(layout)]
    assert sorted(r[0] for r in rows) == ["YJ000001", "YJ000002"]
