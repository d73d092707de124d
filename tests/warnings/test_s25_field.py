"""Field work probed in s25 (server side): 已被骗 tells the worker of the case draft; a form refused for
a file that is no photo names the service's own refusals in the same round."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.cases.models import Case
from fanzha.warnings import workflow
from fanzha.warnings.models import Outcome
from tests.personas import World, login
from tests.warnings.helpers import make_warning


def _signed(world: World) -> Any:
    warning = make_warning(1)
    worker = world.users["grid_cd"]
    assert warning.assignee == worker
    return workflow.warning_acknowledge(actor=worker, warning=warning, version=warning.version)


def _told(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_grid_worker_recording_defrauded_is_told_of_the_case_draft(world: World, client: Any) -> None:
    """A grid worker sees no cases: the page said only 劝阻情况已记录, not that a case was drafted and who
    takes it on (were they to call the police as well?)."""
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    data = {"kind": "call", "outcome": Outcome.DEFRAUDED, "notes": "已转账5万元", "version": warning.version}
    response = client.post(reverse("warning_contact", args=[warning.pk]), data)
    assert response.status_code == 302
    case = Case.objects.get(warning=warning)
    told = _told(response)
    expected = f"已生成案件草稿 {case.number}，由{case.organisation}核实案情、及时止付。"
    assert expected in told, told


def test_closing_as_defrauded_tells_of_the_case_draft_too(world: World, client: Any) -> None:
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    data = {"outcome": Outcome.DEFRAUDED, "reason": "当事人已转账", "version": warning.version}
    response = client.post(reverse("warning_close", args=[warning.pk]), data)
    assert response.status_code == 302
    case = Case.objects.get(warning=warning)
    assert any(case.number in text for text in _told(response)), _told(response)


def test_a_call_recorded_is_not_told_of_a_case(world: World, client: Any) -> None:
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    data = {"kind": "call", "outcome": Outcome.DISSUADED, "version": warning.version}
    response = client.post(reverse("warning_contact", args=[warning.pk]), data)
    assert not any("案件" in text for text in _told(response))


def test_a_document_is_refused_with_the_arrival_time_in_one_round(world: World, client: Any) -> None:
    warning = _signed(world)
    login(client, world.users["grid_cd"])
    data = {
        "kind": "visit",
        "outcome": Outcome.DISSUADED,
        "arrived_at": "2099-01-01T10:00",
        "version": warning.version,
        "photos": [SimpleUploadedFile("记录.pdf", b"%PDF-1.7 no photo", "image/png")],
    }
    response = client.post(reverse("warning_contact", args=[warning.pk]), data)
    assert response.status_code == 400
    problems = response.context["problems"]
    assert [(field, message) for field, _, message in problems] == [
        ("id_arrived_at", "到达时间不能晚于现在"),
        ("id_photos", "只能上传 JPEG、PNG 或 WebP 照片"),
    ]
    assert not warning.contacts.exists()


def test_close_and_handover_reasons_keep_no_personal_number_in_the_history(world: World) -> None:
    """The reasons were kept as typed: an ID number, a phone or an account in them stood in clear in the
    warning's history (a contact's notes were masked)."""
    typed = "本人身份证330102199001011234，手机13905711234，卡6222020000000000017"
    warning = _signed(world)
    worker = world.users["grid_cd"]
    handed = workflow.warning_handover(actor=worker, warning=warning, reason=typed, to_user=None)
    again = make_warning(2)
    signed = workflow.warning_acknowledge(actor=worker, warning=again, version=again.version)
    workflow.warning_close(actor=worker, warning=signed, outcome=Outcome.INVALID, reason=typed)
    for w in (handed, signed):
        line = w.events.order_by("-id").first().message
        assert "330102199001011234" not in line and "13905711234" not in line, line
        assert "6222020000000000017" not in line and "139****1234" in line, line
