"""The warnings importer: rows whose 预警编号 was used for another person, Excel's text wrappers,
split address columns and stand-in columns, through ``fanzha warnings import``."""

from __future__ import annotations

from decimal import Decimal

from fanzha.warnings.models import Warning, WarningSourceRef
from tests.personas import id_number
from tests.warnings.files import row, warning_csv
from tests.warnings.test_cli import command


def _last(out: str) -> str:
    return out.splitlines()[-1]


def test_it_receives_a_banks_restarted_numbering_as_new_people(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    day1, day2 = tmp_path / "day1.csv", tmp_path / "day2.csv"
    day1.write_bytes(warning_csv([row(1, source_id="1", source="中国工商银行江州分行")]))
    day2.write_bytes(
        warning_csv(
            [
                row(2, source_id="1", source="中国工商银行江州分行", amount="300000"),
                row(3, source_id="D2"),
                row(4, source_id="D2"),  # one id twice in a file, two people
            ]
        )
    )
    assert (
        _last(command("warnings", "import", str(day1))[0])
        == "imported: 1 new, 0 merged, 0 unchanged, 0 rejected"
    )
    out, code = command("warnings", "import", str(day2))
    assert code == 0 and _last(out) == "imported: 3 new, 0 merged, 0 unchanged, 0 rejected", out
    assert out.count("预警编号与已接收的预警重复但当事人不同") == 2
    assert Warning.objects.filter(amount=Decimal("300000.00"), source_id__startswith="1~").count() == 1
    assert WarningSourceRef.objects.filter(source_id__startswith="D2~").count() == 1
    day2.write_bytes(day2.read_bytes() + b"\r\n")  # the same list, other bytes
    out, code = command("warnings", "import", str(day2))
    assert code == 0 and _last(out) == "imported: 0 new, 0 merged, 3 unchanged, 0 rejected", out


def test_it_reads_excel_text_wrapped_ids_and_split_address_columns(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = id_number("331102", "19500101", "011")
    header = [
        "预警编号",
        "姓名",
        "身份证号",
        "所属乡镇（街道）",
        "所属村（社区）",
        "详细地址",
        "涉案金额万元",
    ]
    header += ["预警类型", "诈骗类型", "推送时间", "预警时间"]
    rows = [
        ["S1", "王秀英", f'="{good}"', "城关镇", "城东社区", "幸福路3号", "30", "资金预警", "冒充公检法"]
        + ["2026-11-29 23:14", "2026-11-28 17:44"],
        ["S2", "李建国", "无", "/", "不详", "-", "无", "电话预警", "刷单", "", ""],
    ]
    file = tmp_path / "list.csv"
    file.write_bytes(warning_csv(rows, header))
    out, code = command("warnings", "import", str(file), "--skip-rejected")
    assert code == 0 and _last(out) == "imported: 1 new, 0 merged, 0 unchanged, 1 rejected", out
    warning = Warning.objects.select_related("person", "area").get()
    assert warning.person.id_number == good and warning.area.name == "城东社区" and not warning.quality_flags
    assert warning.amount == Decimal("300000.00") and warning.fraud_type == "impersonate_authority"
    assert warning.grade == "urgent" and warning.warned_at.isoformat().startswith("2026-11-28T")


def test_it_imports_an_operators_list_of_phones_without_names(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "op.csv"
    path.write_text(
        "江州移动 涉诈来电预警名单\n"  # a title above the header, as operators send them
        "序号,被叫号码,主叫号码,通话时间,通话时长(秒)\n"
        "1,13857101503,17012345678,2026-11-28 09:44,35\n"
        "2,13857101504,17012345679,2026-11-28 09:50,120\n",
        encoding="utf-8",
    )
    out, code = command("warnings", "import", str(path))
    assert code == 0 and _last(out) == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected", out
    warnings = sorted(Warning.objects.select_related("person"), key=lambda w: w.person.phone)
    assert [(w.person.phone, w.person.name) for w in warnings] == [("13857101503", ""), ("13857101504", "")]
    assert "17012345678" in warnings[0].suspect_numbers  # 主叫号码: the fraud number that called


def test_it_refuses_a_list_that_names_nobody(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "none.csv"
    path.write_text("预警编号,现住址,涉案金额\nA1,青溪县城关镇,100\n", encoding="utf-8")
    out, code = command("warnings", "import", str(path))
    assert code != 0 and "姓名、身份证号或手机号（至少一列）" in out


def test_it_reads_an_amount_column_in_wan_by_its_bracketed_unit(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "wan.csv"
    path.write_bytes(
        warning_csv([row(1, amount="30")]).replace("涉案金额".encode(), "涉案金额（万元）".encode())
    )
    out, code = command("warnings", "import", str(path))
    assert code == 0, out
    assert Warning.objects.get().amount == Decimal("300000.00")


def test_it_counts_rows_left_out_by_skip_rejected_as_rejected(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fanzha.audit.models import AuditEvent
    from fanzha.imports.models import ImportBatch

    path = tmp_path / "part.csv"
    path.write_bytes(warning_csv([row(1), row(2, id_number="", phone="", address="")]))
    out, code = command("warnings", "import", str(path), "--skip-rejected")
    assert code == 0 and _last(out) == "imported: 1 new, 0 merged, 0 unchanged, 1 rejected", out
    batch = ImportBatch.objects.get()
    assert (batch.rows_new, batch.rows_unchanged, batch.rows_rejected) == (1, 0, 1)
    assert AuditEvent.objects.get(action="import.commit").details["rejected"] == 1
    out, code = command("warnings", "import", str(path))  # the same file again: nothing changes
    assert code == 0 and _last(out) == "imported: 0 new, 0 merged, 1 unchanged, 1 rejected", out


def test_it_merges_within_a_file_only_while_merging_is_on(world, tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "twice.csv"
    path.write_bytes(warning_csv([row(1), row(2, id_number=row(1)[2], phone=row(1)[3], name=row(1)[1])]))
    settings.WARNING_MERGE_HOURS = 0
    out, code = command("warnings", "import", str(path))
    assert code == 0 and _last(out) == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected", out


def test_it_keeps_apart_people_who_share_a_landline(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    shared = "0576-81234567"
    rows = [row(n, id_number="", phone=shared, name=name) for n, name in enumerate(["王秀英", "李阿婆"], 1)]
    rows.append(row(3, id_number="", phone=shared, name="王秀英"))  # the first again: merged
    path = tmp_path / "landline.csv"
    path.write_bytes(warning_csv(rows))
    out, code = command("warnings", "import", str(path))
    assert code == 0 and _last(out) == "imported: 2 new, 1 merged, 0 unchanged, 0 rejected", out


def test_it_joins_a_date_column_and_a_time_column(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    path = tmp_path / "split.csv"
    header = ["姓名", "手机号", "预警日期", "预警时间"]
    path.write_text(f"{','.join(header)}\n王秀英,13857100021,2026-11-27,17:42\n", encoding="utf-8")
    out, code = command("warnings", "import", str(path))
    assert code == 0 and "time_invalid" not in out, out
    assert (
        timezone.localtime(Warning.objects.get().warned_at).strftime("%Y-%m-%d %H:%M") == "2026-11-27 17:42"
    )
    path.write_text("姓名,手机号,时间,日期\n李阿婆,13857100022,9:05,2026/11/26\n", encoding="utf-8")
    out, code = command("warnings", "import", str(path))
    assert code == 0, out
    latest = Warning.objects.order_by("-pk").first()
    assert timezone.localtime(latest.warned_at).strftime("%Y-%m-%d %H:%M") == "2026-11-26 09:05"


def test_it_finds_again_rows_that_came_without_id_or_time(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bare.csv"
    body = "姓名,身份证号,手机号,现住址,诈骗类型,涉案金额\n"
    body += "王秀英,,13857100501,青溪县城关镇城东社区,冒充公检法,5000\n"
    body += "张桂兰,,,青溪县城关镇城东社区5组,杀猪盘,20000\n"
    path.write_text(body, encoding="utf-8")
    out, code = command("warnings", "import", str(path))
    assert code == 0 and _last(out) == "imported: 2 new, 0 merged, 0 unchanged, 0 rejected", out
    path.write_text(body + "赵六,,13857100504,青溪县城关镇城东社区,刷单,\n", encoding="utf-8")  # one more row
    out, code = command("warnings", "import", str(path))
    assert code == 0 and _last(out) == "imported: 1 new, 0 merged, 2 unchanged, 0 rejected", out


def test_a_later_report_that_names_the_type_gives_the_merged_warning_its_type(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = row(1, fraud_type="某种新骗法")
    again = row(2, id_number=first[2], phone=first[3], name=first[1], fraud_type="刷单")
    path = tmp_path / "two.csv"
    path.write_bytes(warning_csv([first, again]))
    out, code = command("warnings", "import", str(path))
    assert code == 0 and _last(out) == "imported: 1 new, 1 merged, 0 unchanged, 0 rejected", out
    warning = Warning.objects.get()
    assert warning.fraud_type == "fake_order_rebate" and "fraud_type_unknown" not in warning.quality_flags


def test_it_says_when_a_row_received_before_comes_again_changed(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "list.csv"
    path.write_bytes(warning_csv([row(1, amount="5000"), row(2)]))
    command("warnings", "import", str(path))
    path.write_bytes(warning_csv([row(1, amount="8000"), row(2)]))  # the sender corrected one amount
    out, code = command("warnings", "import", str(path))
    assert code == 0 and _last(out) == "imported: 0 new, 0 merged, 2 unchanged, 0 rejected", out
    assert out.count("本次内容有变化（涉案金额）") == 1
    assert Warning.objects.get(source_id=row(1)[0]).amount == Decimal("5000.00")  # not applied


def test_the_same_amount_and_type_written_another_way_are_no_change(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "list.csv"
    path.write_bytes(warning_csv([row(1, amount="12000", fraud_type="刷单返利"), row(2, amount="5000")]))
    command("warnings", "import", str(path))
    resent = [row(1, amount="1.2万元", fraud_type="刷单返利类诈骗"), row(2, amount="5,000.00")]
    path.write_bytes(warning_csv(resent))  # the same list as another system writes it
    out, code = command("warnings", "import", str(path))
    assert code == 0 and _last(out) == "imported: 0 new, 0 merged, 2 unchanged, 0 rejected", out
    assert "本次内容有变化" not in out


def test_a_later_report_places_a_warning_waiting_in_the_centres_queue(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fanzha.warnings.models import Status

    first = row(1, address="某某地方")
    again = row(2, id_number=first[2], phone=first[3], name=first[1], address="江州市青溪县城关镇城东社区9号")
    path = tmp_path / "two.csv"
    path.write_bytes(warning_csv([first]))
    command("warnings", "import", str(path))
    queued = Warning.objects.get()
    assert queued.needs_placement and queued.status == Status.NEW
    path.write_bytes(warning_csv([again]))
    out, code = command("warnings", "import", str(path))
    assert code == 0 and _last(out) == "imported: 0 new, 1 merged, 0 unchanged, 0 rejected", out
    placed = Warning.objects.get()
    assert not placed.needs_placement and placed.area.name == "城东社区" and placed.status == Status.ASSIGNED
    assert "address_unplaced" not in placed.quality_flags
