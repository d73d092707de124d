"""Statements: layouts, debit/credit, flags, refunds, duplicates, balance, classification."""

from datetime import datetime

import pytest

from fanzha.tracing.layouts import Mapping, detect_mapping, find_header
from fanzha.tracing.statements import (
    UnknownLayout,
    merge_statements,
    parse_statement,
    read_statement,
)

SPLIT = [
    "交易日期",
    "交易时间",
    "借方发生额（元）",
    "贷方发生额（元）",
    "余额",
    "对方账号",
    "对方户名",
    "摘要",
    "交易流水号",
]
FLAGGED = ["本方账号", "交易时间", "交易金额", "收付标志", "余额", "对方账号", "对方户名", "交易类型", "渠道"]


def split_rows():
    return [
        ["20240305", "090000", "", "10,000.00", "10,000.00", "111", "王某", "网银转账", "S001"],
        ["20240305", "091500", "3,000.00", "", "7,000.00", "222", "李某", "网银转账", "S002"],
        ["20240305", "093000", "2,000.00", "", "5,000.00", "", "", "ATM取款", "S003"],
        ["20240305", "100000", "1,000.00", "", "4,000.00", "", "财付通支付科技有限公司", "快捷支付", "S004"],
        ["20240305", "110000", "", "3,000.00", "7,000.00", "222", "李某", "转账冲正 S002", "S005"],
        ["", "", "合计", "", "", "", "", "", ""],
    ]


def test_it_detects_known_layouts_and_not_unknown_ones():
    split = detect_mapping(SPLIT)
    assert split is not None and split.split
    assert split.columns["date"] == 0 and split.columns["time_of_day"] == 1
    flagged = detect_mapping(FLAGGED)
    assert flagged is not None and flagged.columns["direction"] == 3 and not flagged.split
    assert detect_mapping(["序号", "日期时间", "钱", "备注"]) is None
    assert detect_mapping(["对方账号", "余额"]) is None


def test_it_finds_the_header_under_title_lines_and_accepts_a_users_mapping():
    rows = [["某某银行账户明细"], ["账号：6222 0200 0000 0001"], SPLIT]
    found = find_header(rows)
    assert found is not None and found[0] == 2
    header = ["日期时间", "钱", "方向"]
    mapping = Mapping.from_choice(header, {"time": "日期时间", "amount": "钱", "direction": "方向"})
    assert mapping.columns == {"time": 0, "amount": 1, "direction": 2}
    with pytest.raises(ValueError, match="交易金额"):
        Mapping.from_choice(header, {"time": "日期时间"})


def test_it_parses_a_debit_credit_statement_and_classifies_it():
    mapping = detect_mapping(SPLIT)
    assert mapping is not None
    parsed = parse_statement(split_rows(), mapping, account="A1")
    assert parsed.errors == [] and parsed.balanced
    got = [(t.amount, t.category, t.platform) for t in parsed.transactions]
    assert got == [
        (1000000, "transfer", ""),
        (-300000, "transfer", ""),
        (-200000, "cash_out", ""),
        (-100000, "third_party", "财付通"),
        (300000, "reversal", ""),
    ]
    assert parsed.transactions[0].time == datetime(2024, 3, 5, 9, 0)
    assert parsed.transactions[4].refund_of == 1


def test_it_reads_direction_flags_and_reports_bad_rows():
    mapping = detect_mapping(FLAGGED)
    assert mapping is not None
    rows = [
        ["A1", "2024-03-05 09:00:00", "500.00", "贷", "500.00", "9", "甲", "转账", "手机银行"],
        ["A1", "2024-03-05 09:10:00", "200.00", "借", "300.00", "8", "乙", "支付宝", "快捷支付"],
        ["A1", "2024-03-05 09:20:00", "abc", "借", "", "8", "乙", "转账", "柜面"],
        ["A1", "2024-03-05 09:30:00", "1.00", "？", "", "8", "乙", "转账", "柜面"],
        ["A1", "昨天", "1.00", "借", "", "8", "乙", "转账", "柜面"],
    ]
    parsed = parse_statement(rows, mapping)
    assert [t.amount for t in parsed.transactions] == [50000, -20000]
    assert parsed.transactions[1].category == "third_party" and parsed.transactions[1].platform == "支付宝"
    assert [(e.row, e.message.split("：")[0]) for e in parsed.errors] == [
        (4, "金额无法识别"),
        (5, "收付标志无法识别"),
        (6, "时间无法识别"),
    ]


