"""Probe s23: a county centre's first Monday on an empty install — areas, the first administrator,
units, staff and the first warning list, through the commands and pages an administrator uses."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fanzha.core.models import Area, Organisation, User
from tests.imports.files import xlsx_bytes

AREA_HEADER = ["统计用区划代码", "城乡分类代码", "名称"]
AREA_ROWS = [
    [331199000000, "", "青溪县"],
    [331199001000, "", "城关街道办事处"],
    [331199001001, 111, "城东社区居民委员会"],
    [331199001002, 111, "城西社区居民委员会"],
    [331199100000, "", "龙泉镇"],
    [331199100201, 220, "龙泉村民委员会"],
    [331199100202, 220, "下坞村民委员会"],
    [331199200000, "", "石桥乡"],
    [331199200201, 220, "石桥村民委员会"],
]


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except (SystemExit, CommandError) as exc:
        err.write(str(exc))
    return out.getvalue() + err.getvalue()


def _areas_imported(tmp_path: Path) -> None:
    out = _run(
        "areas",
        "import",
        _write(tmp_path, "区划.xlsx", xlsx_bytes(AREA_HEADER, AREA_ROWS, title="统计用区划代码")),
    )
    assert Area.objects.count() == len(AREA_ROWS), out


@pytest.mark.django_db
def test_the_first_administrator_is_created_from_the_command_line_and_can_do_the_setup(
    tmp_path, client
) -> None:  # type: ignore[no-untyped-def]
    """An empty install had no way to its first account: `fanzha createsuperuser` made one with no unit
    and no role (no page open to it), and nothing in the docs said how."""
    from fanzha.core.security import password_must_change

    assert not User.objects.exists() and not Organisation.objects.exists()
    _areas_imported(tmp_path)
    out = _run("create_admin", "zhangsan", "--organisation", "青溪县公安局反诈中心", "--name", "张三")
    user = User.objects.get(username="zhangsan")
    assert user.role_codes == {"sysadmin"} and user.display_name == "张三"
    centre = user.organisation
    assert (centre.name, centre.kind, centre.area.code) == ("青溪县公安局反诈中心", "centre", "331199000000")
    password = next(line.split("：", 1)[1] for line in out.splitlines() if line.startswith("初始密码："))
    assert user.check_password(password) and password_must_change(user)
    client.force_login(user)
    new = "Qx-Centre-2026!"
    changed = client.post("/account/password/", {"old_password": password, "password": new, "password2": new})
    assert changed.status_code == 302, changed.context["form"].errors
    for page in ("/users/", "/users/new/", "/organisations/new/", "/areas/"):
        assert client.get(page).status_code == 200, page
    # A second run does not make a second administrator behind the first one's back.
    again = _run("create_admin", "lisi", "--organisation", "青溪县公安局反诈中心")
    assert "已有系统管理员" in again and not User.objects.filter(username="lisi").exists()


@pytest.mark.django_db
def test_create_admin_before_the_areas_says_to_import_them_first() -> None:
    out = _run("create_admin", "zhangsan", "--organisation", "青溪县公安局反诈中心")
    assert "fanzha areas import" in out and not User.objects.exists()
