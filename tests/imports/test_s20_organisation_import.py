"""The organisation importer (s20): a county's units from one CSV or XLSX list, through the services."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Organisation
from fanzha.imports.models import BatchStatus
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes, xlsx_bytes

HEADER = ["单位名称", "单位类型", "所属区划", "上级单位", "管辖区划", "机构代码", "值班电话"]
ROWS = [
    # children before their parent: the importer commits parents first
    ["城东警务室", "其他单位", "城关镇/城东社区", "城关镇派出所", "", "", ""],
    [
        "城关镇派出所",
        "派出所",
        "331199100",
        "青溪县反诈中心",
        "331199100001、331199100002",
        "P-01",
        "0571-1234567",
    ],
    ["龙泉乡政府", "乡镇政府/街道办", "331199200000", "", "龙泉乡", "", ""],
    ["石桥村卫生室", "医院", "龙泉乡 / 石桥村", "", "", "", ""],
    ["农业银行青溪支行", "银行", "331199", "", "", "", ""],
    ["城西社区居委会", "村（居）委会", "331199100002", "", "", "", ""],
]


def run(data: bytes, actor, file_name: str = "单位.csv", **kwargs):  # type: ignore[no-untyped-def]
    return import_run(actor=actor, importer="organisations", file_name=file_name, data=data, **kwargs)


def errors_of(result) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(e["row"], e["column"], e["message"]) for e in result.errors]


def test_it_creates_a_countys_units_from_a_csv(world) -> None:  # type: ignore[no-untyped-def]
    result = run(csv_bytes(HEADER, ROWS), world.users["admin"])
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    assert result.summary() == "imported: 6 new, 0 updated, 0 unchanged, 0 rejected"
    station = Organisation.objects.get(name="城关镇派出所")
    assert (station.kind, station.area.code, station.parent.name) == (
        "police_station",
        "331199100000",
        "青溪县反诈中心",
    )
    assert (station.code, station.contact_phone) == ("P-01", "0571-1234567")
    assert sorted(a.name for a in station.covered_areas.all()) == ["城东社区", "城西社区"]
    post = Organisation.objects.get(name="城东警务室")
    assert (post.kind, post.area.name, post.parent_id) == ("other", "城东社区", station.pk)
    assert Organisation.objects.get(name="石桥村卫生室").area.name == "石桥村"
    assert Organisation.objects.get(name="农业银行青溪支行").area.name == "青溪县"
    assert Organisation.objects.get(name="城西社区居委会").kind == "village_committee"
    assert [a.name for a in Organisation.objects.get(name="龙泉乡政府").covered_areas.all()] == ["龙泉乡"]
    created = AuditEvent.objects.filter(action="record.create", actor_id=world.users["admin"].pk)
    assert sorted(int(e.object_id) for e in created) == sorted(
        Organisation.objects.filter(name__in=[row[0] for row in ROWS]).values_list("pk", flat=True)
    )


def test_importing_again_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    assert run(csv_bytes(HEADER, ROWS), admin).batch.status == BatchStatus.COMMITTED
    again = run(csv_bytes(HEADER, list(reversed(ROWS)), encoding="gbk"), admin)  # other bytes, same rows
    assert again.summary() == "imported: 0 new, 0 updated, 6 unchanged, 0 rejected"
    same = run(csv_bytes(HEADER, ROWS), admin)
    assert same.batch.status == BatchStatus.SKIPPED
    assert Organisation.objects.filter(name="城关镇派出所").count() == 1


def test_it_updates_an_existing_unit_and_keeps_what_is_left_blank(world) -> None:  # type: ignore[no-untyped-def]
    station = world.orgs["城关派出所"]
    before = list(station.covered_areas.all())
    rows = [["城关派出所", "", "", "", "", "", "0571-7654321"]]
    result = run(csv_bytes(HEADER, rows), world.users["admin"])
    assert result.summary() == "imported: 0 new, 1 updated, 0 unchanged, 0 rejected"
    station.refresh_from_db()
    assert (station.kind, station.area.name, station.contact_phone) == (
        "police_station",
        "城关镇",
        "0571-7654321",
    )
    assert list(station.covered_areas.all()) == before
    updated = AuditEvent.objects.get(action="record.update", object_id=str(station.pk))
    assert updated.fields == ["contact_phone"]


def test_bad_rows_are_named_and_nothing_is_written(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["青溪县第一中学", "学校", "331199100000", "", "", "", ""],
        ["某某快递站", "快递", "331199100000", "", "", "", ""],
        ["城南派出所", "派出所", "331199999000", "", "", "", ""],
        ["城南警务室", "其他", "城关镇", "城南分局", "", "", ""],
        ["新塘派出所", "派出所", "新塘镇", "", "331199100001;999999999999", "", ""],
        ["网格服务站", "其他", "331199100001001", "", "", "", ""],
        ["新单位", "", "", "", "", "", ""],
    ]
    result = run(csv_bytes(HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.REJECTED
    found = errors_of(result)
    assert (
        3,
        "单位类型",
        "未知的单位类型，应为：反诈中心、派出所、乡镇政府/街道办、村(居)委会、银行网点、电信运营商营业厅、学校、医院、其他单位",
    ) in found
    assert (4, "所属区划", "系统中没有该区划代码") in found
    assert (5, "上级单位", "系统和本文件中都没有该上级单位") in found
    assert (6, "所属区划", "系统中没有这个名称的区划，请核对或改填区划代码") in found
    assert any(r == 6 and c == "管辖区划" and "999999999999" in m for r, c, m in found)
    assert (7, "所属区划", "单位不能设在网格一级，请填写村/社区或以上的区划") in found
    assert {(8, "单位类型", "新单位须填写单位类型"), (8, "所属区划", "新单位须填写所属区划")} <= set(found)
    assert 2 not in {r for r, _, _ in found}
    assert not Organisation.objects.filter(name="青溪县第一中学").exists()  # all or nothing


def test_a_parent_loop_and_a_repeated_name_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["甲单位", "其他", "331199100000", "乙单位", "", "", ""],
        ["乙单位", "其他", "331199100000", "甲单位", "", "", ""],
        ["丙单位", "其他", "331199100000", "", "", "", ""],
        ["丙单位", "学校", "331199100000", "", "", "", ""],
    ]
    found = errors_of(run(csv_bytes(HEADER, rows), world.users["admin"]))
    assert (2, "上级单位", "本文件中的上级单位关系形成循环") in found
    assert (3, "上级单位", "本文件中的上级单位关系形成循环") in found
    assert (5, "单位名称", "与第 4 行的单位名称重复") in found


def test_a_kind_its_users_roles_do_not_fit_is_refused_by_the_service(world) -> None:  # type: ignore[no-untyped-def]
    rows = [["城关派出所", "银行网点", "", "", "", "", ""]]
    result = run(csv_bytes(HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.REJECTED
    [(row, _, message)] = errors_of(result)
    # the officer and the station's head (单位负责人, tests.personas)
    assert row == 2 and "2 名用户" in message and "派出所民警" in message and "单位负责人" in message
    assert Organisation.objects.get(name="城关派出所").kind == "police_station"


def test_an_xlsx_with_english_headers_and_numeric_codes(world) -> None:  # type: ignore[no-untyped-def]
    header = [
        "Organisation name",
        "Type",
        "Area code",
        "Parent",
        "Covered areas",
        "Organisation code",
        "Duty phone",
    ]
    rows = [
        ["龙泉派出所二组", "police station", 331199200000, "龙泉派出所", 331199200201, "", "13912345678"],
        ["石桥村村委会", "village committee", "331199200201", "", "", "", ""],
    ]
    result = run(xlsx_bytes(header, rows), world.users["admin"], file_name="单位.xlsx")
    assert result.summary() == "imported: 1 new, 0 updated, 1 unchanged, 0 rejected", result.errors
    team = Organisation.objects.get(name="龙泉派出所二组")
    assert (team.kind, team.area.name, team.parent.name) == ("police_station", "龙泉乡", "龙泉派出所")
    assert [a.name for a in team.covered_areas.all()] == ["石桥村"]


def test_an_xlsx_phone_stored_as_a_number_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    rows = [["城关派出所", "", "", "", "", "", 5711234567]]
    found = errors_of(run(xlsx_bytes(HEADER, rows), world.users["admin"], file_name="单位.xlsx"))
    assert [(r, c) for r, c, _ in found] == [(2, "值班电话")]


def test_only_who_may_create_organisations_may_import_them(world, client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        run(csv_bytes(HEADER, ROWS), world.users["leader"])
    client.force_login(world.users["leader"])
    assert client.get(reverse("import_upload", args=["organisations"])).status_code == 403
    assert "导入单位" not in client.get(reverse("import_list")).content.decode()
    client.force_login(world.users["admin"])
    page = client.get(reverse("import_upload", args=["organisations"])).content.decode()
    assert "单位名称" in page and "管辖区划" in page
    assert "导入单位" in client.get(reverse("import_list")).content.decode()
    listing = client.get(reverse("organisation_list")).content.decode()
    assert reverse("import_upload", args=["organisations"]) in listing


def test_the_upload_page_imports_a_file(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["admin"])
    upload = SimpleUploadedFile("单位.csv", csv_bytes(HEADER, ROWS), content_type="text/csv")
    response = client.post(reverse("import_upload", args=["organisations"]), {"file": upload})
    assert response.status_code == 302
    assert Organisation.objects.filter(name="城关镇派出所").exists()


def test_the_command_imports_a_file_as_the_named_user(world, tmp_path) -> None:  # type: ignore[no-untyped-def]

    path = tmp_path / "单位.csv"
    path.write_bytes(csv_bytes(HEADER, ROWS))
    with pytest.raises(CommandError):  # an organisation import always names who runs it
        call_command("import_file", "organisations", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_file", "organisations", str(path), "--user", "admin", stdout=out)
    assert Organisation.objects.get(name="城关镇派出所").parent.name == "青溪县反诈中心"
