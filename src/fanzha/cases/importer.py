"""Cases (案件) from a list exported by the case-handling system: one row a case, or a payment of it.

Keyed by 案件编号: importing the list again changes nothing; a second row with the same number adds
that row's payment to the case, paid by that row's victim (one of the case's, by ID number or else by
name; another person is added to the case as a victim). The victim is found by ID number in the
importer's jurisdiction, or registered. Status, type and money columns are read as a centre's
spreadsheet writes them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from fanzha.cases import services
from fanzha.cases.common import account_hash, clean_account, masked_cell, money, parse_money
from fanzha.cases.models import Case, Origin, Payment, Status, Victim
from fanzha.core import access
from fanzha.core.models import Area, Organisation, Person
from fanzha.core.models.organisations import OrganisationKind
from fanzha.core.pii import idcard, phone
from fanzha.core.services import persons as person_services
from fanzha.imports.columns import NUMERIC_REJECT, Field
from fanzha.imports.importers.areas import validation_message
from fanzha.imports.importers.base import NEW, UNCHANGED, UPDATED, Importer, Row, RowRejected
from fanzha.imports.importers.people import NO_SUCH_AREA, NO_SUCH_NAME, OUTSIDE, PersonImporter, Retired
from fanzha.imports.importers.warnings import in_wan
from fanzha.tracing.text import parse_time
from fanzha.warnings.intake import AmountError, Memo, read_amount

FIELDS = [
    Field(
        "ref",
        "案件编号",
        ("案件号", "警情编号", "报案编号", "案件编码", "case number", "case id"),
        required=True,
    ),
    Field("reported_at", "报案时间", ("接报时间", "报警时间", "受理时间", "reported at"), required=True),
    Field("occurred_at", "发案时间", ("案发时间", "被骗时间", "occurred at")),
    Field("area_code", "区划代码", ("发案地区划代码", "行政区划代码", "area code")),
    Field("area_name", "发案地", ("发案地点", "所属区划", "发案区划", "area")),
    # Where the case was filed: places it when its 发案地 is outside the centre's areas (a victim living
    # elsewhere who reported here).
    Field(
        "unit",
        "受理单位",
        ("立案单位", "接报单位", "报案单位", "办案单位", "主办单位", "承办单位", "管辖单位", "filing unit"),
    ),
    Field("fraud_type", "诈骗类型", ("案件类别", "案件类型", "作案手段", "fraud type")),
    Field(
        "name", "受害人姓名", ("受害人", "报案人", "事主姓名", "姓名", "victim"), required=True, pii="name"
    ),
    Field(
        "id_number",
        "身份证号",
        ("受害人身份证号", "证件号码", "身份证号码", "id number"),
        numeric=NUMERIC_REJECT,
        pii="id_number",
        fold=True,
    ),
    Field(
        "phone",
        "手机号",
        ("联系电话", "受害人电话", "电话", "phone"),
        numeric=NUMERIC_REJECT,
        pii="phone",
        fold=True,
    ),
    Field("loss", "损失金额", ("涉案金额", "被骗金额", "损失金额（元）", "loss")),
    Field("status", "案件状态", ("状态", "办理状态", "status")),
    Field("paid_at", "转账时间", ("付款时间", "交易时间", "paid at")),
    Field("amount", "转账金额", ("付款金额", "交易金额", "amount")),
    Field(
        "to_account",
        "收款账号",
        ("对方账号", "嫌疑账号", "收款卡号", "to account"),
        numeric=NUMERIC_REJECT,
        pii="bank_account",
        fold=True,
    ),
    Field("to_bank", "收款银行", ("对方开户行", "收款开户行", "开户行", "to bank")),
    Field("to_name", "收款户名", ("对方户名", "收款人", "to name"), pii="name"),
    Field("summary", "简要案情", ("案情", "简要案情描述", "summary")),
    # The same amounts in 万元 (损失金额（万元）: 2.5 is 25,000 yuan), read where the column in yuan has none.
    Field(
        "loss_wan", "损失金额万元", ("涉案金额万元", "被骗金额万元", "损失金额万", "涉案金额万", "被骗金额万")
    ),
    Field(
        "amount_wan",
        "转账金额万元",
        ("付款金额万元", "交易金额万元", "转账金额万", "付款金额万", "交易金额万"),
    ),
]
STATUS_WORDS = {label: code for code, label in Status.choices} | {
    "已立案": Status.FILED,
    "已破案": Status.SOLVED,
    "已结案": Status.CLOSED,
}


def _time(row: Row, f: Field, text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = parse_time(text)
    except ValueError:
        moment = None
    if moment is None:
        row.error(f, "时间无法识别", masked_cell(text))
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _money(row: Row, f: Field, text: str) -> int:
    if not text:
        return 0
    try:
        return parse_money(_in_yuan(text), f.label)
    except ValueError as exc:
        row.error(f, str(exc), masked_cell(text))
        return 0


# 万 or 亿 in an amount: typed (2.5万, 1.2万元), or a number the cell's format shows in 万元 (2.5 shown
# 2.50万元), which the reader gives as shown, 2.5万.
_MAGNITUDE = re.compile("[万萬亿億]")


def _in_yuan(text: str) -> str:
    """An amount written in 万 or 亿 as yuan (2.5万 → 25000.00), read as the warnings list reads it;
    any other as written. ValueError for one that is no exact sum (两三万, 约3万, 8万余)."""
    if not _MAGNITUDE.search(text):
        return text
    try:
        yuan, about = read_amount(text)
    except AmountError as exc:
        raise ValueError(exc.reason) from exc
    except ValueError as exc:  # its message is the cell: never put in a row error
        raise ValueError(INEXACT_AMOUNT) from exc
    if yuan is None or about:
        raise ValueError(INEXACT_AMOUNT)
    return str(yuan)


def case_ref(text: str) -> str:
    """A 案件编号 as the list's key: full-width forms and spaces a spreadsheet or typist put in removed
    (“Ａ３３１１ ９９０００１” is A3311990001)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))[:100]


