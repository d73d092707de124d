"""The sender's own level (预警级别): read in its usual words, a grading condition the centre edits,
seeded so that a list the superior centre marked 红色/一级 is graded 紧急 here too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fanzha.imports.pipeline import import_run
from fanzha.warnings.levels import read_level
from fanzha.warnings.models import Grade, Warning, WarningSourceRef
from tests.imports.files import csv_bytes
from tests.personas import World, id_number, login
from tests.warnings.helpers import make_warning


@pytest.mark.parametrize(
    ("said", "level"),
    [
        ("红色预警", "urgent"),
        ("红", "urgent"),
        ("一级", "urgent"),
        ("Ⅰ级", "urgent"),
        ("紧急", "urgent"),
        ("橙色", "high"),
        ("高风险", "high"),
        ("II级", "high"),
        ("高危", "high"),
        ("黄色预警", "medium"),
        ("三级", "medium"),
        ("中", "medium"),
        ("蓝", "low"),
        ("低风险", "low"),
        ("四级预警", "low"),
        ("High risk", "high"),
        ("A类", None),
        # 一般 is the lowest of the emergency levels (Ⅳ级, 蓝) but the third of the risk levels (黄): unread
        ("一般", None),
        ("一般风险", None),
        ("1", None),  # a bare number: some systems count up, some down
        ("", None),
    ],
)
def test_a_senders_level_is_read_in_its_usual_words(said: str, level: str | None) -> None:
    assert read_level(said) == level


def test_every_level_is_one_of_our_grades() -> None:
    from fanzha.warnings.levels import LEVEL_WORDS

    assert list(LEVEL_WORDS) == list(Grade.values)


YOUNG = id_number("331102", "20000101", "001")  # 26: no rule on age
HEADER = ["预警编号", "姓名", "身份证号", "手机号", "现住址", "诈骗类型", "预警级别"]


def row(n: int, level: str) -> list[str]:
    return [
        f"LV-{n}",
        f"周{n}",
        id_number("331102", "19900101", f"{n:03d}"),
        f"1390573{n:04d}",
        "青溪县城关镇城东社区幸福路1号",
        "网络游戏产品虚假交易",
        level,
    ]


def test_a_list_graded_by_its_sender_is_graded_at_least_as_urgent_here(world: World) -> None:
    rows = [row(1, "红色预警"), row(2, "二级"), row(3, "蓝色"), row(4, "A类")]
    result = import_run(actor=None, importer="warnings", file_name="推送.csv", data=csv_bytes(HEADER, rows))
    assert result.ok, result.batch.message
    graded = {w.source_id: (w.grade, w.grade_reasons) for w in Warning.objects.all()}
    assert graded["LV-1"] == ("urgent", ["推送方预警级别：紧急"])
    assert graded["LV-2"] == ("high", ["推送方预警级别：高"])
    assert graded["LV-3"][0] == "low" and graded["LV-4"][0] == "low"  # 低 is the default; A类 names none
    said = {n["row"]: n["message"] for n in result.batch.notices if n["column"] == "预警级别"}
    assert list(said) == [5] and "预警级别“A类”无法识别" in said[5], said
    # The feedback gives the sender's level back as it wrote it.
    assert WarningSourceRef.objects.get(source_id="LV-4").row_values["pushed_level"] == "A类"


def test_a_later_report_with_a_higher_level_raises_the_grade(world: World) -> None:
    first = make_warning(1, id_number=YOUNG, pushed_level="黄色")
    assert first.grade == "medium" and first.facts["level"] == "medium"
    again = make_warning(1, source_id="T-again", id_number=YOUNG, pushed_level="红色")
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.grade == "urgent" and again.facts["level"] == "urgent"
    make_warning(1, source_id="T-third", id_number=YOUNG, pushed_level="蓝色")
    again.refresh_from_db()
    assert again.facts["level"] == "urgent"  # the more urgent of what the senders said


def test_the_centre_edits_rules_on_the_senders_level(world: World, client) -> None:  # type: ignore[no-untyped-def]
    low = make_warning(1, id_number=YOUNG, pushed_level="蓝色")
    assert low.grade == "low"
    login(client, world.users["leader"])
    form = {"name": "推送方定为低也要中", "enabled": "on", "position": "5", "grade": "medium"}
    form |= {"reason": "推送方：{level}", "pushed_levels": ["low"], "transfer_in_progress": "unknown"}
    response = client.post(reverse("warning_rule_create"), {**form, "preview": "1"})
    assert "保存后，1 条未办结预警将改变等级" in response.content.decode()
    assert client.post(reverse("warning_rule_create"), {**form, "save": "1"}).status_code == 302
    low.refresh_from_db()
    assert (low.grade, low.grade_reasons) == ("medium", ["推送方：低"])
    assert "推送方级别：低" in client.get(reverse("warning_rule_list")).content.decode()


def test_the_api_reads_the_level_by_its_key_or_its_column_name(world: World, client) -> None:  # type: ignore[no-untyped-def]
    import json

    login(client, world.users["analyst"])
    for n, body in enumerate(({"pushed_level": "红色"}, {"预警级别": "一级"}), start=1):
        sent = {"source_id": f"API-{n}", "name": f"吴{n}", "phone": f"1390574{n:04d}", **body}
        response = client.post("/api/warnings", json.dumps(sent), content_type="application/json")
        assert response.status_code == 201, response.content
        assert response.json()["grade"] == "urgent"


def test_a_level_it_cannot_read_is_quoted_masked_in_its_notice(world: World) -> None:
    """A phone or an ID number typed into the 预警级别 column: the row notice quotes the cell masked, as
    every notice quoting a cell does (the notices are shown on the import page and in its CSV)."""
    person_id = id_number("331102", "19900101", "021")
    rows = [row(1, "13905710021"), row(2, person_id)]
    result = import_run(actor=None, importer="warnings", file_name="推送.csv", data=csv_bytes(HEADER, rows))
    assert result.ok, result.batch.message
    said = [n["message"] for n in result.batch.notices if n["column"] == "预警级别"]
    assert len(said) == 2 and all("无法识别" in message for message in said), said
    assert "13905710021" not in str(said) and person_id[:17] not in str(said), said


def test_a_row_pushed_again_with_another_level_says_so(world: World) -> None:
    """The warning is not touched by a re-push (it may be in work), but a sender that raised its level
    (黄色 → 红色) is told to the centre like a changed amount; the same level written otherwise is not."""
    first = import_run(
        actor=None,
        importer="warnings",
        file_name="a.csv",
        data=csv_bytes(HEADER, [row(1, "黄色"), row(2, "二级")]),
    )
    assert first.ok, first.batch.message
    again = csv_bytes(HEADER, [row(1, "红色预警"), row(2, "橙色")], encoding="gb18030")
    result = import_run(actor=None, importer="warnings", file_name="b.csv", data=again)
    assert result.ok and result.batch.rows_unchanged == 2, result.batch.message
    said = {n["row"]: n["message"] for n in result.batch.notices if n["column"] == "预警编号"}
    assert list(said) == [2] and "内容有变化（预警级别）" in said[2], said
    assert Warning.objects.get(source_id="LV-1").grade == "medium"  # not applied
