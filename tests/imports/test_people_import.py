"""The people importer through the pipeline: upsert by ID number, all or nothing, scope, idempotency."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from fanzha.audit.models import AuditEvent
from fanzha.core.models import Person
from fanzha.core.pii import crypto
from fanzha.core.services import areas as area_services
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.imports.pipeline import import_run
from tests.imports.files import DATA, PEOPLE_HEADER, csv_bytes, person_row, unique_people, xlsx_bytes
from tests.personas import id_number


def run(world, data: bytes, user: str = "leader", **kwargs):  # type: ignore[no-untyped-def]
    return import_run(actor=world.users[user], importer="people", file_name="人员.csv", data=data, **kwargs)


def by_id(number: str) -> Person:
    return Person.objects.get(id_number_hash=crypto.search_hash("id_number", number))


def test_it_imports_new_and_updates_existing_people(world) -> None:  # type: ignore[no-untyped-def]
    existing = world.people["chengdong"]
    header = ["姓名", "公民身份号码", "联系电话", "所属区划", "重点人群"]
    rows = [
        ["张三", person_row(1)[1], "13905719001", "城东社区第一网格", "老年人、在校学生"],
        ["李四", person_row(2)[1], "", "石桥村", "elderly_alone"],
        ["王秀英", existing.id_number, "13905719999", "城东社区第一网格", ""],
    ]
    result = run(world, csv_bytes(header, rows, encoding="gbk"))
    assert result.ok and result.summary() == "imported: 2 new, 1 updated, 0 unchanged, 0 rejected"
    zhang = by_id(person_row(1)[1])
    assert (zhang.name, zhang.phone, zhang.area.name) == ("张三", "13905719001", "城东社区第一网格")
    assert zhang.key_groups == ["elderly", "student"]
    assert by_id(person_row(2)[1]).key_groups == ["elderly_alone"]
    existing.refresh_from_db()
    assert existing.phone == "13905719999"
    assert existing.address == "青溪县城关镇城东社区幸福路8号"  # no address column: kept
    assert existing.key_groups == ["elderly_alone"]  # blank cell: kept
    event = AuditEvent.objects.filter(action="import.commit").get()
    assert event.details == {
        "importer": "people",
        "rows": 3,
        "new": 2,
        "updated": 1,
        "unchanged": 0,
        "rejected": 0,
    }


def test_it_changes_nothing_when_the_same_rows_come_again(world) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(PEOPLE_HEADER, unique_people(10, 4))
    assert run(world, data).summary() == "imported: 4 new, 0 updated, 0 unchanged, 0 rejected"
    count, audits = Person.objects.count(), AuditEvent.objects.filter(action="record.update").count()
    again = run(world, data)
    assert again.batch.status == BatchStatus.SKIPPED
    assert again.summary() == "imported: 0 new, 0 updated, 4 unchanged, 0 rejected"
    other_file = run(world, xlsx_bytes(PEOPLE_HEADER, unique_people(10, 4)))
    assert other_file.batch.status == BatchStatus.COMMITTED
    assert other_file.summary() == "imported: 0 new, 0 updated, 4 unchanged, 0 rejected"
    assert Person.objects.count() == count
    assert AuditEvent.objects.filter(action="record.update").count() == audits


def test_it_commits_nothing_when_one_row_is_bad(world) -> None:  # type: ignore[no-untyped-def]
    bad_id = "330102199001011235"  # wrong check digit
    rows = [*unique_people(20, 3), person_row(99, id_number=bad_id), person_row(98, phone="1390571001")]
    count = Person.objects.count()
    result = run(world, csv_bytes(PEOPLE_HEADER, rows))
    assert result.batch.status == BatchStatus.REJECTED
    assert result.summary() == "imported: 0 new, 0 updated, 0 unchanged, 2 rejected"
    assert Person.objects.count() == count
    assert [(e["row"], e["column"]) for e in result.errors] == [(5, "身份证号"), (6, "手机号")]
    assert result.errors[0]["value"] == "3301**********1235"
    assert bad_id not in str(result.errors)
    event = AuditEvent.objects.filter(action="import.reject").get()
    assert event.details["rejected"] == 2 and event.details["rows"] == 5


def test_it_rejects_rows_outside_the_jurisdiction_and_repeated_ids(world) -> None:  # type: ignore[no-untyped-def]
    elsewhere = area_services.area_create(
        actor=None, code="331188000000", name="白沙县", level="district", parent=world.areas["331100000000"]
    )
    rows = [person_row(30, area_code=elsewhere.code), person_row(31), person_row(31, name="重复")]
    result = run(world, csv_bytes(PEOPLE_HEADER, rows))
    assert result.batch.status == BatchStatus.REJECTED
    assert [(e["row"], e["message"]) for e in result.errors] == [
        (2, "该区划不在您的管辖范围内"),
        (4, "与第 3 行的身份证号重复"),
    ]
    assert not Person.objects.filter(name_hash=crypto.search_hash("name", "测试31号")).exists()


def test_it_needs_the_person_import_permission(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        run(world, csv_bytes(PEOPLE_HEADER, [person_row(1)]), user="police_cg")
    with pytest.raises(PermissionDenied):
        import_run(actor=None, importer="people", file_name="x.csv", data=b"x")
    assert not ImportBatch.objects.exists()


def test_it_refuses_id_numbers_a_spreadsheet_turned_into_numbers(world) -> None:  # type: ignore[no-untyped-def]
    row = person_row(40)
    data = xlsx_bytes(PEOPLE_HEADER, [[row[0], int(row[1][:17] + "0"), row[2], *row[3:]], person_row(41)])
    result = run(world, data)
    assert result.batch.status == BatchStatus.REJECTED
    assert result.errors == [
        {
            "row": 2,
            "column": "身份证号",
            "value": result.errors[0]["value"],
            "message": "身份证号被表格软件转成了数字，请把该列设为文本后重新导出",
        }
    ]
    xls = run(world, (DATA / "people_numeric.xls").read_bytes())
    assert [e["column"] for e in xls.errors] == ["身份证号", "手机号"]
    assert Person.objects.count() == 2


def test_it_reads_xls_and_reports_unknown_columns(world) -> None:  # type: ignore[no-untyped-def]
    result = run(world, (DATA / "people_text.xls").read_bytes())
    assert result.summary() == "imported: 2 new, 0 updated, 0 unchanged, 0 rejected"
    assert by_id("331102198001010115").key_groups == ["elderly"]
    data = csv_bytes([*PEOPLE_HEADER, "民族"], [[*person_row(50), "汉"]])
    assert run(world, data).batch.unknown_columns == ["民族"]


def test_it_rejects_a_file_without_the_required_columns(world) -> None:  # type: ignore[no-untyped-def]
    result = run(world, csv_bytes(["电话", "地址"], [["13905710001", "青溪县"]]))
    assert result.batch.status == BatchStatus.REJECTED
    assert result.batch.message.startswith("缺少必需的列：姓名、身份证号、区划代码或所属区划")
    garbage = run(world, b"\x00\x01\x02 not a table")
    assert garbage.batch.message == "不是可识别的表格文件，请上传 CSV、XLSX 或 XLS 文件"


def test_it_checks_without_committing_on_a_dry_run(world) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(PEOPLE_HEADER, unique_people(60, 3))
    result = run(world, data, dry_run=True)
    assert result.batch.status == BatchStatus.CHECKED
    assert result.summary() == "checked, not imported: 3 new, 0 updated, 0 unchanged, 0 rejected"
    assert Person.objects.count() == 2
    assert run(world, data).batch.status == BatchStatus.COMMITTED  # a checked file is not "already imported"
    assert Person.objects.count() == 5
    assert id_number("331102", "19000101", "001") not in str(result.batch.errors)
