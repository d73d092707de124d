"""Case views in the permission matrix. The case lives in 城东社区 (城关派出所's jurisdiction)."""

from __future__ import annotations

import datetime as dt

from fanzha.cases import recovery, services
from fanzha.cases.models import Attachment, Measure, Return, Statement
from fanzha.cases.models import Case as CaseModel
from tests.cases import helpers
from tests.matrix import Case

READ = "200 200 200 404 403 403 403 403 403 403 403"
WRITE = "302 302 302 404 403 403 403 403 403 403 403"
LIST = "200 200 200 200 403 403 403 403 403 403 403"
BANK = "403 403 403 403 403 403 200 403 403 403 403"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
UNKNOWN_LAYOUT = "日期时间,钱,去向\n2026-11-20 10:00,100,x\n".encode()


def _case(world):  # type: ignore[no-untyped-def]
    found = CaseModel.objects.filter(summary__isnull=False, source_ref="").order_by("id").first()
    if found is not None:
        return found
    officer = world.users["police_cg"]
    case = helpers.make_case(world)
    payment = helpers.add_payment(case, officer)
    helpers.send_stop(payment, officer)
    helpers.upload(case, officer, helpers.payee_statement())
    helpers.upload(case, officer, UNKNOWN_LAYOUT, name="unknown.csv")
    services.attachment_add(actor=officer, case=case, title="转账截图", data=PNG)
    recovery.return_decide(
        actor=officer,
        case=case,
        victim=case.victims.first(),
        amount_fen=100_000,
        decided_on=dt.date(2026, 11, 23),
    )
    return case


def case(world):  # type: ignore[no-untyped-def]
    return {"pk": _case(world).pk}


def payment(world):  # type: ignore[no-untyped-def]
    return {"pk": _case(world).payments.first().pk}


def measure(world):  # type: ignore[no-untyped-def]
    return {"pk": Measure.objects.filter(case=_case(world)).first().pk}


def pending_statement(world):  # type: ignore[no-untyped-def]
    return {"pk": Statement.objects.filter(case=_case(world), status="mapping").first().pk}


def attachment(world):  # type: ignore[no-untyped-def]
    return {"pk": Attachment.objects.filter(case=_case(world)).first().pk}


def decision(world):  # type: ignore[no-untyped-def]
    return {"pk": Return.objects.filter(case=_case(world)).first().pk}


CASES = {
    "case_list": Case(LIST),
    "case_create": Case(LIST),
    "case_detail": Case(READ, kwargs=case),
    "case_edit": Case(READ, kwargs=case),
    "case_status": Case(WRITE, kwargs=case, method="POST"),
    "case_victim_add": Case(READ, kwargs=case),
    "case_payment_add": Case(READ, kwargs=case),
    "case_suspect_add": Case(READ, kwargs=case),
    "case_result": Case(READ, kwargs=case),
    "case_reassign": Case(READ, kwargs=case),  # the form; a closed case goes back to its page
    "case_attachment_add": Case(READ, kwargs=case),
    "case_statement_upload": Case(READ, kwargs=case),
    "case_return_add": Case(READ, kwargs=case),
    "case_attachment": Case(READ, kwargs=attachment),
    "case_statement_map": Case(READ, kwargs=pending_statement),
    "case_payment_stop": Case(READ, kwargs=payment),
    "case_trace": Case(READ, kwargs=payment),
    "case_trace_export": Case(READ, kwargs=payment),
    "case_stop_downstream": Case(WRITE, kwargs=payment, method="POST"),
    "case_measure_follow_up": Case(WRITE, kwargs=measure, method="POST"),
    "case_measure_redirect": Case(WRITE, kwargs=measure),  # its unit in use: back to the case, saying why
    "case_measure_release": Case(WRITE, kwargs=measure, method="POST"),
    "case_measure_follow_money": Case(WRITE, kwargs=measure, method="POST"),
    "case_measure_reveal": Case("400 400 400 404 403 403 400 403 403 403 403", kwargs=measure, method="POST"),
    "case_return_done": Case(READ, kwargs=decision),
    "case_bank_queue": Case(BANK),
    "case_bank_measure": Case(BANK, kwargs=measure),
}