INEXACT_AMOUNT = "请填写确切的金额（元，最多两位小数；以万、亿为单位时如 2.5万）"


LOSS_KEPT = "该行的损失金额（{listed}）与本案损失（{kept}）不同，未修改；请在案件页核实各受害人的损失"
STATUS_KEPT = "案件当前为“{now}”，不能变更为清单中的“{listed}”，状态未变更"
UNKNOWN_TYPE = "未知的诈骗类型（可在 预警 → 定级规则 → 诈骗类型对照 中说明它对应的类型）"
# A case's place is history: the fraud happened there, then — a village merged or abolished (撤并) since
# is still where it happened, so the case is imported there, with a notice to check.
RETIRED_PLACE = "该区划已撤销（撤并），案件按原发案地导入"
RETIRED_NAMESAKES = "辖区内有多个同名的已撤销区划，请改填区划代码"
# Nobody is registered in a retired area: a new victim is put in its nearest ancestor in force.
VICTIM_ABOVE = "该区划已撤销（撤并），新登记的受害人暂记在现行的上级区划“{name}”，请核实其现住区划"
NO_AREA_FOR_VICTIM = "该区划已撤销（撤并），辖区内没有现行的上级区划可登记受害人，请先在人员中登记受害人"
# A 发案地 outside the centre's areas is where the victim lives, not a reason to refuse the case filed here:
# the case is placed by its filing unit (受理单位), else at the centre's level, with a notice. The cell is
# not quoted (发案地点 may be a street address).
ELSEWHERE = (OUTSIDE, NO_SUCH_AREA, NO_SUCH_NAME)
FILING_KINDS = (OrganisationKind.POLICE_STATION, OrganisationKind.CENTRE)
PLACED_BY_UNIT = "{column}不在本中心的区划内（外地发案或名称有误），案件按受理单位“{unit}”归属，请核实"
PLACED_AT_CENTRE = (
    "{column}不在本中心的区划内（外地发案或名称有误），无可用的受理单位，案件记在中心一级（{area}），请核实"
)
PLACE_KEPT = "{column}不在本中心的区划内（外地发案或名称有误），案件归属不变，新登记的受害人记在案件的区划"
NO_PLACE = "该区划不在您的管辖范围内，且未能按受理单位或您所在单位确定案件归属"


