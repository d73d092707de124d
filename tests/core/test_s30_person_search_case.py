"""Searching people by name on the people page (人员): a Latin name in other letter case finds the person
(the name search hash folds case), and each search is recorded in the audit log — the field searched and
how many were found, never the value typed. Before, a search by name, ID number or phone left no record."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Person


def _registered(client: Any, world: Any) -> Person:
    client.force_login(world.users["grid_cd"])
    answer = client.post(
        reverse("person_create"),
        {
            "name": "JOHN SMITH",
            "phone": "13905719901",
            "address": "城东社区5号",
            "area": world.area("城东社区").pk,
        },
    )
    assert answer.status_code == 302, answer.content.decode()
    return Person.objects.get(pk=answer["Location"].strip("/").split("/")[-1])


def _searched(client: Any, kind: str, value: str) -> list[Person]:
    answer = client.post(reverse("person_list"), {"kind": kind, "q": value})
    assert answer.status_code == 200
    assert value not in answer.request.get("QUERY_STRING", "")
    return list(answer.context["page"])


def test_a_latin_name_in_lower_case_finds_the_person_written_in_capitals(world, client) -> None:  # type: ignore[no-untyped-def]
    person = _registered(client, world)
    assert _searched(client, "name", "john smith") == [person]
    assert _searched(client, "name", "John  Smith") == [person]


def test_each_search_is_audited_without_the_value(world, client) -> None:  # type: ignore[no-untyped-def]
    _registered(client, world)
    _searched(client, "name", "john smith")
    _searched(client, "phone", "13900000000")  # nobody: recorded too
    events = list(AuditEvent.objects.filter(action="person.search").order_by("id"))
    assert [(e.actor_username, e.fields, e.details) for e in events] == [
        ("grid_cd", ["name"], {"kind": "name", "found": 1}),
        ("grid_cd", ["phone"], {"kind": "phone", "found": 0}),
    ]
    for event in events:
        text = f"{event.details} {event.object_label} {event.object_id}".lower()
        assert "smith" not in text and "13900000000" not in text


def test_paging_and_clearing_a_search_are_not_searches_again(world, client) -> None:  # type: ignore[no-untyped-def]
    _registered(client, world)
    _searched(client, "name", "john smith")
    client.get(reverse("person_list"), {"search": "1", "page": "1"})
    client.post(reverse("person_list"), {"kind": "name", "q": ""})  # an empty box clears the search
    assert AuditEvent.objects.filter(action="person.search").count() == 1
