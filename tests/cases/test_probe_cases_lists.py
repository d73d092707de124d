"""Probe: case lists (案件清单) as a centre hands them over."""

import csv
import io

from fanzha.cases.models import Case
from fanzha.core.services import areas as area_services
from fanzha.imports.pipeline import import_run
from tests.personas import id_number

HEADER = [
    "案件编号",
    "报案时间",
    "发案时间",
    "受害人姓名",
    "身份证号",
    "联系电话",
    "诈骗类型",
    "损失金额",
    "发案地",
]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _row(ref: str, name: str, serial: str, place: str) -> list[str]:
    number = id_number("331102", "19800101", serial)
    return [
        ref,
        "2026-11-20 14:00",
        "2026-11-20 10:00",
        name,
        number,
        "13905710031",
        "刷单",
        "12,800.00",
        place,
    ]


def test_the_row_errors_of_a_place_name_the_lists_column_not_the_people_imports(world):
    """A 发案地 two areas of the jurisdiction bear, and a blank one: the report named 所属区划, a column
    of the people import the list does not have."""
    area_services.area_create(
        actor=None, code="331199200202", name="城东社区", level="village", parent=world.area("龙泉乡")
    )
    data = _csv([HEADER, _row("A1", "钱某", "031", "城东社区"), _row("A2", "孙某", "042", "")])
    result = import_run(actor=world.users["analyst"], importer="cases", file_name="案件.csv", data=data)
    assert not result.ok and not Case.objects.exists()
    found = {(e["row"], e["column"], e["message"]) for e in result.errors}
    assert found == {
        (2, "发案地", "辖区内有多个同名区划，请改填区划代码"),
        (3, "区划代码", "请填写区划代码或发案地"),
    }