def _case_numbered(ref: str) -> Case | None:
    """The case a list's 案件编号 names: one imported under it, else the platform's case with that
    number (opened at the counter or from a warning, its number then carried into the list)."""
    imported = Case.objects.filter(origin=Origin.IMPORT, source_ref=ref).first()
    return imported or Case.objects.filter(number=ref).first()


class CaseImporter(Importer):
    code = "cases"
    label = "案件"
    permission = "case.import"
    read_permission = "case.view"
    fields = FIELDS

    def __init__(self) -> None:
        self._areas = PersonImporter()
        self._memo = Memo()  # fraud types: the typology, then the centre's table (诈骗类型对照)
        self._above: dict[int, Area | None] = {}  # a retired area → its nearest ancestor in force
        self._units: dict[str, Organisation | None] = {}  # a 受理单位 cell → the unit in the jurisdiction
        self.notices: list[tuple[int, str, str]] = []  # (row, column, message): imported with flags

    def extra_missing(self, present: set[str]) -> list[str]:
        return [] if present & {"area_code", "area_name"} else ["区划代码或发案地"]

    def row_notices(self) -> list[tuple[int, str, str]]:
        return self.notices

    def _place(self, actor: Any, row: Row) -> tuple[Area | None, str, str]:
        """发案地, the label of its column and the row's notice: an area in the jurisdiction, retired
        (撤并) or not; one outside it (the victim lives elsewhere) gives the case's place by
        :meth:`_filed_at`, with a notice saying so."""
        if not (row.values.get("area_code") or row.values.get("area_name")):
            row.error(self.field("area_code"), "请填写区划代码或发案地")
            return None, "", ""
        read = self._areas.read_area(actor, row)
        if read is None:
            return None, "", ""
        found, person_field, text = read
        f = self.field(person_field.name)  # the list's column (发案地), not the people import's (所属区划)
        if isinstance(found, Retired):
            found = found.areas[0] if len(found.areas) == 1 else RETIRED_NAMESAKES
        if isinstance(found, str) and found in ELSEWHERE:
            area, notice = self._filed_at(actor, row, f.label)
            if area is None:
                row.error(f, NO_PLACE, text)
            return area, f.label, notice
        if isinstance(found, str):
            row.error(f, found, text)
            return None, f.label, ""
        return found, f.label, ""

    def _filed_at(self, actor: Any, row: Row, column: str) -> tuple[Area | None, str]:
        """The place of a case whose 发案地 is outside the jurisdiction: its filing unit's area, else the
        importer's own unit's (the centre's level); None when neither is in the jurisdiction."""
        unit = self._filing_unit(actor, row.values.get("unit", ""))
        if unit is not None:
            return unit.area, PLACED_BY_UNIT.format(column=column, unit=unit.name)
        own = getattr(actor, "organisation", None)
        if own is None or not own.area.is_active or not access.area_visible_to(actor, own.area):
            return None, ""
        return own.area, PLACED_AT_CENTRE.format(column=column, area=own.area.name)

    def _filing_unit(self, actor: Any, text: str) -> Organisation | None:
        """The police station or centre a 受理单位 cell names, in force and in the jurisdiction."""
        name = unicodedata.normalize("NFKC", text).strip()
        if not name:
            return None
        if name not in self._units:
            units = Organisation.objects.filter(name=name, kind__in=FILING_KINDS, is_active=True)
            unit = units.select_related("area").first()
            usable = unit is not None and unit.area.is_active and access.area_visible_to(actor, unit.area)
            self._units[name] = unit if usable else None
        return self._units[name]

    def _amount_column(self, values: dict[str, str], name: str) -> tuple[Field, str]:
        """The field and text of an amount: its column in yuan, else its column in 万元 (read in 万)."""
        wan = values.get(f"{name}_wan", "")
        if values.get(name) or not wan:
            return self.field(name), values.get(name, "")
        return self.field(f"{name}_wan"), in_wan(wan)

    def _payment(self, row: Row) -> dict[str, Any] | None:
        v = row.values
        if not (v.get("to_account") or v.get("amount") or v.get("amount_wan")):
            return None
        paid = _time(row, self.field("paid_at"), v.get("paid_at", ""))
        amount = _money(row, *self._amount_column(v, "amount"))
        if not clean_account(v.get("to_account", "")):
            row.error(self.field("to_account"), "有转账金额时请填写收款账号")
        if not (v.get("amount") or v.get("amount_wan")):  # an unreadable amount has its own error
            row.error(self.field("amount"), "有收款账号时请填写转账金额")
        return {
            "paid_at": paid,
            "amount_fen": amount,
            "to_account": v.get("to_account", ""),
            "to_bank": v.get("to_bank", ""),
            "to_name": v.get("to_name", ""),
        }

    def _case_facts(self, actor: Any, row: Row) -> dict[str, Any]:
        v = row.values
        fraud_type = self._memo.fraud_type(v["fraud_type"]) if v.get("fraud_type") else ""
        if fraud_type is None:
            row.error(self.field("fraud_type"), UNKNOWN_TYPE, masked_cell(v["fraud_type"]))
        listed = v.get("status", "").strip()
        status = STATUS_WORDS.get(listed, Status.REPORTED if not listed else None)
        if status is None:
            row.error(
                self.field("status"),
                f"未知的案件状态（可填：{'、'.join(Status.labels)}）",
                masked_cell(v["status"]),
            )
        area, column, notice = self._place(actor, row)
        loss_field, loss_text = self._amount_column(v, "loss")
        return {
            "area": area,
            "area_column": column,
            "place_notice": notice,  # the 发案地 was outside the jurisdiction: placed by the filing unit
            "reported_at": _time(row, self.field("reported_at"), v.get("reported_at", "")),
            "occurred_at": _time(row, self.field("occurred_at"), v.get("occurred_at", "")),
            "fraud_type": fraud_type or "",
            "status": status,
            "status_listed": bool(listed),  # a blank status sets a new case at 报案, moves no other
            "summary": v.get("summary", ""),
            "loss_fen": _money(row, loss_field, loss_text),
            "loss_column": loss_field.label,
        }

    def validate_row(self, *, actor: Any, row: Row) -> None:
        facts = self._case_facts(actor, row)
        number = row.values.get("id_number", "")
        check = idcard.check_id_number(number) if number else None
        if check is not None and not check.valid:
            row.error(self.field("id_number"), "；".join(check.errors) or "身份证号无效", number)
        written = row.values.get("phone", "")
        number_info = phone.phone_info(written) if written.strip() else None
        if number_info is not None and not number_info.valid:  # on its row and column, not at the commit
            row.error(self.field("phone"), "；".join(number_info.errors) or "手机号码无效", written)
        payment = self._payment(row)
        if facts["reported_at"] is None and not row.errors:
            row.error(self.field("reported_at"), "请填写报案时间")
        elif facts["reported_at"] is not None:
            times = services.case_time_errors(facts["reported_at"], facts["occurred_at"])
            for name, message in times.items():
                row.error(self.field(name), message)
        if row.errors:
            return
        row.cleaned = {
            **facts,
            "ref": case_ref(row.values["ref"]),
            "payment": payment,
            "name": row.values["name"],
            "id_number": check.normalized if check else "",
            "phone": row.values.get("phone", ""),
        }

    def _victim(self, actor: Any, row: Row, area: Area | None = None) -> Person:
        """The row's person, found by ID number in the jurisdiction, else registered in the case's area
        (``area``, else the row's) — or, that area being retired (撤并), in its nearest ancestor in
        force, with a notice."""
        c = row.cleaned
        area = area or c["area"]
        if not area.is_active:
            number = c["id_number"]
            found = person_services.find_by_id_number(actor=actor, id_number=number) if number else None
            if found:
                return found
            area = self._in_force_above(actor, area, c["area_column"])
            self.notices.append((row.number, c["area_column"], VICTIM_ABOVE.format(name=area.name)))
        data = person_services.PersonData(
            name=c["name"], area=area, id_number=c["id_number"], phone=c["phone"]
        )
        return services.victim_person(actor=actor, data=data)

    def _in_force_above(self, actor: Any, area: Area, column: str) -> Area:
        """The nearest ancestor of a retired area that is in force and in the actor's jurisdiction."""
        if area.pk not in self._above:
            codes = area.path.strip("/").split("/")[:-1]
            above = Area.objects.filter(code__in=codes, is_active=True).order_by("-path")
            self._above[area.pk] = next((a for a in above if access.area_visible_to(actor, a)), None)
        found = self._above[area.pk]
        if found is None:
            raise RowRejected(NO_AREA_FOR_VICTIM, column)
        return found

    def _row_victim(self, actor: Any, case: Case, row: Row) -> Victim:
        """The row's victim: one of the case's (by ID number, else by name when the row has none),
        else added to the case — a list gives each victim of a case rows of their own."""
        c = row.cleaned
        for victim in case.victims.select_related("person"):
            person = victim.person
            same = (person.id_number == c["id_number"]) if c["id_number"] else (person.name == c["name"])
            if same:
                return victim
        person = self._victim(actor, row, case.area if c["place_notice"] else None)
        return case.victims.filter(person=person).first() or services.victim_add(
            actor=actor, case=case, person=person, loss_fen=0
        )

    def _add_payment(self, actor: Any, case: Case, payment: dict[str, Any] | None, victim: Victim) -> bool:
        if payment is None:
            return False
        paid = payment["paid_at"] or case.occurred_at or case.reported_at
        digest = account_hash(payment["to_account"])
        if Payment.objects.filter(
            case=case, to_account_hash=digest, amount_fen=payment["amount_fen"], paid_at=paid
        ).exists():
            return False
        data = services.PaymentData(victim=victim, **{**payment, "paid_at": paid})
        services.payment_add(actor=actor, case=case, data=data)
        return True

    def _move_status(self, actor: Any, case: Case, row: Row) -> bool:
        """The status the list gives a case already imported, walked to along the normal path; one
        behind it or off its path (立案 → 受理, 不予立案 → 立案) is kept, with a notice saying why."""
        c = row.cleaned
        if not c["status_listed"] or c["status"] == case.status:
            return False
        try:
            services.case_advance(actor=actor, case=case, to=c["status"])
        except ValidationError:
            kept = STATUS_KEPT.format(now=case.get_status_display(), listed=Status(c["status"]).label)
            self.notices.append((row.number, self.field("status").label, kept))
            return False
        return True

    def _check_loss(self, case: Case, row: Row) -> None:
        """A later row of a case giving another loss: not added (the list may give the case's loss on
        every row, or each victim's), kept as it is with a notice to check it on the case page."""
        listed = row.cleaned["loss_fen"]
        if listed and listed != case.loss_fen:
            kept = LOSS_KEPT.format(listed=money(listed), kept=money(case.loss_fen))
            self.notices.append((row.number, row.cleaned["loss_column"], kept))

    def commit_row(self, *, actor: Any, row: Row) -> str:
        c = row.cleaned
        case = _case_numbered(c["ref"])
        try:
            if case is not None:
                if not access.area_visible_to(actor, case.area):
                    raise RowRejected("该案件编号的案件属于其他辖区（已由其导入或登记）", "案件编号")
                victims = case.victims.count()
                if c["place_notice"]:
                    self.notices.append(
                        (row.number, c["area_column"], PLACE_KEPT.format(column=c["area_column"]))
                    )
                added = self._add_payment(actor, case, c["payment"], self._row_victim(actor, case, row))
                moved = self._move_status(actor, case, row)
                self._check_loss(case, row)
                return UPDATED if added or moved or case.victims.count() > victims else UNCHANGED
            data = services.CaseData(
                area=c["area"],
                reported_at=c["reported_at"],
                fraud_type=c["fraud_type"],
                occurred_at=c["occurred_at"],
                summary=c["summary"],
                loss_fen=c["loss_fen"],
            )
            case = services.case_import(actor=actor, data=data, victim=self._victim(actor, row), ref=c["ref"])
            if not case.area.is_active:
                self.notices.append((row.number, c["area_column"], RETIRED_PLACE))
            if c["place_notice"]:
                self.notices.append((row.number, c["area_column"], c["place_notice"]))
            self._add_payment(actor, case, c["payment"], case.victims.get())
            services.case_advance(actor=actor, case=case, to=c["status"])
        except ValidationError as exc:
            raise RowRejected(validation_message(exc)) from exc
        return NEW
