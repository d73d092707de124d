"""Cleaning a received warning: types by name or alias, flags instead of rejections, merging."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fanzha.imports.columns import match_header
from fanzha.imports.importers.warnings import FIELDS, warning_input
from fanzha.warnings import typology
from fanzha.warnings.intake import Unusable, WarningInput, clean_warning, parse_amount, resolve_source
from fanzha.warnings.models import Warning
from tests.personas import id_number
from tests.warnings.helpers import make_warning

NOW = timezone.make_aware(dt.datetime(2026, 11, 28, 12, 0))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("冒充公检法", "impersonate_authority"),
        ("冒充公检法及政府机关", "impersonate_authority"),
        ("impersonate_authority", "impersonate_authority"),
        ("刷单", "fake_order_rebate"),
        ("虚假网络投资理财", "fake_investment"),
        ("网络婚恋", "romance"),
        ("Impersonating police", "impersonate_authority"),
        ("pig-butchering", "fake_investment"),
        ("Task scam", "fake_order_rebate"),
        ("网贷", "fake_loan"),
        # the category names of national statistics, with their 类
        ("贷款、代办信用卡类", "fake_loan"),
        ("网络游戏虚假交易类", "game_trade"),
        ("冒充电商物流客服类", "fake_customer_service"),
        ("冒充快递", "fake_customer_service"),
        ("冒充医保局工作人员", "impersonate_authority"),
        ("冒充老师", "impersonate_acquaintance"),
    ],
)
def test_it_maps_fraud_type_names_and_aliases_to_codes(text: str, code: str) -> None:
    assert typology.resolve(text) == code


@pytest.mark.django_db  # an unknown word is looked up in the centre's type table (诈骗类型对照)
def test_it_knows_nothing_of_words_that_are_no_type() -> None:
    assert typology.resolve("天气预报") is None
    clean = clean_warning(WarningInput(name="张三", phone="13905710001", fraud_type="天气预报"), now=NOW)
    assert clean.fraud_type == "other_fraud" and "fraud_type_unknown" in clean.flags


def test_it_reads_amounts_in_chinese_notation() -> None:
    assert parse_amount("1.2万") == Decimal("12000.00")
    assert parse_amount("3,000元") == Decimal("3000.00")
    assert parse_amount("") is None
    assert (
        parse_amount("￥1,200") == parse_amount("¥ 1200") == parse_amount("RMB1200.00") == Decimal("1200.00")
    )
    assert parse_amount("人民币5万元") == Decimal("50000.00") and parse_amount("0.3亿") == Decimal(
        "30000000.00"
    )
    with pytest.raises(ValueError):
        parse_amount("很多")


def test_it_rejects_only_a_person_who_can_be_neither_identified_nor_reached() -> None:
    with pytest.raises(Unusable):
        clean_warning(WarningInput(name="张三", phone="123"), now=NOW)
    assert clean_warning(WarningInput(name="张三", address="城东社区幸福路1号"), now=NOW).name == "张三"
    flagged = clean_warning(WarningInput(name="张三", phone="123", address="幸福路1号"), now=NOW)
    assert flagged.flags == ["phone_invalid"] and flagged.phone_raw == "123"


def test_it_says_when_a_spreadsheet_rounded_an_id_number_or_phone() -> None:
    clean = clean_warning(
        WarningInput(name="张三", id_number="1.10101195301011E+17", phone="13905710001"), now=NOW
    )
    assert clean.flags == ["id_invalid"] and clean.id_number_raw == "1.10101195301011E+17"
    assert clean.notices == [
        ("身份证号", "身份证号被表格软件存成了数字，末几位已丢失，请按原始记录更正（导出前把该列设为文本）")
    ]
    phone_only = clean_warning(
        WarningInput(name="张三", phone="1.3812345679E+10", address="幸福路1号"), now=NOW
    )
    assert phone_only.flags == ["phone_invalid"] and "末几位已丢失" in phone_only.notices[0][1]
    with pytest.raises(Unusable, match="姓名加身份证号（手机号被表格软件存成了数字，末几位已丢失"):
        clean_warning(WarningInput(name="张三", phone="1.3812345679E+10"), now=NOW)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28 09:30",
        "2026/11/28 9:30:00",
        "2026年11月28日 9时30分",
        "2026年11月28日9点30分",
        "2026.11.28 09:30",
        "20261128093000",
        "2026-11-28T09:30:00+08:00",
        "2026-11-28T01:30:00Z",
    ],
)
def test_it_reads_the_times_pushed_lists_write(text: str) -> None:
    parsed = clean_warning(WarningInput(phone="13905710001", warned_at=text), now=NOW).warned_at
    assert parsed == dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_it_takes_the_first_of_several_numbers_in_the_phone_cell() -> None:
    clean = clean_warning(WarningInput(name="张三", phone="13812345678/13912345678"), now=NOW)
    assert clean.phone == "13812345678" and clean.flags == []
    assert clean.notices == [
        ("手机号", "一栏有多个号码（138****5678、139****5678），按第一个接收，其余请另行核实")
    ]
    assert clean_warning(
        WarningInput(name="张三", phone="123/13912345678或0571-88881234"), now=NOW
    ).phone == ("13912345678")
    nothing = clean_warning(WarningInput(name="张三", phone="123/456", address="幸福路1号"), now=NOW)
    assert nothing.phone == "" and nothing.flags == ["phone_invalid"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("省厅", "superior"),
        ("国家反诈中心", "superior"),
        ("江州市公安局", "superior"),
        ("国家反诈中心APP", "superior"),
        ("中国工商银行江州分行", "bank"),
        ("青溪农商行", "bank"),
        ("江州移动", "operator"),
        ("运营商", "operator"),
    ],
)
def test_it_knows_a_sender_by_its_own_name(text: str, code: str) -> None:
    assert resolve_source(text) == (code, True)


def test_it_keeps_an_unknown_sender_under_its_own_name() -> None:
    assert resolve_source("某某科技公司") == ("某某科技公司", False)


def test_it_flags_times_ahead_and_keeps_them_within_48_hours() -> None:
    ahead = clean_warning(WarningInput(phone="13905710001", warned_at="2026-11-29 12:00"), now=NOW)
    assert "time_in_future" in ahead.flags and ahead.warned_at > NOW
    far = clean_warning(WarningInput(phone="13905710001", warned_at="2026-12-30 12:00"), now=NOW)
    assert "time_in_future" in far.flags and far.warned_at == NOW
    bad = clean_warning(WarningInput(phone="13905710001", warned_at="昨天下午"), now=NOW)
    assert "time_invalid" in bad.flags and bad.warned_at == NOW


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("2026/11/27 下午 3:05:00", dt.datetime(2026, 11, 27, 15, 5)),
        ("27/11/2026 09:30", dt.datetime(2026, 11, 27, 9, 30)),
        ("46353.5", dt.datetime(2026, 11, 27, 12, 0)),
        ("11月27日 9时30分", dt.datetime(2026, 11, 27, 9, 30)),
        ("12月30日", dt.datetime(2025, 12, 30)),  # not a month ahead: last year's
    ],
)
def test_it_reads_the_times_lists_write(text: str, local: dt.datetime) -> None:
    clean = clean_warning(WarningInput(phone="13905710001", warned_at=text), now=NOW)
    assert not clean.flags and clean.warned_at == timezone.make_aware(local)


def test_it_says_why_a_time_cannot_be_read() -> None:
    clean = clean_warning(WarningInput(phone="13905710001", warned_at="05/11/2026"), now=NOW)
    assert clean.flags == ["time_invalid"] and clean.warned_at == NOW
    assert any("日期顺序不明确" in message for _, message in clean.notices)


def test_it_never_quotes_personal_numbers_or_a_whole_cell_when_a_time_cannot_be_read() -> None:
    person = id_number("331102", "19541129", "001")
    clean = clean_warning(WarningInput(phone="13905710001", warned_at=f"{person} 13905710002"), now=NOW)
    (message,) = [message for column, message in clean.notices if column == "预警时间"]
    assert clean.flags == ["time_invalid"] and "时间无法识别" in message
    assert person not in message and "13905710002" not in message and "**" in message  # masked
    clean = clean_warning(WarningInput(phone="13905710001", warned_at="备注" * 500), now=NOW)
    assert all(len(message) < 100 for _, message in clean.notices)


def test_it_derives_age_from_the_id_number() -> None:
    clean = clean_warning(WarningInput(id_number=id_number("331102", "19541129", "001")), now=NOW)
    assert clean.facts["age"] == 71
    assert clean.source == "superior" and clean.source_id.startswith("row:")


def test_it_merges_only_within_the_window(world, settings) -> None:  # type: ignore[no-untyped-def]
    first = make_warning(1)
    make_warning(2, id_number=first.person.id_number)
    assert Warning.objects.count() == 1
    settings.WARNING_MERGE_HOURS = 0
    make_warning(3, id_number=first.person.id_number)
    assert Warning.objects.count() == 2
    assert Warning.objects.get(pk=first.pk).merged_count == 1


def test_it_maps_the_headers_centres_lists_use() -> None:
    header = [
        "序号",
        "受害人姓名",
        "身份证号码",
        "联系方式",
        "现居住地址",
        "案件类别",
        "推送单位",
        "发现时间",
    ]
    header += ["损失金额(元)", "嫌疑人电话", "涉诈银行卡", "预警内容", "通话次数", "是否转账"]
    columns = match_header(header, FIELDS)
    assert columns.unknown == ["序号"] and not columns.duplicate and not columns.missing
    stand_ins = {"warning_kind", "warning_reason", "other_time", "warned_date", "amount_wan"}
    stand_ins |= {"township", "village"}
    assert set(columns.columns.values()) == {f.name for f in FIELDS} - {
        "source_id",
        "callback_count",
        "pushed_level",
        *stand_ins,
    }


def test_it_maps_victim_suspect_operator_and_english_headers() -> None:
    header = [
        "受害人",
        "受害人身份证",
        "受害人手机",
        "受害人住址",
        "嫌疑人号码",
        "嫌疑人银行卡号",
        "下发单位",
    ]
    assert list(match_header(header, FIELDS).columns.values()) == [
        "name",
        "id_number",
        "phone",
        "address",
        "suspect_numbers",
        "suspect_accounts",
        "source",
    ]
    english = [
        "Alert ID",
        "Victim Name",
        "ID Card No.",
        "Mobile No.",
        "Scam Type",
        "Alert Time",
        "Loss Amount",
    ]
    english.append("Reported By")
    columns = match_header(english, FIELDS)
    assert not columns.unknown and not columns.missing
    operator = match_header(["姓名", "被叫号码", "主叫号码", "受害人号码"], FIELDS)
    assert operator.columns == {"姓名": "name", "被叫号码": "phone", "主叫号码": "suspect_numbers"}


@pytest.mark.django_db  # 资金预警 is no known type: the centre's type table is looked at too
def test_it_prefers_the_fraud_type_and_warning_time_to_the_channel_and_push_time() -> None:
    header = ["姓名", "预警类型", "诈骗类型", "手机号", "推送时间", "预警时间"]
    columns = match_header(header, FIELDS)
    assert columns.columns["诈骗类型"] == "fraud_type" and columns.columns["预警时间"] == "warned_at"
    values = {"name": "王秀英", "warning_kind": "资金预警", "fraud_type": "杀猪盘", "phone": "13905710001"}
    data = warning_input({**values, "other_time": "2026-11-29 23:14", "warned_at": "2026-11-28 17:44"})
    assert data.fraud_type == "杀猪盘" and data.warned_at == "2026-11-28 17:44"
    assert data.notes == "预警类型：资金预警"
    alone = warning_input({"name": "王秀英", "warning_kind": "冒充公检法", "other_time": "2026-11-29 23:14"})
    assert alone.fraud_type == "冒充公检法" and alone.warned_at == "2026-11-29 23:14" and not alone.notes


@pytest.mark.parametrize(
    "text",
    [
        '="330102195001011017"',
        "'330102195001011017",
        "33010219500101101\u200b7",
        "\ufeff330102195001011017\u00a0",
        "３３０１０２１９５００１０１１０１７",
        "身份证：330102195001011017",
        "330102195001011017（本人）",
    ],
)
def test_it_unwraps_id_numbers_kept_as_text(text: str) -> None:
    clean = clean_warning(WarningInput(name="王秀英", id_number=text), now=NOW)
    assert clean.id_number == "330102195001011017" and not clean.flags


def test_it_reads_a_check_digit_typed_as_a_times_sign_and_phones_kept_as_text() -> None:
    good = id_number("330102", "19500101", "009")
    assert good.endswith("X")
    for text in (good[:-1] + "×", good[:-1] + "x"):
        assert clean_warning(WarningInput(name="王秀英", id_number=text), now=NOW).id_number == good
    for text in ('="13857100901"', "'13857100901", "1385710\u200b0901"):
        assert clean_warning(WarningInput(phone=text), now=NOW).phone == "13857100901"


def test_it_only_notes_a_valid_15_digit_id_number() -> None:
    clean = clean_warning(WarningInput(name="王秀英", id_number="330102520314123"), now=NOW)
    assert clean.id_number == "330102195203141231" and clean.flags == []
    assert clean.notices == [("身份证号", "15位旧号码，已按19xx年出生升位为18位")]


def test_it_reads_thousands_and_w_and_treats_placeholders_as_empty() -> None:
    assert parse_amount("5千") == Decimal("5000.00") and parse_amount("1万2千") == Decimal("12000.00")
    assert parse_amount("2.5W") == parse_amount("2.5w") == Decimal("25000.00")
    assert parse_amount("约5000元") == Decimal("5000.00")
    assert parse_amount("无") is None and parse_amount("-") is None
    data = warning_input(
        {"name": "张三", "id_number": "无", "phone": "/", "address": "不详", "amount": "#N/A"}
    )
    assert (data.id_number, data.phone, data.address, data.amount) == ("", "", "", "")
    with pytest.raises(Unusable):
        clean_warning(data, now=NOW)


def test_it_reads_an_amount_column_in_wan() -> None:
    assert match_header(["姓名", "涉案金额万元"], FIELDS).columns["涉案金额万元"] == "amount_wan"
    data = warning_input({"name": "王秀英", "phone": "13905710001", "amount_wan": "1.5"})
    assert clean_warning(data, now=NOW).amount == Decimal("15000.00")


def test_it_joins_township_and_village_columns_into_the_address() -> None:
    columns = match_header(["姓名", "所属乡镇（街道）", "所属村（社区）", "详细地址"], FIELDS)
    assert list(columns.columns.values()) == ["name", "township", "village", "address"]
    values = {"name": "王秀英", "township": "溪口街道", "village": "中山社区", "address": "解放路12号"}
    assert warning_input(values).address == "溪口街道中山社区解放路12号"
    prefixed = {**values, "address": "青溪县解放路12号"}
    assert warning_input(prefixed).address == "青溪县溪口街道中山社区解放路12号"
    assert (
        warning_input({**values, "address": "溪口街道中山社区解放路12号"}).address
        == "溪口街道中山社区解放路12号"
    )


@pytest.mark.parametrize(
    ("text", "transfer"), [("是", True), ("√", True), ("Yes", True), ("否", False), ("", None)]
)
def test_it_reads_the_transfer_mark(text: str, transfer: bool | None) -> None:  # "": unknown, not 否
    facts = clean_warning(WarningInput(phone="13905710001", transfer_in_progress=text), now=NOW).facts
    assert facts["transfer"] is transfer


def test_it_knows_the_anti_fraud_warning_line_as_the_superior_centre() -> None:
    assert resolve_source("96110") == ("superior", True)


@pytest.mark.parametrize(
    ("cell", "number", "notice"),
    [
        ("13857100046 13957100046", "13857100046", "一栏有多个号码"),
        ("13857100046（本人）13957100046（儿子）", "13857100046", "一栏有多个号码"),
        ("13857100046（本人）", "13857100046", ""),
        ("0576-81234567转8001", "057681234567", "已略去分机号（转8001）"),
    ],
)
def test_it_reads_the_phone_cells_people_write(cell: str, number: str, notice: str) -> None:
    clean = clean_warning(WarningInput(name="王秀英", phone=cell), now=NOW)
    assert clean.phone == number and not clean.flags
    assert [m for _, m in clean.notices if notice and notice in m] or not notice


@pytest.mark.parametrize("text", ["冒充", "正常", "合法广告营销", "客服"])
def test_it_does_not_guess_a_type_from_a_word_several_types_share(text: str) -> None:
    assert typology.resolve(text) is None  # flagged fraud_type_unknown on the warning instead


def test_it_does_not_trust_a_time_before_2000() -> None:
    clean = clean_warning(WarningInput(phone="13905710001", warned_at="1900-01-01"), now=NOW)
    assert clean.flags == ["time_invalid"] and clean.warned_at == NOW


def test_a_name_with_an_id_number_mistyped_in_its_check_digit_still_carries_the_warning() -> None:
    good = id_number("331102", "19450101", "777")
    typo = good[:-1] + ("0" if good[-1] != "0" else "1")
    clean = clean_warning(WarningInput(name="王秀英", id_number=typo), now=NOW)
    assert clean.flags == ["id_checksum_wrong"] and clean.id_number_raw == typo
    with pytest.raises(Unusable):
        clean_warning(WarningInput(id_number=typo), now=NOW)  # without a name: nobody to look for


def test_it_reads_a_landline_without_its_trunk_code_as_local_when_the_centre_set_one(settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Unusable):  # no trunk code known: the number cannot be checked nor dialled from afar
        clean_warning(WarningInput(phone="8123 4567"), now=NOW)
    settings.WARNING_LOCAL_AREA_CODE = "0576"
    clean = clean_warning(WarningInput(phone="8123 4567"), now=NOW)
    assert clean.phone == "057681234567" and not clean.flags
    assert ("手机号", "固定电话未写区号，已按本地区号 0576 补全") in clean.notices
    extension = clean_warning(WarningInput(phone="8123 4567 转 801"), now=NOW)
    assert extension.phone == "057681234567" and len(extension.notices) == 2  # completed; extension cut
    written_whole = clean_warning(WarningInput(phone="0571-88886666"), now=NOW)  # another city's: as written
    assert written_whole.phone == "057188886666" and not written_whole.notices
    with pytest.raises(Unusable):  # too short for a local number: not completed
        clean_warning(WarningInput(phone="123"), now=NOW)
    with pytest.raises(Unusable):  # a mobile missing digits is not made a landline
        clean_warning(WarningInput(phone="13905717"), now=NOW)


def test_it_keeps_a_rows_derived_id_when_the_local_trunk_code_is_set_later(settings) -> None:  # type: ignore[no-untyped-def]
    row = WarningInput(name="王秀英", address="青溪县城关镇城东社区和平路3号", phone="8123 4567")
    before = clean_warning(row, now=NOW)
    assert before.phone == "" and before.flags == ["phone_invalid"]
    settings.WARNING_LOCAL_AREA_CODE = "0576"
    after = clean_warning(row, now=NOW)
    assert after.phone == "057681234567" and after.source_id == before.source_id


def test_it_cuts_overlong_texts_of_a_file_row_and_says_so() -> None:
    data = WarningInput(name="王秀英", phone="13905710001", notes="备" * 2500, suspect_numbers="1" * 6000)
    clean = clean_warning(data, now=NOW)
    assert len(clean.notes) == 2000 and len(clean.suspect_numbers) == 5000
    assert ("备注", "备注过长（2500 字），只保留前 2000 字") in clean.notices
    assert ("嫌疑号码", "嫌疑号码过长（6000 字），只保留前 5000 字") in clean.notices
    assert (
        clean_warning(WarningInput(name="王秀英", phone="13905710001", notes="备" * 2000), now=NOW).notices
        == []
    )
