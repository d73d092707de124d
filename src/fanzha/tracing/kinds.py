"""Transaction categories, shared by statement parsing, the columnar import and the trace."""

from __future__ import annotations

from typing import Final

CATEGORIES: Final = (
    "transfer",  # 0 转账 — followed by the trace
    "cash_out",  # 1 取现（ATM、柜面）— the money leaves the banking system
    "third_party",  # 2 第三方支付（财付通、支付宝、银联…）— continues in the platform's records
    "cash_in",  # 3 现金存入
    "refund",  # 4 退款 / 退汇
    "reversal",  # 5 冲正 / 撤销
    "fee",  # 6 手续费
    "interest",  # 7 利息
)
LABELS: Final = {
    "transfer": "转账",
    "cash_out": "取现",
    "third_party": "第三方支付",
    "cash_in": "现金存入",
    "refund": "退款",
    "reversal": "冲正",
    "fee": "手续费",
    "interest": "利息",
}
CODE: Final = {name: code for code, name in enumerate(CATEGORIES)}
TRANSFER: Final = 0
CASH_OUT: Final = 1
THIRD_PARTY: Final = 2
FEE: Final = 6
