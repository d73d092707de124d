"""The audited reveal of a warning's phone and address: on 人工定位 (the centre's queue: the address is
what places it) and on the warning page (the phone, a ``tel:`` link once revealed, to call from a phone)."""

from __future__ import annotations

from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.warnings.models import Warning
from tests.personas import login
from tests.warnings.helpers import make_warning

QUEUED_ADDRESS = "青溪县某某新村7号"


def _queued() -> Warning:
    """A warning no village could be found for: it waits in the centre's queue."""
    warning = make_warning(1, address=QUEUED_ADDRESS, phone="")
    assert warning.needs_placement
    return warning


def _reveal(client, warning: Warning, field: str, purpose: str = "verify"):  # type: ignore[no-untyped-def]
    data = {"field": field, "purpose": purpose} if purpose else {"field": field}
    return client.post(reverse("warning_reveal", args=[warning.pk]), data)


def _reads() -> int:
    return AuditEvent.objects.filter(action="pii.read").count()


def test_the_placement_page_reveals_the_warnings_address_audited(world, client) -> None:  # type: ignore[no-untyped-def]
    """人工定位 showed the warning's address masked only (青溪县****): the analyst had to open the person
    page and reveal it there to know where to place the warning."""
    warning = _queued()
    login(client, world.users["analyst"])
    page = client.get(reverse("warning_place", args=[warning.pk])).content.decode()
    assert "青溪县****" in page and QUEUED_ADDRESS not in page
    assert 'data-testid="reveal-address"' in page and 'data-testid="reveal-purpose"' in page
    response = _reveal(client, warning, "address")
    assert response.status_code == 200 and QUEUED_ADDRESS in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.filter(action="pii.read").latest("id")
    read = (event.actor_username, event.object_type, event.object_id)
    assert read == ("analyst", "warnings.warning", str(warning.pk))
    assert event.fields == ["address"] and event.details == {"purpose": "verify", "warning_id": warning.pk}
    assert QUEUED_ADDRESS not in str(event.details) + event.object_label


def test_a_warning_without_an_address_of_its_own_reveals_the_persons(world, client) -> None:  # type: ignore[no-untyped-def]
    """The page masks the person's address when the report had none: the reveal shows and audits that one."""
    warning = make_warning(2)
    Warning.objects.filter(pk=warning.pk).update(address="")
    person = warning.person
    person.address = "青溪县城关镇城东社区幸福路9号"
    person.save(update_fields=["address"])
    login(client, world.users["leader"])
    response = _reveal(client, warning, "address", "visit")
    assert "幸福路9号" in response.content.decode()
    event = AuditEvent.objects.filter(action="pii.read").latest("id")
    assert (event.object_type, event.object_id, event.fields) == ("core.person", str(person.pk), ["address"])
    assert event.details["warning_id"] == warning.pk


def test_it_reveals_nothing_without_a_purpose(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = _queued()
    login(client, world.users["analyst"])
    before = _reads()
    response = _reveal(client, warning, "address", purpose="")
    assert response.status_code == 400
    assert QUEUED_ADDRESS not in response.content.decode() and "查看原因" in response.content.decode()
    assert _reads() == before


def test_only_a_user_who_may_reveal_can(world, client) -> None:  # type: ignore[no-untyped-def]
    """The unit head (单位负责人) places and dispatches, but reveals nothing: no button, and a 403."""
    warning = make_warning(3)  # 城东社区: in 城关派出所's jurisdiction
    login(client, world.users["head_cg"])
    page = client.get(reverse("warning_place", args=[warning.pk])).content.decode()
    assert "reveal-address" not in page and "reveal-purpose" not in page
    assert "reveal-phone" not in client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    before = _reads()
    assert _reveal(client, warning, "address").status_code == 403
    assert _reveal(client, warning, "phone").status_code == 403
    assert _reads() == before


def test_a_warning_outside_the_jurisdiction_is_not_found(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(4)  # 城东社区: not 石桥村's
    login(client, world.users["grid_sq"])
    before = _reads()
    assert _reveal(client, warning, "phone").status_code == 404
    assert _reads() == before


def test_only_the_phone_and_the_address_are_revealed_here(world, client) -> None:  # type: ignore[no-untyped-def]
    warning = make_warning(5)
    login(client, world.users["grid_cd"])
    before = _reads()
    for field in ("id_number", "name", "notes", ""):
        assert _reveal(client, warning, field).status_code == 400
    assert _reads() == before


def test_a_revealed_phone_is_a_link_to_call(world, client) -> None:  # type: ignore[no-untyped-def]
    """On a phone the worker wants to tap the number to call it: revealed, it is a ``tel:`` link; masked,
    it is no link (there is nothing to dial)."""
    warning = make_warning(6)
    phone = warning.person.phone
    login(client, world.users["grid_cd"])
    page = client.get(reverse("warning_detail", args=[warning.pk])).content.decode()
    assert 'data-testid="reveal-phone"' in page and "tel:" not in page and phone not in page
    response = _reveal(client, warning, "phone", "contact")
    assert f'href="tel:{phone}"' in response.content.decode()
    event = AuditEvent.objects.filter(action="pii.read").latest("id")
    assert (event.object_type, event.fields) == ("core.person", ["phone"])
    address = _reveal(client, warning, "address", "visit").content.decode()
    assert "tel:" not in address and "幸福路1号" in address


def test_a_number_that_is_no_phone_is_shown_not_linked(world, client) -> None:  # type: ignore[no-untyped-def]
    """A report's number kept to be corrected (待更正) is shown as written: a link would dial a wrong one."""
    warning = make_warning(7, phone="1390571000")  # ten digits
    assert warning.phone_raw and not warning.person.phone
    login(client, world.users["grid_cd"])
    response = _reveal(client, warning, "phone", "contact")
    assert "1390571000" in response.content.decode() and "tel:" not in response.content.decode()
    event = AuditEvent.objects.filter(action="pii.read").latest("id")
    assert (event.object_type, event.fields) == ("warnings.warning", ["phone_raw"])
