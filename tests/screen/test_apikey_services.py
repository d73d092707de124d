"""Issuing and revoking partner keys: audited, hash-only storage, permission, validation."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fanzha.audit.models import AuditEvent
from fanzha.screen.models import ApiKey
from fanzha.screen.services import api_key_find, api_key_issue, api_key_record_use, api_key_revoke
from tests.personas import World


def _issue(world: World, **overrides: object) -> tuple[ApiKey, str]:
    values: dict[str, object] = {
        "actor": world.users["admin"],
        "organisation": world.orgs["工商银行青溪支行"],
        "name": "柜面劝阻",
        "rate_per_minute": 30,
    }
    values.update(overrides)
    return api_key_issue(**values)  # type: ignore[arg-type]


def test_it_stores_only_the_hash_of_the_token(world: World) -> None:
    key, token = _issue(world)
    assert token.startswith("fzk_") and len(token) >= 40
    stored = ApiKey.objects.values().get(pk=key.pk)
    assert token not in str(stored)
    assert stored["key_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert stored["prefix"] == token[:12] and stored["scopes"] == ["screen"]


def test_it_issues_a_different_token_each_time(world: World) -> None:
    _, first = _issue(world)
    _, second = _issue(world)
    assert first != second


def test_it_audits_the_issue_without_the_token(world: World) -> None:
    key, token = _issue(world)
    event = AuditEvent.objects.get(action="apikey.issue")
    assert event.actor_username == "admin" and event.object_id == str(key.pk)
    assert event.details == {
        "organisation_id": world.orgs["工商银行青溪支行"].pk,
        "scopes": ["screen"],
        "rate_per_minute": 30,
    }
    assert token not in event.object_label


def test_it_audits_a_revoke_once(world: World) -> None:
    key, _ = _issue(world)
    assert api_key_revoke(actor=world.users["admin"], key=key) is True
    assert api_key_revoke(actor=world.users["admin"], key=key) is False
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == world.users["admin"]
    assert AuditEvent.objects.filter(action="apikey.revoke", object_id=str(key.pk)).count() == 1


@pytest.mark.parametrize("username", ["leader", "analyst", "bank", "telecom", "auditor"])
def test_it_lets_only_the_administrator_issue_and_revoke(world: World, username: str) -> None:
    with pytest.raises(PermissionDenied):
        _issue(world, actor=world.users[username])
    key, _ = _issue(world)
    with pytest.raises(PermissionDenied):
        api_key_revoke(actor=world.users[username], key=key)
    assert not AuditEvent.objects.filter(action="apikey.revoke").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "name"),
        ({"rate_per_minute": 0}, "rate_per_minute"),
        ({"scopes": ["admin"]}, "scopes"),
    ],
)
def test_it_refuses_bad_values(world: World, overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _issue(world, **overrides)
    assert field in raised.value.message_dict
    assert not ApiKey.objects.exists() and not AuditEvent.objects.filter(action="apikey.issue").exists()


def test_it_refuses_a_key_for_a_deactivated_organisation(world: World) -> None:
    organisation = world.orgs["工商银行青溪支行"]
    organisation.is_active = False
    organisation.save(update_fields=["is_active"])
    with pytest.raises(ValidationError, match="已停用"):
        _issue(world, organisation=organisation)


def test_it_finds_only_active_keys_by_their_token(world: World) -> None:
    key, token = _issue(world)
    assert api_key_find(token) == key
    for wrong in (None, "", token.upper(), token + "x", "fzk_" + "a" * 300, token[4:]):
        assert api_key_find(wrong) is None
    api_key_revoke(actor=world.users["admin"], key=key)
    assert api_key_find(token) is None


def test_it_counts_calls_and_items(world: World) -> None:
    key, _ = _issue(world)
    api_key_record_use(key=key, items=3)
    api_key_record_use(key=key, items=1000)
    key.refresh_from_db()
    assert (key.request_count, key.item_count) == (2, 1003) and key.last_used_at is not None
