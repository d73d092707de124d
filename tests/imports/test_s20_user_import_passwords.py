"""生成初始密码 (s20): the accounts a users import created get their initial passwords once, as a sheet."""

from __future__ import annotations

import io
import logging

from django.contrib.auth.password_validation import validate_password
from django.urls import reverse
from openpyxl import load_workbook

from fanzha.audit.models import AuditEvent
from fanzha.core.models import User
from fanzha.core.security import password_must_change
from fanzha.core.services import organisations as user_services
from fanzha.imports.importers import users as user_import
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.imports.pipeline import import_run
from tests.imports.files import csv_bytes

HEADER = ["用户名", "姓名", "单位名称", "角色"]
ROWS = [
    ["wangfang", "王芳", "城东社区居委会", "网格员"],
    ["lijun", "=1+1", "城关派出所", "派出所民警"],  # a name a spreadsheet would run as a formula
    ["zhaomin", "赵敏", "工商银行青溪支行", "银行工作人员"],
]
USERNAMES = sorted(row[0] for row in ROWS)


def imported(world, rows=ROWS) -> ImportBatch:  # type: ignore[no-untyped-def]
    result = import_run(
        actor=world.users["admin"], importer="users", file_name="用户.csv", data=csv_bytes(HEADER, rows)
    )
    assert result.batch.status == BatchStatus.COMMITTED, result.errors
    return result.batch


def sheet_rows(response) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row)  # text, no formula
    return [tuple(cell.value or "" for cell in row) for row in sheet.iter_rows()]


def generate(client, batch: ImportBatch):  # type: ignore[no-untyped-def]
    return client.post(reverse("user_import_passwords", args=[batch.pk]))


def test_the_new_accounts_get_their_initial_passwords_once(world, client, caplog) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    batch = imported(world)
    client.force_login(admin)
    listing = client.get(reverse("user_list")).content.decode()
    assert reverse("user_import_passwords", args=[batch.pk]) in listing and "3 个账户尚无密码" in listing
    with caplog.at_level(logging.DEBUG):
        response = generate(client, batch)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    header, *rows = sheet_rows(response)
    assert header == ("用户名", "姓名", "单位", "初始密码")
    assert [row[:3] for row in rows] == [
        ("lijun", "=1+1", "城关派出所"),
        ("wangfang", "王芳", "城东社区居委会"),
        ("zhaomin", "赵敏", "工商银行青溪支行"),
    ]
    passwords = {row[0]: row[3] for row in rows}
    for user in User.objects.filter(username__in=USERNAMES):
        assert user.check_password(passwords[user.username])
        validate_password(passwords[user.username], user)  # the configured policy
        assert password_must_change(user)  # to be changed at first login, as after a reset
    assert len(set(passwords.values())) == 3
    resets = AuditEvent.objects.filter(action="user.password_reset", actor_id=admin.pk)
    assert sorted(resets.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in User.objects.filter(username__in=USERNAMES).values_list("pk", flat=True)
    )
    kept = str(list(AuditEvent.objects.values())) + str(list(ImportBatch.objects.values()))
    logged = caplog.text
    for password in passwords.values():
        assert password not in kept and password not in logged
    assert not User.objects.filter(password__contains=next(iter(passwords.values()))).exists()

    again = generate(client, batch)  # a second click gives no password for accounts given one
    assert again.status_code == 302 and again["Location"] == reverse("user_list")
    assert AuditEvent.objects.filter(action="user.password_reset").count() == 3
    for user in User.objects.filter(username__in=USERNAMES):
        assert user.check_password(passwords[user.username])
    listing = client.get(reverse("user_list")).content.decode()
    assert reverse("user_import_passwords", args=[batch.pk]) not in listing
    assert "都已有密码" in listing


def test_accounts_given_a_password_or_deactivated_since_get_none(world, client) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    batch = imported(world)
    wang, li = User.objects.get(username="wangfang"), User.objects.get(username="lijun")
    user_services.user_reset_password(actor=admin, user=wang, password="Linshi#2026pass")
    user_services.user_deactivate(actor=admin, user=li)
    client.force_login(admin)
    _, *rows = sheet_rows(generate(client, batch))
    assert [row[0] for row in rows] == ["zhaomin"]
    assert User.objects.get(pk=wang.pk).check_password("Linshi#2026pass")
    assert not User.objects.get(pk=li.pk).has_usable_password()


def test_a_long_list_is_given_a_sheet_a_click(world, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(user_import, "PASSWORD_SHEET_MAX", 2)
    batch = imported(world)
    client.force_login(world.users["admin"])
    first = generate(client, batch)
    assert [row[0] for row in sheet_rows(first)[1:]] == ["lijun", "wangfang"]
    listing = client.get(reverse("user_list")).content.decode()
    assert "还有 1 个账户尚无密码" in listing and "1 个账户尚无密码，还不能登录" in listing
    assert [row[0] for row in sheet_rows(generate(client, batch))[1:]] == ["zhaomin"]
    assert generate(client, batch).status_code == 302


def test_only_the_accounts_the_batch_created(world, client) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    batch = imported(world)
    # a second file, touching an account of the first and creating one of its own
    later = imported(
        world, [["wangfang", "", "", "派出所民警"], ["sunli", "孙丽", "城关派出所", "派出所民警"]]
    )
    client.force_login(admin)
    assert [row[0] for row in sheet_rows(generate(client, later))[1:]] == ["sunli"]
    assert [row[0] for row in sheet_rows(generate(client, batch))[1:]] == USERNAMES
    organisations = ImportBatch.objects.create(
        importer="organisations", file_name="单位.csv", sha256="1" * 64, status="committed", actor=admin
    )
    assert generate(client, organisations).status_code == 404
    client.force_login(world.users["leader"])
    assert generate(client, batch).status_code == 403
    assert client.get(reverse("user_import_passwords", args=[batch.pk])).status_code == 405
