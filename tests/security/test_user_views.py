"""User management pages for the system administrator."""

from __future__ import annotations

import re

from django.urls import reverse

from fanzha.core import security
from fanzha.core.models import User
from fanzha.core.services import organisations as user_services
from tests.personas import PASSWORD
from tests.security.helpers import WRONG, events, logged_in_user_id, post_login

NEW_PASSWORD = "Chushi#2026ok"


def _admin(client, world):  # type: ignore[no-untyped-def]
    client.force_login(world.users["admin"])
    return world.users["admin"]


def _create_data(world, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "username": "grid_new",
        "display_name": "赵网格",
        "organisation": world.orgs["城东社区居委会"].pk,
        "work_phone": "13905719999",
        "roles": ["grid_worker"],
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def test_it_lists_users_with_work_phones_masked(world, client) -> None:
    admin = _admin(client, world)
    user_services.user_create(
        actor=admin,
        username="phone_user",
        password=NEW_PASSWORD,
        organisation=world.orgs["城关派出所"],
        roles=["police_officer"],
        work_phone="13905719999",
    )
    page = client.get(reverse("user_list")).content.decode()
    assert "phone_user" in page and "grid_sq" in page
    assert "139****9999" in page
    assert "13905719999" not in page
    assert "派出所民警" in page


def test_it_creates_a_user_who_must_change_the_initial_password(world, client) -> None:
    _admin(client, world)
    response = client.post(reverse("user_create"), _create_data(world))
    user = User.objects.get(username="grid_new")
    assert response["Location"] == reverse("user_edit_roles", kwargs={"pk": user.pk})
    assert user.role_codes == frozenset({"grid_worker"})
    assert user.organisation == world.orgs["城东社区居委会"]
    assert user.work_phone == "13905719999"
    assert security.password_must_change(user)
    assert [e.object_id for e in events("user.roles")][-1] == str(user.pk)
    client.logout()
    assert post_login(client, "grid_new", NEW_PASSWORD)["Location"] == reverse("password_change")


def test_it_refuses_a_weak_initial_password_and_keeps_the_input(world, client) -> None:
    _admin(client, world)
    response = client.post(
        reverse("user_create"), _create_data(world, password="abcdefgh12", password2="abcdefgh12")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "至少三类" in page
    assert 'value="grid_new"' in page and 'value="赵网格"' in page
    assert re.search(r'value="grid_worker"[^>]*checked', page)
    assert not re.search(r'value="auditor"[^>]*checked', page)
    assert not User.objects.filter(username="grid_new").exists()


def test_it_explains_other_mistakes_in_chinese(world, client) -> None:
    _admin(client, world)
    cases = [
        (_create_data(world, username="grid_sq"), "已存在"),
        (_create_data(world, username="GRID_SQ"), "只差大小写"),  # a second login of the same person
        (_create_data(world, roles=[]), "至少选择一个角色"),
        (_create_data(world, organisation=""), "请选择单位"),
        (_create_data(world, password2="Other#2026ok"), "两次输入的密码不一致"),
        (
            _create_data(world, organisation=world.orgs["工商银行青溪支行"].pk),
            "银行、运营商单位的用户不能担任",
        ),
    ]
    for data, message in cases:
        response = client.post(reverse("user_create"), data)
        assert response.status_code == 400, message
        assert message in response.content.decode()
    assert not User.objects.filter(username="grid_new").exists()


def test_it_changes_roles(world, client) -> None:
    _admin(client, world)
    target = world.users["analyst"]
    response = client.post(
        reverse("user_edit_roles", kwargs={"pk": target.pk}), {"roles": ["centre_analyst", "auditor"]}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=target.pk).role_codes == frozenset({"centre_analyst", "auditor"})
    assert events("user.roles")[-1].details == {"roles": ["auditor", "centre_analyst"]}
    page = client.get(reverse("user_edit_roles", kwargs={"pk": target.pk})).content.decode()
    assert "审计员" in page


def test_it_keeps_the_administrator_from_removing_their_own_role(world, client) -> None:
    admin = _admin(client, world)
    response = client.post(reverse("user_edit_roles", kwargs={"pk": admin.pk}), {"roles": ["auditor"]})
    assert response.status_code == 400
    assert "不能取消自己的系统管理员角色" in response.content.decode()
    assert User.objects.get(pk=admin.pk).role_codes == frozenset({"sysadmin"})


def test_it_deactivates_a_user_and_ends_their_sessions(world, client, django_user_model) -> None:
    from django.test import Client

    other = Client()
    other.force_login(world.users["grid_sq"])
    _admin(client, world)
    response = client.post(reverse("user_deactivate", kwargs={"pk": world.users["grid_sq"].pk}))
    assert response.status_code == 302
    assert not User.objects.get(pk=world.users["grid_sq"].pk).is_active
    assert [e.object_id for e in events("user.deactivate")] == [str(world.users["grid_sq"].pk)]
    assert other.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert post_login(Client(), "grid_sq", PASSWORD).status_code == 200


def test_it_keeps_the_administrator_from_deactivating_themselves(world, client) -> None:
    admin = _admin(client, world)
    client.post(reverse("user_deactivate", kwargs={"pk": admin.pk}))
    assert User.objects.get(pk=admin.pk).is_active
    page = client.get(reverse("user_edit_roles", kwargs={"pk": admin.pk})).content.decode()
    assert "不能停用自己的账户" in page


def test_it_resets_a_password_that_must_be_changed(world, client) -> None:
    target = world.users["police_lq"]
    open_session = client.__class__()
    open_session.force_login(target)
    _admin(client, world)
    url = reverse("user_reset_password", kwargs={"pk": target.pk})
    weak = client.post(url, {"password": "abcdefgh12", "password2": "abcdefgh12"})
    assert weak.status_code == 400
    assert "至少三类" in weak.content.decode()
    assert client.post(url, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    assert [e.object_id for e in events("user.password_reset")] == [str(target.pk)]
    assert open_session.get(reverse("home"))["Location"].startswith(reverse("login"))  # old sessions end
    fresh = client.__class__()
    assert post_login(fresh, "police_lq", NEW_PASSWORD)["Location"] == reverse("password_change")
    assert fresh.get(reverse("home"))["Location"] == reverse("password_change")


def test_it_unlocks_a_locked_username(world, client) -> None:
    for i in range(5):
        post_login(client, "police_cg", WRONG, ip=f"10.7.7.{i}")
    assert post_login(client, "police_cg", PASSWORD, ip="10.8.8.8").status_code == 429
    _admin(client, world)
    assert "已锁定" in client.get(reverse("user_list")).content.decode()
    response = client.post(reverse("user_unlock", kwargs={"pk": world.users["police_cg"].pk}))
    assert response.status_code == 302
    assert events("user.unlock")[-1].details == {"cleared": 5}
    client.logout()
    assert post_login(client, "police_cg", PASSWORD, ip="10.8.8.8").status_code == 302
    assert logged_in_user_id(client) == str(world.users["police_cg"].pk)


def test_it_answers_404_for_a_missing_user(world, client) -> None:
    _admin(client, world)
    assert client.get(reverse("user_edit_roles", kwargs={"pk": 999999})).status_code == 404
    assert client.post(reverse("user_unlock", kwargs={"pk": 999999})).status_code == 404
