"""Whose a column is: the words of a header that make a column the suspect's.

A list may group its columns under a label saying whose they are (嫌疑人信息 over 电话 / 账号, 嫌疑人
over 号码 / 银行卡), or note it after the name (电话（嫌疑人）). Under the suspect's label a number is the
suspect's (嫌疑号码) and an account the suspect's (嫌疑账号) — never the phone the person to warn is
called on, nor any other of the person's columns. A label for the person (受害人信息, 当事人信息, 预警对象)
needs no word here: the names under it are the person's, as they are without a label.
"""

from __future__ import annotations

import re
import unicodedata

# What the importer's suspect fields are named (their labels): the fields a suspect's column is read as.
SUSPECT_NUMBER = "嫌疑号码"
SUSPECT_ACCOUNT = "嫌疑账号"

_NOTES = re.compile(r"\([^()]*\)")
_DROP = re.compile(r"[\s_\-*:：.、/]+")


def _key(text: str) -> str:
    """Full-width → half-width, lower case, without bracketed notes, spaces or punctuation."""
    value = unicodedata.normalize("NFKC", str(text)).strip().lower()
    while "(" in value and _NOTES.search(value):
        value = _NOTES.sub("", value)
    return _DROP.sub("", value)


# Group labels (and notes) for the suspect's side: the fraudster, the counterparty of a bank's list.
SUSPECT_LABELS = frozenset(
    _key(word)
    for word in (
        ("嫌疑人信息", "嫌疑信息", "嫌疑人", "嫌疑人员", "嫌疑人员信息", "嫌疑对象", "嫌疑人情况")
        + ("涉诈信息", "涉诈人员", "涉诈人员信息", "涉诈对象", "诈骗人", "诈骗人信息", "诈骗分子")
        + ("诈骗方", "诈骗方信息", "对方信息", "对方", "交易对手", "交易对手信息", "交易对方信息")
        + ("收款方", "收款方信息", "收款人信息")
        + ("suspect", "suspect info", "suspect information", "suspects", "counterparty")
        # the suspect's own columns written as a group label (嫌疑号码 over 电话1 / 电话2)
        + ("嫌疑号码", "嫌疑账号", "嫌疑电话", "嫌疑账户", "嫌疑人电话", "嫌疑人号码", "嫌疑人账号")
        + ("涉诈号码", "涉诈电话", "涉诈账号", "诈骗号码", "诈骗电话", "诈骗账号", "可疑号码", "可疑账号")
        + ("对方号码", "对方账号", "对方账户")
    )
)

# A name under the suspect's label that is a number (its own number dropped: 号码2 is 号码).
NUMBER_WORDS = frozenset(
    _key(word)
    for word in (
        ("电话", "号码", "手机", "手机号", "手机号码", "电话号码", "联系电话", "联系方式", "联系号码")
        + ("移动电话", "固话", "固定电话", "来电号码", "主叫号码")
        + ("phone", "number", "mobile", "phone number", "phone no", "telephone", "tel")
    )
)

# A name under the suspect's label that is an account.
ACCOUNT_WORDS = frozenset(
    _key(word)
    for word in (
        ("账号", "帐号", "账户", "帐户", "银行卡", "银行卡号", "卡号", "银行账号", "银行账户", "银行帐号")
        + ("收款账号", "收款账户", "收款卡号")
        + ("account", "account no", "bank account", "card no", "card number", "bank card")
    )
)


def is_suspects_label(text: str) -> bool:
    """Whether a header text is a group label (or a note) for the suspect's side: 嫌疑人信息, 涉诈信息,
    对方信息, 嫌疑人."""
    return bool(text) and _key(text) in SUSPECT_LABELS


def suspects_kind(word: str) -> str:
    """The suspect field a name under the suspect's label is read as (its number and notes already
    dropped): :data:`SUSPECT_NUMBER` for 电话 / 号码 / 手机, :data:`SUSPECT_ACCOUNT` for 账号 / 银行卡 /
    卡号, ``""`` for any other (姓名, 身份证号: not read)."""
    key = _key(word)
    if key in NUMBER_WORDS:
        return SUSPECT_NUMBER
    if key in ACCOUNT_WORDS:
        return SUSPECT_ACCOUNT
    return ""
