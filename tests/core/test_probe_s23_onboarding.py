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


ORG_HEADER = ["单位名称", "单位类型", "所属区划", "上级单位", "管辖区划", "值班电话"]
ORG_ROWS = [
    ["青溪县公安局反诈中心", "反诈中心", "331199", "", "", "0576-88880110"],
    ["城关派出所", "派出所", "城关街道", "青溪县公安局反诈中心", "", "0576-88881110"],
    ["龙泉派出所", "派出所", "龙泉镇", "青溪县公安局反诈中心", "龙泉镇、石桥乡", ""],
    ["城东社区居委会", "居委会", "城东社区", "", "", ""],
    ["城西社区居委会", "居委会", "城关街道/城西社区", "", "", ""],
    ["龙泉村村委会", "村委会", "龙泉村", "", "", ""],
    ["石桥村村委会", "村委会", "石桥村委会", "", "", ""],
    ["工商银行青溪支行", "银行", "331199", "", "", ""],
    ["中国移动青溪营业厅", "营业厅", "331199", "", "", ""],
]


def _county_admin(tmp_path: Path) -> User:
    from fanzha.core.services import organisations as org_services

    _areas_imported(tmp_path)
    return org_services.first_admin_create(
        username="zhangsan", password="Qx-Centre-2026!", organisation_name="青溪县公安局反诈中心"
    )


def _import(tmp_path: Path, importer: str, name: str, header: list[str], rows: list[list[object]]) -> str:
    return _run(
        "import_file", importer, _write(tmp_path, name, xlsx_bytes(header, rows)), "--user", "zhangsan"
    )


@pytest.mark.django_db
def test_units_name_their_areas_as_people_say_them_not_as_the_statistical_list_does(tmp_path: Path) -> None:
    """The tree holds the statistics bureau's names (城关街道办事处, 城东社区居民委员会, 龙泉村民委员会);
    a units list writing 城关街道, 城东社区, 龙泉村 was refused row by row: "系统中没有这个名称的区划"."""
    _county_admin(tmp_path)
    out = _import(tmp_path, "organisations", "单位.xlsx", ORG_HEADER, ORG_ROWS)
    assert "8 new" in out, out
    area_of = dict(Organisation.objects.values_list("name", "area__name"))
    assert area_of["城关派出所"] == "城关街道办事处"
    assert area_of["城东社区居委会"] == "城东社区居民委员会"
    assert area_of["城西社区居委会"] == "城西社区居民委员会"
    assert area_of["龙泉村村委会"] == "龙泉村民委员会"
    assert area_of["石桥村村委会"] == "石桥村民委员会"
    station = Organisation.objects.get(name="龙泉派出所")
    assert sorted(a.name for a in station.covered_areas.all()) == ["石桥乡", "龙泉镇"]


STAFF_HEADER = ["姓名", "警号/工号", "手机", "单位", "角色"]
STAFF_ROWS = [
    ["王明", "033101", "13805760001", "青溪县公安局反诈中心", "中心研判员"],
    ["李军", "033102", "13805760002", "城关派出所", "民警"],
    ["赵强", "033103", "13805760003", "龙泉派出所", "派出所民警"],
    ["陈芳", "wg001", "13805760004", "城东社区居委会", "网格员"],
    ["周敏", "wg002", "13805760005", "龙泉村村委会", "网格员"],
    ["吴丽", "wg003", "13805760006", "石桥村村委会", "网格员"],
    ["孙涛", "ICBC01", "13805760007", "工商银行青溪支行", "银行工作人员"],
]


def _county_units(tmp_path: Path) -> User:
    admin = _county_admin(tmp_path)
    out = _import(tmp_path, "organisations", "单位.xlsx", ORG_HEADER, ORG_ROWS)
    assert "8 new" in out, out
    return admin


@pytest.mark.django_db
def test_a_staff_list_as_a_centre_types_it_makes_the_accounts(tmp_path: Path) -> None:
    """姓名, 警号/工号, 手机, 单位, 角色: the file was refused for want of a 用户名 column (警号/工号 and
    手机 were "未使用的列"), and 民警 was not a role."""
    _county_units(tmp_path)
    out = _import(tmp_path, "users", "人员.xlsx", STAFF_HEADER, STAFF_ROWS)
    assert "7 new" in out, out
    li = User.objects.get(username="033102")
    assert (li.display_name, li.organisation.name, li.work_phone) == ("李军", "城关派出所", "13805760002")
    assert li.role_codes == {"police_officer"}
    assert User.objects.get(username="033101").role_codes == {"centre_analyst"}


