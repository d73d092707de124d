"""Edit forms opened before someone else changed the record (an import, another analyst) refuse the
save, naming what changed; they wrote the values they were opened with back over the change before."""

from __future__ import annotations

from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fanzha.core.models import Organisation, Person, User
from fanzha.core.services import organisations as org_services
from fanzha.core.services.persons import PersonData, person_update
from fanzha.core.views.edit_conflicts import TOKEN_FIELD
from tests.edit_forms import as_shown

IMPORTED_PHONE = "13905719876"


def _login(client, world, username):  # type: ignore[no-untyped-def]
    client.force_login(world.users[username])
    return client


def _import_fills(world, person: Person) -> None:  # type: ignore[no-untyped-def]
    """What a list import does to a known person: fills their phone and adds a key group."""
    current = Person.objects.get(pk=person.pk)
    data = PersonData(
        name=current.name,
        area=current.area,
        id_number=current.id_number,
        phone=IMPORTED_PHONE,
        address=current.address,
        key_groups=[*current.key_groups, "former_victim"],
        notes=current.notes,
    )
    person_update(actor=world.users["analyst"], person=current, data=data)


def _errors(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.context["form"].non_field_errors())


# --- 人员 -----------------------------------------------------------------------------------------


def test_a_person_form_opened_before_an_import_is_refused_and_keeps_the_import(world, client) -> None:  # type: ignore[no-untyped-def]
    """Before: the form's old 重点人群 were written back over the import's (302, "已保存")."""
    person = world.people["chengdong"]
    url = reverse("person_edit", args=[person.pk])
    page = _login(client, world, "grid_cd").get(url)
    _import_fills(world, person)

    response = client.post(url, as_shown(page, notes="已上门宣传"))

    assert response.status_code == 400
    stored = Person.objects.get(pk=person.pk)
    assert "former_victim" in stored.key_groups and stored.phone == IMPORTED_PHONE
    assert stored.notes != "已上门宣传"  # nothing of the stale form was written
    message = _errors(response)
    assert "重点人群" in message and "未保存" in message
    assert "手机号" not in message  # left blank: it keeps the imported number, nothing lost
    assert IMPORTED_PHONE not in response.content.decode()
    assert response.context["form"].initial["key_groups"] == stored.key_groups  # shown as stored now


