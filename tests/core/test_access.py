"""Jurisdiction: who sees which records, decided in fanzha.core.access."""

from __future__ import annotations

import pytest
from django.http import Http404

from fanzha.core import access
from fanzha.core.models import Person


def visible_names(world, username):  # type: ignore[no-untyped-def]
    return {p.pk for p in Person.objects.visible_to(world.users[username])}


def test_it_shows_the_centre_the_whole_county(world) -> None:  # type: ignore[no-untyped-def]
    everyone = {p.pk for p in world.people.values()}
    assert visible_names(world, "leader") == everyone
    assert visible_names(world, "analyst") == everyone


def test_it_limits_a_police_station_to_its_township(world) -> None:  # type: ignore[no-untyped-def]
    assert visible_names(world, "police_cg") == {world.people["chengdong"].pk}
    assert visible_names(world, "police_lq") == {world.people["shiqiao"].pk}


def test_it_limits_a_grid_worker_to_their_village(world) -> None:  # type: ignore[no-untyped-def]
    assert visible_names(world, "grid_cd") == {world.people["chengdong"].pk}
    assert visible_names(world, "grid_sq") == {world.people["shiqiao"].pk}


@pytest.mark.parametrize("username", ["bank", "telecom", "auditor", "admin"])
def test_it_shows_no_area_records_to_addressee_and_office_roles(world, username) -> None:  # type: ignore[no-untyped-def]
    assert visible_names(world, username) == set()


def test_it_answers_out_of_scope_like_missing(world) -> None:  # type: ignore[no-untyped-def]
    grid = world.users["grid_cd"]
    with pytest.raises(Http404) as other:
        access.get_visible_or_404(Person.objects.all(), grid, pk=world.people["shiqiao"].pk)
    with pytest.raises(Http404) as missing:
        access.get_visible_or_404(Person.objects.all(), grid, pk=999_999)
    assert str(other.value) == str(missing.value)


def test_it_uses_covered_areas_when_an_organisation_lists_them(world) -> None:  # type: ignore[no-untyped-def]
    station = world.orgs["城关派出所"]
    station.covered_areas.set([world.area("龙泉乡")])
    officer = type(world.users["police_cg"]).objects.get(username="police_cg")
    assert {p.pk for p in Person.objects.visible_to(officer)} == {world.people["shiqiao"].pk}


def test_it_sees_nothing_for_an_inactive_user(world) -> None:  # type: ignore[no-untyped-def]
    user = world.users["leader"]
    user.is_active = False
    assert not access.user_can(user, "person.view")
    assert access.jurisdiction_paths(user) == []


def test_it_sees_nothing_for_an_inactive_organisation(world) -> None:  # type: ignore[no-untyped-def]
    org = world.orgs["城东社区居委会"]
    org.is_active = False
    org.save()
    user = type(world.users["grid_cd"]).objects.get(username="grid_cd")
    assert list(Person.objects.visible_to(user)) == []
