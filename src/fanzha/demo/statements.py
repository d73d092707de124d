"""Bank statements of a laundering network for the demo (and the browser test): the victim's money
is split across cards in two or three levels, part taken out at ATMs, part moved through a payment
platform, part still sitting in the cards. Two banks' export layouts, each with title lines.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

NAMES = ["刘某", "陈某某", "黄某", "吴某", "杨某某", "周某", "徐某", "孙某某"]
ICBC_HEADER = "交易日期,交易时间,借方发生额,贷方发生额,余额,对方账号,对方户名,对方开户行,摘要,交易流水号"
FLAG_HEADER = "交易时间,交易金额,收付标志,账户余额,对方账号,对方户名,对方开户行,摘要,流水号"


@dataclass
class Card:
    number: str
    bank: str
    holder: str
    balance: int  # fen
    rows: list[tuple[dt.datetime, int, str, str, str, str]] = field(default_factory=list)  # t, ±fen, other…

    def book(self, when: dt.datetime, amount: int, other: str, name: str, bank: str, text: str) -> None:
        self.balance += amount
        self.rows.append((when, amount, other, name, bank, text))


def _yuan(fen: int) -> str:
    return f"{abs(fen) / 100:,.2f}"


def render(card: Card, serial_prefix: str) -> bytes:
    """The card's statement in its bank's layout (工商银行: 借贷分列; others: 金额 + 收付标志)."""
    start = card.balance - sum(r[1] for r in card.rows)
    lines = [f"{card.bank}账户交易明细", f"账号：{card.number}", f"户名：{card.holder}"]
    icbc = card.bank == "工商银行"
    lines.append(ICBC_HEADER if icbc else FLAG_HEADER)
    balance = start
    for i, (when, amount, other, name, bank, text) in enumerate(sorted(card.rows, key=lambda r: r[0]), 1):
        balance += amount
        serial = f"{serial_prefix}{i:04d}"
        if icbc:
            debit, credit = ("", _yuan(amount)) if amount > 0 else (_yuan(amount), "")
            cells = [
                f"{when:%Y%m%d}",
                f"{when:%H%M%S}",
                debit,
                credit,
                _yuan(balance),
                other,
                name,
                bank,
                text,
                serial,
            ]
        else:
            flag = "贷" if amount > 0 else "借"
            cells = [
                f"{when:%Y-%m-%d %H:%M:%S}",
                _yuan(amount),
                flag,
                _yuan(balance),
                other,
                name,
                bank,
                text,
                serial,
            ]
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass
class Network:
    payee: Card
    cards: list[Card]
    with_statement: list[Card]

    def files(self) -> list[tuple[str, bytes, Card]]:
        return [
            (f"{c.bank}-{c.number[-4:]}.csv", render(c, f"S{c.number[-4:]}"), c) for c in self.with_statement
        ]


def _forward(rng: random.Random, src: Card, when: dt.datetime, targets: list[Card], share: float) -> None:
    """``src`` sends ``share`` of its balance on, split among ``targets`` a few minutes apart."""
    total = int(src.balance * share) // 100 * 100
    for i, dst in enumerate(targets):
        part = (
            total // len(targets)
            if i < len(targets) - 1
            else total - total // len(targets) * (len(targets) - 1)
        )
        moment = when + dt.timedelta(minutes=4 + 6 * i, seconds=rng.randrange(60))
        src.book(moment, -part, dst.number, dst.holder, dst.bank, "网银转账")
        dst.book(moment, part, src.number, src.holder, src.bank, "转账")


def laundering(
    rng: random.Random, make_card, payee: str, payee_bank: str, victim: str, amount: int, paid: dt.datetime
) -> Network:  # type: ignore[no-untyped-def]
    """The network behind one payment of ``amount`` fen made at ``paid`` into ``payee``."""
    first = Card(payee, payee_bank, rng.choice(NAMES), rng.randrange(5, 80) * 10_000)
    first.book(paid - dt.timedelta(hours=5), 120_000, make_card(rng, "农业银行"), "某某", "农业银行", "转账")
    first.book(paid + dt.timedelta(seconds=2), amount, victim, "受害人", "", "转账")
    second = [
        Card(make_card(rng, b), b, rng.choice(NAMES), rng.randrange(0, 3) * 10_000)
        for b in rng.sample(["农业银行", "建设银行", "中国银行"], 2)
    ]
    third = [Card(make_card(rng, b), b, rng.choice(NAMES), 0) for b in ("邮储银行", "招商银行", "建设银行")]
    _forward(rng, first, paid + dt.timedelta(minutes=3), second, 0.8)
    first.book(paid + dt.timedelta(minutes=25), -min(first.balance, 500_000), "", "", "", "ATM取款")
    _forward(rng, second[0], paid + dt.timedelta(minutes=30), third[:2], 0.7)
    _forward(rng, second[1], paid + dt.timedelta(minutes=34), third[2:], 0.5)
    second[1].book(
        paid + dt.timedelta(minutes=50),
        -(second[1].balance // 3),
        "",
        "财付通支付科技有限公司",
        "",
        "快捷支付-财付通",
    )
    third[0].book(paid + dt.timedelta(hours=2), -(third[0].balance // 2), "", "", "", "ATM取款")
    cards = [first, *second, *third]
    return Network(first, cards, [first, *second, third[0]])
