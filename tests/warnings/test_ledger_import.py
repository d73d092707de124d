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