def test_the_person_form_shown_again_saves_on_the_current_values(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    url = reverse("person_edit", args=[person.pk])
    page = _login(client, world, "grid_cd").get(url)
    _import_fills(world, person)
    refused = client.post(url, as_shown(page, notes="已上门宣传"))
    assert refused.context["form"].initial["notes"] == "已上门宣传"  # what was typed is not lost

    response = client.post(url, as_shown(refused))

    assert response.status_code == 302
    stored = Person.objects.get(pk=person.pk)
    assert stored.notes == "已上门宣传" and "former_victim" in stored.key_groups
    assert stored.phone == IMPORTED_PHONE


def test_a_person_edit_with_nothing_changed_meanwhile_saves(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    url = reverse("person_edit", args=[person.pk])
    page = _login(client, world, "grid_cd").get(url)

    response = client.post(url, as_shown(page, notes="已上门宣传", phone="13905710555"))

    assert response.status_code == 302
    stored = Person.objects.get(pk=person.pk)
    assert (stored.notes, stored.phone) == ("已上门宣传", "13905710555")


def test_a_refused_person_form_keeps_the_typed_key_groups_and_area(world, client) -> None:  # type: ignore[no-untyped-def]
    """A multiple choice (重点人群) and a model choice (所属区划) typed into fields nobody changed are
    shown again as chosen; the phone changed meanwhile is shown as stored now (masked)."""
    person = world.people["chengdong"]
    url = reverse("person_edit", args=[person.pk])
    page = _login(client, world, "grid_cd").get(url)
    Person.objects.filter(pk=person.pk).update(notes="已核实")
    area = world.area("城东社区")

    refused = client.post(url, as_shown(page, key_groups=["elderly", "student"], area=area.pk))

    assert refused.status_code == 400 and "备注" in _errors(refused)
    form = refused.context["form"]
    assert form["key_groups"].value() == ["elderly", "student"]
    assert str(form["area"].value()) == str(area.pk)
    response = client.post(url, as_shown(refused))
    assert response.status_code == 302
    stored = Person.objects.get(pk=person.pk)
    assert (sorted(stored.key_groups), stored.area_id) == (["elderly", "student"], area.pk)
    assert stored.notes == "已核实"


def test_a_refused_organisation_form_keeps_the_typed_jurisdiction(world, client) -> None:  # type: ignore[no-untyped-def]
    station = world.orgs["城关派出所"]
    url = reverse("organisation_edit", args=[station.pk])
    page = _login(client, world, "admin").get(url)
    Organisation.objects.filter(pk=station.pk).update(contact_phone="0571-1110")
    covered = [world.area("城关镇").pk, world.area("龙泉乡").pk]

    refused = client.post(url, as_shown(page, covered_areas=covered))

    assert refused.status_code == 400 and "值班电话" in _errors(refused)
    assert sorted(int(pk) for pk in refused.context["form"]["covered_areas"].value()) == sorted(covered)
    response = client.post(url, as_shown(refused))
    assert response.status_code == 302
    stored = Organisation.objects.get(pk=station.pk)
    assert stored.contact_phone == "0571-1110"
    assert sorted(stored.covered_areas.values_list("pk", flat=True)) == sorted(covered)


def test_a_person_form_posted_twice_is_saved_not_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    """保存 clicked twice: the second post carries the token the first was opened with, and the record
    now holds what the first stored — nothing of anyone's is lost. Before: refused (400), its message
    saying the edit was not saved, over the save just made."""
    person = world.people["chengdong"]
    url = reverse("person_edit", args=[person.pk])
    page = _login(client, world, "grid_cd").get(url)
    data = as_shown(page, notes="已上门宣传", key_groups=["elderly"], area=world.area("城东社区").pk)

    first, second = client.post(url, data), client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert Person.objects.get(pk=person.pk).notes == "已上门宣传"


def test_a_masked_field_left_blank_keeps_a_phone_changed_meanwhile_and_saves(world, client) -> None:  # type: ignore[no-untyped-def]
    """手机号 left blank (留空表示不修改) writes nothing over the number an import stored meanwhile: the
    note typed is saved and the new number kept. Before: refused, naming 手机号."""
    person = world.people["chengdong"]
    url = reverse("person_edit", args=[person.pk])
    page = _login(client, world, "grid_cd").get(url)
    Person.objects.filter(pk=person.pk).update(phone=IMPORTED_PHONE)

    response = client.post(url, as_shown(page, notes="已上门宣传"))

    assert response.status_code == 302
    stored = Person.objects.get(pk=person.pk)
    assert (stored.notes, stored.phone) == ("已上门宣传", IMPORTED_PHONE)


def test_a_typed_phone_over_a_phone_changed_meanwhile_is_still_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    url = reverse("person_edit", args=[person.pk])
    page = _login(client, world, "grid_cd").get(url)
    Person.objects.filter(pk=person.pk).update(phone=IMPORTED_PHONE)

    response = client.post(url, as_shown(page, phone="13905710555"))

    assert response.status_code == 400 and "手机号（现为 139****9876）" in _errors(response)
    assert IMPORTED_PHONE not in response.content.decode()  # named masked, never in clear
    assert Person.objects.get(pk=person.pk).phone == IMPORTED_PHONE


def test_a_user_form_posted_twice_is_saved_not_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    grid_sq = world.users["grid_sq"]
    url = reverse("user_edit", args=[grid_sq.pk])
    page = _login(client, world, "admin").get(url)
    data = as_shown(page, display_name="张丽", work_phone="13905715678")

    first, second = client.post(url, data), client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)
    stored = User.objects.get(pk=grid_sq.pk)
    assert (stored.display_name, stored.work_phone) == ("张丽", "13905715678")


def test_a_roles_form_posted_twice_is_saved_not_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    grid_sq = world.users["grid_sq"]
    url = reverse("user_edit_roles", args=[grid_sq.pk])
    page = _login(client, world, "admin").get(url)
    data = as_shown(page, roles=[*page.context["form"].initial["roles"], "unit_leader"])

    first, second = client.post(url, data), client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)


def test_an_organisation_form_posted_twice_is_saved_not_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    station = world.orgs["城关派出所"]
    url = reverse("organisation_edit", args=[station.pk])
    page = _login(client, world, "admin").get(url)
    data = as_shown(page, code="X-17", covered_areas=[world.area("城关镇").pk, world.area("龙泉乡").pk])

    first, second = client.post(url, data), client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)


