"""Warning lists (预警清单) pushed by the superior centre, operators, banks: see docs/warnings.md.

Rows are never rejected for a problem a person can correct later (wrong check digit, impossible
phone, unknown region code or source, unplaceable address, a clock up to 48 h ahead): those import
with flags and come back as row notices. A row is rejected only when the person can be neither
identified nor reached. Each committed row is new, merged (counted as "updated" by the pipeline)
or unchanged (its source and 预警编号 were received before).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from typing import Any

from django.utils import timezone

from fanzha.core.pii import idcard
from fanzha.core.pii.masking import scrub_text
from fanzha.imports.columns import Field
from fanzha.imports.importers.base import NEW, SKIPPED, UNCHANGED, UPDATED, Importer, Row, RowRejected
from fanzha.tracing.text import CellError, combine
from fanzha.warnings import bulk, exports, services
from fanzha.warnings.intake import (
    DERIVED_ID_PREFIX,
    PLACEHOLDER_FIRST,
    CleanWarning,
    Memo,
    Unusable,
    WarningInput,
    clean_warning,
    is_placeholder,
)
from fanzha.warnings.routing import split_prefix

_FLOAT_TAIL = re.compile(r"\.0+$")

# Where the person is registered (户籍): stands in for 现住址 where a row has none (see warning_input).
REGISTERED_ADDRESS = Field(
    "registered_address",
    "户籍地址",
    (
        ("户籍地", "户籍所在地", "户籍住址", "户籍详址", "户籍地详址", "户籍地址详址", "户口所在地")
        + ("户口地址", "户籍地住址", "registered address", "household registration address")
        + ("hukou address",)
    ),
    pii="address",
)

# A tip line's list names the caller, whose phone it gives: the person to reach when no column names
# anyone else (a 受害人 or 姓名 column wins).
REPORTER_NAME = Field(
    "reporter_name",
    "举报人姓名",
    ("举报人", "报警人", "报警人姓名", "求助人", "求助人姓名", "reporter name"),
    pii="name",
)

FIELDS = [
    Field(
        "source_id",
        "预警编号",
        (
            ("编号", "预警ID", "预警单号", "线索编号", "warning id", "warning no", "source id", "alert id")
            + ("warning number", "alert no", "alert number")
        ),
    ),
    Field(
        "name",
        "姓名",
        (
            "名字",
            "人员姓名",
            "当事人",
            "当事人姓名",
            "受害人姓名",
            "受害人",
            "被害人姓名",
            "被害人",
            "事主姓名",
            "事主",
            "客户姓名",
            # an operator's and a bank's word for the person: the subscriber, the account holder
            "机主姓名",
            "机主",
            "用户姓名",
            "持卡人",
            "持卡人姓名",
            "开户人",
            "开户人姓名",
            "账户名称",
            "账户名",  # a bank's 交易流水: the account holder
            "户名",
            "客户名称",
            "机主名称",
            "name",
            "full name",
            "victim name",
            "victim",
            "customer name",
        ),
        pii="name",
        fallback=REPORTER_NAME,
    ),
    Field(
        "id_number",
        "身份证号",
        (
            "身份证号码",
            "公民身份号码",
            "证件号码",
            "身份证",
            "证件号",
            "受害人身份证",
            "受害人身份证号",
            "受害人身份证号码",
            "被害人身份证号",
            "当事人身份证号",
            "当事人证件号码",
            "受害人证件号码",
            "身份证件号码",
            # an operator's subscriber, a bank's customer or card holder
            "机主证件号码",
            "机主身份证号",
            "机主身份证号码",
            "用户证件号码",
            "客户证件号码",
            "开户证件号码",
            "持卡人证件号码",
            "持卡人身份证号",
            "id number",
            "id no",
            "id_number",
            "id card number",
            "id card no",
            "id card",
            "identity card number",
            "identity card no",
        ),
        pii="id_number",
        fold=True,
    ),
    Field(
        "phone",
        "手机号",
        (
            "手机号码",
            "联系电话",
            "联系方式",
            "电话",
            "手机",
            "电话号码",
            "受害人电话",
            "受害人手机号",
            "受害人手机",
            "受害人手机号码",
            "受害人号码",
            "受害人联系电话",
            "被叫号码",  # an operator's list of people called by fraud numbers: the person warned
            "被叫手机号",
            "用户号码",  # an operator's list: the subscriber warned
            "机主号码",
            "机主电话",
            "本机号码",
            "本人电话",
            "本人手机",
            "本人手机号",
            "联系号码",
            "移动电话",
            "预留手机号",  # a bank's list: the phone the account holder left with the bank
            "预留手机号码",
            "开户手机号",
            "绑定手机号",
            "客户手机号",
            "客户电话",
            "持卡人手机号",
            "受害人联系方式",
            "当事人联系电话",
            "当事人手机号",
            "被害人电话",
            "被害人手机号",
            "当事人电话",
            "phone",
            "mobile",
            "phone number",
            "telephone",
            "contact",
            "mobile no",
            "mobile number",
            "phone no",
            "victim phone",
            "mobile phone",
            "mobile phone number",
            "cell phone",
            "cellphone",
            "contact number",
            "contact no",
        ),
        pii="phone",
        fold=True,
        second=True,  # 手机号 and 联系电话 both: a row with only the second is still reachable
    ),
    Field(
        "address",
        "现住址",
        (
            "住址",
            "地址",
            "居住地址",
            "现居住地址",
            "现住地址",
            "居住地",
            "现居住地",
            "家庭住址",
            "详细地址",
            "现居地",
            "现住地",
            "实际居住地",
            "实际居住地址",
            "受害人住址",
            "受害人地址",
            "受害人现住址",
            "联系地址",
            "通讯地址",
            "家庭地址",
            "常住地址",
            # an operator's subscriber, a bank's customer or card holder (as their names are read above)
            "用户地址",
            "机主地址",
            "机主住址",
            "客户地址",
            "客户住址",
            "持卡人地址",
            "address",
            "current address",
            "residential address",
            "home address",
        ),
        pii="address",
        fallback=REGISTERED_ADDRESS,  # a centre routes by where the person lives, else by 户籍
    ),
    Field(
        "fraud_type",
        "诈骗类型",
        (
            "诈骗类别",
            "案件类型",
            "案件类别",
            "涉诈类型",
            "诈骗方式",
            "诈骗手法",
            "类型",
            "fraud type",
            "type",
            "scam type",
            "fraud category",
            "case type",
        ),
    ),
    Field(
        "source",
        "预警来源",
        (
            "来源",
            "推送单位",
            "下发单位",
            "预警单位",
            "来源单位",
            "报送单位",
            "线索来源",
            "推送来源",
            "数据来源",
            "source",
            "reported by",
            "issued by",
            "warning source",
            "alert source",
        ),
    ),
    Field(
        "warned_at",
        "预警时间",
        ("发现时间", "warning time", "warned at", "alert time"),
    ),
    # A list that writes the day and the time of day in two columns: joined (tracing.text.combine).
    # (A bank's or an operator's list: 交易日期 + 交易时间, 通话日期 + 通话时间.)
    Field(
        "warned_date",
        "预警日期",
        (
            ("发现日期", "推送日期", "下发日期", "日期", "warning date", "date")
            + ("举报日期", "接警日期", "报警日期")
            + ("交易日期", "转账日期", "汇款日期", "支付日期", "通话日期", "呼叫日期", "来电日期")
            + ("transaction date", "call date")
        ),
    ),
    Field(
        "amount",
        "涉案金额",
        (
            ("金额", "转账金额", "损失金额", "被骗金额", "涉案资金", "交易金额", "汇款金额", "支付金额")
            + ("损失", "被骗")
            + ("转出金额", "amount", "amount involved", "loss amount", "transaction amount")
        ),
        fold=True,
    ),
    Field(
        "suspect_numbers",
        "嫌疑号码",
        (
            "涉诈号码",
            "诈骗号码",
            "嫌疑电话",
            "嫌疑人电话",
            "嫌疑人号码",
            "嫌疑人手机号",
            "主叫号码",  # in an operator's list: the fraud number that called the person warned
            "涉诈电话",
            "诈骗电话",
            "诈骗电话号码",
            "涉诈电话号码",
            "来电号码",  # an operator's list: the number that called the person warned
            "对方号码",
            "可疑号码",
            "suspect number",
            "suspect numbers",
            "suspect phone",
            "suspect no",
            "suspect phone number",
        ),
        joined=True,  # 嫌疑号码1, 嫌疑号码2 …: all read, each number once
    ),
    Field(
        "suspect_accounts",
        "嫌疑账号",
        (
            "涉诈账号",
            "诈骗账号",
            "嫌疑账户",
            "嫌疑人账号",
            "涉诈银行卡",
            "嫌疑人银行卡号",
            "嫌疑人银行卡",
            "嫌疑人卡号",
            "嫌疑卡号",
            "收款账号",
            "收款卡号",
            "收款账户",
            "收款人账号",
            "收款人账户",
            "对方账号",  # a bank's list: the account the person's money went to
            "对方账户",
            "对方卡号",
            "交易对手账号",
            "交易对手账户",
            "交易对手卡号",
            "交易对方账号",
            "交易对方账户",
            "交易对方卡号",
            "收款方账号",
            "收款方账户",
            "对手账号",
            "对手账户",
            "可疑账号",
            "suspect account",
            "suspect accounts",
            "suspect acct",
            "suspect account no",
            "suspect bank account",
            "suspect card no",
        ),
        joined=True,  # 嫌疑账号1, 嫌疑账号2 …: all read, each once
    ),
    Field(
        "notes",
        "备注",
        (
            ("说明", "情况说明", "预警内容", "简要案情", "简要情况", "notes", "note", "remark", "remarks")
            + ("comments", "comment")
            + ("举报内容", "来电内容", "报警内容")  # a tip line's or 110's words on what was said
        ),
    ),
    # Weaker stand-ins, read only when the field itself has no column or no value (a list that has
    # both says which is meant): the channel 预警类型 (资金/电话/短信预警) against 诈骗类型, the push
    # time against 预警时间, an amount header in 万元 written without brackets.
    Field("warning_kind", "预警类型", ("预警类别", "预警方式", "预警渠道", "alert type")),
    # A bank's or a platform's 预警原因 (疑似刷单返利诈骗, 资金快进快出): a type when it names one.
    Field(
        "warning_reason",
        "预警原因",
        (
            ("预警事由", "预警理由", "可疑原因", "风险原因", "触发原因", "命中原因", "可疑特征")
            + ("alert reason", "warning reason", "reason")
        ),
    ),
    Field(
        "other_time",
        "推送时间",
        (
            ("下发时间", "通话时间", "通话开始时间", "来电时间", "呼叫时间", "交易时间", "转账时间")
            + ("汇款时间", "支付时间", "时间", "time", "push time", "call time", "transaction time")
            + ("举报时间", "接警时间", "报警时间", "首次通话时间")  # a tip line's, 110's, an operator's
        ),
    ),
    Field(
        "amount_wan",
        "涉案金额万元",
        (
            "金额万元",
            "金额万",
            "损失金额万元",
            "被骗金额万元",
            "转账金额万元",
            "涉案资金万元",
            "涉案金额万",
            "损失金额万",
            "被骗金额万",
            "转账金额万",
            "涉案资金万",
        ),
        fold=True,
    ),
    # A list that splits the address: joined in front of the detail address for placement.
    Field(
        "township",
        "乡镇（街道）",
        ("乡镇", "街道", "乡镇街道", "所属乡镇", "所属街道", "所属乡镇街道", "镇街", "township"),
    ),
    Field(
        "village",
        "村（社区）",
        ("村", "社区", "村社区", "所属村", "所属社区", "所属村社区", "村居", "所属村居", "village"),
    ),
    Field("call_count", "被叫次数", ("呼叫次数", "被呼叫次数", "通话次数", "calls", "call count"), fold=True),
    Field("callback_count", "回拨次数", ("回呼次数", "callbacks", "callback count"), fold=True),
    Field(
        "pushed_level",
        "预警级别",
        ("预警等级", "风险等级", "风险级别", "预警风险等级", "级别", "warning level", "risk level", "level"),
    ),
    Field(
        "transfer_in_progress",
        "正在转账",
        ("转账中", "是否正在转账", "是否转账", "transfer in progress"),
        fold=True,
    ),
]


OUTCOMES = {services.NEW: NEW, services.MERGED: UPDATED, services.UNCHANGED: UNCHANGED}


# A 万元 column's cell names its own unit of money when it has one of these (3000元, 2.5万, 5k): read as
# written. 百 and 千 are parts of a number in 万 (一百五十 is 150万).
_AMOUNT_UNIT = re.compile(r"[万萬亿億元圆块wWkK]")
_LAST_FIGURE = re.compile(r"(.*[0-9０-９零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟])", re.DOTALL)
# A note in brackets after the amount (3（已止付）, 5(2笔)): left as it is, outside the number.
_TRAILING_NOTE = re.compile(r"\s*[(（][^()（）]*[)）]$")


def in_wan(text: str) -> str:
    """A cell of an amount column in 万元 as an amount in yuan: 万 straight after its figure, so the
    words around it keep their place (1.5 → 1.5万, 约3 → 约3万, 3余 → 3万余, 两 → 两万, 一百五十 →
    一百五十万) and a note in brackets stays after it (3（已止付） → 3万（已止付）); a cell that names its
    own unit of money (3000元, 2万) is read as written."""
    note = _TRAILING_NOTE.search(text)
    figure = text[: note.start()] if note else text
    if _AMOUNT_UNIT.search(figure):
        return text
    return _LAST_FIGURE.sub(r"\1万", figure, count=1) + (note[0] if note else "")


# A 预警编号 of 16 or more digits a spreadsheet stored as a number: 2.026112800012346e+19,
# 1234567890123456.0 — Excel keeps 15 digits, so the rest are lost and different ids become one.
_ROUNDED_ID = re.compile(r"\d(?:\.\d+)?[eE]\+\d+|\d{16,}\.0")
ROUNDED_ID = (
    "预警编号被表格软件存成了数字，末几位已丢失，已按当事人信息另行编号；请推送单位导出前把该列设为文本"
)
# "The same as above", written in a cell instead of the value (a merged cell's way in a text list).
DITTO = frozenset({"同上", "同前", "〃", '"', "“", "”", "''"})


# Columns whose placeholders the intake reads itself: 正在转账 “无” is 否, “不详” unknown.
READ_BY_INTAKE = frozenset({"transfer_in_progress"})


# A column saying which document the ID column holds (证件类型: 居民身份证, 护照, 港澳居民来往内地通行证…).
_DOCUMENT_HEADER = re.compile(r"证件(类型|种类|类别|名称)|(document|id)\s*type", re.IGNORECASE)
# The resident ID card however a list names it (二代证, 居民身份证（二代）, 身份證), and the household
# register (户口簿): its number is the ID number.
_RESIDENT_ID = re.compile(
    r"身份[证證]|居住[证證]|二代证|户口|户籍|^\s*(?:id\s*card|identity\s*card|national\s*id|resident)",
    re.IGNORECASE,
)
# A type given by a code (01, 111, A): which document it is, is the sender's own table's.
_DOCUMENT_CODE = re.compile(r"\s*[0-9A-Za-z]{1,4}\s*")
OTHER_DOCUMENT = "证件类型为{document}：证件号码不是居民身份证号，未按身份证号校验，已记入备注"


def other_document(unread: dict[str, str], id_number: str) -> str:
    """The document a row's 证件类型 names when it is no resident ID card (护照, 通行证, 台胞证…) and the
    number in the ID column is not a valid ID number: a passport is no ID number to flag for correction.
    A number that is a valid ID number stays one, whatever the type column says; a type written as a code
    (01, 111) or naming the ID card another way (二代证, 户口簿) names no other document."""
    if not id_number.strip():
        return ""
    for header, text in unread.items():
        document = text.strip()
        if not _DOCUMENT_HEADER.search(header) or not document or _DOCUMENT_CODE.fullmatch(document):
            continue
        if not _RESIDENT_ID.search(document):
            return scrub_text(document[:20]) if not idcard.check_id_number(id_number).valid else ""
    return ""


def warning_input(values: dict[str, str], memo: Memo | None = None) -> WarningInput:
    """The row's texts as a warning: placeholders (无, /, 不详, #N/A) emptied, stand-in columns used."""
    texts = dict(values)
    for name, text in values.items():
        if name in READ_BY_INTAKE:
            continue
        if text and text[0] in PLACEHOLDER_FIRST and is_placeholder(text):
            texts[name] = ""
    for name in ("id_number", "phone"):  # a spreadsheet's 13812345678.0
        texts[name] = _FLOAT_TAIL.sub("", texts.get(name, ""))
    if not texts.get("warned_at"):
        texts["warned_at"] = texts.get("other_time", "")
    if texts.get("warned_date"):
        texts["warned_at"] = with_date(texts["warned_date"], texts["warned_at"])
    wan = texts.get("amount_wan")
    if wan and not texts.get("amount"):
        texts["amount"] = in_wan(wan)
    memo = memo or Memo()
    for name, label in STAND_IN_TYPES.items():
        _type_or_note(texts, name, label, memo)
    _with_registered_address(texts)
    if not texts.get("name", "").strip():
        texts["name"] = texts.get("reporter_name", "")
    if texts.get("township") or texts.get("village"):
        texts["address"] = joined_address(texts)
    return WarningInput(**{name: texts.get(name, "") for name in INPUT_FIELDS})


