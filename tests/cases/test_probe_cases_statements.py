"""Probe: statements as banks hand them over — exported page by page, a bill with a 收/支 column."""

import csv
import io
from datetime import UTC, datetime

from fanzha.cases.models import Transaction
from fanzha.tracing.columnar import import_statement_csv
from fanzha.tracing.text import CHINA
from tests.cases.helpers import PAYEE, SECOND, VICTIM_ACCOUNT, make_case, upload

HEADER = [
    "交易日期",
    "交易时间",
    "借方发生额",
    "贷方发生额",
    "余额",
    "对方账号",
    "对方户名",
    "摘要",
    "交易流水号",
]


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def paged_statement() -> bytes:
    """Two pages: the header again on the second, a 本页小计 under each, then the bank's trailer lines."""
    return _csv(
        [
            ["中国工商银行个人客户交易明细"],
            ["账户名称：张三", f"账号：{PAYEE}", "查询期间：2026-11-01 至 2026-11-30"],
            HEADER,
            ["20261120", "100002", "", "50,000.00", "50,000.00", VICTIM_ACCOUNT, "王秀英", "转账", "P1"],
            ["20261120", "101500", "30,000.00", "", "20,000.00", SECOND, "李四", "网银转账", "P2"],
            ["本页小计", "", "30,000.00", "50,000.00", "", "", "", "", ""],
            HEADER,
            ["20261120", "103000", "5,000.00", "", "15,000.00", "", "", "ATM取款", "P3"],
            ["本页小计", "", "5,000.00", "", "", "", "", "", ""],
            ["共3笔"],
            ["打印时间：2026-12-01 09:00:00"],
            ["注：本明细仅供参考，以银行系统记录为准。经办柜员：张三"],
        ],
        encoding="gbk",
    )


def test_a_statement_exported_page_by_page_imports_its_rows_without_errors(world):
    case = make_case(world)
    statement, _ = upload(case, world.users["police_cg"], paged_statement(), name="icbc.csv")
    assert statement.errors == [] and statement.rows_read == 3 and statement.rows_added == 3
    stored = Transaction.objects.filter(case=case).order_by("line")
    assert [(t.serial, t.amount_fen) for t in stored] == [
        ("P1", 5_000_000),
        ("P2", -3_000_000),
        ("P3", -500_000),
    ]


def test_the_columnar_path_skips_the_repeated_header_and_the_trailer_lines_too(tmp_path):
    path = tmp_path / "icbc.csv"
    path.write_bytes(paged_statement())
    columns = import_statement_csv(path)
    assert sorted(columns.serial.tolist()) == ["P1", "P2", "P3"]
    assert columns.errors == 0 and columns.rows_read == 3


def test_a_lone_date_is_still_a_row_in_error(world):
    """One filled cell that reads as a time is a broken transaction, not a note: listed, not dropped."""
    data = _csv([[f"账号：{PAYEE}"], HEADER, ["20261120", "", "", "", "", "", "", "", ""]])
    statement, _ = upload(make_case(world), world.users["police_cg"], data)
    assert [e["row"] for e in statement.errors] == [3]


def test_a_payment_bill_with_a_receipts_or_payments_column_keeps_the_payments_negative(world):
    """微信支付账单: 收/支 says 收入 or 支出 beside an unsigned 金额(元); a payment read as money in would
    send the trace the wrong way."""
    data = _csv(
        [
            ["微信支付账单明细"],
            ["起始时间：[2026-11-01 00:00:00] 终止时间：[2026-11-30 23:59:59]"],
            [
                "交易时间",
                "交易类型",
                "交易对方",
                "商品",
                "收/支",
                "金额(元)",
                "支付方式",
                "当前状态",
                "交易单号",
            ],
            ["2026-11-20 10:00:02", "转账", "王秀英", "/", "收入", "¥50,000.00", "零钱", "已存入零钱", "W1"],
            ["2026-11-20 10:15:00", "转账", "李四", "/", "支出", "¥30,000.00", "零钱", "对方已收钱", "W2"],
        ]
    )
    statement, _ = upload(
        make_case(world), world.users["police_cg"], data, name="wechat.csv", account="wxid_zs01"
    )
    stored = Transaction.objects.filter(statement=statement).order_by("line")
    assert [(t.serial, t.amount_fen, t.counterparty_name) for t in stored] == [
        ("W1", 5_000_000, "王秀英"),
        ("W2", -3_000_000, "李四"),
    ]


