"""A case list (案件清单) row whose place names an area outside the centre's tree — the victim lives
elsewhere, the case was filed here — is imported with a notice (…不在本中心的区划内), the case
placed by its filing unit (受理单位), else at the centre's level; it no longer refuses the row and
so the whole file. The case stays inside the importer's jurisdiction: access follows
the place it was given."""

import io

import openpyxl
import pytest

from fanzha.cases.models import Case
from fanzha.core import access
from fanzha.imports.pipeline import import_run
from tests.personas import id_number

HEADER = ["案件编号", "报案时间", "发案地", "区划代码", "受理单位", "受害人姓名", "身份证号", "损失金额"]


def _row(
    ref: str, place: str = "城东社区", code: str = "", unit: str = "城关派出所", seq: str = "041"
) -> list:
    return [
        ref,
        "2026-11-02 09:30",
        place,
        code,
        unit,
        "钱某",
        id_number("330106", "19900101", seq),
        "12,800",
    ]


def _xlsx(rows: list[list], header: list[str] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(world, rows, header=HEADER):
    return import_run(
        actor=world.users["analyst"], importer="cases", file_name="案件.xlsx", data=_xlsx(rows, header)
    )


def _notices(result) -> dict[int, str]:
    return {n["row"]: n["message"] for n in result.batch.notices}


def test_a_victim_from_elsewhere_is_imported_by_the_filing_unit_with_a_notice(world):
    rows = [
        _row("A3311990401"),
        _row("A3311990402", place="杭州市西湖区", unit="城关派出所", seq="042"),
        _row("A3311990403", place="", code="330106000000", unit="龙泉派出所", seq="043"),
    ]
    result = _import(world, rows)
    assert result.ok, result.errors
    assert Case.objects.count() == 3
    by_unit = Case.objects.get(source_ref="A3311990402")
    assert by_unit.area == world.area("城关镇") and by_unit.organisation == world.orgs["城关派出所"]
    by_code = Case.objects.get(source_ref="A3311990403")
    assert by_code.area == world.area("龙泉乡") and by_code.organisation == world.orgs["龙泉派出所"]
    notices = _notices(result)
    assert 2 not in notices
    assert notices[3].find("不在本中心的区划内") > 0 and "城关派出所" in notices[3]
    assert notices[4].find("不在本中心的区划内") > 0 and "龙泉派出所" in notices[4]
    assert "杭州" not in str(notices) and "330106" not in str(notices)  # the cell is not quoted
    victim = by_unit.victims.get().person
    assert victim.area == world.area("城关镇")


@pytest.mark.parametrize("unit", ["", "某某派出所"])
def test_without_a_known_filing_unit_the_case_goes_to_the_centres_level(world, unit):
    result = _import(world, [_row("A3311990411", place="杭州市西湖区", unit=unit)])
    assert result.ok, result.errors
    case = Case.objects.get(source_ref="A3311990411")
    assert case.area == world.area("青溪县") and case.organisation == world.orgs["青溪县反诈中心"]
    [notice] = result.batch.notices
    assert notice["message"].find("不在本中心的区划内") > 0 and "青溪县" in notice["message"]


def test_a_list_without_a_filing_unit_column_goes_to_the_centres_level(world):
    header = [h for h in HEADER if h != "受理单位"]
    row = _row("A3311990421", place="杭州市西湖区")
    del row[4]
    result = _import(world, [row], header)
    assert result.ok, result.errors
    assert Case.objects.get(source_ref="A3311990421").area == world.area("青溪县")


def test_the_placed_case_is_seen_by_the_filing_unit_and_the_centre_not_by_another_station(world):
    _import(world, [_row("A3311990431", place="杭州市西湖区", unit="城关派出所")])
    case = Case.objects.get(source_ref="A3311990431")
    assert access.area_visible_to(world.users["police_cg"], case.area)
    assert access.area_visible_to(world.users["analyst"], case.area)
    assert not access.area_visible_to(world.users["police_lq"], case.area)


def test_a_filing_unit_outside_the_jurisdiction_is_not_used(world):
    """A bank's or another unit's name in 受理单位 places nothing: only police units and centres do."""
    result = _import(world, [_row("A3311990441", place="杭州市西湖区", unit="工商银行青溪支行")])
    assert result.ok, result.errors
    assert Case.objects.get(source_ref="A3311990441").area == world.area("青溪县")


def test_a_name_with_namesakes_or_a_lossy_code_is_still_refused(world):
    result = _import(world, [_row("A3311990451", place="", code="3.31199E+11")])
    assert not result.ok and not Case.objects.exists()


def test_a_later_row_of_a_case_with_a_victim_from_elsewhere_adds_the_victim_in_the_cases_area(world):
    second = _row("A3311990461", place="杭州市西湖区", unit="", seq="062")
    second[5] = "赵某"
    result = _import(world, [_row("A3311990461"), second])
    assert result.ok, result.errors
    case = Case.objects.get(source_ref="A3311990461")
    assert case.area == world.area("城东社区") and case.victims.count() == 2
    assert {v.person.area for v in case.victims.select_related("person")} == {world.area("城东社区")}
    [notice] = result.batch.notices
    assert notice["row"] == 3 and "案件归属不变" in notice["message"]
