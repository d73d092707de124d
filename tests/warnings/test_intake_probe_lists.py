"""Pushed lists as a county centre receives them, through ``fanzha warnings import FILE``: a day written
11月3号, an amount column saying no money left yet (未转账) or a floor (5万以上, 10万+), an operator's
list whose address column is 用户地址, and a mobile with digits missing named as one."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone

from fanzha.warnings.models import Warning
from tests.imports.files import csv_bytes, xlsx_bytes
from tests.warnings.files import HEADER, row, warning_csv
from tests.warnings.test_cli import command

AMOUNT = HEADER.index("涉案金额")


def imported(tmp_path, name: str, data: bytes) -> str:  # type: ignore[no-untyped-def]
    file = tmp_path / name
    file.write_bytes(data)
    out, code = command("warnings", "import", str(file))
    assert code == 0, out
    again, code = command("warnings", "import", str(file))
    assert code == 0 and again.splitlines()[-1].endswith(" unchanged, 0 rejected"), again
    return out


def test_a_day_written_with_hao_is_the_warning_time(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """11月3号 is how people type 11月3日: before, the row was flagged and taken at the receipt time."""
    rows = [
        row(1, warned_at="2026年11月3号 14:05"),
        row(2, warned_at="2026年11月3号"),
        row(3, warned_at="11月3号"),
    ]
    out = imported(tmp_path, "list.csv", warning_csv(rows, HEADER).decode().encode("gbk"))
    assert out.splitlines()[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected"
    assert "时间无法识别" not in out, out
    times = {w.source_id: timezone.localtime(w.warned_at) for w in Warning.objects.all()}
    assert times["YJ000001"].replace(tzinfo=None) == dt.datetime(2026, 11, 3, 14, 5)
    assert times["YJ000002"].replace(tzinfo=None) == dt.datetime(2026, 11, 3)
    assert (times["YJ000003"].month, times["YJ000003"].day, times["YJ000003"].hour) == (11, 3, 0)
    assert not any("time_invalid" in w.quality_flags for w in Warning.objects.all())


def test_an_amount_saying_no_money_left_is_no_sum_not_an_unreadable_one(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A warning pushed before the transfer says so in the amount column: before, 未转账 was flagged
    涉案金额无法识别 and the row put among those to correct."""
    said = ["未转账", "暂未损失", "（未转账）", "无损失", "未造成损失"]
    rows = [row(n, amount=text) for n, text in enumerate(said, 1)]
    out = imported(tmp_path, "list.xlsx", xlsx_bytes(HEADER, rows))
    assert out.splitlines()[-1] == "imported: 5 new, 0 merged, 0 unchanged, 0 rejected"
    assert "涉案金额" not in out, out
    for warning in Warning.objects.all():
        assert warning.amount is None and "amount_invalid" not in warning.quality_flags


