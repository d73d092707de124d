"""Cases for the tests, made through the services as an officer would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fanzha.cases import measures, services, statements
from fanzha.cases.models import Case, Measure, Payment

PAYEE = "6222021001122334455"  # 工商银行 debit card (BIN 622202)
SECOND = "6228480012345678901"
THIRD = "6217001234567890123"
VICTIM_ACCOUNT = "6217000000000000001"
PAID_AT = dt.datetime(2026, 11, 20, 10, 0, 0)


def paid_at() -> dt.datetime:
    return timezone.make_aware(PAID_AT)


def make_case(world: Any, actor: str = "police_cg", person: str = "chengdong", **overrides: Any) -> Case:
    officer = world.users[actor]
    target = world.people[person]
    data = services.CaseData(
        area=overrides.pop("area", world.area("城东社区")),
        reported_at=overrides.pop("reported_at", paid_at() + dt.timedelta(hours=2)),
        fraud_type=overrides.pop("fraud_type", "fake_investment"),
        contact_method="wechat",
        occurred_at=paid_at(),
        summary="受害人被拉入投资群，按“导师”指示转账。",
        loss_fen=overrides.pop("loss_fen", 5_000_000),
    )
    return services.case_register(actor=officer, data=data, victim=target)


def add_payment(case: Case, actor: Any, amount_fen: int = 5_000_000, **overrides: Any) -> Payment:
    values: dict[str, Any] = {
        "victim": case.victims.first(),
        "paid_at": paid_at(),
        "amount_fen": amount_fen,
        "to_account": PAYEE,
        "to_bank": "工商银行青溪支行",
        "to_name": "张某某",
        "from_account": VICTIM_ACCOUNT,
    }
    values.update(overrides)
    return services.payment_add(actor=actor, case=case, data=services.PaymentData(**values))


def send_stop(payment: Payment, actor: Any) -> Measure:
    return measures.measure_send(actor=actor, case=payment.case, target=measures.target_of_payment(payment))


def answer(measure: Measure, bank: Any, result: str = "stopped", fen: int = 3_000_000) -> Measure:
    held = result in ("stopped", "frozen")
    data = measures.AnswerData(
        answer=result, effective_fen=fen if held else 0, executed_at=timezone.now() if held else None
    )
    if result == "moved_on":
        data.moved_to = SECOND
    return measures.measure_answer(actor=bank, measure=measure, data=data)


HEADER = "交易日期,交易时间,借方发生额,贷方发生额,余额,对方账号,对方户名,对方开户行,摘要,交易流水号\n"


def statement_csv(account: str, rows: list[str]) -> bytes:
    return (f"工商银行个人账户交易明细\n账号：{account}\n" + HEADER + "".join(rows)).encode("utf-8")


def payee_statement() -> bytes:
    """The payee card: the victim's 50,000 in, 30,000 to the second card, 5,000 cash, 15,000 left."""
    return statement_csv(
        PAYEE,
        [
            f"20261120,100002,,50000.00,50000.00,{VICTIM_ACCOUNT},王秀英,农业银行,转账,A1\n",
            f"20261120,101500,30000.00,,20000.00,{SECOND},李某,农业银行,网银转账,A2\n",
            "20261120,103000,5000.00,,15000.00,,,,ATM取款,A3\n",
        ],
    )


def second_statement() -> bytes:
    """The second card: 30,000 in, 20,000 on to the third card, 10,000 left."""
    return statement_csv(
        SECOND,
        [
            f"20261120,101500,,30000.00,30000.00,{PAYEE},张某某,工商银行,转账,B1\n",
            f"20261120,110000,20000.00,,10000.00,{THIRD},赵某,建设银行,转账,B2\n",
        ],
    )


def upload(case: Case, actor: Any, data: bytes, name: str = "payee.csv", **kwargs: Any) -> Any:
    return statements.statement_upload(actor=actor, case=case, file_name=name, data=data, **kwargs)
