"""Feedback gives back the sender's read columns that are not a warning field of their own: the suspects
(masked), the counts, 正在转账, and the columns folded into the address, the type or the notes."""

from __future__ import annotations

from fanzha.imports.pipeline import import_run
from fanzha.warnings.models import WarningSourceRef
from tests.imports.files import csv_bytes
from tests.personas import World, id_number, login
from tests.warnings.test_feedback_layout import feedback

HEADER = ["预警编号", "姓名", "身份证号", "手机号", "乡镇", "村", "详细地址", "预警类型", "预警原因"]
HEADER += ["嫌疑号码", "嫌疑账号", "被叫次数", "回拨次数", "正在转账"]


def row() -> list[str]:
    return [
        "KP-001",
        "李四",
        id_number("331102", "19580101", "011"),
        "13905710011",
        "城关镇",
        "城东社区",
        "幸福路1号",
        "资金预警",
        "快进快出，对方账户6222020200112233445",
        "17012345678、95588",
        "6222020200112233445",
        "5",
        "2",
        "是",
    ]


def test_the_senders_read_columns_come_back_filled_and_masked(world: World, client) -> None:  # type: ignore[no-untyped-def]
    result = import_run(
        actor=None, importer="warnings", file_name="推送.csv", data=csv_bytes(HEADER, [row()])
    )
    assert result.ok, result.batch.message
    login(client, world.users["analyst"])
    rows = feedback(client, "superior")
    back = dict(zip(rows[0], rows[1], strict=True))
    assert back["乡镇"] == "城关镇" and back["村"] == "城东社区"
    assert back["预警类型"] == "资金预警"
    assert back["被叫次数"] == "5" and back["回拨次数"] == "2" and back["正在转账"] == "是"
    # The suspects and a reason naming an account come back masked, never in clear.
    assert back["嫌疑号码"] and "17012345678" not in back["嫌疑号码"] and "95588" in back["嫌疑号码"]
    assert back["嫌疑账号"] and "6222020200112233445" not in back["嫌疑账号"]
    assert back["预警原因"].startswith("快进快出") and "6222020200112233445" not in back["预警原因"]
    kept = WarningSourceRef.objects.get(source_id="KP-001").row_values
    assert "6222020200112233445" not in str(kept) and "17012345678" not in str(kept)


def test_a_row_without_those_columns_keeps_nothing_more(world: World) -> None:
    header = ["预警编号", "姓名", "身份证号", "手机号", "现住址"]
    data = csv_bytes(header, [row()[:4] + ["青溪县城关镇城东社区幸福路1号"]])
    assert import_run(actor=None, importer="warnings", file_name="w.csv", data=data).ok
    kept = WarningSourceRef.objects.get(source_id="KP-001").row_values
    assert not {"suspect_numbers", "call_count", "township", "warning_kind"} & set(kept)


def test_a_number_written_into_a_kept_column_is_masked_there_too(world: World) -> None:
    """The counts, 正在转账 and the area columns are kept as written — but a row may write a phone or an
    account into them; the kept row is plain JSON, so those are masked as in a note."""
    values = row()
    values[HEADER.index("村")] = "城东社区（户主13905710011）"
    values[HEADER.index("正在转账")] = "是，正向6222020200112233445转账"
    values[HEADER.index("预警类型")] = "电话预警13905710011"
    data = csv_bytes(HEADER, [values])
    assert import_run(actor=None, importer="warnings", file_name="w.csv", data=data).ok
    kept = WarningSourceRef.objects.get(source_id="KP-001").row_values
    assert "13905710011" not in str(kept) and "6222020200112233445" not in str(kept), kept
    assert kept["village"].startswith("城东社区（户主") and kept["transfer_in_progress"].startswith("是")


def test_a_partners_push_without_counts_keeps_none(world: World) -> None:
    """The API's counts default to 0 and 正在转账 to unknown: not sent, so not given back as 0 / 否
    (an explicit false is the partner's 否, given back as such)."""
    from django.test import Client

    from tests.warnings.test_api_batch import item
    from tests.warnings.test_api_batch import push as push_batch
    from tests.warnings.test_api_feedback import a_key, push

    token = a_key(world, "工商银行青溪支行")
    assert push(Client(), token, 1).status_code == 201
    unsent = {k: v for k, v in item(1).items() if k != "transfer_in_progress"}
    assert push_batch(Client(), {"warnings": [unsent, item(2)]}, token).status_code in (200, 201)
    for source_id in ("P-1", "ICBC-0001"):
        kept = WarningSourceRef.objects.get(source_id=source_id).row_values
        assert not {"call_count", "callback_count", "transfer_in_progress"} & set(kept), kept
    said_no = WarningSourceRef.objects.get(source_id="ICBC-0002").row_values
    assert said_no["transfer_in_progress"] == "否"
