"""POST /api/warnings as partners' systems really call it: odd bodies, odd values, resends.

Every answer is JSON with a Chinese ``detail`` and the right status; never a 500, never the values sent.
"""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from fanzha.warnings.models import Warning
from tests.personas import id_number, login

BODY = {
    "source": "运营商",
    "source_id": "OP-1",
    "name": "孙七",
    "phone": "13905717777",
    "address": "青溪县城关镇城东社区和平路3号",
    "fraud_type": "冒充公检法",
}


def post(client, body, content_type="application/json"):  # type: ignore[no-untyped-def]
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/api/warnings", raw, content_type=content_type)


def detail(response) -> str:  # type: ignore[no-untyped-def]
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return str(response.json()["detail"])


def test_it_answers_a_deeply_nested_body_with_400_not_500(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    response = post(client, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400 and detail(response) == "请求体不是有效的 JSON"


def test_it_answers_a_body_over_the_limit_with_413_json(world, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    login(client, world.users["analyst"])
    response = post(client, {**BODY, "notes": "x" * 20_000})
    assert response.status_code == 413 and "请求体过大" in detail(response)


def test_it_refuses_a_body_that_is_not_json_and_says_so(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    plain = post(client, json.dumps(BODY), content_type="text/plain")
    assert plain.status_code == 400 and "Content-Type: application/json" in detail(plain)
    many = post(client, [BODY, BODY])
    assert many.status_code == 400 and "一次只能提交一条" in detail(many)
    nan = post(client, '{"phone": "13905717777", "call_count": NaN}')
    assert nan.status_code == 400 and detail(nan) == "请求体不是有效的 JSON"
    assert Warning.objects.count() == 0


def test_it_reads_numbers_and_null_as_text_and_refuses_objects(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    body = {**BODY, "phone": 13905717777, "amount": 80000, "source_id": 4711, "notes": None}
    response = post(client, body)
    assert response.status_code == 201, response.content
    warning = Warning.objects.get()
    assert warning.source_id == "4711" and warning.amount == 80000 and warning.person.phone == "13905717777"
    nested = post(client, {**BODY, "name": {"first": "七"}})
    assert nested.status_code == 400 and detail(nested) == "字段格式不正确：name（应为文本）"


def test_it_refuses_over_long_values_instead_of_cutting_them(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    response = post(client, {**BODY, "name": "张" * 5000, "notes": "x" * 3000})
    assert response.status_code == 400
    assert detail(response) == "字段格式不正确：name（超过 50 个字符）、notes（超过 2000 个字符）"
    assert "张张" not in response.content.decode()  # the value is not echoed
    assert Warning.objects.count() == 0


def test_it_refuses_control_characters_and_lone_surrogates(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    nul = post(client, {**BODY, "source_id": "OP\x00-1"})
    assert nul.status_code == 400 and detail(nul) == "字段格式不正确：source_id（含有控制字符或无效字符）"
    surrogate = post(client, '{"name": "\\ud800", "phone": "13905717777"}')
    assert (
        surrogate.status_code == 400 and detail(surrogate) == "字段格式不正确：name（含有控制字符或无效字符）"
    )
    assert "codec" not in surrogate.content.decode()


def test_it_bounds_the_counts(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    for value in (-5, 10**30, 2.5):
        response = post(client, {**BODY, "call_count": value})
        assert response.status_code == 400
        assert detail(response) == "字段格式不正确：call_count（应为 0 到 100000 之间的整数）"
    assert post(client, {**BODY, "transfer_in_progress": "是"}).json()["grade"] == "urgent"


def test_it_tells_of_unknown_fields(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    nameless = post(client, {"名称": "王五", "mobil": "13905718888"})  # neither a field nor a list's column
    assert nameless.status_code == 400 and "另有未识别的字段：名称、mobil" in detail(nameless)
    typo = post(client, {**BODY, "phone_numbr": "13905718888"})
    assert typo.status_code == 201 and "未识别的字段已忽略：phone_numbr" in typo.json()["notices"]


def test_it_flags_rather_than_refuses_a_wrong_check_digit_and_a_clock_ahead(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    good = id_number("331102", "19600301", "123")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    flagged = post(client, {"source_id": "ID-1", "name": "赵六", "id_number": bad})
    assert flagged.status_code == 201 and "身份证号校验码错误，待更正" in flagged.json()["notices"]
    now = timezone.localtime()
    ahead = post(client, {**BODY, "warned_at": (now + dt.timedelta(hours=47)).isoformat()})
    assert ahead.status_code == 201
    assert ahead.json()["notices"] == ["预警时间晚于当前时间（48 小时内，可能是对方时钟偏差）"]
    later = {**BODY, "source_id": "OP-2", "phone": "13905719002", "name": "周九"}
    beyond = post(client, {**later, "warned_at": (now + dt.timedelta(hours=49)).isoformat()})
    assert beyond.json()["notices"] == ["预警时间晚于当前时间超过 48 小时，按接收时间计"]
    assert Warning.objects.get(pk=beyond.json()["id"]).warned_at <= timezone.now()


def test_it_keeps_resends_idempotent_merges_and_aliases_reused_ids(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    assert post(client, BODY).status_code == 201
    again = post(client, BODY)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    merged = post(client, {**BODY, "source_id": "OP-9"})
    assert merged.json()["outcome"] == "merged" and merged.json()["id"] == again.json()["id"]
    other = post(client, {**BODY, "name": "钱八", "phone": "13905716666", "address": "青溪县龙泉乡石桥村1号"})
    assert other.status_code == 201 and other.json()["source_id"].startswith("OP-1~")
    assert Warning.objects.count() == 2


def test_it_answers_bad_list_parameters_in_chinese(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.users["analyst"])
    huge = client.get("/api/warnings", {"offset": "9" * 30})
    assert huge.status_code == 400 and detail(huge) == "参数 offset 应为 0 到 999999999 之间的整数"
    words = client.get("/api/warnings", {"limit": "abc"})
    assert words.status_code == 400 and detail(words) == "参数 limit 应为 0 到 999999999 之间的整数"
    assert client.get("/api/warnings", {"limit": "5", "offset": "0"}).json() == []


def test_it_answers_the_framework_refusals_in_chinese_json(world, client, settings) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    anonymous = post(client, BODY)
    assert anonymous.status_code == 401 and "未登录" in detail(anonymous)
    strict = Client(enforce_csrf_checks=True)
    login(strict, world.users["analyst"])
    no_token = post(strict, BODY)
    assert no_token.status_code == 403 and "CSRF 校验失败" in detail(no_token)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    login(client, world.users["analyst"])
    form = client.post("/api/warnings", {**BODY, "notes": "x" * 20_000})  # a form post, over the limit
    assert form.status_code == 413 and "请求体过大" in detail(form)
    assert Warning.objects.count() == 0