def test_an_amount_written_as_a_floor_is_read_as_at_least_that(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """5万以上 and 10万+ read as 8万余 is read (the sum, with the notice that it is approximate);
    before, both were flagged unreadable and the row graded without its amount."""
    rows = [row(1, amount="5万以上"), row(2, amount="10万元以上"), row(3, amount="10万+")]
    out = imported(tmp_path, "list.csv", csv_bytes(HEADER, rows, encoding="gbk"))
    assert out.splitlines()[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected"
    amounts = dict(Warning.objects.values_list("source_id", "amount"))
    assert amounts == {
        "YJ000001": Decimal("50000"),
        "YJ000002": Decimal("100000"),
        "YJ000003": Decimal("100000"),
    }
    assert "第 2 行 涉案金额（提示）：涉案金额为约数（“以上”），按 50000.00 元接收" in out, out
    assert "第 4 行 涉案金额（提示）：涉案金额为约数（“+”），按 100000.00 元接收" in out, out
    assert not any("amount_invalid" in w.quality_flags for w in Warning.objects.all())


def test_an_operators_list_places_the_person_by_its_subscriber_address(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An operator's list names the subscriber's address 用户地址 (a bank's 客户地址, 联系地址): before,
    the column was not read and every row waited in the centre's queue for placing."""
    header = ["被叫号码", "主叫号码", "首次通话时间", "被叫次数", "用户地址"]
    rows = [
        ["13905710001", "17012345678", "2026-11-03 09:15:00", "3", "江州市青溪县城关镇城东社区幸福路1号"],
        ["13905719902", "17012345679", "2026-11-03 10:15:00", "5", "青溪县城关镇城东社区幸福路2号"],
    ]
    out = imported(tmp_path, "operator.csv", csv_bytes(header, rows))
    assert out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected"
    assert "未使用的列" not in out, out
    for warning in Warning.objects.all():
        assert warning.area is not None and not warning.needs_placement, warning.quality_flags
        assert "address_unplaced" not in warning.quality_flags


def test_a_mobile_with_digits_missing_is_named_as_one(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """1390571 (a mobile cut short) was told “固定电话缺少区号”, which sent the centre looking for an
    area code; the rejected row now says the mobile needs 11 digits."""
    file = tmp_path / "list.csv"
    file.write_bytes(warning_csv([row(1), row(2, id_number="", phone="1390571", address="")]))
    out, code = command("warnings", "import", str(file))
    assert code == 1, out
    assert "第 3 行：无法识别或联系当事人" in out and "手机号码应为11位，现为7位" in out, out
    assert "缺少区号" not in out, out
    assert out.splitlines()[-1] == "imported: 0 new, 0 merged, 0 unchanged, 1 rejected"
    assert not Warning.objects.exists()


def test_a_passport_in_the_id_column_is_kept_in_the_notes_not_flagged(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A list with 证件类型 says which document its 证件号码 is: a passport was flagged 身份证号码应为18位
    and put among the rows to correct. It is now kept in the (encrypted) notes with a notice; a valid ID
    number stays the ID number whatever the type column says."""
    header = ["预警编号", "姓名", "证件类型", "证件号码", "手机号", "现住址", "诈骗类型", "预警时间"]
    first, second = row(1), row(2)
    rows = [
        ["YJ1", "JOHN SMITH", "护照", "E12345678", first[3], first[4], "刷单返利", "2026-11-03 09:00"],
        [
            "YJ2",
            second[1],
            "港澳居民来往内地通行证",
            second[2],
            second[3],
            second[4],
            "刷单返利",
            "2026-11-03 09:00",
        ],
        [
            "YJ3",
            "王五",
            "居民身份证",
            "11010119900307001",
            "13700000003",
            first[4],
            "刷单返利",
            "2026-11-03 09:00",
        ],
    ]
    out = imported(tmp_path, "list.csv", csv_bytes(header, rows))
    assert out.splitlines()[-1] == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected"
    assert "第 2 行 身份证号（提示）：证件类型为护照：证件号码不是居民身份证号" in out, out
    assert "E12345678" not in out
    warnings = {w.source_id: w for w in Warning.objects.select_related("person")}
    passport = warnings["YJ1"]
    assert not passport.person.id_number and "id_invalid" not in passport.quality_flags
    assert "证件（护照）：E12345678" in passport.notes
    assert warnings["YJ2"].person.id_number == second[2]  # a valid ID number, whatever the type says
    assert "id_invalid" in warnings["YJ3"].quality_flags  # a resident ID with a digit missing: to correct


def test_a_date_in_chinese_numerals_or_with_spaces_is_read(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """二〇二六年十一月三日 (a typed report) and 11月 3日 (a space typed in) were 时间无法识别, and the
    warning took the receipt time."""
    rows = [
        row(1, warned_at="二〇二六年十一月三日"),
        row(2, warned_at="二〇二六年十一月二十三日十四时"),
        row(3, warned_at="2026年 11月 3日 14:05"),
    ]
    out = imported(tmp_path, "list.csv", warning_csv(rows, HEADER))
    assert "时间无法识别" not in out, out
    times = {w.source_id: timezone.localtime(w.warned_at).replace(tzinfo=None) for w in Warning.objects.all()}
    assert times == {
        "YJ000001": dt.datetime(2026, 11, 3),
        "YJ000002": dt.datetime(2026, 11, 23, 14),
        "YJ000003": dt.datetime(2026, 11, 3, 14, 5),
    }


def test_a_name_padded_between_its_characters_is_the_name(world, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """王　伟 (padded to a column's width) was stored with its space, and a list without 预警编号 typed
    once padded and once not was two rows (3 merged, not unchanged). The padding is no part of the name;
    a row imported before, under the id its padded name gave, is still found."""

    header = [h for h in HEADER if h != "预警编号"]
    padded, plain = row(1, name="王　伟")[1:], row(1, name="王伟")[1:]
    imported(tmp_path, "padded.csv", warning_csv([padded], header))
    assert Warning.objects.select_related("person").get().person.name == "王伟"
    out = imported(tmp_path, "plain.csv", warning_csv([plain], header))
    assert out.splitlines()[-1] == "imported: 0 new, 0 merged, 1 unchanged, 0 rejected"


def test_a_padded_name_imported_before_is_found_again(world, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A list imported before names left the padding out: its row's id was derived from 王　伟. The
    same list (saved again, another file) is still that row."""
    from fanzha.warnings import intake

    header = [h for h in HEADER if h != "预警编号"]
    padded = row(1, name="王　伟")[1:]
    with monkeypatch.context() as before:
        before.setattr(intake, "_NAME_PADDING", re.compile(r"(?!)"))
        imported(tmp_path, "padded.csv", warning_csv([padded], header))
    assert Warning.objects.select_related("person").get().person.name == "王　伟"
    again = warning_csv([padded], header).decode().encode("gbk")  # another file: not skipped as the same
    out = imported(tmp_path, "padded-gbk.csv", again)
    assert out.splitlines()[-1] == "imported: 0 new, 0 merged, 1 unchanged, 0 rejected", out


def test_an_iso_time_with_an_offset_that_cannot_be_is_flagged_not_a_failed_import(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """2026-02-30T09:30:00-05:00 (a day that does not exist, an offset west of UTC) raised Python's
    ValueError out of the time parser: the whole list failed to import."""
    rows = [row(1, warned_at="2026-02-30T09:30:00-05:00"), row(2, warned_at="2026-11-03T09:30:00-05:00")]
    out = imported(tmp_path, "list.csv", warning_csv(rows))
    assert out.splitlines()[-1] == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected"
    flagged = {w.source_id: "time_invalid" in w.quality_flags for w in Warning.objects.all()}
    assert flagged == {"YJ000001": True, "YJ000002": False}
    second = Warning.objects.get(source_id="YJ000002")
    assert timezone.localtime(second.warned_at).replace(tzinfo=None) == dt.datetime(2026, 11, 3, 22, 30)


def _typed_list(types: list[str], number: str) -> bytes:
    header = ["预警编号", "姓名", "证件类型", "证件号码", "手机号", "现住址", "诈骗类型", "预警时间"]
    rows = [
        [f"YJ{n}", f"预警{n}号", kind, number, f"137{n:08d}", row(n)[4], "刷单返利", "2026-11-03 09:00"]
        for n, kind in enumerate(types, 1)
    ]
    return csv_bytes(header, rows)


def test_a_resident_id_named_another_way_is_still_checked_as_one(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """证件类型 二代证, 户口簿 (its number is the ID number), 身份證, a system's code (01, 111: the
    sender's own table) or ID named no passport, yet an ID number with a wrong digit was taken for one:
    moved to the notes with 证件类型为二代证：证件号码不是居民身份证号, not flagged to correct."""
    types = ["二代证", "户口簿", "户口本", "身份證", "01", "111", "ID", "National ID"]
    wrong = "33110219560101001X"  # a digit mistyped: its check digit does not fit
    out = imported(tmp_path, "list.csv", _typed_list(types, wrong))
    assert out.splitlines()[-1] == f"imported: {len(types)} new, 0 merged, 0 unchanged, 0 rejected"
    assert "不是居民身份证号" not in out, out
    for warning in Warning.objects.all():
        assert "id_checksum_wrong" in warning.quality_flags, warning.source_id
        assert "证件（" not in warning.notes


def test_a_passport_row_without_an_id_imported_before_is_found_again(world, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A list without 预警编号 imported before passports were kept in the notes: its row's id was derived
    from the passport number as its ID number. The same list (another file) was a second warning merged
    into the first, not the same row."""
    from fanzha.imports.importers import warnings as importer

    header = ["姓名", "证件类型", "证件号码", "手机号", "现住址", "诈骗类型", "预警时间"]
    passport = ["JOHN SMITH", "护照", "E12345678", "13700000001", row(1)[4], "刷单返利", "2026-11-03 09:00"]
    with monkeypatch.context() as before:
        before.setattr(importer, "other_document", lambda unread, number: "")
        imported(tmp_path, "list.csv", csv_bytes(header, [passport]))
    assert "id_invalid" in Warning.objects.get().quality_flags
    out = imported(tmp_path, "list-gbk.csv", csv_bytes(header, [passport], encoding="gbk"))
    assert out.splitlines()[-1] == "imported: 0 new, 0 merged, 1 unchanged, 0 rejected", out
    assert Warning.objects.count() == 1


def test_a_space_between_the_parts_of_a_longer_name_is_kept(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Padding fills a name of two or three 汉字 to a column's width (王　伟). 买买提 艾力 (a name's parts)
    was stored as 买买提艾力, and 王伟 李娜 (two people in one cell) as one name 王伟李娜."""
    names = {1: "王　伟", 2: "欧阳 伟", 3: "买买提 艾力", 4: "王伟 李娜"}
    out = imported(tmp_path, "list.csv", warning_csv([row(n, name=name) for n, name in names.items()]))
    assert out.splitlines()[-1] == "imported: 4 new, 0 merged, 0 unchanged, 0 rejected"
    stored = {w.source_id: w.person.name for w in Warning.objects.select_related("person")}
    assert [stored.get(f"YJ{n:06d}") for n in names] == ["王伟", "欧阳伟", "买买提 艾力", "王伟 李娜"]


def test_a_time_in_chinese_numerals_with_a_zero_is_read(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """十二点零五分 and 零点 (minutes under ten, midnight, as said) were half converted (12点零5分) and
    时间无法识别: the warning took the receipt time."""
    rows = [
        row(1, warned_at="2026年11月3日十二点零五分"),
        row(2, warned_at="二〇二六年十一月三日零点"),
        row(3, warned_at="2026年11月3日 九时〇八分"),
    ]
    out = imported(tmp_path, "list.csv", warning_csv(rows))
    assert "时间无法识别" not in out, out
    times = {w.source_id: timezone.localtime(w.warned_at).replace(tzinfo=None) for w in Warning.objects.all()}
    assert times == {
        "YJ000001": dt.datetime(2026, 11, 3, 12, 5),
        "YJ000002": dt.datetime(2026, 11, 3),
        "YJ000003": dt.datetime(2026, 11, 3, 9, 8),
    }


def test_an_amount_saying_money_left_without_a_sum_is_flagged_not_empty(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """已转账 or 被骗金额： with no figure says money left, how much is not said: since 损失5000元 was read
    (the words before a sum taken away), such a cell was read as an empty one, unflagged."""
    said = ["已转账", "已被骗", "被骗金额：", "损失", "共计损失"]
    rows = [row(n, amount=text) for n, text in enumerate(said, 1)]
    out = imported(tmp_path, "list.csv", warning_csv(rows))
    assert out.splitlines()[-1] == "imported: 5 new, 0 merged, 0 unchanged, 0 rejected"
    for warning in Warning.objects.all():
        assert warning.amount is None and "amount_invalid" in warning.quality_flags, warning.source_id
    assert "第 2 行 涉案金额（提示）：" in out and "没有写金额" in out, out


def test_a_time_that_cannot_be_read_is_quoted_as_written_not_as_converted() -> None:
    """二〇二六年十三月三日 (no 13th month) was quoted as 2026年13月3日, a cell the sender never wrote."""
    from fanzha.warnings.intake import WarningInput, clean_warning

    clean = clean_warning(WarningInput(phone="13905710001", warned_at="二〇二六年十三月三日"))
    (message,) = [message for column, message in clean.notices if column == "预警时间"]
    assert "二〇二六年十三月三日" in message and "2026年13月" not in message, message
