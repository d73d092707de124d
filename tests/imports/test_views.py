"""Import pages: upload commits or shows masked row errors, batches by owner, area export."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fanzha.core.models import Area, Person
from fanzha.imports.models import BatchStatus, ImportBatch
from fanzha.imports.pipeline import import_run
from tests.imports.files import PEOPLE_HEADER, csv_bytes, person_row, unique_people, xlsx_bytes


def upload(client, importer: str, data: bytes, name: str = "人员.csv", **extra):  # type: ignore[no-untyped-def]
    url = reverse("import_upload", kwargs={"importer": importer})
    return client.post(url, {"file": SimpleUploadedFile(name, data), **extra})


def test_it_commits_a_clean_upload_and_shows_the_counts(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    response = upload(client, "people", xlsx_bytes(PEOPLE_HEADER, unique_people(1, 3)), name="名单.xlsx")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import_detail", args=[batch.pk])
    assert batch.status == BatchStatus.COMMITTED and batch.rows_new == 3
    page = client.get(response["Location"]).content.decode()
    assert "新增 3，更新 0，未变 0，有误 0" in page
    assert Person.objects.count() == 5


def test_it_shows_masked_row_errors_and_commits_nothing(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["analyst"])
    bad = person_row(9, id_number="330102199001011235", name="欧阳小明")
    response = upload(client, "people", csv_bytes(PEOPLE_HEADER, [person_row(8), bad], encoding="gbk"))
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.REJECTED
    assert Person.objects.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "3301**********1235" in page and "330102199001011235" not in page
    errors = client.get(reverse("import_errors", args=[batch.pk]))
    body = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "行号,列,内容（已脱敏）,问题"
    assert "3,身份证号,3301**********1235," in body
    assert "330102199001011235" not in body and "欧阳小明" not in body


def test_a_passed_check_says_how_to_import_the_file(world, client) -> None:  # type: ignore[no-untyped-def]
    """仅检查 that passed ended on a page whose only link went back to the list: nothing said that the
    file is imported by choosing it again without 仅检查 (the check keeps no file)."""
    client.force_login(world.users["analyst"])
    response = upload(client, "people", csv_bytes(PEOPLE_HEADER, unique_people(1, 2)), dry_run="on")
    assert ImportBatch.objects.get().status == BatchStatus.CHECKED
    page = client.get(response["Location"]).content.decode()
    again = reverse("import_upload", kwargs={"importer": "people"})
    assert f'href="{again}"' in page and "不勾选“仅检查”" in page
    upload(client, "people", csv_bytes(PEOPLE_HEADER, unique_people(1, 2)))
    committed = ImportBatch.objects.get(status=BatchStatus.COMMITTED)
    assert "不勾选“仅检查”" not in client.get(reverse("import_detail", args=[committed.pk])).content.decode()


def test_a_passed_check_says_not_imported_once(world, client) -> None:  # type: ignore[no-untyped-def]
    """The message read “已检查（未导入）：检查通过（仅检查，未导入）”: 未导入 twice."""
    client.force_login(world.users["analyst"])
    upload(client, "people", csv_bytes(PEOPLE_HEADER, unique_people(1, 2)), dry_run="on")
    assert ImportBatch.objects.get().outcome_text.count("未导入") == 1


def test_a_passed_checks_page_says_not_imported_once(world, client) -> None:  # type: ignore[no-untyped-def]
    """The page said it three times: the flash (已检查（未导入）：检查通过), the status (已检查（未导入）) and
    the next step (检查通过，尚未导入…). The status says it; the next step keeps its link to import."""
    client.force_login(world.users["analyst"])
    response = upload(client, "people", csv_bytes(PEOPLE_HEADER, unique_people(1, 2)), dry_run="on")
    page = client.get(response["Location"]).content.decode()
    assert page.count("未导入") == 1
    assert '<span data-testid="batch-status">已检查（未导入）</span>' in page
    again = reverse("import_upload", kwargs={"importer": "people"})
    link = f'<a href="{again}">导入人员</a>'
    assert f"仅检查不保留文件：要导入，请到{link}重新选择该文件，不勾选“仅检查”后上传。" in page


def test_a_checks_counts_say_what_the_import_would_do(world, client) -> None:  # type: ignore[no-untyped-def]
    """仅检查 imports nothing, yet its page said “新增 1，更新 1” as if it had: the counts of a check are
    what an import would do (将新增, 将更新); the list marks the batch 仅检查."""
    client.force_login(world.users["analyst"])
    upload(client, "people", csv_bytes(PEOPLE_HEADER, [person_row(1)]))
    moved = person_row(1, address="青溪县城关镇幸福路100号")
    response = upload(client, "people", csv_bytes(PEOPLE_HEADER, [moved, person_row(2)]), dry_run="on")
    checked = ImportBatch.objects.get(dry_run=True)
    assert checked.status == BatchStatus.CHECKED and (checked.rows_new, checked.rows_updated) == (1, 1)
    page = client.get(response["Location"]).content.decode()
    assert "共 2 行：将新增 1，将更新 1，未变 0，有误 0" in page
    assert "：新增" not in page
    committed = ImportBatch.objects.get(dry_run=False)
    page = client.get(reverse("import_detail", args=[committed.pk])).content.decode()
    assert "共 1 行：新增 1，更新 0，未变 0，有误 0" in page and "将新增" not in page
    listing = client.get(reverse("import_list")).content.decode()
    assert listing.count("<td>人员（仅检查）</td>") == 1 and listing.count("<td>人员</td>") == 1


def test_it_refuses_an_upload_form_without_a_file(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    response = client.post(reverse("import_upload", kwargs={"importer": "people"}), {})
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()
    assert client.get(reverse("import_upload", kwargs={"importer": "nothing"})).status_code == 404


def test_it_lists_own_batches_and_the_centres_to_centre_roles(world, client) -> None:  # type: ignore[no-untyped-def]
    import_run(
        actor=world.users["leader"],
        importer="people",
        file_name="领导的文件.csv",
        data=csv_bytes(PEOPLE_HEADER, [person_row(1)]),
    )
    import_run(
        actor=world.users["admin"],
        importer="areas",
        file_name="管理员的文件.csv",
        data=b"code,name,level\n331199600000,\xe6\xb5\x8b,township\n",
    )
    client.force_login(world.users["analyst"])
    page = client.get(reverse("import_list")).content.decode()
    assert "领导的文件.csv" in page and "管理员的文件.csv" in page
    client.force_login(world.users["admin"])
    page = client.get(reverse("import_list")).content.decode()
    assert "管理员的文件.csv" in page and "领导的文件.csv" not in page


def test_it_exports_areas_as_csv_and_xlsx_for_reimport(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["admin"])
    response = client.get(reverse("area_export"))
    body = b"".join(response.streaming_content)
    # The 12-digit code as a text formula, which Excel shows as written (plainly: 3.311E+11, saved so).
    assert body.decode("utf-8-sig").splitlines()[1] == '"=""331100000000""",江州市,市,,1000,400,有效'
    again = upload(client, "areas", body, name="行政区划.csv")
    assert again.status_code == 302
    assert ImportBatch.objects.get().rows_unchanged == Area.objects.count() == 9
    xlsx = client.get(reverse("area_export"), {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("area_import"))["Location"] == reverse("import_upload", args=["areas"])
    result = upload(client, "areas", xlsx.content, name="区划.xlsx")
    assert result.status_code == 302
    assert ImportBatch.objects.latest("pk").rows_unchanged == Area.objects.count() == 9
    assert io.BytesIO(xlsx.content).read(2) == b"PK"


def test_the_warning_pages_name_the_registered_address_column(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users["leader"])
    form = client.get(reverse("import_upload", kwargs={"importer": "warnings"})).content.decode()
    assert "户籍地址" in form
    header = ["姓名", "手机号", "户籍地址"]
    data = csv_bytes(header, [["王一", "13905710001", "青溪县城关镇城东社区幸福路1号"]])
    response = upload(client, "warnings", data, name="预警.csv")
    page = client.get(response["Location"]).content.decode()
    assert "户籍地址 → 户籍地址" in page and "registered_address" not in page
