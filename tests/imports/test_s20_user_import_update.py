"""The users importer changes an existing account's 姓名, 工作电话 and 单位 through ``user_update`` (s20).

A blank cell keeps what the account has, the same value changes nothing, and a transfer the service
refuses (roles the new unit's kind does not allow, a deactivated unit, one's own account, open warnings
or cases still held) is an error of the row's 单位名称.
"""

from __future__ import annotations

from fanzha.audit.models import AuditEvent
from fanzha.core.models import User
from fanzha.core.services import organisations as org_services
from fanzha.imports.models import BatchStatus
from tests.imports.files import csv_bytes
from tests.imports.test_s20_user_import import HEADER, errors_of, roles_of, run
from tests.warnings.helpers import make_warning

UNIT = "单位名称"


def _row(username: str, name: str = "", unit: str = "", roles: str = "", phone: str = "") -> list[str]:
    return [username, name, unit, roles, phone, ""]


def _import(world, *rows: list[str], actor: str = "admin"):  # type: ignore[no-untyped-def]
    return run(csv_bytes(HEADER, list(rows)), world.users[actor])


def _stored(world, username: str) -> User:  # type: ignore[no-untyped-def]
    return User.objects.select_related("organisation").get(pk=world.users[username].pk)


def test_a_row_changes_the_name_phone_and_unit_of_an_account(world) -> None:  # type: ignore[no-untyped-def]
    result = _import(world, _row("grid_sq", "张丽", "城东社区居委会", phone="0571-5550009"))
    assert result.summary() == "imported: 0 new, 1 updated, 0 unchanged, 0 rejected", result.errors
    stored = _stored(world, "grid_sq")
    assert (stored.display_name, stored.work_phone, stored.organisation.name) == (
        "张丽",
        "0571-5550009",
        "城东社区居委会",
    )
    (event,) = AuditEvent.objects.filter(action="record.update", object_id=str(stored.pk))
    assert sorted(event.fields) == ["display_name", "organisation", "work_phone"]
    assert event.actor_id == world.users["admin"].pk


def test_blank_cells_keep_and_the_same_values_change_nothing(world) -> None:  # type: ignore[no-untyped-def]
    assert _import(world, _row("grid_sq", "张丽", phone="0571-5550009")).batch.status == BatchStatus.COMMITTED
    events = AuditEvent.objects.count()
    result = _import(world, _row("grid_sq", "张丽", "石桥村村委会"), _row("police_cg", unit="城关派出所"))
    assert result.summary() == "imported: 0 new, 0 updated, 2 unchanged, 0 rejected", result.errors
    stored = _stored(world, "grid_sq")
    assert (stored.display_name, stored.work_phone) == ("张丽", "0571-5550009")  # blank phone: kept
    assert AuditEvent.objects.count() == events + 1  # the file's import.commit only


def test_open_warnings_held_make_the_row_an_error_and_nothing_is_written(world) -> None:  # type: ignore[no-untyped-def]
    make_warning(1)
    make_warning(2)
    result = _import(world, _row("grid_sq", "张丽"), _row("grid_cd", unit="石桥村村委会"))
    assert result.batch.status == BatchStatus.REJECTED
    ((row, column, message),) = errors_of(result)
    assert (row, column) == (3, UNIT)
    assert "还有 2 条未办结的预警由其承办（请先转交或改派他人）" in message
    assert _stored(world, "grid_cd").organisation.name == "城东社区居委会"
    assert _stored(world, "grid_sq").display_name == ""  # all or nothing


def test_a_transfer_refused_by_the_service_is_the_rows_unit_error(world) -> None:  # type: ignore[no-untyped-def]
    org_services.organisation_update(
        actor=world.users["admin"], organisation=world.orgs["龙泉派出所"], is_active=False
    )
    result = _import(
        world,
        _row("police_cg", unit="龙泉派出所"),  # 2: deactivated
        _row("admin", unit="城关派出所"),  # 3: the administrator's own account
        _row("grid_cd", unit="工商银行青溪支行"),  # 4: 网格员 is not for a bank's staff
    )
    assert errors_of(result) == [
        (2, UNIT, "“龙泉派出所”已停用，不能调入用户"),
        (3, UNIT, "不能调动自己的单位，请由另一位系统管理员办理"),
        (
            4,
            UNIT,
            "银行、运营商单位的用户不能担任按辖区查看记录的角色（网格员）；请先调整该用户的角色，"
            "再调动到“工商银行青溪支行”",
        ),
    ]


def test_a_row_moves_an_account_with_the_roles_of_its_new_unit(world) -> None:  # type: ignore[no-untyped-def]
    """To a bank with the bank's role, and from a bank to a village with the grid worker's: the row's
    roles are those of the new unit, whichever way the change has to be made."""
    result = _import(
        world,
        _row("grid_cd", unit="工商银行青溪支行", roles="银行工作人员"),
        _row("bank", unit="石桥村村委会", roles="网格员"),
    )
    assert result.summary() == "imported: 0 new, 2 updated, 0 unchanged, 0 rejected", result.errors
    assert _stored(world, "grid_cd").organisation.name == "工商银行青溪支行"
    assert roles_of("grid_cd") == {"bank_staff"}
    assert _stored(world, "bank").organisation.name == "石桥村村委会"
    assert roles_of("bank") == {"grid_worker"}


def test_roles_that_fit_the_old_unit_but_not_the_new_one_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    result = _import(world, _row("police_cg", unit="工商银行青溪支行", roles="派出所民警"))
    assert errors_of(result) == [(2, "角色", "银行、运营商单位的用户不能担任按辖区查看记录的角色")]
    assert _stored(world, "police_cg").organisation.name == "城关派出所"


def test_a_phone_cell_saying_delete_removes_the_phone_and_again_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    assert _import(world, _row("grid_sq", phone="0571-5550009")).batch.status == BatchStatus.COMMITTED
    result = _import(world, _row("grid_sq", phone="（删除）"), _row("grid_cd", phone="无"))
    assert result.summary() == "imported: 0 new, 1 updated, 1 unchanged, 0 rejected", result.errors
    assert _stored(world, "grid_sq").work_phone == "" and _stored(world, "grid_cd").work_phone == ""
    again = _import(world, _row("grid_sq", phone="删除"))
    assert again.summary() == "imported: 0 new, 0 updated, 1 unchanged, 0 rejected", again.errors


def test_a_new_account_with_no_phone_written_as_such_gets_none(world) -> None:  # type: ignore[no-untyped-def]
    result = _import(world, ["grid_new", "王五", "城东社区居委会", "网格员", "无", ""])
    assert result.summary() == "imported: 1 new, 0 updated, 0 unchanged, 0 rejected", result.errors
    assert User.objects.get(username="grid_new").work_phone == ""