def test_it_flags_the_first_row_where_the_balance_breaks_in_either_order():
    mapping = detect_mapping(SPLIT)
    assert mapping is not None
    rows = split_rows()[:4]
    rows[2][4] = "5,500.00"  # should be 5,000.00
    parsed = parse_statement(rows, mapping, account="A1")
    assert parsed.balance_break is not None
    assert (parsed.balance_break.row, parsed.balance_break.expected, parsed.balance_break.found) == (
        4,
        500000,
        550000,
    )
    newest_first = parse_statement(list(reversed(split_rows()[:4])), mapping, account="A1")
    assert newest_first.balanced


def test_it_counts_transactions_of_overlapping_statements_once():
    mapping = detect_mapping(SPLIT)
    assert mapping is not None
    rows = split_rows()[:5]
    first = parse_statement(rows[:3], mapping, account="A1")
    second = parse_statement(rows[1:], mapping, account="A1")
    merged = merge_statements([first, second])
    assert merged.duplicates == 2
    assert [t.serial for t in merged.transactions] == ["S001", "S002", "S003", "S004", "S005"]
    assert merged.transactions[4].refund_of == 1


def test_it_keeps_identical_rows_without_serials_as_often_as_one_statement_lists_them():
    mapping = detect_mapping(["交易时间", "交易金额", "对方账号"])
    assert mapping is not None
    twice = [["2024-03-05 09:00", "-50", "7"], ["2024-03-05 09:00", "-50", "7"]]
    one = parse_statement(twice, mapping, account="A1")
    other = parse_statement(twice[:1] + [["2024-03-06 10:00", "20", "7"]], mapping, account="A1")
    merged = merge_statements([one, other])
    assert [t.amount for t in merged.transactions] == [-5000, -5000, 2000]
    assert merged.duplicates == 1


def test_it_links_refunds_to_the_latest_matching_payment():
    mapping = detect_mapping(["交易时间", "交易金额", "对方账号", "摘要"])
    assert mapping is not None
    rows = [
        ["2024-03-01 09:00", "-100", "M", "消费"],
        ["2024-03-02 09:00", "-100", "M", "消费"],
        ["2024-03-02 09:30", "-100", "N", "消费"],
        ["2024-03-03 09:00", "100", "M", "退款"],
        ["2024-03-04 09:00", "100", "M", "退款"],
        ["2024-03-05 09:00", "100", "M", "退款"],
    ]
    parsed = parse_statement(rows, mapping, account="A1")
    assert [t.refund_of for t in parsed.transactions] == [None, None, None, 1, 0, None]
    assert [t.category for t in parsed.transactions][3:] == ["refund"] * 3


def test_it_reads_files_and_sends_unknown_layouts_to_the_mapping_step(tmp_path):
    path = tmp_path / "gbk.csv"
    text = "某某银行明细\n账号：6222020000000001\n" + ",".join(SPLIT) + "\n"
    text += '20240305,090000,,"1,000.00",1000.00,111,王某,网银转账,S001\n'
    path.write_bytes(text.encode("gbk"))
    parsed = read_statement(path)
    assert [(t.account, t.amount) for t in parsed.transactions] == [("6222020000000001", 100000)]
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("日期时间,钱\n2024-03-05,1\n", encoding="utf-8")
    with pytest.raises(UnknownLayout) as caught:
        read_statement(unknown)
    assert caught.value.rows[0] == ["日期时间", "钱"]
    mapping = Mapping.from_choice(["日期时间", "钱"], {"time": "日期时间", "amount": "钱"})
    assert [t.amount for t in read_statement(unknown, mapping=mapping, account="X").transactions] == [100]


@pytest.mark.parametrize("header", ["对手行名", "对手开户行", "交易对手行名"])
def test_it_reads_the_counterpartys_bank_as_a_bank_exports_it(header):
    """对手行名 (a bank's export names the other side 交易对手) was no column of the statement: the
    counterparty's bank was lost, and with it the bank a stop-payment request for that account goes to."""
    mapping = detect_mapping(["交易时间", "交易金额", "收付标志", "对手账号", "对手户名", header])
    assert mapping is not None and mapping.columns["counterparty_bank"] == 5
