"""The users importer (s20): a county's accounts from one CSV or XLSX list, through the user services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.audit.models import AuditEvent
from fanzha.core.models import User
from fanzha.core.security import password_must_change
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes, xlsx_bytes

HEADER = ["用户名", "姓名", "单位名称", "角色", "工作电话", "状态"]
ROWS = [
    ["wangfang", "王芳", "城东社区居委会", "网格员", "0571-5550001", ""],
    ["lijun", "李军", "城关派出所", "派出所民警、grid_worker", "", "在用"],
    ["zhaomin", "赵敏", "工商银行青溪支行", "银行工作人员", "", ""],
    ["chenjing", "", "青溪县反诈中心", "中心研判员;审计员", "", ""],
]


def run(data: bytes, actor, file_name: str = "用户.csv", **kwargs):  # type: ignore[no-untyped-def]
    return import_run(actor=actor, importer="users", file_name=file_name, data=data, **kwargs)


def errors_of(result) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(e["row"], e["column"], e["message"]) for e in result.errors]


def roles_of(username: str) -> set[str]:
    return set(User.objects.get(username=username).roles.values_list("role", flat=True))


def test_it_creates_the_accounts_without_a_usable_password(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    result = run(csv_bytes(HEADER, ROWS), admin)
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    assert result.summary() == "imported: 4 new, 0 updated, 0 unchanged, 0 rejected"
    wang = User.objects.get(username="wangfang")
    assert (wang.display_name, wang.organisation.name, wang.work_phone) == (
        "王芳",
        "城东社区居委会",
        "0571-5550001",
    )
    assert roles_of("wangfang") == {"grid_worker"}
    assert roles_of("lijun") == {"police_officer", "grid_worker"}
    assert roles_of("chenjing") == {"centre_analyst", "auditor"}
    for user in User.objects.filter(username__in=[row[0] for row in ROWS]):
        assert not user.has_usable_password()  # no password came with the file, none was invented
        assert password_must_change(user) and user.is_active
    created = AuditEvent.objects.filter(action="record.create", object_type="core.user", actor_id=admin.pk)
    assert sorted(int(e.object_id) for e in created) == sorted(
        User.objects.filter(username__in=[row[0] for row in ROWS]).values_list("pk", flat=True)
    )
    assert AuditEvent.objects.filter(action="user.roles", object_id=str(wang.pk)).count() == 1


def test_importing_again_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    assert run(csv_bytes(HEADER, ROWS), admin).batch.status == BatchStatus.COMMITTED
    events = AuditEvent.objects.count()
    again = run(csv_bytes(HEADER, list(reversed(ROWS)), encoding="gbk"), admin)  # other bytes, same rows
    assert again.summary() == "imported: 0 new, 0 updated, 4 unchanged, 0 rejected", again.errors
    assert AuditEvent.objects.count() == events + 1  # the file's import.commit only
    same = run(csv_bytes(HEADER, ROWS), admin)
    assert same.batch.status == BatchStatus.SKIPPED
    assert User.objects.filter(username="wangfang").count() == 1


def test_a_rows_roles_replace_the_accounts_and_blank_cells_keep(world) -> None:  # type: ignore[no-untyped-def]
    admin, grid_sq = world.users["admin"], world.users["grid_sq"]
    rows = [["grid_sq", "", "", "派出所民警 网格员", "", ""], ["police_cg", "", "城关派出所", "", "", ""]]
    result = run(csv_bytes(HEADER, rows), admin)
    assert result.summary() == "imported: 0 new, 1 updated, 1 unchanged, 0 rejected", result.errors
    assert roles_of("grid_sq") == {"police_officer", "grid_worker"}
    assert roles_of("police_cg") == {"police_officer"}  # blank roles: kept
    result = run(csv_bytes(HEADER, [["grid_sq", "", "", "派出所民警", "", ""]]), admin)
    assert result.summary() == "imported: 0 new, 1 updated, 0 unchanged, 0 rejected"
    assert roles_of("grid_sq") == {"police_officer"}
    recorded = AuditEvent.objects.filter(action="user.roles", object_id=str(grid_sq.pk), actor_id=admin.pk)
    assert [e.details["roles"] for e in recorded.order_by("id")] == [
        ["grid_worker", "police_officer"],
        ["police_officer"],
    ]


def test_bad_rows_are_named_in_chinese_and_nothing_is_written(world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["a1", "", "没有这个单位", "网格员", "", ""],  # 2
        ["a2", "", "城关派出所", "派出所民警、巡逻员", "", ""],  # 3
        ["a3", "", "工商银行青溪支行", "网格员", "", ""],  # 4: not for a bank's staff
        ["a4", "", "城关派出所", "派出所民警", "", ""],  # 5
        ["a4", "", "城关派出所", "派出所民警", "", ""],  # 6: the same username again
        ["zhang san", "", "城关派出所", "派出所民警", "", ""],  # 7
        ["a*b", "", "城关派出所", "派出所民警", "", ""],  # 8
        ["a5", "", "", "派出所民警", "", ""],  # 9: new without a unit
        ["a6", "", "城关派出所", "", "", ""],  # 10: new without a role
        ["a7", "", "城关派出所", "派出所民警", "", "离职"],  # 11
        ["police_cg", "", "工商银行青溪支行", "", "", ""],  # 12: moved to a bank as an officer
        ["bank", "", "", "网格员", "", ""],  # 13: the bank's user, a role of area scope
        ["", "", "城关派出所", "派出所民警", "", ""],  # 14
    ]
    result = run(csv_bytes(HEADER, rows), world.users["admin"])
    assert result.batch.status == BatchStatus.REJECTED
    bank_rule = "银行、运营商单位的用户不能担任按辖区查看记录的角色"  # the user pages' message
    found = errors_of(result)
    assert found[:3] == [
        (2, "单位名称", "系统中没有该单位（请按系统中的单位全称填写；全角半角括号、空格不影响）"),
        (3, "角色", f"未知角色“巡逻员”，应为：{'、'.join(r.name for r in _roles())}"),
        (4, "角色", bank_rule),
    ]
    assert (6, "用户名", "与第 5 行的用户名重复") in found
    assert {row for row, column, _ in found if column == "用户名"} == {6, 7, 8, 14}
    assert (9, "单位名称", "新用户须填写单位名称") in found
    assert (10, "角色", "新用户须填写角色") in found
    assert (11, "状态", "状态应为“在用”或“停用”，留空则不改") in found
    moved_to_bank = f"{bank_rule}（派出所民警）；请先调整该用户的角色，再调动到“工商银行青溪支行”"
    assert (12, "单位名称", moved_to_bank) in found
    assert (13, "角色", bank_rule) in found
    assert {row for row, _, _ in found} == set(range(2, 15)) - {5}
    assert not User.objects.filter(username__in=["a1", "a2", "a4", "a5", "a6", "a7"]).exists()
    assert roles_of("bank") == {"bank_staff"}


def _roles():  # type: ignore[no-untyped-def]
    from fanzha.core.roles import ROLES

    return ROLES.values()


def test_status_deactivates_and_reactivates_through_the_services(world) -> None:  # type: ignore[no-untyped-def]
    admin, grid_cd = world.users["admin"], world.users["grid_cd"]
    result = run(csv_bytes(HEADER, [["grid_cd", "", "", "", "", "停用"]]), admin)
    assert result.summary() == "imported: 0 new, 1 updated, 0 unchanged, 0 rejected", result.errors
    assert not User.objects.get(pk=grid_cd.pk).is_active
    assert AuditEvent.objects.filter(action="user.deactivate", object_id=str(grid_cd.pk)).count() == 1
    result = run(csv_bytes(["用户名", "状态"], [["grid_cd", "在用"]]), admin)
    assert result.summary() == "imported: 0 new, 1 updated, 0 unchanged, 0 rejected", result.errors
    assert User.objects.get(pk=grid_cd.pk).is_active
    assert AuditEvent.objects.filter(action="user.reactivate", object_id=str(grid_cd.pk)).count() == 1


def test_the_administrator_cannot_deactivate_themselves_or_gain_a_role(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    result = run(csv_bytes(["用户名", "状态"], [["admin", "停用"]]), admin)
    assert errors_of(result) == [(2, "状态", "不能停用自己的账户")]
    assert User.objects.get(pk=admin.pk).is_active
    result = run(
        csv_bytes(["用户名", "角色"], [["grid_cd", "派出所民警"], ["admin", "系统管理员、审计员"]]), admin
    )
    assert result.batch.status == BatchStatus.REJECTED
    assert errors_of(result) == [(3, "", "不能给自己增加角色，请由另一位系统管理员办理")]
    assert roles_of("admin") == {"sysadmin"} and roles_of("grid_cd") == {"grid_worker"}  # all or nothing


def test_a_password_column_refuses_the_whole_file(world) -> None:  # type: ignore[no-untyped-def]
    for header in (["用户名", "单位名称", "角色", "密码"], ["Username", "Unit", "Role", "Password"]):
        rows = [["wangfang", "城东社区居委会", "网格员", "Mima#2026xyz"]]
        result = run(csv_bytes(header, rows), world.users["admin"])
        assert result.batch.status == BatchStatus.REJECTED
        ((row, column, message),) = errors_of(result)
        assert row == 2 and column == "密码（不接受）"
        assert message.startswith("文件含有密码列，整份文件未导入：密码不通过文件传递")
        assert message.endswith("导入后在“用户”页为新账户生成初始密码（首次登录须修改）")
        assert not User.objects.filter(username="wangfang").exists()
        stored = str(ImportBatch.objects.filter(pk=result.batch.pk).values().get())
        assert "Mima#2026xyz" not in stored
        assert "Mima#2026xyz" not in str(list(AuditEvent.objects.values("details")))


def test_an_xlsx_with_english_headers(world) -> None:  # type: ignore[no-untyped-def]
    header = ["Username", "Name", "Organisation", "Roles", "Work phone", "Status"]
    rows = [["jiangli", "蒋丽", "石桥村村委会", "grid_worker", "0571-5550002", "active"]]
    result = run(xlsx_bytes(header, rows, title="龙泉乡网格员名单"), world.users["admin"], file_name="u.xlsx")
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    assert User.objects.get(username="jiangli").organisation.name == "石桥村村委会"


def test_an_xlsx_username_stored_as_a_number_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    rows = [[12345, "周强", "城关派出所", "派出所民警"]]
    result = run(
        xlsx_bytes(["用户名", "姓名", "单位名称", "角色"], rows), world.users["admin"], file_name="u.xlsx"
    )
    assert errors_of(result) == [(2, "用户名", "用户名被表格软件转成了数字，请把该列设为文本后重新导出")]


def test_only_who_manages_users_may_import_them(world, client) -> None:  # type: ignore[no-untyped-def]
    for username in ("leader", "police_cg", "auditor"):
        with pytest.raises(PermissionDenied):
            run(csv_bytes(HEADER, ROWS), world.users[username])
    with pytest.raises(PermissionDenied):  # no system run: an account is always created by someone
        run(csv_bytes(HEADER, ROWS), None)
    assert not User.objects.filter(username="wangfang").exists()
    client.force_login(world.users["leader"])
    assert client.get(reverse("import_upload", args=["users"])).status_code == 403
    client.force_login(world.users["admin"])
    page = client.get(reverse("import_upload", args=["users"])).content.decode()
    assert "用户名" in page and "角色" in page
    assert reverse("import_upload", args=["users"]) in client.get(reverse("user_list")).content.decode()


def test_the_upload_page_imports_a_file(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["admin"])
    upload = SimpleUploadedFile("用户.csv", csv_bytes(HEADER, ROWS), content_type="text/csv")
    response = client.post(reverse("import_upload", args=["users"]), {"file": upload})
    assert response.status_code == 302
    assert User.objects.filter(username="wangfang").exists()


def test_new_accounts_are_created_without_hashing_a_password(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A discarded password hashed for each new account would cost ~0.5 s an account with the production
    # hasher: minutes for a county's list, in the request itself.
    def no_hashing(self, raw_password):  # type: ignore[no-untyped-def]
        raise AssertionError("a password was hashed")

    monkeypatch.setattr(User, "set_password", no_hashing)
    result = run(csv_bytes(HEADER, ROWS), world.users["admin"])
    assert result.summary() == "imported: 4 new, 0 updated, 0 unchanged, 0 rejected", result.errors


def test_the_service_creates_an_account_that_cannot_log_in_until_given_a_password(world) -> None:  # type: ignore[no-untyped-def]
    from fanzha.core.services import organisations as user_services

    user = user_services.user_create(
        actor=world.users["admin"],
        username="xinren",
        password=None,
        organisation=world.orgs["城关派出所"],
        roles=["police_officer"],
        must_change_password=True,
    )
    assert not user.has_usable_password() and password_must_change(user)


@pytest.mark.parametrize("word", ["社区网格员", "村网格员", "专职网格员"])
def test_a_grid_workers_title_as_villages_write_it_is_the_grid_worker_role(world, word) -> None:  # type: ignore[no-untyped-def]
    """A county's list calls them 社区网格员 or 专职网格员: the row was refused, the role unknown."""
    result = run(csv_bytes(HEADER, [["wg_new", "", "城东社区居委会", word, "", ""]]), world.users["admin"])
    assert result.ok, errors_of(result)
    assert roles_of("wg_new") == {"grid_worker"}