def test_a_form_opened_before_the_secret_key_was_rotated_saves(world, client, settings) -> None:  # type: ignore[no-untyped-def]
    """The old key kept in SECRET_KEY_FALLBACKS reads the token and its digests: the note typed on a
    page opened before the rotation is saved. Before: the token's signature was read with the old key
    but its digests compared under the new one only — refused, “备注已被修改”, though nobody had."""
    person = world.people["chengdong"]
    url = reverse("person_edit", args=[person.pk])
    page = _login(client, world, "grid_cd").get(url)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY

    response = client.post(url, as_shown(page, notes="已上门宣传"))

    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).notes == "已上门宣传"


def test_a_form_opened_before_the_key_rotated_still_refuses_a_change_made_meanwhile(
    world, client, settings
) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    url = reverse("person_edit", args=[person.pk])
    page = _login(client, world, "grid_cd").get(url)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    Person.objects.filter(pk=person.pk).update(notes="已核实")

    response = client.post(url, as_shown(page, notes="已上门宣传"))

    assert response.status_code == 400 and "备注" in _errors(response)
    assert Person.objects.get(pk=person.pk).notes == "已核实"


def test_the_token_holds_no_personal_data(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    page = _login(client, world, "grid_cd").get(reverse("person_edit", args=[person.pk]))
    token = page.context["form"].initial[TOKEN_FIELD]
    opened = signing.loads(token, salt="fanzha.edit_conflicts")
    assert sorted(opened) == sorted(["name", "id_number", "phone", "address", "area", "key_groups", "notes"])
    text = token + " ".join(opened.values())
    for value in (person.name, person.id_number, person.phone, person.address):
        assert value not in text
    assert page.wsgi_request.get_full_path() == reverse("person_edit", args=[person.pk])


def test_an_altered_token_is_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    url = reverse("person_edit", args=[person.pk])
    page = _login(client, world, "grid_cd").get(url)
    data = as_shown(page, notes="已上门宣传")
    data[TOKEN_FIELD] = data[TOKEN_FIELD][:-2] + "xx"

    response = client.post(url, data)

    assert response.status_code == 400
    assert Person.objects.get(pk=person.pk).notes != "已上门宣传"


# --- 单位 -----------------------------------------------------------------------------------------


def test_an_organisation_form_opened_before_another_change_is_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    """Before: the stale form put the old 值班电话 back (302)."""
    station = world.orgs["城关派出所"]
    url = reverse("organisation_edit", args=[station.pk])
    page = _login(client, world, "admin").get(url)
    org_services.organisation_update(
        actor=world.users["admin"],
        organisation=Organisation.objects.get(pk=station.pk),
        contact_phone="0571-1110",
    )

    response = client.post(url, as_shown(page, code="X-17"))

    assert response.status_code == 400
    stored = Organisation.objects.get(pk=station.pk)
    assert (stored.contact_phone, stored.code) == ("0571-1110", station.code)
    assert "值班电话" in _errors(response)
    assert response.context["form"].initial["contact_phone"] == "0571-1110"


def test_an_organisation_form_opened_before_a_jurisdiction_change_is_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    station = world.orgs["城关派出所"]
    url = reverse("organisation_edit", args=[station.pk])
    page = _login(client, world, "admin").get(url)
    covered = [world.area("城关镇"), world.area("龙泉乡")]
    org_services.organisation_update(
        actor=world.users["admin"],
        organisation=Organisation.objects.get(pk=station.pk),
        covered_areas=covered,
    )

    response = client.post(url, as_shown(page, name="城关派出所（新）"))

    assert response.status_code == 400 and "管辖区划" in _errors(response)
    stored = Organisation.objects.get(pk=station.pk)
    assert stored.name == station.name and {a.pk for a in stored.covered_areas.all()} == {
        a.pk for a in covered
    }


def test_an_organisation_edit_with_nothing_changed_meanwhile_saves(world, client) -> None:  # type: ignore[no-untyped-def]
    station = world.orgs["城关派出所"]
    url = reverse("organisation_edit", args=[station.pk])
    page = _login(client, world, "admin").get(url)

    response = client.post(url, as_shown(page, code="X-17"))

    assert response.status_code == 302
    assert Organisation.objects.get(pk=station.pk).code == "X-17"


# --- 用户 -----------------------------------------------------------------------------------------


def test_a_user_form_opened_before_another_change_is_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    """Before: the stale form wrote the old 姓名 back over the other administrator's (302)."""
    grid_sq = world.users["grid_sq"]
    url = reverse("user_edit", args=[grid_sq.pk])
    page = _login(client, world, "admin").get(url)
    org_services.user_update(
        actor=world.users["admin"],
        user=User.objects.get(pk=grid_sq.pk),
        display_name="张丽华",
        work_phone="13905715678",
    )

    shown = page.context["form"].initial["display_name"]
    response = client.post(url, as_shown(page, display_name=shown, work_phone="13905710000"))

    assert response.status_code == 400
    stored = User.objects.get(pk=grid_sq.pk)
    assert (stored.display_name, stored.work_phone) == ("张丽华", "13905715678")
    message = _errors(response)
    assert "姓名" in message and "工作电话（现为 139****5678）" in message
    assert "13905715678" not in response.content.decode()


def test_a_refused_user_form_keeps_the_typed_name_not_the_removal_of_a_changed_phone(world, client) -> None:  # type: ignore[no-untyped-def]
    """姓名 typed anew is shown again; 删除工作电话 was ticked against the phone as it was then, and the
    phone changed meanwhile: the box starts unticked, so a second save cannot remove the new number."""
    grid_sq = world.users["grid_sq"]
    url = reverse("user_edit", args=[grid_sq.pk])
    page = _login(client, world, "admin").get(url)
    org_services.user_update(
        actor=world.users["admin"], user=User.objects.get(pk=grid_sq.pk), work_phone="13905715678"
    )

    refused = client.post(url, as_shown(page, display_name="李网格", clear_work_phone="on"))

    assert refused.status_code == 400
    form = refused.context["form"]
    assert form.initial["display_name"] == "李网格" and not form.initial.get("clear_work_phone")
    response = client.post(url, as_shown(refused))
    assert response.status_code == 302
    stored = User.objects.get(pk=grid_sq.pk)
    assert (stored.display_name, stored.work_phone) == ("李网格", "13905715678")


def test_a_user_edit_with_nothing_changed_meanwhile_saves(world, client) -> None:  # type: ignore[no-untyped-def]
    grid_sq = world.users["grid_sq"]
    url = reverse("user_edit", args=[grid_sq.pk])
    page = _login(client, world, "admin").get(url)

    response = client.post(url, as_shown(page, display_name="张丽"))

    assert response.status_code == 302
    assert User.objects.get(pk=grid_sq.pk).display_name == "张丽"


def test_a_roles_form_opened_before_another_change_is_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    """Before: the stale form's roles replaced those another administrator had just given (302)."""
    grid_sq = world.users["grid_sq"]
    url = reverse("user_edit_roles", args=[grid_sq.pk])
    page = _login(client, world, "admin").get(url)
    before = sorted(page.context["form"].initial["roles"])
    org_services.user_set_roles(
        actor=world.users["admin"], user=User.objects.get(pk=grid_sq.pk), roles=[*before, "unit_leader"]
    )

    response = client.post(url, as_shown(page))

    assert response.status_code == 400 and "角色" in _errors(response)
    assert "unit_leader" in User.objects.get(pk=grid_sq.pk).role_codes


def test_a_roles_edit_with_nothing_changed_meanwhile_saves(world, client) -> None:  # type: ignore[no-untyped-def]
    grid_sq = world.users["grid_sq"]
    url = reverse("user_edit_roles", args=[grid_sq.pk])
    page = _login(client, world, "admin").get(url)
    roles = [*page.context["form"].initial["roles"], "unit_leader"]

    response = client.post(url, as_shown(page, roles=roles))

    assert response.status_code == 302
    assert "unit_leader" in User.objects.get(pk=grid_sq.pk).role_codes


def test_a_refused_organisation_save_reads_the_stored_jurisdiction_no_more_than_needed(world, client) -> None:  # type: ignore[no-untyped-def]
    """The refused save reads the edit token's 管辖区划 (``_stored``, the one of its values that costs a
    query) three times: the posted form's token, the check under the lock, the token of the form shown
    again. Before: four — the fields shown again as typed were named by reading the stored values once
    more, after the check had read them."""
    station = world.orgs["城关派出所"]
    url = reverse("organisation_edit", args=[station.pk])
    page = _login(client, world, "admin").get(url)
    Organisation.objects.filter(pk=station.pk).update(contact_phone="0571-1110")

    with CaptureQueriesContext(connection) as queries:
        refused = client.post(url, as_shown(page, code="X-17"))

    assert refused.status_code == 400 and "值班电话" in _errors(refused)
    assert refused.context["form"]["code"].value() == "X-17"  # kept as typed, as before
    token_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "core_area"."id" AS "pk" FROM') and "covered_areas" in q["sql"]
    ]
    assert len(token_reads) == 3, token_reads