WARN_HEADER = [
    "预警编号",
    "姓名",
    "手机号",
    "现住址",
    "诈骗类型",
    "预警来源",
    "预警时间",
    "涉案金额",
    "正在转账",
]
WARN_ROWS = [
    [
        "YJ001",
        "张一",
        "13905760001",
        "青溪县城关街道城东社区和平路3号",
        "刷单返利",
        "上级推送",
        "2026-11-30 09:00",
        "",
        "否",
    ],
    [
        "YJ002",
        "张二",
        "13905760002",
        "浙江省青溪县石桥乡石桥村5组",
        "冒充公检法",
        "上级推送",
        "2026-11-30 09:05",
        "50000",
        "是",
    ],
    [
        "YJ004",
        "张四",
        "13905760004",
        "龙泉镇下坞村12号",
        "冒充公检法",
        "上级推送",
        "2026-11-30 09:15",
        "80000",
        "是",
    ],
]


@pytest.mark.django_db
def test_an_urgent_warning_where_no_station_covers_says_why_it_went_to_the_grid_worker(
    tmp_path: Path,
) -> None:
    """石桥乡 is in no station's jurisdiction: its urgent warning (50,000 being transferred) went to the
    village's grid worker as any low one would, its history saying only "派给 石桥村村委会 吴丽"."""
    from fanzha.core.services import organisations as org_services
    from fanzha.warnings.models import Warning, WarningEvent

    admin = _county_units(tmp_path)
    station = Organisation.objects.get(name="龙泉派出所")
    org_services.organisation_update(
        actor=admin, organisation=station, covered_areas=[Area.objects.get(name="龙泉镇")]
    )
    _import(tmp_path, "users", "人员.xlsx", STAFF_HEADER, STAFF_ROWS)
    out = _run("warnings", "import", _write(tmp_path, "预警.xlsx", xlsx_bytes(WARN_HEADER, WARN_ROWS)))
    assert "3 new" in out, out
    routed = {w.source_id: (w.organisation.name, w.assignee.username) for w in Warning.objects.all()}
    assert routed == {
        "YJ001": ("城关派出所", "033102"),
        "YJ002": ("石桥村村委会", "wg003"),
        "YJ004": ("龙泉派出所", "033103"),
    }
    history = {e.warning.source_id: e.message for e in WarningEvent.objects.filter(kind="created")}
    assert "没有派出所" in history["YJ002"] and "石桥村村委会 吴丽" in history["YJ002"], history["YJ002"]
    assert "没有派出所" not in history["YJ004"] and "没有派出所" not in history["YJ001"]


@pytest.mark.django_db
def test_a_role_that_gets_no_warnings_in_its_unit_is_pointed_out_when_imported(tmp_path: Path) -> None:
    """A 民警 listed under a 居委会, or a 网格员 under a 派出所, got an account that no warning would ever
    reach (warnings go to a station's officers and a committee's grid workers), and nobody was told."""
    _county_units(tmp_path)
    rows = [
        ["钱七", "033104", "13805760008", "城东社区居委会", "民警"],
        ["孙八", "wg009", "13805760009", "城关派出所", "网格员"],
        ["李九", "033105", "13805760010", "城关派出所", "派出所民警"],
    ]
    out = _import(tmp_path, "users", "人员.xlsx", STAFF_HEADER, rows)
    assert "3 new" in out, out
    assert out.startswith("已导入；") or not out.startswith("已导入：已导入"), out  # the status once
    notices = [line for line in out.splitlines() if "（提示）" in line]
    assert len(notices) == 2, out
    assert notices[0].startswith("第 2 行 角色（提示）") and "派出所" in notices[0]
    assert notices[1].startswith("第 3 行 角色（提示）") and "村(居)委会" in notices[1]


@pytest.mark.django_db
def test_the_units_page_names_the_villages_no_station_or_grid_worker_will_get_warnings_for(
    tmp_path: Path, client
) -> None:  # type: ignore[no-untyped-def]
    """Setting up units and accounts, the administrator had no way to see that 石桥乡 lies in no
    station's jurisdiction, or that 下坞村 has no grid worker: the first warnings there went elsewhere."""
    import re

    from django.utils import timezone

    from fanzha.core.services import organisations as org_services

    admin = _county_units(tmp_path)
    station = Organisation.objects.get(name="龙泉派出所")
    org_services.organisation_update(
        actor=admin, organisation=station, covered_areas=[Area.objects.get(name="龙泉镇")]
    )
    _import(tmp_path, "users", "人员.xlsx", STAFF_HEADER, STAFF_ROWS)
    User.objects.filter(pk=admin.pk).update(password_changed_at=timezone.now())
    client.force_login(admin)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/organisations/").content.decode()))
    police = text[text.index("不在任何派出所辖区") :]
    police = police[: police.index("。")]
    assert "石桥乡 石桥村民委员会" in police and "龙泉" not in police and "城东" not in police
    grid = text[text.index("没有网格员") :]
    grid = grid[: grid.index("。")]
    assert "龙泉镇 下坞村民委员会" in grid and "城关街道办事处 城西社区居民委员会" in grid
    assert "城东社区" not in grid and "石桥村" not in grid
