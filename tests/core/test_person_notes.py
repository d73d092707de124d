"""A person's 备注 is free text: numbers and ids in it are masked as it is saved and where it is shown
(the person page, the edit form), as a warning's notes are."""

from __future__ import annotations

from django.urls import reverse

from fanzha.core.models import Person
from fanzha.core.services import persons as person_services
from tests.personas import login

NOTE = "女儿手机13812345678，微信号 zhangsan_88，护照E12345678"
MASKED = "女儿手机138****5678，微信号 zh*******88，护照E1*****78"


def test_a_note_is_masked_as_it_is_saved(world) -> None:  # type: ignore[no-untyped-def]
    person = person_services.person_create(
        actor=world.users["grid_cd"],
        data=person_services.PersonData(name="陈晓", area=world.area("城东社区"), notes=NOTE),
    )

    person.refresh_from_db()
    assert person.notes == MASKED


def test_the_person_page_and_form_mask_a_note_kept_in_clear(world, client) -> None:  # type: ignore[no-untyped-def]
    person = world.people["chengdong"]
    Person.objects.filter(pk=person.pk).update(notes=NOTE)  # saved before notes were masked
    login(client, world.users["grid_cd"])

    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    form = client.get(reverse("person_edit", args=[person.pk])).content.decode()

    for html in (page, form):
        assert MASKED in html
        for clear in ("13812345678", "zhangsan_88", "E12345678"):
            assert clear not in html
