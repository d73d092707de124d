"""Lockout (django-axes): per username from any address, per address for any username, cool-off, reset."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.utils import timezone

from fanzha.core import security
from fanzha.core.services import organisations as user_services
from tests.personas import PASSWORD
from tests.security.helpers import WRONG, events, logged_in_user_id, post_login


def _age_attempts(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=minutes))


def test_it_counts_username_and_address_separately() -> None:
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.LOGIN_IP_FAILURE_LIMIT == 30
    assert security.lockout_minutes() == 30


def test_it_locks_a_username_after_five_failures_even_from_other_addresses(world, client) -> None:
    for i in range(4):
        assert post_login(client, "police_cg", WRONG, ip=f"10.0.0.{i + 1}").status_code == 200
    fifth = post_login(client, "police_cg", WRONG, ip="10.0.0.5")
    assert fifth.status_code == 429
    response = post_login(client, "police_cg", PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert "已被锁定 30 分钟" in response.content.decode()
    assert logged_in_user_id(client) is None
    assert post_login(client, "police_lq", PASSWORD, ip="10.9.9.8").status_code == 302


def test_it_does_not_lock_an_address_after_five_failures_for_other_usernames(world, client) -> None:
    for i in range(5):
        assert post_login(client, f"ghost{i}", WRONG, ip="10.1.1.1").status_code == 200
    assert post_login(client, "leader", PASSWORD, ip="10.1.1.1").status_code == 302
    assert logged_in_user_id(client) == str(world.users["leader"].pk)


def test_it_locks_an_address_after_thirty_failures_for_any_usernames(world, client) -> None:
    for i in range(29):
        assert post_login(client, f"ghost{i}", WRONG, ip="10.1.1.1").status_code == 200
    assert post_login(client, "ghost29", WRONG, ip="10.1.1.1").status_code == 429
    assert events("login.locked")[-1].details["failures"] == 30
    assert post_login(client, "leader", PASSWORD, ip="10.1.1.1").status_code == 429
    assert logged_in_user_id(client) is None
    assert post_login(client, "leader", PASSWORD, ip="10.1.1.2").status_code == 302
    assert logged_in_user_id(client) == str(world.users["leader"].pk)


def test_it_lifts_the_lock_after_the_cool_off(world, client) -> None:
    for _ in range(5):
        post_login(client, "grid_cd", WRONG)
    _age_attempts(29)
    assert post_login(client, "grid_cd", PASSWORD, ip="10.2.2.2").status_code == 429
    assert AccessAttempt.objects.get(username="grid_cd").failures_since_start == 5  # refusals don't count
    _age_attempts(31)
    assert post_login(client, "grid_cd", PASSWORD, ip="10.2.2.2").status_code == 302
    assert logged_in_user_id(client) == str(world.users["grid_cd"].pk)


def test_it_resets_the_count_after_a_successful_login(world, client) -> None:
    for _ in range(4):
        post_login(client, "analyst", WRONG)
    assert post_login(client, "analyst", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="analyst").exists()
    client.post("/logout/")
    for _ in range(4):
        assert post_login(client, "analyst", WRONG).status_code == 200
    assert post_login(client, "analyst", PASSWORD).status_code == 302


def test_it_audits_failures_and_the_lock_without_the_password(world, client) -> None:
    for i in range(6):
        post_login(client, "police_cg", WRONG, ip=f"10.3.3.{i}")
    failures = events("login.failure")
    assert len(failures) == 6
    assert failures[0].details == {"username": "police_cg", "step": "password"}
    assert failures[-1].details.get("locked") is True  # refused while locked
    locked = events("login.locked")
    assert len(locked) == 1
    assert locked[0].details["username"] == "police_cg"
    assert locked[0].details["failures"] == 5
    stored = [str(e.details) for e in failures + locked] + [a.post_data for a in AccessAttempt.objects.all()]
    assert not any(WRONG in text for text in stored)
    assert (
        AccessFailureLog.objects.filter(username="police_cg").count() == 5
    )  # axes logs counted failures only


def test_it_records_the_address_from_the_request(world, client) -> None:
    post_login(client, "police_cg", WRONG, ip="10.4.4.4")
    assert AccessAttempt.objects.get(username="police_cg").ip_address == "10.4.4.4"
    assert events("login.failure")[0].ip == "10.4.4.4"


def test_it_masks_id_numbers_and_phones_typed_as_username_in_the_audit_log(world, client) -> None:
    post_login(client, "110101199003077777", WRONG)
    post_login(client, "13812345678", WRONG)
    stored = [e.details["username"] for e in events("login.failure")]
    assert stored[0].startswith("1101") and "110101199003077777" not in stored[0]
    assert stored[1].startswith("138") and "13812345678" not in stored[1]


def test_it_cuts_a_long_username_to_150_characters_in_the_audit_log(db) -> None:
    security.audit_login_failure(sender=None, credentials={"username": "y" * 400}, request=None)
    assert events("login.failure")[0].details["username"] == "y" * 150


def test_it_unlocks_the_username_and_the_addresses_it_failed_from(world, client) -> None:
    post_login(client, "police_cg", WRONG, ip="10.5.5.5")
    for i in range(29):
        post_login(client, f"ghost{i}", WRONG, ip="10.5.5.5")
    post_login(client, "police_cg", WRONG, ip="10.5.5.6")
    post_login(client, "bank", WRONG, ip="10.5.5.7")
    assert (
        post_login(client, "police_cg", PASSWORD, ip="10.5.5.5").status_code == 429
    )  # the address is locked
    admin, target = world.users["admin"], world.users["police_cg"]
    assert (
        user_services.user_unlock(actor=admin, user=target) == 31
    )  # its own 2 rows and the address's 29 others
    assert AccessAttempt.objects.filter(username="bank").count() == 1  # other addresses keep theirs
    assert post_login(client, "police_cg", PASSWORD, ip="10.5.5.5").status_code == 302
