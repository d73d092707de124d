"""Feedback per file (反馈): each row goes back in the layout of the file (or push) it came in.

Two files of one source in different layouts (the province's old and new template, two banks both
sending as 银行) used to share the later file's: the earlier file's rows went back under columns their
sender never sent. A period spanning two layouts is now one section (CSV) or sheet (xlsx) per layout.
"""

from __future__ import annotations

import csv
import io

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fanzha.imports.pipeline import import_run
from fanzha.warnings.exports import feedback_columns
from fanzha.warnings.models import PushedLayout
from tests.imports.files import csv_bytes
from tests.personas import World, login
from tests.warnings.helpers import make_warning
from tests.warnings.test_api_batch import item, push
from tests.warnings.test_api_key import a_key
from tests.warnings.test_feedback_layout import HEADER, person_id, superior_row

# The province's new template: our names in another order, its own answer column (处置结果).
NEW_HEADER = ["预警编号", "姓名", "手机号", "身份证号", "现住址", "处置结果", "预警来源"]
OUR_OWN = ["预警编号", "姓名", "身份证号", "手机号", "现住址"]


def new_row(n: int, source: str = "上级推送") -> list[str]:
    return [
        f"SX-{n:03d}",
        f"李{'一二三'[n - 1]}",
        f"1390572{n:04d}",
        person_id(10 + n),
        f"青溪县城关镇城东社区和平路{n}号",
        "",
        source,
    ]


def old_file(source: str = "上级推送") -> bytes:
    return csv_bytes(HEADER, [[*superior_row(n)[:-1], source] for n in (1, 2)])


def new_file(source: str = "上级推送") -> bytes:
    return csv_bytes(NEW_HEADER, [new_row(1, source)])


def imported(name: str, data: bytes) -> None:
    result = import_run(actor=None, importer="warnings", file_name=name, data=data)
    assert result.ok, result.batch.message


def query(source: str, fmt: str) -> dict[str, str]:
    today = timezone.localdate().isoformat()
    return {"source": source, "start": today, "end": today, "format": fmt}


def feedback_text(client: Client, source: str = "superior") -> str:
    response = client.get(reverse("warning_feedback"), query(source, "csv"))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def sections(client: Client, source: str = "superior") -> list[list[list[str]]]:
    """The CSV's sections (split on its empty lines), each its header then its rows."""
    out: list[list[list[str]]] = [[]]
    for line in csv.reader(io.StringIO(feedback_text(client, source))):
        if line:
            out[-1].append(line)
        else:
            out.append([])
    return out


def test_two_files_of_one_source_each_go_back_under_their_own_header(world: World, client: Client) -> None:
    imported("省厅推送（旧模板）.csv", old_file())
    imported("省厅推送（新模板）.csv", new_file())
    login(client, world.users["analyst"])
    old, new = sections(client)
    assert old[0][: len(HEADER)] == HEADER and "处置结果" not in old[0]  # answered in its 处置情况
    assert [row[1] for row in old[1:]] == ["SJ-001", "SJ-002"]
    assert new[0][: len(NEW_HEADER)] == NEW_HEADER and "序号" not in new[0]
    assert new[0].count("处置结果") == 1 and new[0][len(NEW_HEADER)] == "处置状态"
    assert [row[0] for row in new[1:]] == ["SX-001"]
    mine = dict(zip(new[0], new[1], strict=True))
    assert mine["处置结果"] == "未办结（待签收）" and mine["现住址"].endswith("*")


def test_the_personal_data_stays_masked_in_every_section(world: World, client: Client) -> None:
    imported("a.csv", old_file())
    imported("b.csv", new_file())
    login(client, world.users["analyst"])
    text = feedback_text(client)
    for clear in (person_id(1), person_id(11), "13905710001", "13905720001", "王一", "李一", "幸福路1号"):
        assert clear not in text
    old, new = sections(client)
    assert all("*" in row[2] and "*" in row[3] for row in old[1:])  # 受害人姓名, 公民身份号码
    assert all("*" in row[1] and "*" in row[2] and "*" in row[3] for row in new[1:])


