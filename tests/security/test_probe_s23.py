"""Probe round s23: personal numbers typed into a case's free text, and accounts that lose their access.

An officer writes what the victim said (案情), why a stop-payment is asked (事由), why a status
changed: the ID number and phone in it are masked like the warnings' notes (``scrub_text``) on the
case page and on the request the bank receives.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from fanzha.cases import measures, services
from fanzha.core.services import organisations as org_services
from tests.cases import helpers
from tests.personas import PASSWORD, World, id_number
from tests.security.helpers import logged_in_user_id, post_login

ID_NUMBER = id_number("331102", "19500312", "077")
PHONE = "13812345678"
CARD = "6222021001122334458"  # Luhn-valid (a card number scrub_text masks)
SAID = f"受害人身份证{ID_NUMBER}，电话{PHONE}，卡号{CARD}"


def _shown(page: bytes) -> list[str]:
    text = page.decode()
    return [value for value in (ID_NUMBER, PHONE, CARD) if value in text]


def _case_with_free_text(world: World):  # type: ignore[no-untyped-def]
    officer = world.users["police_cg"]
    case = helpers.make_case(world)
    data = services.CaseData(
        area=case.area,
        reported_at=case.reported_at,
        fraud_type=case.fraud_type,
        contact_method=case.contact_method,
        occurred_at=case.occurred_at,
        summary=SAID,
        loss_fen=case.loss_fen,
    )
    services.case_update(actor=officer, case=case, data=data)
    payment = helpers.add_payment(case, officer)
    target = measures.target_of_payment(payment)
    measure = measures.measure_send(actor=officer, case=case, target=target, reason=SAID)
    services.case_status_change(actor=officer, case=case, to="accepted", note=SAID)
    services.suspect_add(actor=officer, case=case, kind="phone", value="13700001111", note=SAID)
    services.result_record(actor=officer, case=case, detained=1, note=SAID)
    return case, measure


def test_a_case_page_masks_personal_numbers_typed_into_free_text(world: World, client) -> None:  # type: ignore[no-untyped-def]
    case, _ = _case_with_free_text(world)
    client.force_login(world.users["police_cg"])
    assert _shown(client.get(reverse("case_detail", args=[case.pk])).content) == []
    assert _shown(client.get(reverse("case_edit", args=[case.pk])).content) == []


def test_the_bank_receives_a_request_whose_reason_shows_no_personal_numbers(world: World, client) -> None:  # type: ignore[no-untyped-def]
    _, measure = _case_with_free_text(world)
    client.force_login(world.users["bank"])
    assert _shown(client.get(reverse("case_bank_measure", args=[measure.pk])).content) == []


def test_a_bank_answer_note_shows_no_personal_numbers_to_the_officer(world: World, client) -> None:  # type: ignore[no-untyped-def]
    case, measure = _case_with_free_text(world)
    data = measures.AnswerData(
        answer="stopped", effective_fen=100_000, note=SAID[:200], executed_at=timezone.now()
    )
    measures.measure_answer(actor=world.users["bank"], measure=measure, data=data)
    client.force_login(world.users["police_cg"])
    assert _shown(client.get(reverse("case_detail", args=[case.pk])).content) == []


# ── accounts that lose their access ──────────────────────────────────────────


def _logged_in(client, world: World, username: str):  # type: ignore[no-untyped-def]
    """A real password login (a session as a browser holds it), not force_login."""
    user = world.users[username]
    assert post_login(client, user.username, PASSWORD).status_code == 302
    assert logged_in_user_id(client) == str(user.pk)
    return user


def test_a_deactivated_users_open_session_reaches_nothing(world: World, client) -> None:  # type: ignore[no-untyped-def]
    user = _logged_in(client, world, "police_cg")
    assert client.get(reverse("case_list")).status_code == 200
    org_services.user_deactivate(actor=world.users["admin"], user=user)
    assert client.get(reverse("case_list")).status_code == 302
    assert client.get(reverse("api:list_warnings")).status_code == 401
    assert client.get(reverse("api:get_person", args=[world.people["chengdong"].pk])).status_code == 401


def test_a_user_whose_role_is_removed_loses_its_pages_at_the_next_request(world: World, client) -> None:  # type: ignore[no-untyped-def]
    user = _logged_in(client, world, "police_cg")
    person = world.people["chengdong"]
    assert client.get(reverse("person_detail", args=[person.pk])).status_code == 200
    org_services.user_set_roles(actor=world.users["admin"], user=user, roles=["grid_worker"])
    assert client.get(reverse("case_list")).status_code == 403
    assert client.get(reverse("api:list_warnings")).status_code == 200  # a grid worker's: in scope


def test_an_attachments_title_shows_no_personal_numbers(world: World, client) -> None:  # type: ignore[no-untyped-def]
    officer = world.users["police_cg"]
    case = helpers.make_case(world)
    services.attachment_add(
        actor=officer, case=case, title=f"{PHONE} 转账截图", data=b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    )
    client.force_login(officer)
    assert _shown(client.get(reverse("case_detail", args=[case.pk])).content) == []


def test_free_text_kept_before_it_was_masked_on_saving_is_masked_when_shown(world: World, client) -> None:  # type: ignore[no-untyped-def]
    """Rows written before the masking on saving (as an older version kept them) show masked too."""
    from fanzha.cases.models import Attachment, Case, CaseEvent, Measure, Suspect

    case, measure = _case_with_free_text(world)
    attachment = services.attachment_add(
        actor=world.users["police_cg"], case=case, title="截图", data=b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    )
    for model, field, pk in [
        (Case, "summary", case.pk),
        (Case, "results_note", case.pk),
        (Measure, "reason", measure.pk),
        (Attachment, "title", attachment.pk),
    ]:
        row = model.objects.get(pk=pk)
        setattr(row, field, SAID[:100])
        row.save(update_fields=[field])
    Suspect.objects.filter(case=case).update(note=SAID)
    CaseEvent.objects.filter(case=case).update(message=SAID)
    client.force_login(world.users["police_cg"])
    for name in ("case_detail", "case_edit", "case_result"):
        assert _shown(client.get(reverse(name, args=[case.pk])).content) == [], name
    client.force_login(world.users["bank"])
    assert _shown(client.get(reverse("case_bank_measure", args=[measure.pk])).content) == []