INPUT_FIELDS = tuple(name for name in WarningInput.__dataclass_fields__ if name != "other_cells")

# Columns that name the fraud type only when there is no 诈骗类型 value (the first that names one
# wins): else what they say goes into the notes under their label.
STAND_IN_TYPES = {"warning_kind": "预警类型", "warning_reason": "预警原因"}


def _type_or_note(texts: dict[str, str], name: str, label: str, memo: Memo) -> None:
    """The column ``name`` as the row's fraud type when it names one and the row has none yet, else
    kept in the notes (预警类型：资金预警, 预警原因：资金快进快出)."""
    said = texts.get(name)
    if not said:
        return
    if not texts.get("fraud_type") and memo.fraud_type(said) is not None:
        texts["fraud_type"] = said
    else:
        texts["notes"] = "\n".join(filter(None, [texts.get("notes", ""), f"{label}：{said}"]))


# What a 现住址 cell says when the person lives where they are registered.
SAME_AS_REGISTERED = frozenset({"同户籍", "同户籍地", "同户籍地址", "同户籍住址", "户籍地", "同户口所在地"})
FROM_REGISTERED = "没有现住址，按户籍地址定位（户籍地不一定是现住地，请核实）"


def from_registered(values: dict[str, str]) -> bool:
    """Whether the row's address is its 户籍地址, for want of a 现住址 (the row not saying 同户籍)."""
    registered, address = values.get("registered_address", ""), values.get("address", "")
    return _given(registered) and not _given(address)


