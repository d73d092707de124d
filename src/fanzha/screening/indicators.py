"""Indicator-list hits: numbers, accounts, domains and URLs already confirmed as fraudulent.

The platform's indicator list (涉诈号码、账户、网址) is kept in the database; the engine only sees a
snapshot given to it as plain sets, so it stays free of the database. An empty snapshot (the default)
adds nothing. Each hit weighs INDICATOR_POINTS, enough on its own to make an item high risk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fanzha.screening.types import Entity, Hit

INDICATOR_POINTS = 8.0

_KIND_NAMES = {
    "mobile": "手机号码",
    "landline": "固定电话",
    "service_number": "服务号码",
    "international": "境外号码",
    "bank_card": "银行账户",
    "alipay": "支付宝账户",
    "qq": "QQ 号",
    "wechat": "微信号",
    "url": "网址",
}


@dataclass(frozen=True)
class Indicators:
    """A snapshot of the indicator list: canonical values (digits, lower-case ids, domains)."""

    numbers: frozenset[str] = field(default_factory=frozenset)  # phones and accounts, digits only
    ids: frozenset[str] = field(default_factory=frozenset)  # QQ, WeChat, Alipay ids, lower case
    domains: frozenset[str] = field(default_factory=frozenset)  # registrable domains or hosts

    @classmethod
    def of(
        cls, numbers: Iterable[str] = (), ids: Iterable[str] = (), domains: Iterable[str] = ()
    ) -> Indicators:
        return cls(
            numbers=frozenset("".join(ch for ch in n if ch.isdigit()) for n in numbers),
            ids=frozenset(i.strip().lower() for i in ids),
            domains=frozenset(d.strip().lower().rstrip(".") for d in domains),
        )

    def __bool__(self) -> bool:
        return bool(self.numbers or self.ids or self.domains)

    def match(self, entities: Sequence[Entity]) -> list[Hit]:
        if not self:
            return []
        return [self._hit(e) for e in entities if self._listed(e)]

    def _listed(self, e: Entity) -> bool:
        if e.kind == "url":
            host = e.detail.get("host", "")
            return bool({host, e.detail.get("domain", "")} & self.domains)
        if e.kind in ("qq", "wechat", "alipay") and e.value.lower() in self.ids:
            return True
        return e.value in self.numbers

    def _hit(self, e: Entity) -> Hit:
        name = _KIND_NAMES.get(e.kind, "标识")
        return Hit("INDICATOR_LISTED", INDICATOR_POINTS, "", f"{name}已列入涉诈名单", (e.span,))
