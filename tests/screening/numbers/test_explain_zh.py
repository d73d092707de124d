"""Every explanation template reads as a correct Chinese sentence at the edges of its values."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from fanzha.screening.numbers.explain import _PLACEHOLDER, explain_rows, render, templates

NAN = math.nan
CALLS = {"opposite_count": 120.0, "opposite_unique": 60.0, "voccalltype1": 80.0, "voc_day_nunique": 10.0}
RECEIVE_ONLY = {**CALLS, "voccalltype1": NAN, "voc_calltype1": NAN, "imeis": NAN}


def test_a_median_of_zero_seconds_says_half_the_counterparts_never_answered() -> None:
    assert render("phone2oppo_sum_median", {**CALLS, "phone2oppo_sum_median": 0.0}) == (
        "至少一半的对端号码从未接通（累计通话时长为 0）"
    )
    assert render("call_dur_median", {**CALLS, "call_dur_median": 0.0}) == "至少一半的通话未接通（时长为 0）"
    assert (
        render("d_dur_mean_per_median", {**CALLS, "call_dur_median": 0.0})
        == "至少一半的通话未接通（时长为 0）"
    )


def test_a_number_that_only_receives_calls_is_said_to_have_no_outgoing_calls() -> None:
    for feature in ("city_name_nunique", "county_name_nunique"):
        assert render(feature, {**RECEIVE_ONLY, feature: 0.0}) == "没有主叫记录"
    for feature in (
        "imeis",
        "city_name_call",
        "voc_calltype1",
        "voccalltype1",
        "d_imei_per_day",
        "d_outgoing_county_share",
    ):
        assert render(feature, {**RECEIVE_ONLY, feature: NAN}) == "没有主叫记录", feature


def test_a_missing_value_is_said_as_the_missing_records_or_not_given() -> None:
    no_calls = {"opposite_count": NAN, "sms_count": 4.0}
    assert render("d_unique_per_call", no_calls) == "没有通话记录"
    assert render("voccalltype1", no_calls) == "没有通话记录"
    assert render("g_nb_fraud_share", {"g_nb_fraud_share": NAN}) == "联系人中没有已标注（涉诈或正常）的号码"
    assert render("g_nb_mean_call_dur_mean", {"g_degree": 0.0}) == "在通话网络中没有与其他在网号码往来"
    assert render("g_nb_mean_voc_calltype1", {"g_degree": 3.0}) == "联系过的号码都没有主叫记录"
    assert render("call_dur_max", {**CALLS, "call_dur_max": NAN}) is None  # no sentence says why: no reason


def test_shares_that_round_to_0_or_100_percent_do_not_say_so() -> None:
    assert render("calltype_rate", {"calltype_rate": 0.004}) == "不到 1 % 的短信为接收"
    assert render("calltype_rate", {"calltype_rate": 0.999}) == "超过 99 % 的短信为接收"
    assert render("calltype_rate", {"calltype_rate": 1.0}) == "100 % 的短信为接收"
    assert render("d_outgoing_county_share", {**CALLS, "d_outgoing_county_share": 0.001}) == (
        "主叫所在区县占全部通话区县的不到 1 %"
    )


def test_counts_medians_and_zeros_read_naturally() -> None:
    assert (
        render("phone2opposite_median", {"phone2opposite_median": 1.0}) == "至少一半的对端号码只通话过 1 次"
    )
    assert (
        render("phone2opposite_median", {"phone2opposite_median": 1.5}) == "一半的对端号码通话不超过 1.5 次"
    )
    assert render("phone2opposite_mean", {"phone2opposite_mean": 18.7}) == "平均与每个号码通话 18.7 次"
    assert render("g_out_degree", {"g_out_degree": 0.0}) == "在通话网络中没有呼出到其他在网号码"
    assert render("g_hop2", {"g_hop2": 0.0}) == "两跳范围内没有其他在网号码"
    assert render("flow_var", {"flow_var": 15411013.8}) == "上网流量波动（方差）15,411,013.8"
    assert render("flow_min", {"flow_min": 0.00007}) == "最小一条上网流量不到 0.1 MB"
    assert render("day_mode", {"day_mode": 31.0}) == "短信最集中在每月 31 日"
    assert render("call_dur_max", {"call_dur_max": 7199.0}) == "最长一次通话 2 小时"
    assert render("voc_hour_mode_count", {"voc_hour_mode": 10.0, "voc_hour_mode_count": 39.0}) == (
        "通话最多的时段是 10 点，共 39 次"
    )


def test_a_feature_that_lowered_the_score_is_never_a_reason() -> None:
    names = ["calltype_rate", "sms_rate", "call_dur_max"]
    contrib = np.array([[-2.0, 0.5, 0.4, 0.1], [-0.1, -0.3, 0.0, 0.1]])  # last column: the bias
    values = [{"calltype_rate": 0.9, "sms_rate": 2.0, "call_dur_max": NAN, **CALLS}] * 2
    reasons = explain_rows(contrib, names, values, top=3)
    # calltype_rate lowered the score; call_dur_max has no sentence for its absence
    assert [r.feature for r in reasons[0]] == ["sms_rate"]
    assert reasons[1] == []


EDGES = {
    "pct": [0.0, 0.001, 0.004, 0.005, 0.5, 0.994, 0.996, 0.9999, 1.0],
    "int": [0.0, 1.0, 2.0, 12345678.0],
    "sec": [0.0, 0.3, 1.0, 9.6, 59.6, 119.6, 7199.0, 1_230_000.0],
    "num": [0.0, 0.0004, 0.04, 1.0, 1.5, 15_411_013.8],
    "hour": [0.0, 23.0],
    "day": [1.0, 31.0],
    "yuan": [0.0, -13.78, 0.004, 11850.0],
    "mb": [0.0, 0.00007, 0.4, 636_100.0],
}
TYPICAL = {
    **CALLS,
    "voc_calltype1": 0.66,
    "imeis": 2.0,
    "city_name_nunique": 3.0,
    "county_name_nunique": 5.0,
    "voc_hour_nunique": 12.0,
    "sms_count": 40.0,
    "sms_nunique": 20.0,
    "call_dur_mean": 45.0,
    "call_dur_median": 20.0,
    "phone2opposite_max": 9.0,
    "voc_hour_mode": 10.0,
    "short_call_share": 0.4,
    "callback_rate": 0.2,
    "g_nb_fraud": 2.0,
    "g_degree": 5.0,
}
SCENES = {"typical": {}, "receive only": RECEIVE_ONLY, "no calls": dict.fromkeys(TYPICAL, NAN)}
# "不超过 0 秒", a feature id, nan / None / inf, a percentage below 0 or above 100
BAD = re.compile(
    r"不超过\s*0(\.0+)?\s*秒|nan|None|inf|缺失|[a-z_]+ = "
    r"|-\d[\d,.]*\s*%|\d,\d{3}\s*%|(?<![\d.,])(\d{4,}|[2-9]\d\d|1\d[1-9]|1[1-9]\d)\s*%"
)


def _formats() -> dict[str, str]:
    found: dict[str, str] = {}
    for entries in templates().values():
        for entry in entries:
            for name, fmt in _PLACEHOLDER.findall(entry if isinstance(entry, str) else entry["text"]):
                found.setdefault(name, fmt)
    return found


@pytest.mark.parametrize("feature", sorted({key.split("@")[0] for key in templates()}))
def test_every_template_reads_correctly_at_the_edges_of_its_values(feature: str) -> None:
    fmt = _formats().get(feature, "num")
    for scene, over in SCENES.items():
        for value in [NAN, *EDGES[fmt]]:
            text = render(feature, {**TYPICAL, **over, feature: value})
            assert text is None or not BAD.search(text), (scene, value, text)