def _given(text: str) -> bool:
    return bool(text.strip()) and not is_placeholder(text)


def _with_registered_address(texts: dict[str, str]) -> None:
    """The 户籍地址 where the row has no 现住址 (or says 同户籍地址) — a centre routes by where the
    person lives, else by where they are registered; beside a 现住址 of its own, kept in the notes."""
    registered = texts.get("registered_address", "").strip()
    address = texts.get("address", "").strip()
    if not registered:
        return
    if not address or _compact(address) in SAME_AS_REGISTERED:
        texts["address"] = registered
    elif registered != address:
        texts["notes"] = "\n".join(filter(None, [texts.get("notes", ""), f"户籍地址：{registered}"]))


def _compact(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def with_date(day: str, moment: str) -> str:
    """A 预警日期 column and a time column as one moment (the time column may hold it all); text the
    intake flags when they do not read."""
    try:
        joined = combine(day, moment)
    except CellError:
        return f"{day} {moment}".strip()
    return joined.isoformat(sep=" ") if joined is not None else ""


def joined_address(texts: dict[str, str]) -> str:
    """乡镇（街道） and 村（社区） columns put in front of the detail address (after its province/city/
    county part), each only when the address does not name it already."""
    address = texts.get("address", "")
    parts = [texts.get(name, "").strip() for name in ("township", "village")]
    parts = [part for part in parts if part and part not in address]
    if not parts:
        return address
    prefix, rest = split_prefix(address)
    return "".join([*prefix, *parts, rest])


# What a row repeated in one file is compared on: clean field → column label.
REPEAT_COMPARED = {"id_number": "身份证号", "phone": "手机号", "address": "现住址", "fraud_type": "诈骗类型"}
REPEAT_COMPARED |= {"warned_at": "预警时间", "amount": "涉案金额", "notes": "备注"}


def repeated_rows(rows: list[Row]) -> dict[int, str]:
    """Row number → notice, for each row with the (source, 预警编号) of an earlier row of the same
    file — or, without one, the same person, time to the minute, type and suspects: received once, the
    row counted unchanged. The notice names the earlier row and what this row says differently (not
    applied)."""
    first: dict[tuple[str, str], Row] = {}
    said: dict[int, str] = {}
    for row in rows:
        clean = row.cleaned["clean"]
        earlier = first.setdefault((clean.source, clean.source_id), row)
        if earlier is not row:
            said[row.number] = _repeat_notice(earlier, row)
    return said


def _repeat_notice(earlier: Row, row: Row) -> str:
    changed = [
        label for name, label in REPEAT_COMPARED.items() if _compared(earlier, name) != _compared(row, name)
    ]
    if not changed:
        return f"与第 {earlier.number} 行重复，按一条接收"
    derived = row.cleaned["clean"].source_id.startswith("row:")
    same = "当事人、预警时间（到分钟）、诈骗类型和嫌疑号码" if derived else "预警编号"
    return (
        f"与第 {earlier.number} 行的{same}相同，按一条接收；本行不同的内容（{'、'.join(changed)}）未采用，"
        "如需更正请在预警中修改"
    )


def _compared(row: Row, name: str) -> str:
    """What a row says in one respect: its numbers as cleaned (or as written when flagged), its time as
    written (a row without one is given the moment it is read)."""
    clean = row.cleaned["clean"]
    if name == "warned_at":
        return str(row.cleaned["input"].warned_at or "")
    if name in ("id_number", "phone"):
        return getattr(clean, name) or getattr(clean, name + "_raw")
    return str(getattr(clean, name) or "")


class WarningImporter(Importer):
    code = "warnings"
    label = "预警"
    permission = "warning.import"
    read_permission = "warning.view"
    allow_system = True
    fields = FIELDS
    keeps_unread = True  # the feedback sends the list back with its other columns as they came
    merging = True  # a person warned again joins their open warning (a history ledger: never)
    repushing = True  # a row received before is recorded as pushed again (its feedback is owed again)

    def __init__(self, skip_rejected: bool = False, pushed_by: Any = None) -> None:
        self.skip_rejected = skip_rejected
        self.pushed_by = pushed_by  # the partner organisation whose API key pushed the rows
        self.notices: list[tuple[int, str, str]] = []  # (row, column, message): imported with flags
        self.skipped: list[tuple[int, str]] = []  # (row, message): unusable rows left out
        self._rows: list[Row] = []
        self._outcomes: dict[int, str] | None = None
        self._people: list[int] = []
        self._touched: dict[str, set[int]] = {services.NEW: set(), services.MERGED: set()}
        self._memo = Memo()
        self._masked_cells: dict[tuple[str, str], str] = {}  # (header, text) → as kept (columns not read)
        self._above: dict[str, str] = {}  # the texts of the row above, for ditto marks
        self._intake: services.Intake | None = None  # the file's, once received: its assignees' notices
        self._received_at: dt.datetime | None = None  # when its rows were received: its layout's key
        self._batch: Any = None  # the batch the rows are committed under: on the source ids they write

    def extra_missing(self, present: set[str]) -> list[str]:
        """A list must name the person somehow: an operator's list may hold phones only."""
        return [] if present & {"name", "id_number", "phone"} else ["姓名、身份证号或手机号（至少一列）"]

    def validate_row(self, *, actor: Any, row: Row) -> None:
        values = self._dittoed(row.values)
        if self.pushed_by is not None:  # a partner pushes under its own kind of source
            try:
                values = {**values, "source": services.push_source(self.pushed_by, values.get("source", ""))}
            except Unusable as exc:
                row.error(self.field("source"), str(exc))
                return
        rounded = bool(_ROUNDED_ID.fullmatch(values.get("source_id", "")))
        if rounded:  # no id to find the row again by: its own is derived, as for a row without one
            values = {**values, "source_id": ""}
        read = data = warning_input(values, self._memo)
        document = other_document(row.unread, read.id_number)
        if document:
            notes = "\n".join(filter(None, [read.notes, f"证件（{document}）：{read.id_number.strip()}"]))
            data = dataclasses.replace(read, notes=notes, id_number="")
        if row.unread:
            data.other_cells = self._other_cells(row.unread)
        try:
            clean = clean_warning(data, memo=self._memo)
        except Unusable as exc:
            if not self.skip_rejected:
                row.error(None, str(exc))
                return
            self.skipped.append((row.number, str(exc)))
            row.cleaned = {"input": None}
            return
        if rounded:
            clean.notices.append(("预警编号", ROUNDED_ID))
        if document:
            clean.notices.append(("身份证号", OTHER_DOCUMENT.format(document=document)))
            self._as_an_id_number(read, clean)
        if from_registered(values):
            clean.notices.append(("现住址", FROM_REGISTERED))
        row.cleaned = {"input": data, "clean": clean}

    def _as_an_id_number(self, read: WarningInput, clean: CleanWarning) -> None:
        """A row without 预警编号 whose document went to the notes: the ids it was given before, when the
        document was read as an ID number to correct, are its earlier ones too (a list imported then is
        still the same list)."""
        if not clean.source_id.startswith(DERIVED_ID_PREFIX):
            return
        try:
            before = clean_warning(read, memo=self._memo)
        except Unusable:
            return
        earlier = [*clean.earlier_source_ids, before.source_id, *before.earlier_source_ids]
        clean.earlier_source_ids = tuple(dict.fromkeys(i for i in earlier if i != clean.source_id))

    def _other_cells(self, unread: dict[str, str]) -> dict[str, str]:
        """The row's cells of columns not read, masked by what their header says (once per distinct cell)."""
        kept = {}
        for header, text in unread.items():
            masked = self._masked_cells.get((header, text))
            if masked is None:
                masked = self._masked_cells[(header, text)] = services.mask_unread(header, text)
            kept[header] = masked
        return kept

    def _dittoed(self, values: dict[str, str]) -> dict[str, str]:
        """The row's texts with each ditto mark (同上, 〃) read as the text of the row above; a 预警编号
        written so is none of its own (the row's is derived)."""
        texts = values
        if not DITTO.isdisjoint(values.values()):
            texts = {
                name: (self._above.get(name, text) if text in DITTO else text)
                for name, text in values.items()
            }
            if values.get("source_id") in DITTO:
                texts["source_id"] = ""
        self._above = texts
        return texts

    def validate_file(self, *, actor: Any, rows: list[Row]) -> None:
        self._rows = rows

    def begin(self, batch: Any) -> None:
        self._batch = batch

    def _receive_all(self, actor: Any) -> dict[int, str]:
        """The whole file in one go (inside the pipeline's transaction), on the first row's turn."""
        usable = [row for row in self._rows if row.cleaned.get("input") is not None]
        pairs = [(row.cleaned["input"], row.cleaned["clean"]) for row in usable]
        repeated = repeated_rows(usable)  # before receiving: it may give a row another id
        try:
            self._intake = services.Intake(actor)
            self._received_at = timezone.now()
            results = bulk.receive_many(
                intake=self._intake,
                rows=pairs,
                now=self._received_at,
                created_people=self._people,
                pushed_by=self.pushed_by,
                batch=self._batch,
                merging=self.merging,
                repushing=self.repushing,
                shape=self.shaping(),
            )
        except LookupError as exc:
            raise RowRejected(str(exc)) from exc
        self.received(usable, results)
        outcomes = {}
        for row, received in zip(usable, results, strict=True):
            outcomes[row.number] = OUTCOMES[received.outcome]
            if received.outcome != services.UNCHANGED:
                self._touched[received.outcome].add(received.warning.pk)
            self.notices.extend((row.number, column, message) for column, message in received.notices)
            if received.outcome == services.UNCHANGED and row.number in repeated:
                self.notices.append((row.number, "预警编号", repeated[row.number]))
        return outcomes

    def shaping(self) -> bulk.Shape | None:
        """What changes each new warning before it is written (a history ledger's work); None: nothing."""
        return None

    def received(self, rows: list[Row], results: list[services.Received]) -> None:
        """Called once the file's usable rows are received (``results`` in their order), in its
        transaction, before their notices are read: for an importer that does more with them."""

    def row_notices(self) -> list[tuple[int, str, str]]:
        return self.notices

    def rows(self) -> list[Row]:
        """The rows validated, in order (after validation)."""
        return self._rows

    def outcomes(self) -> dict[int, str]:
        """Each committed row's outcome by row number: new, updated (merged) or unchanged."""
        return self._outcomes or {}

    def committed(self, batch: Any) -> None:
        """The file's columns become the feedback layout of the rows it brought (of each source); its
        assignees are told."""
        if self._received_at is not None:
            columns = self.layout_columns(batch)
            exports.remember_layouts(batch, self.brought_sources(), self._received_at, columns)
        self.tell_assignees()

    def layout_columns(self, batch: Any) -> list[list[str]]:
        """The columns its rows go back in (feedback): the file's."""
        return list(batch.columns)

    def brought_sources(self) -> set[str]:
        """The sources of the rows it received (new or merged); a row received before brings nothing:
        it goes back in the layout it first came in."""
        outcomes = self.outcomes()
        return {
            row.cleaned["clean"].source
            for row in self._rows
            if row.cleaned.get("clean") is not None and outcomes.get(row.number) in (NEW, UPDATED)
        }

    def tell_assignees(self) -> None:
        """Each assignee's one message for the file, written in its transaction (committed with it)."""
        if self._intake is not None:
            self._intake.notices.flush()

    def commit_details(self, batch: Any) -> dict[str, Any]:
        """The file's hash and the ids it created or merged into, as ``[first, last]`` ranges."""
        return {
            "sha256": batch.sha256,
            "warnings_created": bulk.id_ranges(self._touched[services.NEW]),
            "warnings_merged": bulk.id_ranges(self._touched[services.MERGED] - self._touched[services.NEW]),
            "people_created": bulk.id_ranges(self._people),
            **({"pushed_by": self.pushed_by.pk} if self.pushed_by is not None else {}),
        }

    def commit_row(self, *, actor: Any, row: Row) -> str:
        if self._outcomes is None:
            self._outcomes = self._receive_all(actor)
        if row.cleaned.get("input") is None:  # unusable, left out by --skip-rejected
            return SKIPPED
        return self._outcomes.get(row.number, UNCHANGED)
