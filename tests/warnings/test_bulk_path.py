"""The bulk intake (files) decides and writes exactly what the one-warning service does, row by row."""

from __future__ import annotations

import datetime as dt
import gc
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from fanzha.core.pii import crypto
from fanzha.core.pii.masking import mask
from fanzha.imports.pipeline import import_run
from fanzha.warnings import bulk, services
from fanzha.warnings.intake import Memo, Unusable, WarningInput, clean_warning
from fanzha.warnings.models import Warning, WarningEvent, WarningSourceRef
from tests.personas import id_number
from tests.warnings.files import row, warning_csv

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
TRADITIONAL = {170: "青溪縣城關鎮城東社區9號", 171: "靑溪县龙泉乡石桥村3组", 172: "廣東省廣州市城東社區"}
TOWNS = ["城关镇城东社区", "城关镇城西社区", "龙泉乡石桥村", "龙泉乡", "某某路", ""]


def _row(n: int) -> dict[str, Any]:
    """A varied row: ages, types, sources, amounts, flags, places (all ways a row can be decided)."""
    good = id_number("331102", f"{1940 + (n * 7) % 70}0{1 + n % 9}1{n % 10}", f"{n:03d}")
    ids = [good, good[:-1] + ("0" if good[-1] != "0" else "1"), "", "990101" + good[6:-1] + "0", good]
    return {
        "source": ["上级推送", "运营商", "银行", "不明单位", ""][n % 5],
        "source_id": f"EQ{n:04d}" if n % 11 else "",
        "name": f"等价{n}",
        "id_number": ids[n % len(ids)],
        "phone": [f"139{n:08d}", "12345", f"138{n:08d}", "", f"0571{n:08d}"][n % 5],
        "address": f"青溪县{TOWNS[n % len(TOWNS)]}{n % 4}号" if n % 6 != 5 else "",
        "fraud_type": ["冒充公检法", "刷单返利", "虚假网络贷款", "未知骗术", ""][n % 5],
        "warned_at": ["2026-11-28 09:00:00", "2026-11-29 20:00:00", "2026-12-31 08:00", "昨天", ""][n % 5],
        "amount": ["", "3000", "2万", "abc", "80000"][n % 5],
        "suspect_numbers": f"1700000{n:04d}" if n % 3 == 0 else "",
        "notes": f"备注 {n}" if n % 4 == 0 else "",
        "call_count": str(n % 7),
        "callback_count": str(n % 3),
        "transfer_in_progress": {0: "是", 1: "否", 2: "待核实", 3: "不详"}.get(n % 13, ""),
    }


def _usable(data: WarningInput) -> bool:
    try:
        clean_warning(data, now=NOW)
    except Unusable:
        return False
    return True


def _rows() -> list[WarningInput]:
    rows = [data for data in (WarningInput(**_row(n)) for n in range(60)) if _usable(data)]
    rows += [WarningInput(**{**_row(n), "source_id": f"AGAIN{n}"}) for n in (2, 4, 9)]  # same person: merged
    # a warning left in the centre's queue, placed by the next report's address
    rows.append(WarningInput(**{**_row(130), "source_id": "QUEUE130", "address": "某某地方"}))
    placeable = "江州市青溪县城关镇城东社区9号"
    rows.append(WarningInput(**{**_row(130), "source_id": "PLACE130", "address": placeable}))
    # the same person warned 20 days before the first report: another episode, a new warning
    rows.append(WarningInput(**{**_row(5), "source_id": "EARLIER5", "warned_at": "2026-11-08 09:00:00"}))
    rows.append(WarningInput(**_row(3)))  # the same source id again: unchanged
    rows += _filling()
    # texts over the limits (cut, noted) and a local landline (completed when the trunk code is set)
    long = {"notes": "备" * 2100, "suspect_numbers": "13800000000," * 500}
    rows.append(WarningInput(**{**_row(160), "source_id": "LONG160", **long}))
    rows.append(WarningInput(**{**_row(165), "source_id": "", "phone": "8123 4567", "id_number": ""}))
    # addresses in traditional or variant characters: placed (and keyed) as their simplified spelling;
    # outside, named as written
    for n, written in TRADITIONAL.items():
        rows.append(WarningInput(**{**_row(n), "source_id": f"TRAD{n}", "address": written}))
    # a foreign resident's Latin name in another letter case and spacing, same phone: the same person
    latin = {**_row(180), "id_number": "", "name": "ADA LOVELACE"}
    rows.append(WarningInput(**{**latin, "source_id": "LATIN180"}))
    rows.append(WarningInput(**{**latin, "source_id": "LATIN180B", "name": "ada  Lovelace"}))
    # without 预警编号, the same list again with the name in other letter case: the same derived id
    hopper = {**_row(185), "source_id": "", "id_number": "", "name": "GRACE HOPPER"}
    rows += [WarningInput(**hopper), WarningInput(**{**hopper, "name": "Grace Hopper"})]
    rows += _reused_ids()  # last: a test reads their outcomes at the end
    return rows


