"""The open cases of a deactivated officer (s22): who is told to choose a new officer is read once.

Before, ``_cases_left`` read the officers who may work a case (``eligible_officers``: the users, their
roles, their units' areas) and the case's area once per area the cases were in: an officer with cases
in ten villages cost ten times the queries of one with cases in one. Now the candidates are read once
and each area's eligible officers picked from them in memory: the same people told, the same note.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanzha.cases import services
from fanzha.cases.models import Case
from fanzha.core.services import areas as area_services
from fanzha.core.services import organisations as org_services
from fanzha.jobs.models import Notification
from tests.cases.helpers import make_case


def _villages(world, first: int, count: int) -> list:  # type: ignore[no-untyped-def]
    """``count`` villages of 城关镇 (城关派出所's jurisdiction), numbered from ``first``."""
    return [
        area_services.area_create(
            actor=None,
            code=f"331199100{n:03d}",
            name=f"测试{n}村",
            level="village",
            parent=world.area("城关镇"),
        )
        for n in range(first, first + count)
    ]


def _cases_left(world) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        notes = org_services._cases_left({"officer": world.users["police_cg"]}, "该用户")
    return len(queries.captured_queries), notes


def test_the_queries_do_not_grow_with_the_number_of_areas(world) -> None:  # type: ignore[no-untyped-def]
    for area in _villages(world, 101, 2):
        make_case(world, area=area)
    two, notes = _cases_left(world)
    for area in _villages(world, 103, 8):
        make_case(world, area=area)
    ten, more = _cases_left(world)
    assert ten == two, (two, ten)
    assert notes == [
        "该用户还是 2 起未结案件的承办民警，案件不会自动改派；"
        "已通知可更换承办民警的人员（3 人），请尽快在案件页“更换承办民警”。"
    ]
    assert more[0].startswith("该用户还是 10 起未结案件")


def test_each_case_is_told_to_those_who_may_work_it_there(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    chengdong = make_case(world)  # 城关派出所 and the centre may work it
    shiqiao = make_case(
        world, actor="police_lq", person="shiqiao", area=world.area("石桥村")
    )  # 龙泉 and the centre
    left = {"officer__in": [world.users["police_cg"], world.users["police_lq"]]}
    expected: dict[str, set[str]] = {}
    for case in Case.objects.filter(pk__in=[chengdong.pk, shiqiao.pk]):
        for user in services.eligible_officers(case):
            expected.setdefault(user.username, set()).add(case.number)
    with django_capture_on_commit_callbacks(execute=True):
        notes = org_services._cases_left(left, "本单位人员")
    told = {n.recipient.username: n.body for n in Notification.objects.all()}
    assert {
        name: {c for c in (chengdong.number, shiqiao.number) if c in told[name]} for name in told
    } == expected
    assert expected == {
        "leader": {chengdong.number, shiqiao.number},
        "analyst": {chengdong.number, shiqiao.number},
        "police_cg": {chengdong.number},
        "police_lq": {shiqiao.number},
    }
    assert notes[0].startswith("本单位人员还是 2 起未结案件") and "（4 人）" in notes[0]