DB2_STATEMENTS = {
    "one column": (
        ["交易时间", "交易金额", "余额", "对方账号", "交易流水号"],
        [["2026-11-20-10.00.02.123456"], ["2026-11-20-10.15.00.000000"]],
    ),
    "date and time": (
        ["交易日期", "交易时间", "交易金额", "余额", "对方账号", "交易流水号"],
        [["2026-11-20", "10.00.02"], ["2026-11-20", "10.15.00"]],
    ),
}


def db2_statement(header: list[str], times: list[list[str]]) -> bytes:
    """A statement from a bank core system on DB2: its timestamps 2026-11-20-10.00.02.123456."""
    rows = [
        [*times[0], "50000.00", "50000.00", VICTIM_ACCOUNT, "D1"],
        [*times[1], "-30000.00", "20000.00", SECOND, "D2"],
    ]
    return _csv([[f"账号：{PAYEE}"], header, *rows])


def test_a_db2_timestamp_is_read_on_both_paths(world, tmp_path):
    for name, (header, times) in DB2_STATEMENTS.items():
        data = db2_statement(header, times)
        statement, _ = upload(make_case(world), world.users["police_cg"], data, name=f"{name}.csv")
        assert statement.errors == [], name
        stored = Transaction.objects.filter(statement=statement).order_by("line")
        assert [f"{t.time.astimezone(CHINA):%Y-%m-%d %H:%M:%S}" for t in stored] == [
            "2026-11-20 10:00:02",
            "2026-11-20 10:15:00",
        ]
        path = tmp_path / f"{len(header)}.csv"
        path.write_bytes(data)
        columns = import_statement_csv(path)
        assert columns.errors == 0 and len(columns) == 2, name


def iso_statement() -> bytes:
    """A system's export: ISO times with their offset, one of them a day that does not exist."""
    header = ["交易时间", "交易金额", "余额", "对方账号", "交易流水号"]
    rows = [
        ["2026-11-20T10:00:02.000+08:00", "50000.00", "50000.00", VICTIM_ACCOUNT, "I1"],
        ["2026-11-20T02:15:00Z", "-30000.00", "20000.00", SECOND, "I2"],
        ["2026-02-30T10:00:00+08:00", "-1000.00", "19000.00", SECOND, "I3"],
    ]
    return _csv([[f"账号：{PAYEE}"], header, *rows])


def test_an_iso_time_with_its_offset_is_read_on_both_paths(world, tmp_path):
    """The row-by-row path read 2026-11-20T10:00:02+08:00 but refused the whole statement for one
    impossible day (无法读取流水：day is out of range for month); the columnar path (CSV over 1 MB) read
    no ISO time with an offset at all: every row was 交易时间无法识别."""
    statement, _ = upload(make_case(world), world.users["police_cg"], iso_statement(), name="iso.csv")
    assert [e["row"] for e in statement.errors] == [5]
    stored = Transaction.objects.filter(statement=statement).order_by("line")
    assert [f"{t.time.astimezone(CHINA):%Y-%m-%d %H:%M:%S}" for t in stored] == [
        "2026-11-20 10:00:02",
        "2026-11-20 10:15:00",
    ]
    path = tmp_path / "iso.csv"
    path.write_bytes(iso_statement())
    columns = import_statement_csv(path)
    assert columns.errors == 1 and sorted(columns.serial.tolist()) == ["I1", "I2"]
    local = sorted(datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S") for t in columns.time)
    assert local == ["2026-11-20 10:00:02", "2026-11-20 10:15:00"]
