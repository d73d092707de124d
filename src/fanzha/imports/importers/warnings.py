"""Warning lists (预警清单) pushed by the superior centre, operators, banks: see docs/warnings.md.

Rows are never rejected for a problem a person can correct later (wrong check digit, impossible
phone, unknown region code or source, unplaceable address, a clock up to 48 h ahead): those import
with flags and come back as row notices. A row is rejected only when the person can be neither
identified nor reached. Each committed row is new, merged (counted as "updated" by the pipeline)
or unchanged (its source and 预警编号 were received before).
"""

from __future__ import annotations

import re
from typing import Any

from fanzha.imports.columns import Field
from fanzha.imports.importers.base import NEW, UNCHANGED, UPDATED, Importer, Row, RowRejected
from fanzha.warnings import bulk, services
from fanzha.warnings.intake import Memo, Unusable, WarningInput, clean_warning

_FLOAT_TAIL = re.compile(r"\.0+$")

FIELDS = [
    Field(
        "source_id",
        "预警编号",
        ("编号", "预警ID", "预警单号", "线索编号", "warning id", "warning no", "source id"),
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
            "被害人姓名",
            "事主姓名",
            "name",
            "full name",
        ),
        required=True,
        pii="name",
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
            "id number",
            "id no",
            "id_number",
            "id card number",
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
            "被害人电话",
            "被害人手机号",
            "当事人电话",
            "phone",
            "mobile",
            "phone number",
            "telephone",
            "contact",
        ),
        pii="phone",
        fold=True,
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
            "address",
            "current address",
            "residential address",
        ),
        pii="address",
    ),
    Field(
        "fraud_type",
        "诈骗类型",
        (
            "诈骗类别",
            "案件类型",
            "案件类别",
            "涉诈类型",
            "预警类型",
            "预警类别",
            "诈骗方式",
            "类型",
            "fraud type",
            "type",
        ),
    ),
    Field("source", "预警来源", ("来源", "推送单位", "source")),
    Field(
        "warned_at",
        "预警时间",
        ("时间", "推送时间", "推送日期", "预警日期", "发现时间", "warning time", "warned at", "time"),
    ),
    Field(
        "amount",
        "涉案金额",
        ("金额", "转账金额", "损失金额", "被骗金额", "涉案资金", "amount", "amount involved"),
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
            "涉诈电话",
            "诈骗电话",
            "suspect number",
            "suspect numbers",
            "suspect phone",
        ),
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
            "收款账号",
            "suspect account",
            "suspect accounts",
        ),
    ),
    Field(
        "notes", "备注", ("说明", "情况说明", "预警内容", "简要案情", "notes", "note", "remark", "remarks")
    ),
    Field("call_count", "被叫次数", ("呼叫次数", "被呼叫次数", "通话次数", "calls", "call count"), fold=True),
    Field("callback_count", "回拨次数", ("回呼次数", "callbacks", "callback count"), fold=True),
    Field(
        "transfer_in_progress",
        "正在转账",
        ("转账中", "是否正在转账", "是否转账", "transfer in progress"),
        fold=True,
    ),
]


OUTCOMES = {services.NEW: NEW, services.MERGED: UPDATED, services.UNCHANGED: UNCHANGED}


def warning_input(values: dict[str, str]) -> WarningInput:
    texts = dict(values)
    for name in ("id_number", "phone"):  # a spreadsheet's 13812345678.0
        texts[name] = _FLOAT_TAIL.sub("", texts.get(name, ""))
    return WarningInput(**{name: texts.get(name, "") for name in WarningInput.__dataclass_fields__})


class WarningImporter(Importer):
    code = "warnings"
    label = "预警"
    permission = "warning.import"
    allow_system = True
    fields = FIELDS

    def __init__(self, skip_rejected: bool = False) -> None:
        self.skip_rejected = skip_rejected
        self.notices: list[tuple[int, str, str]] = []  # (row, column, message): imported with flags
        self.skipped: list[tuple[int, str]] = []  # (row, message): unusable rows left out
        self._rows: list[Row] = []
        self._outcomes: dict[int, str] | None = None
        self._people: list[int] = []
        self._touched: dict[str, set[int]] = {services.NEW: set(), services.MERGED: set()}
        self._memo = Memo()

    def validate_row(self, *, actor: Any, row: Row) -> None:
        data = warning_input(row.values)
        try:
            clean = clean_warning(data, memo=self._memo)
        except Unusable as exc:
            if not self.skip_rejected:
                row.error(None, str(exc))
                return
            self.skipped.append((row.number, str(exc)))
            row.cleaned = {"input": None}
            return
        row.cleaned = {"input": data, "clean": clean}

    def validate_file(self, *, actor: Any, rows: list[Row]) -> None:
        self._rows = rows

    def _receive_all(self, actor: Any) -> dict[int, str]:
        """The whole file in one go (inside the pipeline's transaction), on the first row's turn."""
        usable = [row for row in self._rows if row.cleaned.get("input") is not None]
        pairs = [(row.cleaned["input"], row.cleaned["clean"]) for row in usable]
        try:
            results = bulk.receive_many(
                intake=services.Intake(actor), rows=pairs, created_people=self._people
            )
        except LookupError as exc:
            raise RowRejected(str(exc)) from exc
        outcomes = {}
        for row, received in zip(usable, results, strict=True):
            outcomes[row.number] = OUTCOMES[received.outcome]
            if received.outcome != services.UNCHANGED:
                self._touched[received.outcome].add(received.warning.pk)
            self.notices.extend((row.number, column, message) for column, message in received.notices)
        return outcomes

    def commit_details(self, batch: Any) -> dict[str, Any]:
        """The file's hash and the ids it created or merged into, as ``[first, last]`` ranges."""
        return {
            "sha256": batch.sha256,
            "warnings_created": bulk.id_ranges(self._touched[services.NEW]),
            "warnings_merged": bulk.id_ranges(self._touched[services.MERGED] - self._touched[services.NEW]),
            "people_created": bulk.id_ranges(self._people),
        }

    def commit_row(self, *, actor: Any, row: Row) -> str:
        if self._outcomes is None:
            self._outcomes = self._receive_all(actor)
        return self._outcomes.get(row.number, UNCHANGED)
