"""Named users for each role in two different villages, built through the services.

The tree: 江州市 › 青溪县 › 城关镇 (城东社区, 城西社区) and 龙泉乡 (石桥村), each village with a grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fanzha.core.models import Area, Organisation, Person, User
from fanzha.core.services import areas as area_services
from fanzha.core.services import organisations as org_services
from fanzha.core.services import persons as person_services

PASSWORD = "Qingxi#2026test"

# Official-looking 12-digit codes of a fictional county.
TREE = [
    ("331100000000", "江州市", "city", None),
    ("331199000000", "青溪县", "district", "331100000000"),
    ("331199100000", "城关镇", "township", "331199000000"),
    ("331199100001", "城东社区", "village", "331199100000"),
    ("331199100001001", "城东社区第一网格", "grid", "331199100001"),
    ("331199100002", "城西社区", "village", "331199100000"),
    ("331199200000", "龙泉乡", "township", "331199000000"),
    ("331199200201", "石桥村", "village", "331199200000"),
    ("331199200201001", "石桥村第一网格", "grid", "331199200201"),
]

ORGANISATIONS = [
    ("青溪县反诈中心", "centre", "331199000000"),
    ("城关派出所", "police_station", "331199100000"),
    ("龙泉派出所", "police_station", "331199200000"),
    ("城东社区居委会", "village_committee", "331199100001"),
    ("石桥村村委会", "village_committee", "331199200201"),
    ("工商银行青溪支行", "bank", "331199100000"),
    ("中国移动青溪营业厅", "telecom", "331199100000"),
]

USERS = [
    ("leader", "青溪县反诈中心", ["centre_leader"]),
    ("analyst", "青溪县反诈中心", ["centre_analyst"]),
    ("police_cg", "城关派出所", ["police_officer"]),
    ("police_lq", "龙泉派出所", ["police_officer"]),
    ("head_cg", "城关派出所", ["unit_leader"]),  # 所长: supervises 城关派出所 and its jurisdiction
    ("grid_cd", "城东社区居委会", ["grid_worker"]),
    ("grid_sq", "石桥村村委会", ["grid_worker"]),
    ("bank", "工商银行青溪支行", ["bank_staff"]),
    ("telecom", "中国移动青溪营业厅", ["telecom_staff"]),
    ("auditor", "青溪县反诈中心", ["auditor"]),
    ("admin", "青溪县反诈中心", ["sysadmin"]),
]

ROLE_OF = {username: roles[0] for username, _, roles in USERS}


def id_number(region: str, birth: str, seq: str) -> str:
    body = region + birth + seq
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


@dataclass
class World:
    areas: dict[str, Area] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)

    def area(self, name: str) -> Area:
        return next(a for a in self.areas.values() if a.name == name)


def build_world() -> World:
    world = World()
    for code, name, level, parent in TREE:
        world.areas[code] = area_services.area_create(
            actor=None,
            code=code,
            name=name,
            level=level,
            parent=world.areas.get(parent or ""),
            residents=1000,
            households=400,
        )
    for name, kind, area_code in ORGANISATIONS:
        world.orgs[name] = org_services.organisation_create(
            actor=None, name=name, kind=kind, area=world.areas[area_code]
        )
    for username, org, roles in USERS:
        world.users[username] = org_services.user_create(
            actor=None, username=username, password=PASSWORD, organisation=world.orgs[org], roles=roles
        )
    leader = world.users["leader"]
    world.people["chengdong"] = person_services.person_create(
        actor=leader,
        data=person_services.PersonData(
            name="王秀英",
            area=world.area("城东社区第一网格"),
            id_number=id_number("331102", "19500312", "002"),
            phone="13905710001",
            address="青溪县城关镇城东社区幸福路8号",
            key_groups=["elderly_alone"],
        ),
    )
    world.people["shiqiao"] = person_services.person_create(
        actor=leader,
        data=person_services.PersonData(
            name="李建国",
            area=world.area("石桥村"),
            id_number=id_number("331102", "19580101", "013"),
            phone="13905710002",
            address="青溪县龙泉乡石桥村3组12号",
            key_groups=["elderly"],
        ),
    )
    return world


def login(client: Any, user: User) -> Any:
    client.force_login(user)
    return client
