"""Probe s25: the foundation's imports — units and accounts — as a new county centre feeds them.

A unit list retyped in another editor writes 中国工商银行(青溪支行) for the stored
中国工商银行（青溪支行）, or 城关 派出所 with a space; an account list writes icbc01 for the stored
ICBC01. Both created a second unit or a second account of the same one: names were matched only
character for character, usernames with their case (the login is case-sensitive, so icbc01 was a
second login for the same person)."""

from __future__ import annotations

from fanzha.core.models import Area, Organisation, User
from fanzha.core.services import organisations as org_services
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes, xlsx_bytes

ORG_HEADER = ["单位名称", "单位类型", "所属区划", "上级单位", "管辖区划"]
USER_HEADER = ["用户名", "姓名", "单位名称", "角色"]


def run(importer: str, data: bytes, actor, file_name: str = "名单.xlsx"):  # type: ignore[no-untyped-def]
    return import_run(actor=actor, importer=importer, file_name=file_name, data=data)


def errors_of(result) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(e["row"], e["column"], e["message"]) for e in result.errors]


def _bank(world) -> Organisation:  # type: ignore[no-untyped-def]
    rows = [["中国工商银行（青溪支行）", "银行", "331199", "", ""]]
    result = run("organisations", xlsx_bytes(ORG_HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    return Organisation.objects.get(name="中国工商银行（青溪支行）")


def test_a_unit_named_with_half_width_brackets_is_the_stored_unit_not_a_second_one(world) -> None:  # type: ignore[no-untyped-def]
    bank = _bank(world)
    units = Organisation.objects.count()
    rows = [["中国工商银行(青溪支行)", "银行", "331199", "", ""]]
    result = run("organisations", csv_bytes(ORG_HEADER, rows), world.users["admin"], "单位.csv")
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    assert result.summary() == "imported: 0 new, 0 updated, 1 unchanged, 0 rejected"
    assert Organisation.objects.count() == units
    assert Organisation.objects.get(pk=bank.pk).name == "中国工商银行（青溪支行）"  # the stored name is kept
    assert [(n["row"], n["column"]) for n in result.batch.notices] == [(2, "单位名称")]
    assert "中国工商银行（青溪支行）" in result.batch.notices[0]["message"]


def test_a_space_inside_a_units_name_or_its_parents_does_not_make_another_unit(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    units = Organisation.objects.count()
    rows = [
        ["城关 派出所", "", "", "", ""],  # the world's 城关派出所
        ["城东警务室", "其他单位", "331199", "城关派出所　", ""],  # a full-width space after the parent
        ["城西警务室", "其他单位", "331199", "城 关派出所", ""],
    ]
    result = run("organisations", xlsx_bytes(ORG_HEADER, rows), admin)
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    assert Organisation.objects.count() == units + 2
    station = Organisation.objects.get(name="城关派出所")
    assert set(station.children.values_list("name", flat=True)) >= {"城东警务室", "城西警务室"}


def test_one_unit_written_two_ways_in_a_file_is_a_duplicate(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["农业银行（龙泉分理处）", "银行", "331199", "", ""],
        ["农业银行(龙泉分理处)", "银行", "331199", "", ""],
    ]
    result = run("organisations", xlsx_bytes(ORG_HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.REJECTED
    assert errors_of(result) == [(3, "单位名称", "与第 2 行的单位名称重复（仅全角/半角或空格不同）")]
    assert not Organisation.objects.filter(name__startswith="农业银行").exists()


def test_a_users_unit_written_with_other_brackets_is_found(world) -> None:  # type: ignore[no-untyped-def]
    bank = _bank(world)
    rows = [["gh001", "孙涛", "中国工商银行(青溪支行)", "银行工作人员"]]
    result = run("users", xlsx_bytes(USER_HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    assert User.objects.get(username="gh001").organisation == bank


def test_a_username_differing_from_an_account_only_by_case_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    bank = _bank(world)
    org_services.user_create(
        actor=admin, username="ICBC01", password=None, organisation=bank, roles=["bank_staff"]
    )
    rows = [["icbc01", "孙涛", "中国工商银行（青溪支行）", "银行工作人员"]]
    result = run("users", xlsx_bytes(USER_HEADER, rows), admin)
    assert result.batch.status == BatchStatus.REJECTED
    assert errors_of(result) == [
        (
            2,
            "用户名",
            "系统中已有账户“ICBC01”，与本行用户名只差大小写（登录区分大小写）：更新该账户请照写“ICBC01”，"
            "新账户请另取用户名",
        )
    ]
    assert not User.objects.filter(username="icbc01").exists()


def test_two_rows_whose_usernames_differ_only_by_case_are_duplicates(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["Wg101", "陈芳", "城东社区居委会", "网格员"],
        ["wg101", "陈芳", "城东社区居委会", "网格员"],
    ]
    result = run("users", xlsx_bytes(USER_HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.REJECTED
    assert errors_of(result) == [(3, "用户名", "与第 2 行的用户名重复（仅大小写不同）")]
    assert not User.objects.filter(username__iexact="wg101").exists()


def test_the_case_message_masks_a_phone_number_in_the_stored_username(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    org_services.user_create(
        actor=admin,
        username="ZS13805760011",
        password=None,
        organisation=world.orgs["城东社区居委会"],
        roles=["grid_worker"],
    )
    rows = [["zs13805760011", "", "城东社区居委会", "网格员"]]
    result = run("users", xlsx_bytes(USER_HEADER, rows), admin)
    assert result.batch.status == BatchStatus.REJECTED
    (error,) = result.errors
    assert "13805760011" not in error["message"] and "13805760011" not in error["value"]
    assert "ZS13*******11" in error["message"]


AREA_HEADER = ["统计用区划代码", "城乡分类代码", "名称"]


def test_an_area_code_kept_text_by_a_leading_apostrophe_is_read_as_the_code(world) -> None:  # type: ignore[no-untyped-def]
    """A system's CSV export writes '331199100201 so that Excel keeps it text: it was refused, the code
    quoted masked as a phone ("'3311 **** **** 0205：区划代码只能由数字或字母组成")."""
    rows = [["'331199100203", "220", "新村村民委员会"], ["’331199100204", "220", "后村村民委员会"]]
    result = run("areas", csv_bytes(AREA_HEADER, rows), world.users["admin"], "区划.csv")
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    assert Area.objects.get(code="331199100203").parent.code == "331199100000"
    assert Area.objects.get(code="331199100204").name == "后村村民委员会"
    units = [["新村村委会", "村委会", "'331199100203", "", "'331199100203、'331199100204"]]
    result = run("organisations", csv_bytes(ORG_HEADER, units), world.users["admin"], "单位.csv")
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    assert Organisation.objects.get(name="新村村委会").area.code == "331199100203"
