"""The case's 修改 and 登记破案战果 forms, opened before someone else changed the case (an import,
another officer), refuse the save; they wrote the values they were opened with back over the change."""

from __future__ import annotations

from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.cases import services
from fanzha.cases.models import Case, EventKind
from tests.cases.helpers import make_case
from tests.edit_forms import as_shown


def _errors(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.context["form"].non_field_errors())


def test_a_case_form_opened_before_an_import_is_refused_and_keeps_the_import(world, client) -> None:  # type: ignore[no-untyped-def]
    """Before: the stale form put the old 诈骗类型 and 损失金额 back (302, "已保存")."""
    case = make_case(world)
    url = reverse("case_edit", args=[case.pk])
    client.force_login(world.users["police_cg"])
    page = client.get(url)
    # a case list imported meanwhile corrects the type and the loss, as the importer writes them
    Case.objects.filter(pk=case.pk).update(fraud_type="fake_loan", loss_fen=8_000_000)

    response = client.post(url, as_shown(page, summary="补充：受害人已报警"))

    stored = Case.objects.get(pk=case.pk)
    assert (stored.fraud_type, stored.loss_fen) == ("fake_loan", 8_000_000)
    assert "补充" not in stored.summary
    message = _errors(response)
    assert "诈骗类型" in message and "损失金额" in message and "未保存" in message
    form = response.context["form"]
    assert form.initial["fraud_type"] == "fake_loan" and form.initial["loss"] == "80000.00"


def test_the_case_form_shown_again_saves_on_the_current_values(world, client) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world)
    url = reverse("case_edit", args=[case.pk])
    client.force_login(world.users["police_cg"])
    page = client.get(url)
    Case.objects.filter(pk=case.pk).update(fraud_type="fake_loan")
    refused = client.post(url, as_shown(page, summary="补充：受害人已报警"))
    assert refused.context["form"].initial["summary"] == "补充：受害人已报警"  # what was typed is not lost

    response = client.post(url, as_shown(refused))

    assert response.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert stored.fraud_type == "fake_loan" and stored.summary == "补充：受害人已报警"


def test_a_case_edit_with_nothing_changed_meanwhile_saves(world, client) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world)
    url = reverse("case_edit", args=[case.pk])
    client.force_login(world.users["police_cg"])
    page = client.get(url)

    response = client.post(url, as_shown(page, fraud_type="fake_loan"))

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).fraud_type == "fake_loan"


def test_a_result_form_opened_before_another_entry_is_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    """Before: the stale form replaced the 3 detained entered meanwhile (another window, 302)."""
    case = make_case(world)
    url = reverse("case_result", args=[case.pk])
    client.force_login(world.users["police_cg"])
    page = client.get(url)
    services.result_record(actor=world.users["police_cg"], case=case, detained=3, note="抓获三名取款人")

    response = client.post(url, as_shown(page, detained="1", note="抓获一名"))

    stored = Case.objects.get(pk=case.pk)
    assert (stored.detained, stored.results_note) == (3, "抓获三名取款人")
    message = _errors(response)
    assert "抓获嫌疑人" in message and "战果说明" in message
    assert response.context["form"].initial["detained"] == 3


def test_a_result_entry_with_nothing_changed_meanwhile_saves(world, client) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world)
    url = reverse("case_result", args=[case.pk])
    client.force_login(world.users["police_cg"])
    page = client.get(url)

    response = client.post(url, as_shown(page, detained="2", note="抓获两名"))

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).detained == 2


def test_a_refused_case_form_keeps_the_typed_loss_and_times(world, client) -> None:  # type: ignore[no-untyped-def]
    """The 损失金额 typed is shown again as typed (yuan): it was the stored one, its token name
    (loss_fen) not the form's (loss)."""
    case = make_case(world)
    url = reverse("case_edit", args=[case.pk])
    client.force_login(world.users["police_cg"])
    page = client.get(url)
    Case.objects.filter(pk=case.pk).update(fraud_type="fake_loan")

    typed = {"loss": "1234.50", "occurred_at": "2026-11-20T08:30", "summary": "补充"}
    refused = client.post(url, as_shown(page, **typed))

    form = refused.context["form"]
    assert refused.status_code == 200 and "诈骗类型" in _errors(refused)
    assert {name: form[name].value() for name in typed} == typed
    assert form.initial["fraud_type"] == "fake_loan"
    response = client.post(url, as_shown(refused))
    assert response.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert (stored.fraud_type, stored.loss_fen, stored.summary) == ("fake_loan", 123_450, "补充")


def test_a_refused_result_form_keeps_the_typed_note(world, client) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world)
    url = reverse("case_result", args=[case.pk])
    client.force_login(world.users["police_cg"])
    page = client.get(url)
    Case.objects.filter(pk=case.pk).update(detained=3)

    refused = client.post(url, as_shown(page, detained="1", note="抓获一名取款人"))

    form = refused.context["form"]
    assert "抓获嫌疑人" in _errors(refused) and "战果说明" not in _errors(refused)
    assert form["note"].value() == "抓获一名取款人" and form["detained"].value() == 3


def test_a_case_form_posted_twice_is_saved_not_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    """保存 clicked twice: the second post finds what the first stored, and is no lost update."""
    case = make_case(world)
    url = reverse("case_edit", args=[case.pk])
    client.force_login(world.users["police_cg"])
    page = client.get(url)
    typed = {"loss": "1234.50", "occurred_at": "2026-11-20T08:30", "summary": "补充"}
    data = as_shown(page, fraud_type="fake_loan", **typed)

    first, second = client.post(url, data), client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)
    stored = Case.objects.get(pk=case.pk)
    assert stored.loss_fen == 123_450
    # The second post changed nothing: one 修改案件信息 line and one audit record, not two.
    assert stored.events.filter(kind=EventKind.EDITED).count() == 1
    assert AuditEvent.objects.filter(action="case.update", object_id=str(case.pk)).count() == 1


def test_a_result_form_posted_twice_is_saved_not_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world)
    url = reverse("case_result", args=[case.pk])
    client.force_login(world.users["police_cg"])
    page = client.get(url)
    data = as_shown(page, detained="2", note="抓获两名")

    first, second = client.post(url, data), client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)
