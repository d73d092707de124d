"""The history ledger import at its edges: jurisdiction, times, masking, all or nothing, and what a
normal import does afterwards (docs/warnings.md §1, 台账导入)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fanzha.core.services import areas as area_services
from fanzha.core.services import organisations as org_services
from fanzha.imports.pipeline import import_run
from fanzha.warnings import ledger, selectors
from fanzha.warnings.models import Contact, Status, Warning
from tests.imports.files import csv_bytes
from tests.personas import PASSWORD
from tests.warnings.test_ledger_import import LEDGER, WARNED, at, ledger_row

MINUTE = dt.timedelta(minutes=1)


def _other_county(world: Any) -> dict[str, Any]:
    """白沙县 beside 青溪县 under 江州市: its own 白沙派出所 (officer 李警官)."""
    city = world.areas["331100000000"]
    county = area_services.area_create(
        actor=None,
        code="331188000000",
        name="白沙县",
        level="district",
        parent=city,
        residents=1000,
        households=400,
    )
    town = area_services.area_create(
        actor=None,
        code="331188100000",
        name="白沙镇",
        level="township",
        parent=county,
        residents=1000,
        households=400,
    )
    station = org_services.organisation_create(
        actor=None, name="白沙派出所", kind="police_station", area=town
    )
    officer = org_services.user_create(
        actor=None, username="police_bs", password=PASSWORD, organisation=station, roles=["police_officer"]
    )
    officer.display_name = "李警官"
    officer.save(update_fields=["display_name"])
    return {"station": station, "officer": officer}


def _notices(result: Any, number: int) -> list[tuple[str, str]]:
    return [(n["column"], n["message"]) for n in result.batch.notices if n["row"] == number]


def test_a_unit_outside_the_importers_jurisdiction_is_neither_credited_nor_told(world) -> None:  # type: ignore[no-untyped-def]
    other = _other_county(world)
    rows = [
        ledger_row(1, "", "电话", at(minutes=10), "劝阻成功", "白沙派出所", "李警官"),
        ledger_row(2, "", "电话", at(minutes=10), "劝阻成功", "无此派出所", "李警官"),
        ledger_row(3, "", "", "", "", "白沙派出所", "李警官"),  # open
        ledger_row(4, "", "电话", at(minutes=10), "劝阻成功", "", "李警官"),  # an address in 白沙县
    ]
    rows[3][4] = "江州市白沙县白沙镇幸福路1号"
    result = import_run(
        actor=world.users["analyst"],
        importer="warning_ledger",
        file_name="台账.csv",
        data=csv_bytes(LEDGER, rows),
    )
    assert result.ok, result.batch.errors
    w = {x.source_id: x for x in Warning.objects.all()}
    for source_id in ("YJ000001", "YJ000003"):
        assert w[source_id].organisation != other["station"], source_id
        assert w[source_id].assignee != other["officer"], source_id
    assert w["YJ000004"].assignee is None and w["YJ000004"].acknowledged_by is None
    assert not Contact.objects.filter(actor=other["officer"]).exists()
    assert ("处置民警", ledger.OFFICER_NOT_FOUND) in _notices(result, 5)
    # Told exactly as a unit that does not exist: nothing says whom the other county has.
    assert _notices(result, 2) == _notices(result, 3)


# ── times ─────────────────────────────────────────────────────────────────────────────────────────────
def _ledger(world: Any, rows: list) -> Any:
    result = import_run(
        actor=world.users["leader"],
        importer="warning_ledger",
        file_name="台账.csv",
        data=csv_bytes(LEDGER, rows),
    )
    assert result.ok, result.batch.errors
    return result


def test_a_time_a_little_before_the_warning_counts_from_the_warning(world) -> None:  # type: ignore[no-untyped-def]
    # Clocks a few minutes apart: a 签收 and a call 3 minutes "before" the warning are taken at it.
    _ledger(world, [ledger_row(1, at(minutes=-3), "电话", at(minutes=-3), "劝阻成功")])
    warning = Warning.objects.get()
    assert warning.acknowledged_at == warning.contacted_at == warning.received_at
    (totals,) = selectors.summary(Warning.objects.all())
    assert (totals["acked_on_time"], totals["ack_due"]) == (1, 1)
    assert (totals["contacted_on_time"], totals["contact_due"]) == (1, 1)
    assert totals["mean_ack"] == dt.timedelta(0)


def test_a_day_without_a_time_of_day_is_that_day_not_before_the_warning(world) -> None:  # type: ignore[no-untyped-def]
    day = WARNED.strftime("%Y-%m-%d")  # the 预警时间's own day, written without a time (09:00 is the warning)
    later = (WARNED + dt.timedelta(days=5)).strftime("%Y/%m/%d")
    result = _ledger(
        world,
        [
            ledger_row(1, day, "电话", day, "劝阻成功"),
            ledger_row(2, later, "电话", later, "劝阻成功"),
            ledger_row(3, "", "电话", "46083", "劝阻成功"),  # an Excel day number: 2026-03-02
        ],
    )
    w = {x.source_id: x for x in Warning.objects.all()}
    warned = timezone.make_aware(WARNED)
    for source_id in ("YJ000001", "YJ000003"):  # the same day: reached that day, not "before the warning"
        assert w[source_id].contacted_at == warned, source_id
        assert w[source_id].acknowledged_at == warned, source_id
    for number in (2, 4):
        assert not any("早于预警时间，未采用" in message for _, message in _notices(result, number)), (
            _notices(result, number)
        )
    late = w["YJ000002"]  # five days on: late whatever the hour of that day
    assert late.contacted_at == timezone.make_aware(dt.datetime(2026, 3, 7)) and late.contact_breached
    # The same day decides no deadline of hours: the row says its time of day was not given.
    assert any("只有日期" in message for _, message in _notices(result, 2))


def test_an_acknowledgement_written_after_the_contact_is_the_contact(world) -> None:  # type: ignore[no-untyped-def]
    # 签收 recorded two days after the call that reached the person: recording a contact acknowledges.
    result = _ledger(world, [ledger_row(1, at(days=2), "电话", at(minutes=3), "劝阻成功")])
    warning = Warning.objects.get()
    assert warning.acknowledged_at == warning.contacted_at == timezone.make_aware(WARNED) + 3 * MINUTE
    assert not warning.ack_breached and warning.closed_at == warning.contacted_at
    assert any("签收时间晚于联系时间" in message for _, message in _notices(result, 2))


# ── the ledger and the normal intake ──────────────────────────────────────────────────────────────────
def test_a_pushed_list_after_the_ledger_leaves_its_warnings_as_they_are(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings.models import WarningRepush
    from tests.warnings.files import HEADER, row
    from tests.warnings.test_cli import command

    _ledger(world, [ledger_row(1, "", "电话", at(minutes=10), "劝阻成功"), ledger_row(2, "", "", "", "")])
    before = list(Warning.objects.order_by("pk").values())
    pushed = tmp_path / "list.csv"
    pushed.write_bytes(csv_bytes(HEADER, [row(1, warned_at=at()), row(2, warned_at=at())]))
    out, code = command("warnings", "import", str(pushed))
    assert code == 0 and out.splitlines()[-1] == "imported: 0 new, 0 merged, 2 unchanged, 0 rejected", out
    assert list(Warning.objects.order_by("pk").values()) == before  # the closed one not reopened
    assert WarningRepush.objects.count() == 2  # pushed again: their feedback is owed again


def test_an_error_after_the_rows_are_received_rolls_the_whole_file_back(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.db import IntegrityError

    from fanzha.warnings.models import WarningEvent

    def broken(*args: Any, **kwargs: Any) -> None:
        raise IntegrityError("contact refused")

    monkeypatch.setattr(Contact.objects, "bulk_create", broken)
    rows = [ledger_row(1, "", "电话", at(minutes=10), "劝阻成功"), ledger_row(2, "", "", "", "")]
    try:
        result = import_run(
            actor=world.users["leader"],
            importer="warning_ledger",
            file_name="台账.csv",
            data=csv_bytes(LEDGER, rows),
        )
    except IntegrityError:
        result = None
    assert result is None or not result.ok
    assert not Warning.objects.exists() and not WarningEvent.objects.exists()
    from fanzha.core.models import Person

    assert Person.objects.count() == 2  # the world's own two only


def test_an_unread_outcome_is_quoted_masked_as_a_row_error_quotes_a_cell(world) -> None:  # type: ignore[no-untyped-def]
    said = "劝了，卡号62284800123"  # an 11-digit account: not a phone, still a personal number
    result = _ledger(world, [ledger_row(1, "", "", "", said)])
    (message,) = [m for column, m in _notices(result, 2) if column == "处置结果"]
    assert "62284800123" not in message and "2284800" not in message, message


def test_a_closing_time_dates_the_close(world) -> None:  # type: ignore[no-untyped-def]
    header = [*LEDGER, "办结时间"]
    rows = [
        # no contact time: closed five days on — past the deadline to acknowledge, counted late
        [*ledger_row(1, "", "电话", "", "劝阻成功"), at(days=5)],
        [*ledger_row(2, "", "电话", at(minutes=10), "劝阻成功"), at(minutes=5)],  # before its contact
    ]
    result = import_run(
        actor=world.users["leader"],
        importer="warning_ledger",
        file_name="台账.csv",
        data=csv_bytes(header, rows),
    )
    assert result.ok and "办结时间" not in result.batch.unknown_columns, result.batch.unknown_columns
    w = {x.source_id: x for x in Warning.objects.all()}
    warned = timezone.make_aware(WARNED)
    assert w["YJ000001"].closed_at == warned + dt.timedelta(days=5)
    (totals,) = selectors.summary(Warning.objects.filter(pk=w["YJ000001"].pk))
    assert (totals["acked_on_time"], totals["ack_due"]) == (0, 1)
    assert w["YJ000002"].closed_at == warned + 10 * MINUTE
    assert any("办结时间早于" in message for _, message in _notices(result, 3))


def test_skip_rejected_leaves_out_a_row_naming_nobody_and_imports_the_rest(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.warnings.test_cli import command

    nobody = ledger_row(2, "", "电话", at(minutes=10), "劝阻成功")
    nobody[1:4] = ["", "", ""]  # no name, ID number or phone
    rows = [ledger_row(1, "", "电话", at(minutes=10), "劝阻成功"), nobody, ledger_row(3, "", "", "", "")]
    file = tmp_path / "台账.csv"
    file.write_bytes(csv_bytes(LEDGER, rows))
    out, code = command("warnings", "import-ledger", str(file))
    assert code == 1 and not Warning.objects.exists(), out  # all or nothing
    out, code = command("warnings", "import-ledger", "--skip-rejected", str(file))
    assert code == 0, out
    assert "第 3 行（已跳过）" in out and "台账：1 条按已办结导入" in out
    assert Warning.objects.filter(status=Status.CLOSED).count() == 1 and Warning.objects.count() == 2


def test_a_person_already_known_is_the_same_person(world) -> None:  # type: ignore[no-untyped-def]
    known = world.people["chengdong"]
    row = ledger_row(1, "", "电话", at(minutes=10), "劝阻成功")
    row[1:4] = ["王秀英", known.id_number, ""]
    _ledger(world, [row])
    assert Warning.objects.get().person_id == known.pk


def test_the_sla_sweep_after_a_ledger_reminds_and_escalates_nothing_of_the_past(world) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings.escalation import sla_check

    rows = [
        ledger_row(1, at(days=3), "电话", at(days=4), "劝阻成功", "城关派出所"),  # closed, both late
        ledger_row(2, "", "", "", "", "城关派出所", "police_cg"),  # open, a year's clock run out
        ledger_row(3, at(minutes=2), "", "", "", "龙泉派出所", "police_lq"),  # open, acknowledged
    ]
    _ledger(world, rows)
    report = sla_check(timezone.now())
    assert (report.reminded, report.escalated) == (0, 0)
    assert not Warning.objects.filter(escalated=True).exists()
    closed = Warning.objects.get(source_id="YJ000001")
    assert not closed.ack_reminded and not closed.contact_reminded
    for warning in Warning.objects.exclude(pk=closed.pk):
        assert warning.due_contact_at > timezone.now()


def test_a_warning_time_without_a_time_of_day_says_its_late_clock_counts_from_midnight(world) -> None:  # type: ignore[no-untyped-def]
    from tests.warnings.files import row

    rows = [row(1, warned_at="2026-03-02") + ["", "电话", "2026-03-02 10:00", "劝阻成功", "", ""]]
    result = _ledger(world, rows)
    warning = Warning.objects.get()
    assert warning.contact_breached  # 10 h after 00:00: late for a high warning, as recorded
    assert ("预警时间", ledger.WARNED_DAY_ONLY) in _notices(result, 2)
