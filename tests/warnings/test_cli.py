"""``fanzha warnings import FILE``: the exact last line, exit codes, idempotency, merge, flags."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fanzha.warnings.models import Status, Warning, WarningEvent
from tests.warnings.files import ENGLISH, row, warning_csv, warning_xlsx


def command(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return out.getvalue(), int(exc.code or 0)
    return out.getvalue(), 0


def test_it_imports_a_csv_list_and_prints_the_exact_last_line(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "list.csv"
    file.write_bytes(
        warning_csv(
            [row(1), row(2), row(3, source_id="YJ-X", name="王秀英", id_number="", phone="13905710001")]
        )
    )
    out, code = command("warnings", "import", str(file))
    assert code == 0, out
    assert out.splitlines()[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected"
    assert not out.startswith("已导入：已导入"), out.splitlines()[0]  # the status once
    assert Warning.objects.count() == 3
    known = Warning.objects.get(source_id="YJ-X")
    assert known.person == world.people["chengdong"]  # matched by phone
    assert all(w.status == Status.ASSIGNED for w in Warning.objects.all())


def test_it_changes_nothing_when_the_same_list_comes_again(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first, again = tmp_path / "a.xlsx", tmp_path / "b.csv"
    first.write_bytes(warning_xlsx([row(1), row(2)]))
    again.write_bytes(warning_csv([row(1), row(2), row(4)]))
    assert command("warnings", "import", str(first))[0].splitlines()[-1] == (
        "imported: 2 new, 0 merged, 0 unchanged, 0 rejected"
    )
    out, code = command("warnings", "import", str(first))
    assert code == 0 and out.splitlines()[-1] == "imported: 0 new, 0 merged, 2 unchanged, 0 rejected"
    out, code = command("warnings", "import", str(again))
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 merged, 2 unchanged, 0 rejected"
    assert Warning.objects.count() == 3


def test_it_merges_the_same_person_warned_again(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "list.csv"
    file.write_bytes(warning_csv([row(1), row(2, id_number=row(1)[2], source="运营商", amount="60000")]))
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 1 merged, 0 unchanged, 0 rejected"
    warning = Warning.objects.get()
    assert warning.merged_count == 1 and warning.grade == "urgent"
    assert WarningEvent.objects.filter(warning=warning, kind="merged").count() == 1
    assert warning.source_refs.count() == 2


def test_it_reads_english_headers(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "list.csv"
    file.write_bytes(warning_csv([row(1, fraud_type="impersonate_authority")], header=ENGLISH))
    out, code = command("warnings", "import", str(file))
    assert code == 0 and out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected"
    assert Warning.objects.get().fraud_type == "impersonate_authority"


def test_it_flags_but_never_rejects_correctable_rows(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad_check = row(1)[2][:-1] + ("0" if row(1)[2][-1] != "0" else "1")
    rows = [
        row(1, id_number=bad_check),
        row(2, phone="12345678901"),
        row(3, source="某某平台"),
        row(4, address="外省某地无名路1号"),
        row(5, warned_at="2099-01-01 00:00:00"),
        row(6, id_number=row(6)[2].replace("331102", "999999", 1)),
    ]
    file = tmp_path / "list.csv"
    file.write_bytes(warning_csv(rows))
    out, code = command("warnings", "import", str(file))
    assert code == 0, out
    assert out.splitlines()[-1] == "imported: 6 new, 0 merged, 0 unchanged, 0 rejected"
    flags = {w.source_id: w.quality_flags for w in Warning.objects.all()}
    assert "id_checksum_wrong" in flags["YJ000001"]
    assert "phone_invalid" in flags["YJ000002"]
    assert "source_unknown" in flags["YJ000003"]
    assert "address_unplaced" in flags["YJ000004"]
    assert "time_in_future" in flags["YJ000005"]
    assert "id_region_unknown" in flags["YJ000006"]
    assert "第 2 行 身份证号（提示）：身份证号校验码错误，待更正" in out
    assert bad_check not in out


def test_it_rejects_a_file_with_an_unusable_row_unless_asked(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "list.csv"
    file.write_bytes(warning_csv([row(1), row(2, id_number="", phone="", address="")]))
    out, code = command("warnings", "import", str(file))
    assert code == 1
    assert "无法识别或联系当事人" in out
    assert out.splitlines()[-1] == "imported: 0 new, 0 merged, 0 unchanged, 1 rejected"
    assert not Warning.objects.exists()
    out, code = command("warnings", "import", str(file), "--skip-rejected")
    assert code == 0
    assert out.splitlines()[-1] == "imported: 1 new, 0 merged, 0 unchanged, 1 rejected"


def test_it_imports_a_list_with_no_rows_as_nothing_new(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A day's push with nobody on it (the header alone) is a list received, not a bad file."""
    file = tmp_path / "list.csv"
    file.write_bytes(warning_csv([]))
    out, code = command("warnings", "import", str(file))
    assert code == 0, out
    assert "文件中只有表头，没有数据行" in out
    assert out.splitlines()[-1] == "imported: 0 new, 0 merged, 0 unchanged, 0 rejected"
    assert not Warning.objects.exists()
    file.write_bytes(b"")  # no header either: nothing to read
    out, code = command("warnings", "import", str(file))
    assert code == 1


