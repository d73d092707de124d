"""A person is not put in a retired (撤并) area; one already there keeps it until moved (s20)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from fanzha.core.models import Area
from fanzha.core.services import persons as svc
from tests.core.test_person_services import data


def _retire(area: Area) -> Area:
    Area.objects.filter(pk=area.pk).update(is_active=False)
    area.refresh_from_db()
    return area


def test_a_new_person_is_refused_in_a_retired_village(world) -> None:  # type: ignore[no-untyped-def]
    village = _retire(world.area("城东社区"))
    with pytest.raises(ValidationError, match="已撤销"):
        svc.person_create(actor=world.users["analyst"], data=data(world, area=village))


def test_a_person_in_a_retired_village_is_edited_there_and_may_not_be_moved_into_one(world) -> None:  # type: ignore[no-untyped-def]
    person = svc.person_create(actor=world.users["analyst"], data=data(world))
    village = _retire(world.area("城东社区"))
    changed = svc.person_update(
        actor=world.users["analyst"], person=person, data=data(world, area=village, notes="已回访")
    )
    assert changed == ["notes"]
    moved = svc.person_update(
        actor=world.users["analyst"],
        person=person,
        data=data(world, area=world.area("城西社区"), notes="已回访"),
    )
    assert moved == ["area"]
    with pytest.raises(ValidationError, match="已撤销"):
        svc.person_update(actor=world.users["analyst"], person=person, data=data(world, area=village))


def test_the_person_form_offers_villages_in_force_and_the_persons_own(world, client) -> None:  # type: ignore[no-untyped-def]
    person = svc.person_create(actor=world.users["analyst"], data=data(world))
    village = _retire(world.area("城东社区"))
    other = _retire(world.area("城西社区"))
    client.force_login(world.users["analyst"])
    new_form = client.get("/people/new/").content.decode()
    assert f'value="{village.pk}"' not in new_form and f'value="{other.pk}"' not in new_form
    edit_form = client.get(f"/people/{person.pk}/edit/").content.decode()
    assert f'value="{village.pk}"' in edit_form and f'value="{other.pk}"' not in edit_form
