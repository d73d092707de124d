"""Each batch keeps the file's header in order and what each column was read as; its page shows it."""

from __future__ import annotations

from django.urls import reverse

from fanzha.imports.pipeline import import_run
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row


def test_it_keeps_the_files_columns_and_what_each_was_read_as(world, client) -> None:  # type: ignore[no-untyped-def]
    header = ["序号", *PEOPLE_HEADER, "姓名", "13905711234"]  # a second 姓名; a number in a header cell
    data = csv_bytes(header, [["1", *person_row(1), "王五", ""]])
    result = import_run(actor=world.users["leader"], importer="people", file_name="p.csv", data=data)
    assert result.ok, result.batch.message
    columns = result.batch.columns
    assert columns[:3] == [["序号", ""], ["姓名", "name"], ["身份证号", "id_number"]]
    assert columns[-2] == ["姓名 (2)", ""]  # only the first 姓名 is read (the reader numbers the second)
    assert columns[-1][1] == "" and "13905711234" not in columns[-1][0]  # masked like any message
    client.force_login(world.users["leader"])
    page = client.get(reverse("import_detail", args=[result.batch.pk])).content.decode()
    assert "列的识别" in page and '序号 → <span class="text-muted">未读取</span>' in page
    assert "身份证号 → 身份证号" in page and "13905711234" not in page
