"""A session of a deactivated account or unit is gone for good: reactivating the account (or the unit)
does not bring back a session left open on a lost phone."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from fanzha.core.services import organisations as org_services
from tests.personas import PASSWORD
from tests.security.helpers import logged_in_user_id, post_login


def _open_session(who: str) -> Client:
    phone = Client()
    assert post_login(phone, who, PASSWORD, ip="10.0.0.7").status_code == 302
    return phone


def test_it_deletes_the_sessions_open_before_the_deactivation_when_the_user_is_reactivated(world) -> None:
    admin, target = world.users["admin"], world.users["police_cg"]
    phone, desk = _open_session("police_cg"), _open_session("police_cg")
    others = _open_session("police_lq")
    org_services.user_deactivate(actor=admin, user=target)
    org_services.user_reactivate(actor=admin, user=target)
    assert not Session.objects.filter(session_key=phone.session.session_key).exists()
    assert not Session.objects.filter(session_key=desk.session.session_key).exists()
    assert logged_in_user_id(others) == str(world.users["police_lq"].pk)  # other users keep theirs


def test_it_does_not_revive_a_session_when_the_user_is_reactivated(world) -> None:
    admin, target = world.users["admin"], world.users["police_cg"]
    phone = _open_session("police_cg")
    org_services.user_deactivate(actor=admin, user=target)
    org_services.user_reactivate(actor=admin, user=target)
    response = phone.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_does_not_revive_a_session_when_the_unit_is_reactivated(world) -> None:
    admin, unit = world.users["admin"], world.orgs["城关派出所"]
    phone = _open_session("police_cg")
    org_services.organisation_update(actor=admin, organisation=unit, is_active=False)
    org_services.organisation_update(actor=admin, organisation=unit, is_active=True)
    response = phone.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