def _filling() -> list[WarningInput]:
    """Known people who learn from later rows: a phone-only person (in the centre's queue) merged with
    a report giving name, ID number and a placed address; then found by that ID number alone; a
    phone-only person given a new warning (another episode) by a report with name and ID number."""
    full, other = _row(140), _row(150)
    bare = {"name": "", "id_number": "", "address": "某某地方"}
    return [
        WarningInput(**{**full, **bare, "source_id": "PHONE140"}),
        WarningInput(**{**full, "source_id": "FULL140", "address": "江州市青溪县城关镇城东社区9号"}),
        WarningInput(**{**full, "source_id": "BYID140", "phone": "", "address": ""}),
        WarningInput(**{**other, **bare, "source_id": "PHONE150"}),
        WarningInput(**{**other, "source_id": "EARLIER150", "warned_at": "2026-11-08 09:00:00"}),
    ]


def _reused_ids() -> list[WarningInput]:
    """预警编号 used again for other people: by name (row 1 has no valid ID or phone), by ID number,
    the same other person twice, and one id twice in the file for two new people."""
    return [
        WarningInput(**{**_row(100), "source": "运营商", "source_id": "EQ0001"}),
        WarningInput(**{**_row(105), "source_id": "EQ0005"}),
        WarningInput(**{**_row(105), "source_id": "EQ0005"}),
        WarningInput(**{**_row(110), "source_id": "DUP1"}),
        WarningInput(**{**_row(115), "source_id": "DUP1"}),
    ]


def _snapshot() -> list[Any]:
    """Everything the intake wrote, keyed by source and source id (not by the database's ids)."""
    people: dict[int, int] = {}
    found = []
    for w in Warning.objects.select_related("person", "area", "organisation", "assignee").order_by("id"):
        p = w.person
        label = people.setdefault(p.pk, len(people))
        found.append(
            (
                (w.source, w.source_id, w.fraud_type, w.grade, w.grade_reasons, w.status, w.area.code),
                (str(w.organisation), str(w.assignee), w.needs_placement, w.amount, w.address, w.notes),
                (w.address_hash, w.id_number_raw, w.phone_raw, w.suspect_numbers, w.facts, w.quality_flags),
                (w.warned_at, w.received_at, w.assigned_at, w.due_ack_at, w.due_contact_at),
                (w.remind_ack_at, w.remind_contact_at, w.merged_count, w.version),
                (label, p.name, p.id_number, p.phone, p.address, p.area_id, p.sex, p.birth_year),
                (p.name_hash, p.id_number_hash, p.phone_hash, p.id_number_warnings, p.notes),
                [
                    (e.kind, e.message, e.from_status, e.to_status, e.data, e.at, e.actor_id)
                    for e in WarningEvent.objects.filter(warning=w).order_by("at", "id")
                ],
                sorted(
                    (r.source, r.source_id, r.received_at, tuple(sorted(r.row_values.items())))
                    for r in WarningSourceRef.objects.filter(warning=w)
                ),
            )
        )
    return found


def _one_by_one(rows: list[WarningInput]) -> tuple[list[str], list[Any]]:
    intake = services.Intake()
    outcomes = [services.receive(intake=intake, data=data, now=NOW).outcome for data in rows]
    return outcomes, _snapshot()


def _in_bulk(rows: list[WarningInput]) -> tuple[list[str], list[Any]]:
    memo = Memo()
    pairs = [(data, clean_warning(data, now=NOW, memo=memo)) for data in rows]
    results = bulk.receive_many(intake=services.Intake(), rows=pairs, now=NOW)
    return [r.outcome for r in results], _snapshot()


