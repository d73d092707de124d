"""Model training, scoring, explanations and graph features (small synthetic data, few trees)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from fanzha.screening.numbers import features as F
from fanzha.screening.numbers import graph
from fanzha.screening.numbers.explain import render
from fanzha.screening.numbers.model import Model, load_table
from fanzha.screening.numbers.scoring import indicator_proposals, score_table, write_scores
from fanzha.screening.numbers.training import train_model
from tests.screening.numbers.conftest import add_labels, synthetic_calls

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def labelled(tmp_path: Path) -> tuple[Path, Path, set[str]]:
    calls, fraud = synthetic_calls(tmp_path / "calls.csv")
    F.features_from_files(F.Sources([calls], [], [], []), tmp_path / "f.csv", tmp_path / "e.csv")
    return add_labels(tmp_path / "f.csv", fraud, tmp_path / "fl.csv"), tmp_path / "e.csv", fraud


def test_it_trains_saves_loads_and_scores_every_row(fast_model: None, labelled, tmp_path: Path) -> None:
    features, edges, fraud = labelled
    table = load_table(features, edges)
    model = train_model(table, repeats=1)
    model.save(tmp_path / "m.json")
    assert b"pickle" not in (tmp_path / "m.json").read_bytes()
    again = Model.load(tmp_path / "m.json")
    scores = score_table(again, table)
    write_scores(scores, tmp_path / "s.csv")
    lines = (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "node_id,score,is_fraud" and len(lines) == len(table.node_id) + 1
    is_fraud = dict(zip(scores.phone, scores.is_fraud, strict=True))
    assert sum(is_fraud[p] for p in fraud) >= len(fraud) - 2  # separable toy data
    assert sum(f for p, f in is_fraud.items() if p.startswith("138")) <= 2


def test_it_explains_scores_in_chinese_with_values(fast_model: None, labelled) -> None:
    features, edges, fraud = labelled
    table = load_table(features, edges)
    scores = score_table(train_model(table, repeats=1), table, explain_top=3)
    top = int(np.argmax(scores.score))
    reasons = scores.reasons[top]
    assert reasons and all(CHINESE.search(r.text) and re.search(r"\d", r.text) for r in reasons)
    assert all(r.contribution > 0 for r in reasons)
    proposals = indicator_proposals(scores)
    assert proposals and proposals[0]["status"] == "pending_review" and proposals[0]["evidence"]
    assert proposals[0]["score"] >= proposals[-1]["score"]


def test_it_renders_templates_with_the_rows_values() -> None:
    text = render("call_dur_median", {"call_dur_median": 8.0, "short_call_share": 0.78})
    assert text == "78 % 的通话短于 10 秒，时长中位数 8 秒"
    assert (
        render("opposite_unique", {"opposite_count": 1000.0, "opposite_unique": 312.0, "callback_rate": 0.04})
        == "1,000 次通话涉及 312 个不同号码，回拨率 4 %"  # all counterparts, not only those it called
    )
    assert (
        render("opposite_unique", {"opposite_unique": 5.0, "callback_rate": float("nan")})
        == "与 5 个不同号码通话"
    )


def test_it_never_shows_a_row_its_own_label() -> None:
    # 0 - 1 - 2 chain; row 1 is fraud. Row 1's label features must not see itself.
    adj = graph.adjacency(3, np.array([0, 1]), np.array([1, 2]), np.array([1.0, 1.0]))
    labels = np.array([0.0, 1.0, 0.0])
    feats = graph.label_features(adj, labels, np.ones(3, dtype=bool))
    share = graph.LABEL_NAMES.index("g_nb_fraud_share")
    assert feats[1, share] == 0.0 and feats[0, share] == 1.0
    hop2 = graph.LABEL_NAMES.index("g_hop2_fraud_share")
    assert np.isnan(feats[1, hop2])  # its only 2-step walks (1→0→1, 1→2→1) return to itself: removed
    assert feats[0, hop2] == 0.0  # 0→1→2 reaches a known normal row
    # out of fold: rows 0 and 1 share a fold, so row 0 cannot see its only neighbour's label
    oof = graph.label_features_oof(adj, labels, np.array([0, 1, 2]), np.array([0, 0, 1]))
    assert np.isnan(oof[0, share]) and oof[1, share] == 0.0 and oof[2, share] == 1.0


def test_it_words_zero_values_naturally() -> None:
    calls = {"opposite_count": 40.0, "voccalltype1": 12.0}
    assert render("city_name_nunique", {**calls, "city_name_nunique": 0.0}) == "通话记录中没有所在城市信息"
    assert render("city_name_nunique", {"city_name_nunique": 3.0}) == "通话出现在 3 个城市"


def test_it_builds_the_same_graph_whether_node_ids_are_positions_or_not() -> None:
    from fanzha.screening.numbers.model import edges_to_adj

    src, dst = np.array([0, 1, 2, 3, 2, 7]), np.array([1, 2, 0, 3, 0, 1])  # a self loop, an unknown node
    weight = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    positional = edges_to_adj(np.arange(4), src, dst, weight)  # node ids 0..n-1: no search
    shifted = edges_to_adj(np.array([10, 11, 12, 13]), src + 10, dst + 10, weight)
    assert (positional != shifted).nnz == 0
    assert positional.toarray().tolist() == [[0, 1, 0, 0], [0, 0, 2, 0], [8, 0, 0, 0], [0, 0, 0, 0]]


def test_it_derives_ratios_and_products_with_missing_values_kept_missing() -> None:
    from scipy import sparse

    from fanzha.screening.numbers.explain import templates
    from fanzha.screening.numbers.model import DERIVED, Table, derived

    X = np.full((3, len(F.FEATURE_NAMES)), np.nan)
    col = F.FEATURE_NAMES.index
    X[:, col("call_dur_mean")] = [30.0, 10.0, np.nan]
    X[:, col("opposite_count")] = [100.0, 0.0, 5.0]
    X[:, col("phone2oppo_sum_max")] = [600.0, 5.0, 50.0]
    table = Table(np.arange(3), ["a", "b", "c"], X, np.full(3, np.nan), sparse.csr_matrix((3, 3)))
    out = derived(table)
    names = list(DERIVED)
    total = out[:, names.index("d_total_duration")]
    share = out[:, names.index("d_top_counterpart_dur_share")]
    assert total[0] == 3000.0 and total[1] == 0.0 and np.isnan(total[2])
    assert share[0] == pytest.approx(0.2) and np.isnan(share[1]) and np.isnan(share[2])  # no duration: none
    assert set(DERIVED) <= set(templates())  # every derived feature can be explained in Chinese


def test_it_names_the_missing_record_instead_of_a_feature_id() -> None:
    from fanzha.screening.numbers.explain import render

    assert render("arpu_max", {}) == "没有消费记录"
    assert render("d_flow_per_arpu", {}) == "没有上网流量记录"
    assert render("g_nb_mean_arpu_mean", {}) == "联系过的号码都没有消费记录"


def test_it_says_an_hour_feature_is_missing_because_times_were_dates_alone() -> None:
    from fanzha.screening.numbers.explain import render

    assert render("voc_hour_mode", {"opposite_count": 12.0}) == "通话记录的时间只有日期，没有时刻"
    assert render("d_peak_hour_share", {"opposite_count": 12.0}) == "通话记录的时间只有日期，没有时刻"
    assert render("hour_nunique", {"sms_count": 4.0}) == "短信记录的时间只有日期，没有时刻"
    assert render("hour_nunique", {"sms_count": 0.0}) == "没有短信记录"  # no SMS at all: says so
