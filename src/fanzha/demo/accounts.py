"""The demo logins: fixed usernames, one shared password that satisfies the password policy.

The password is public (it is printed at start-up): the demo is for trying the platform, never for
real data. ``leader`` is the marker: when it exists, the demo users are there.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "Qingxi#Demo2026"  # noqa: S105 - public by design, printed at start-up
MARKER_USERNAME = "leader"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    slot: str  # which organisation of the plan the user sits in (see demo.organisations)
    display_name: str


# In the order demo_logins prints them.
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("leader", "centre_leader", "centre", "周建明"),
    DemoLogin("analyst", "centre_analyst", "centre", "林晓燕"),
    DemoLogin("analyst2", "centre_analyst", "centre", "徐志远"),
    DemoLogin("police", "police_officer", "station:0", "王海涛"),
    DemoLogin("police2", "police_officer", "station:grid2", "陈立新"),
    DemoLogin("police3", "police_officer", "station:3", "叶俊"),
    DemoLogin("police4", "police_officer", "station:5", "蓝文彬"),
    DemoLogin("head", "unit_leader", "station:0", "刘国强"),  # 所长 of ``police``'s station
    DemoLogin("grid", "grid_worker", "committee:grid", "李秀芳"),
    DemoLogin("grid2", "grid_worker", "committee:grid2", "张永强"),
    DemoLogin("grid3", "grid_worker", "committee:grid3", "吴丽萍"),
    DemoLogin("grid4", "grid_worker", "committee:grid4", "郑建平"),
    DemoLogin("town", "unit_leader", "township:grid", "黄春梅"),  # 分管领导 of ``grid``'s township
    DemoLogin("bank", "bank_staff", "bank:0", "赵敏"),
    DemoLogin("bank2", "bank_staff", "bank:6", "钱晓红"),
    DemoLogin("telecom", "telecom_staff", "telecom:0", "孙磊"),
    DemoLogin("telecom2", "telecom_staff", "telecom:2", "何静"),
    DemoLogin("auditor", "auditor", "centre", "毛振华"),
    DemoLogin("admin", "sysadmin", "centre", "潘刚"),
)