def test_it_fails_clearly_for_an_unreadable_file(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="无法读取文件"):
        command("warnings", "import", str(tmp_path / "missing.csv"))
    garbage = tmp_path / "list.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a workbook")
    out, code = command("warnings", "import", str(garbage))
    assert code == 1
    assert out.splitlines()[-1] == "imported: 0 new, 0 merged, 0 unchanged, 0 rejected"


def test_it_imports_through_the_upload_page_too(world, client) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(world.users["analyst"])
    upload = SimpleUploadedFile("清单.xlsx", warning_xlsx([row(1), row(2)]))
    response = client.post(reverse("import_upload", kwargs={"importer": "warnings"}), {"file": upload})
    assert response.status_code in (200, 302)
    assert Warning.objects.count() == 2
    client.force_login(world.users["police_cg"])
    upload = SimpleUploadedFile("清单.csv", warning_csv([row(3)]))
    response = client.post(reverse("import_upload", kwargs={"importer": "warnings"}), {"file": upload})
    assert response.status_code == 403


def test_it_tells_each_assignee_once_after_the_import_commits(
    world, tmp_path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from fanzha.jobs.models import Notification

    file = tmp_path / "list.csv"
    file.write_bytes(warning_csv([row(1), row(2), row(3), row(4)]))  # 刷单返利: high, to the police
    with django_capture_on_commit_callbacks(execute=True):
        out, code = command("warnings", "import", str(file))
    assert code == 0
    messages = list(Notification.objects.filter(recipient=world.users["police_cg"]))
    assert [m.title for m in messages] == ["新预警 4 条（高 4）"]
    assert messages[0].link == "/warnings/mine/"


def test_it_merges_a_file_row_into_an_open_warning_received_before(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.warnings.helpers import make_warning

    earlier = make_warning(77, id_number=row(1)[2])
    file = tmp_path / "list.csv"
    file.write_bytes(warning_csv([row(1, amount="60000"), row(2)]))
    out, code = command("warnings", "import", str(file))
    assert out.splitlines()[-1] == "imported: 1 new, 1 merged, 0 unchanged, 0 rejected"
    earlier.refresh_from_db()
    assert (
        earlier.merged_count == 1 and earlier.grade == "urgent" and earlier.assignee.username == "police_cg"
    )
    assert earlier.events.filter(kind="merged").count() == 1
    assert earlier.events.filter(kind="routed").count() == 1  # medium → urgent: re-routed to the police


def test_it_imports_without_a_query_per_row(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for start, size in ((1, 10), (100, 60)):
        file = tmp_path / f"list{start}.csv"
        file.write_bytes(
            warning_csv([row(n, address=f"城关镇城东社区{n}号") for n in range(start, start + size)])
        )
        with CaptureQueriesContext(connection) as captured:
            out, code = command("warnings", "import", str(file))
        assert (
            code == 0 and out.splitlines()[-1] == f"imported: {size} new, 0 merged, 0 unchanged, 0 rejected"
        )
        counts.append(len(captured))
    assert counts[1] - counts[0] < 10, counts
