"""Registering cases, their states, victims, payments and suspects."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanzha.audit.models import AuditEvent
from fanzha.cases import services
from fanzha.cases.common import bank_short_name
from fanzha.cases.models import Case, CaseEvent, Origin, Status
from tests.cases.helpers import add_payment, make_case, paid_at
from tests.warnings.helpers import make_warning


def test_it_registers_a_case_at_the_counter_with_its_station_and_officer(world):
    case = make_case(world)
    assert case.number.startswith("AJ2026") and case.status == Status.REPORTED
    assert case.organisation == world.orgs["城关派出所"] and case.officer == world.users["police_cg"]
    assert case.victims.get().person == world.people["chengdong"]
    assert AuditEvent.objects.filter(action="case.create", object_id=str(case.pk)).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="created").exists()


def test_it_refuses_a_case_outside_the_officers_jurisdiction(world):
    with pytest.raises(ValidationError) as exc:
        make_case(world, actor="police_lq")
    assert "管辖范围" in str(exc.value)


def test_it_refuses_roles_without_the_permission(world):
    with pytest.raises(PermissionDenied):
        make_case(world, actor="grid_cd")


def test_it_walks_the_states_and_refuses_a_jump(world):
    case = make_case(world)
    officer = world.users["police_cg"]
    with pytest.raises(ValidationError) as exc:
        services.case_status_change(actor=officer, case=case, to=Status.SOLVED)
    assert "不能变更为“破案”" in str(exc.value)
    for to in (Status.ACCEPTED, Status.FILED, Status.INVESTIGATING, Status.SOLVED, Status.CLOSED):
        case = services.case_status_change(actor=officer, case=case, to=to)
    assert case.status == Status.CLOSED and case.closed_at is not None and not case.is_open
    assert AuditEvent.objects.filter(action="case.status", object_id=str(case.pk)).count() == 5


def test_it_finds_the_receiving_bank_by_name_or_by_the_card_number(world):
    case = make_case(world)
    officer = world.users["police_cg"]
    by_name = add_payment(case, officer)
    assert by_name.bank_org == world.orgs["工商银行青溪支行"]
    by_bin = add_payment(case, officer, to_bank="", to_account="6222 0210 0112 2334 455")
    assert by_bin.to_account == "6222021001122334455" and by_bin.bank_org == world.orgs["工商银行青溪支行"]
    elsewhere = add_payment(case, officer, to_bank="建设银行", to_account="6217001234567890123")
    assert elsewhere.bank_org is None  # no 建设银行 organisation on the platform: the officer chooses
    assert bank_short_name("", "6228480012345678901") == "农业银行"


def test_it_rejects_a_payment_with_no_account_or_amount_or_in_the_future(world):
    case = make_case(world)
    officer = world.users["police_cg"]
    with pytest.raises(ValidationError) as exc:
        add_payment(case, officer, amount_fen=0, to_account=" ", paid_at=paid_at() + dt.timedelta(days=30))
    assert set(exc.value.message_dict) == {"amount", "to_account", "paid_at"}


def test_it_keeps_suspect_identifiers_once_and_encrypted(world):
    case = make_case(world)
    officer = world.users["police_cg"]
    first = services.suspect_add(actor=officer, case=case, kind="phone", value="138 0013 8000")
    again = services.suspect_add(actor=officer, case=case, kind="phone", value="13800138000")
    assert first.pk == again.pk and case.suspects.count() == 1
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM cases_suspect WHERE id = %s", [first.pk])
        assert "13800138000" not in cursor.fetchone()[0]


def test_it_adds_victims_and_raises_the_case_loss(world):
    case = make_case(world, loss_fen=100)
    services.victim_add(
        actor=world.users["police_cg"], case=case, person=world.people["shiqiao"], loss_fen=900_000
    )
    case.refresh_from_db()
    assert case.loss_fen == 900_100 and case.victims.count() == 2


def test_it_records_police_results(world):
    case = make_case(world)
    services.result_record(actor=world.users["police_cg"], case=case, detained=3, note="抓获取款人 3 名")
    case.refresh_from_db()
    assert case.detained == 3 and case.results_note == "抓获取款人 3 名"


def test_it_opens_one_case_draft_when_a_warning_ends_defrauded(world):
    from fanzha.warnings import workflow
    from fanzha.warnings.models import Warning

    warning = make_warning(1, amount="12000")
    warning = Warning.objects.get(pk=warning.pk)
    grid = world.users["grid_cd"]
    if warning.assignee_id != grid.pk:
        warning.assignee, warning.organisation = grid, grid.organisation
        warning.save()
    workflow.warning_acknowledge(actor=grid, warning=warning, version=warning.version)
    warning.refresh_from_db()
    contact = workflow.ContactData(kind="call", outcome="defrauded", notes="已转账 1.2 万")
    workflow.warning_contact_record(actor=grid, warning=warning, data=contact)
    case = Case.objects.get(warning=warning)
    assert case.origin == Origin.WARNING and case.is_draft and case.loss_fen == 1_200_000
    assert case.victims.get().person == warning.person and case.organisation == world.orgs["城关派出所"]
    again = services.case_draft_from_warning(actor=grid, warning=warning)
    assert again.pk == case.pk and Case.objects.filter(warning=warning).count() == 1


def test_it_tells_the_station_about_a_case_drafted_from_a_warning(world, django_capture_on_commit_callbacks):
    from fanzha.jobs.models import Notification

    warning = make_warning(2)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_draft_from_warning(actor=world.users["grid_cd"], warning=warning)
    note = Notification.objects.get(recipient=world.users["police_cg"], title__contains=case.number)
    assert "已被骗" in note.body and "测试2" not in note.body