def _rolled_back(run: Any, rows: list[WarningInput]) -> tuple[list[str], list[Any]]:
    with transaction.atomic():
        result = run(rows)
        transaction.set_rollback(True)
    return result


def test_it_decides_and_writes_like_the_one_warning_service(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WARNING_LOCAL_AREA_CODE = "0576"
    rows = _rows()
    single = _rolled_back(_one_by_one, rows)
    many = _rolled_back(_in_bulk, rows)
    assert single[0] == many[0]
    assert {"new", "merged", "unchanged"} == set(many[0])
    earlier = next(i for i, data in enumerate(rows) if data.source_id == "EARLIER5")
    placed = next(i for i, data in enumerate(rows) if data.source_id == "PLACE130")
    assert many[0][placed] == "merged"
    assert many[0][earlier] == "new"  # warned 20 days apart: not merged, though received together
    latin = next(i for i, data in enumerate(rows) if data.source_id == "LATIN180B")
    assert many[0][latin] == "merged"  # "ada  Lovelace" is the person "ADA LOVELACE" of the row before
    hopper = [i for i, data in enumerate(rows) if data.name in ("GRACE HOPPER", "Grace Hopper")]
    assert [many[0][i] for i in hopper] == ["new", "unchanged"]  # one derived id, whatever the case
    assert len(single[1]) == len(many[1]) > 40
    _assert_filled(world, rows, many)
    for one, other in zip(single[1], many[1], strict=True):
        assert one == other
    assert {True, False, None} <= {w[2][4].get("transfer") for w in many[1]}  # 是, 否, unknown
    grades = {w[0][3] for w in many[1]}
    flags = {f for w in many[1] for f in w[2][5]}
    assert len(grades) >= 3 and {"id_checksum_wrong", "phone_invalid", "source_unknown"} <= flags
    phones = {w[5][3] for w in many[1]}
    assert "057681234567" in phones and any(len(w[1][5]) == 2000 for w in many[1])
    assert any(w[1][1] != "None" for w in many[1]) and any(w[1][1] == "None" for w in many[1])
    trad = {w[0][1]: w for w in many[1] if w[0][1].startswith("TRAD")}
    assert trad["TRAD170"][0][6] == world.area("城东社区").code and trad["TRAD170"][1][4] == TRADITIONAL[170]
    assert trad["TRAD171"][0][6] == world.area("石桥村").code
    assert trad["TRAD172"][1][2] and "address_unplaced" in trad["TRAD172"][2][5]  # the centre's queue


def _assert_filled(world: Any, rows: list[WarningInput], many: tuple[list[str], list[Any]]) -> None:
    """The known people of :func:`_filling` learned the later rows' name, ID number and area."""
    at = {data.source_id: i for i, data in enumerate(rows)}
    outcomes = [many[0][at[i]] for i in ("PHONE140", "FULL140", "BYID140", "PHONE150", "EARLIER150")]
    assert outcomes == ["new", "merged", "merged", "new", "new"]
    by_id = {w[0][1]: w for w in many[1]}
    person = by_id["PHONE140"][5]
    assert person[1:4] == ("等价140", rows[at["FULL140"]].id_number, "13900000140")
    assert person[5] == world.area("城东社区").pk and person[6] and person[7]  # area; sex, birth year
    lines = [line for line in by_id["PHONE140"][7] if line[0] == "merged"]
    assert "补充了人员的身份证号、姓名、所属区划" in lines[0][1] and "等价140" not in lines[0][1]
    assert lines[0][4]["person_filled"] == ["id_number", "name", "area"]
    assert "person_filled" not in lines[1][4]  # found by the ID number learned: nothing more to fill
    earlier = by_id["EARLIER150"]
    assert earlier[5][0] == by_id["PHONE150"][5][0] and earlier[5][1] == "等价150"
    assert "补充了人员的身份证号、姓名" in earlier[7][0][1]


def test_it_writes_the_same_when_rows_go_to_the_writer_in_small_chunks(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Hand-overs every 4 rows: merges reach warnings written by an earlier chunk (rewritten at the end)."""
    rows = _rows()
    single = _rolled_back(_one_by_one, rows)
    monkeypatch.setattr(bulk, "STREAM", 4)
    many = _rolled_back(_in_bulk, rows)
    assert single == many


def test_it_receives_another_person_under_a_used_id_as_a_new_warning_on_both_paths(world) -> None:  # type: ignore[no-untyped-def]
    rows = _rows()
    for run in (_one_by_one, _in_bulk):
        with transaction.atomic():
            outcomes, snapshot = run(rows)
            again, _ = run(rows)
            transaction.set_rollback(True)
        tail = outcomes[-5:]
        assert tail == ["new", "new", "unchanged", "new", "new"], run
        assert again == ["unchanged"] * len(rows), run  # the alias ids are found again
        ids = {w[0][1] for w in snapshot}
        assert {"EQ0001", "EQ0005", "DUP1"} <= ids
        aliases = sorted(i for i in ids if "~" in i)
        assert [a.split("~")[0] for a in aliases] == ["DUP1", "EQ0001", "EQ0005"]
        assert all(len(a.split("~")[1]) == 8 for a in aliases)
        names = {w[5][1] for w in snapshot}
        assert {"等价100", "等价105", "等价110", "等价115"} <= names


def test_it_tells_the_row_its_id_was_used_for_another_person(world) -> None:  # type: ignore[no-untyped-def]
    first, other = WarningInput(**_row(5)), WarningInput(**{**_row(105), "source_id": "EQ0005"})
    memo = Memo()
    pairs = [(data, clean_warning(data, now=NOW, memo=memo)) for data in (first, other)]
    results = bulk.receive_many(intake=services.Intake(), rows=pairs, now=NOW)
    assert [r.outcome for r in results] == ["new", "new"]
    [(column, message)] = [n for n in results[1].notices if n[0] == "预警编号"]
    assert message.startswith("预警编号与已接收的预警重复但当事人不同") and "EQ0005~" in message
    same = services.receive(intake=services.Intake(), data=WarningInput(**_row(5)), now=NOW)
    assert same.outcome == "unchanged" and same.warning == results[0].warning


def test_it_stores_addresses_encrypted_and_equal_addresses_readable(world) -> None:  # type: ignore[no-untyped-def]
    rows = [WarningInput(**{**_row(n), "address": "青溪县城关镇城东社区1号"}) for n in (1, 6, 7)]
    memo = Memo()
    pairs = [(data, clean_warning(data, now=timezone.now(), memo=memo)) for data in rows]
    bulk.receive_many(intake=services.Intake(), rows=pairs)
    stored = list(Warning.objects.values_list("address", flat=True))
    assert stored == ["青溪县城关镇城东社区1号"] * 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM warnings_warning")
        tokens = [token for (token,) in cursor.fetchall()]
    assert all(crypto.is_token(t) and crypto.decrypt(t) == "青溪县城关镇城东社区1号" for t in tokens)


def test_it_turns_the_garbage_collector_back_on_after_a_file(world) -> None:  # type: ignore[no-untyped-def]
    assert gc.isenabled()
    result = import_run(actor=None, importer="warnings", file_name="a.csv", data=warning_csv([row(1)]))
    assert result.ok and gc.isenabled()


def test_it_masks_pushed_ids_and_phones_exactly_like_the_masking_module() -> None:
    good = id_number("331102", "19900101", "123")
    ids = [
        good,
        good[:-1] + "X",
        good[:-1] + "x",
        f" {good} ",
        good.translate({48 + i: 0xFF10 + i for i in range(10)}),
    ]
    ids += [good[:15], good[:17], "12345", "", "３３１１０２"]
    phones = [
        "13912345678",
        "19912345678",
        "10612345678",
        "12345678901",
        "0571-88886666",
        "+86 139 1234 5678",
    ]
    phones += ["１３９１２３４５６７８", "13912345678 ", "95588", "4001234567", "", "12345"]
    for value in ids:
        assert services.mask_pushed("id_number", value) == mask("id_number", value), value
    for value in phones:
        assert services.mask_pushed("phone", value) == mask("phone", value), value
    assert services.mask_pushed("name", "张小三") == mask("name", "张小三") == "张*三"
    assert services.mask_pushed("phone", None) == mask("phone", None) == ""


def test_it_prints_each_pushed_time_in_its_own_offset(world) -> None:  # type: ignore[no-untyped-def]
    intake = services.Intake()
    local = dt.datetime(2026, 11, 28, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    utc = dt.datetime(2026, 11, 28, 1, tzinfo=dt.UTC)
    assert local == utc
    assert [intake.iso(t) for t in (local, utc, local)] == [
        local.isoformat(),
        utc.isoformat(),
        local.isoformat(),
    ]
