"""People pages: masked by default, edit without showing clear values, search by POST."""

from __future__ import annotations

from django.urls import reverse

from fanzha.audit.models import AuditEvent


def login(client, world, username):  # type: ignore[no-untyped-def]
    client.force_login(world.users[username])
    return client


def test_it_lists_people_masked(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    html = login(client, world, "grid_cd").get(reverse("person_list")).content.decode()
    assert "王*英" in html
    assert person.phone not in html and person.id_number not in html
    assert "139****0001" in html


def test_it_edits_without_printing_clear_values(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    html = login(client, world, "grid_cd").get(reverse("person_edit", args=[person.pk])).content.decode()
    for value in (person.name, person.id_number, person.phone, person.address):
        assert value not in html


def test_it_keeps_sensitive_values_left_blank_on_edit(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    response = login(client, world, "grid_cd").post(
        reverse("person_edit", args=[person.pk]),
        {
            "name": "",
            "id_number": "",
            "phone": "13905710555",
            "address": "",
            "area": person.area.pk,
            "key_groups": ["elderly_alone", "former_victim"],
            "notes": "已上门宣传",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.phone) == ("王秀英", "13905710555")
    assert person.key_groups == ["elderly_alone", "former_victim"]


def test_it_keeps_what_was_typed_when_input_is_bad(world, client) -> None:  # type: ignore[no-untyped-def]
    response = login(client, world, "grid_cd").post(
        reverse("person_create"),
        {
            "name": "陈晓",
            "id_number": "331199200805060241",
            "phone": "12345",
            "address": "城东社区",
            "area": world.area("城东社区").pk,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "陈晓" in html
    assert "invalid-feedback" in html


def test_it_searches_by_phone_through_post_only(world, client) -> None:  # type: ignore[no-untyped-def]
    response = login(client, world, "police_cg").post(
        reverse("person_list"), {"kind": "phone", "q": "139 0571 0001"}
    )
    html = response.content.decode()
    assert "王*英" in html
    assert "13905710001" not in response.request["PATH_INFO"] + response.request.get("QUERY_STRING", "")


def test_it_reveals_one_field_and_audits_it(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    response = login(client, world, "police_cg").post(
        reverse("person_reveal", args=[person.pk]), {"field": "id_number", "purpose": "contact"}
    )
    assert person.id_number in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.filter(action="pii.read").latest("id")
    assert (event.actor_username, event.fields) == ("police_cg", ["id_number"])


def test_it_exports_only_the_users_scope_masked(world, client) -> None:  # type: ignore[no-untyped-def]
    response = login(client, world, "police_cg").get(reverse("person_export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "王*英" in body and "李*国" not in body
    assert world.people["chengdong"].phone not in body
    assert AuditEvent.objects.filter(action="pii.export", actor_username="police_cg").exists()


def test_it_hides_other_villages_from_the_api(world, client) -> None:  # type: ignore[no-untyped-def]
    response = login(client, world, "grid_cd").get("/api/people")
    names = [row["name"] for row in response.json()]
    assert names == ["王*英"]
    other = world.people["shiqiao"].pk
    assert login(client, world, "grid_cd").get(f"/api/people/{other}").status_code == 404


def test_it_survives_a_value_shaped_like_ciphertext(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    forged = "v1:aes:" + "A" * 40
    login(client, world, "grid_cd").post(
        reverse("person_edit", args=[person.pk]),
        {"name": "", "id_number": "", "phone": "", "address": forged, "area": person.area.pk},
    )
    person.refresh_from_db()
    assert person.address == forged
    assert login(client, world, "leader").get(reverse("person_list")).status_code == 200


def test_it_keeps_a_search_across_pages_without_the_value_in_the_url(world, client) -> None:  # type: ignore[no-untyped-def]
    user = login(client, world, "leader")
    user.post(reverse("person_list"), {"kind": "name", "q": "李建国"})
    paged = user.get(reverse("person_list"), {"search": "1", "page": "1"}).content.decode()
    assert "李*国" in paged and "王*英" not in paged
    cleared = user.get(reverse("person_list")).content.decode()
    assert "李*国" in cleared and "王*英" in cleared
    assert "李建国" not in str(client.session.get("person_search"))


def test_it_reveals_nothing_without_a_purpose(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    before = AuditEvent.objects.filter(action="pii.read").count()
    response = login(client, world, "police_cg").post(
        reverse("person_reveal", args=[person.pk]), {"field": "id_number"}
    )
    assert response.status_code == 400
    assert person.id_number not in response.content.decode()
    assert "查看原因" in response.content.decode()
    assert AuditEvent.objects.filter(action="pii.read").count() == before


def test_a_revealed_phone_is_a_link_to_call(world, client) -> None:  # type: ignore[no-untyped-def]
    """On a phone the worker taps the revealed number to call it; a masked one, another field: no link."""
    person = world.people["chengdong"]
    user = login(client, world, "grid_cd")
    assert "tel:" not in user.get(reverse("person_detail", args=[person.pk])).content.decode()
    url = reverse("person_reveal", args=[person.pk])
    phone = user.post(url, {"field": "phone", "purpose": "contact"}).content.decode()
    link = f'<a class="text-danger" href="tel:{person.phone}" data-testid="revealed">{person.phone}</a>'
    assert link in phone
    id_number = user.post(url, {"field": "id_number", "purpose": "verify"}).content.decode()
    assert person.id_number in id_number and "tel:" not in id_number
