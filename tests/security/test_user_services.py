"""The user services: only administrators manage users; each change is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanzha.core.services import organisations as user_services
from tests.security.helpers import events

TEMP = "Linshi#2026pass"


@pytest.mark.parametrize("persona", ["leader", "police_cg", "auditor", "bank"])
def test_it_lets_only_administrators_manage_users(world, persona: str) -> None:
    actor, target = world.users[persona], world.users["grid_sq"]
    with pytest.raises(PermissionDenied):
        user_services.user_deactivate(actor=actor, user=target)
    with pytest.raises(PermissionDenied):
        user_services.user_reset_password(actor=actor, user=target, password=TEMP)
    with pytest.raises(PermissionDenied):
        user_services.user_unlock(actor=actor, user=target)
    target.refresh_from_db()
    assert target.is_active
    assert not events("user.deactivate") and not events("user.password_reset") and not events("user.unlock")


def test_it_reports_password_problems_on_the_password_field(world) -> None:
    with pytest.raises(ValidationError) as caught:
        user_services.user_reset_password(
            actor=world.users["admin"], user=world.users["grid_sq"], password="abc"
        )
    assert set(caught.value.message_dict) == {"password"}


def test_it_deactivates_once(world) -> None:
    admin, target = world.users["admin"], world.users["grid_sq"]
    user_services.user_deactivate(actor=admin, user=target)
    user_services.user_deactivate(actor=admin, user=target)
    assert len(events("user.deactivate")) == 1