def test_an_xlsx_has_one_sheet_per_layout(world: World, client: Client) -> None:
    from openpyxl import load_workbook

    imported("a.csv", old_file())
    imported("b.csv", new_file())
    login(client, world.users["analyst"])
    response = client.get(reverse("warning_feedback"), query("superior", "xlsx"))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["反馈1", "反馈2"]
    first, second = ([list(row) for row in sheet.values] for sheet in book.worksheets)
    assert first[0][: len(HEADER)] == HEADER and [row[1] for row in first[1:]] == ["SJ-001", "SJ-002"]
    assert second[0][: len(NEW_HEADER)] == NEW_HEADER and [row[0] for row in second[1:]] == ["SX-001"]


def test_two_banks_sending_as_one_source_keep_their_own_columns(world: World, client: Client) -> None:
    imported("工行.csv", old_file("银行"))
    imported("农行.csv", new_file("银行"))
    login(client, world.users["analyst"])
    icbc, abc = sections(client, "bank")
    assert icbc[0][: len(HEADER)] == HEADER and len(icbc) == 3
    assert abc[0][: len(NEW_HEADER)] == NEW_HEADER and len(abc) == 2


def test_importing_the_same_file_again_changes_nothing(world: World, client: Client) -> None:
    imported("a.csv", old_file())
    imported("b.csv", new_file())
    login(client, world.users["analyst"])
    before, layouts = feedback_text(client), PushedLayout.objects.count()
    imported("a.csv", old_file())  # byte for byte: skipped
    # The same rows saved again in another encoding (other bytes): every row unchanged, no layout.
    imported("a（另存）.csv", csv_bytes(HEADER, [superior_row(1), superior_row(2)], encoding="gb18030"))
    assert feedback_text(client) == before and PushedLayout.objects.count() == layouts


def test_a_warning_without_a_file_goes_back_in_the_latest_files_layout(world: World, client: Client) -> None:
    imported("a.csv", old_file())
    imported("b.csv", new_file())
    make_warning(5)  # a form or a single API call: 上级推送 with no file
    login(client, world.users["analyst"])
    old, new = sections(client)
    assert [row[1] for row in old[1:]] == ["SJ-001", "SJ-002"]
    assert [row[0] for row in new[1:]] == ["SX-001", "T00005"]


def test_a_batch_push_goes_back_in_our_own_list_not_in_a_files(world: World, client: Client) -> None:
    imported("工行.csv", old_file("银行"))
    before = feedback_columns("bank")
    _, token = a_key(world)
    assert push(client, [item(1), item(2)], token).status_code == 201
    assert feedback_columns("bank") == before  # what comes without a file: still the file's layout
    login(client, world.users["analyst"])
    icbc, pushed = sections(client, "bank")
    assert icbc[0][: len(HEADER)] == HEADER and [row[1] for row in icbc[1:]] == ["SJ-001", "SJ-002"]
    assert pushed[0][:5] == OUR_OWN and len(pushed) == 3


def test_a_layout_saved_before_layouts_were_per_file_still_answers_the_rows_imported_then(
    world: World, client: Client
) -> None:
    imported("a.csv", old_file())
    # As migration 0011 leaves a layout saved before: the source's one, with no receipt instant.
    PushedLayout.objects.update(received_at=None, batch=None)
    make_warning(5)  # received after it was saved: the latest file's, as before
    imported("b.csv", new_file())
    login(client, world.users["analyst"])
    old, new = sections(client)
    assert old[0][: len(HEADER)] == HEADER and [row[1] for row in old[1:]] == ["SJ-001", "SJ-002"]
    assert new[0][: len(NEW_HEADER)] == NEW_HEADER and [row[0] for row in new[1:]] == ["T00005", "SX-001"]
