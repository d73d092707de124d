"""Training helpers, metrics and the blender; the data-dependent checks skip without ../shared/data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fanzha.screening import metrics
from fanzha.screening.blend import LEVEL_THRESHOLDS, Blender, level_for
from fanzha.screening.train import (
    FOLDS,
    ORDINARY_RISKY_GRID,
    ORDINARY_WEIGHT,
    Corpus,
    Pipeline,
    assign_folds,
    build_corpus,
    choose_ordinary_risky_weight,
    default_data_dir,
    ordinary_targets,
    synthetic_urls,
)

DATA = default_data_dir()
needs_data = pytest.mark.skipif(
    not (DATA / "texts" / "fbs_sms" / "fbs_sms_dev.csv").is_file(),
    reason=f"训练数据不在 {DATA}（设置 FANZHA_SCREEN_DATA 指向 shared/data）",
)


def test_it_computes_auc_with_ties() -> None:
    assert metrics.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert metrics.roc_auc([0, 1], [0.5, 0.5]) == pytest.approx(0.5)
    assert np.isnan(metrics.roc_auc([1, 1], [0.1, 0.2]))


def test_it_computes_per_category_figures() -> None:
    truth = ["FR", "FR", "AD", "AD", "Other"]
    pred = ["FR", "AD", "AD", "AD", "AD"]
    cats = metrics.per_category(truth, pred, ["AD", "FR", "Other"])
    assert cats["FR"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert cats["Other"]["f1"] == 0.0
    names, mat = metrics.confusion(truth, pred, ["AD", "FR", "Other"])
    assert mat.tolist() == [[2, 0, 0], [1, 1, 0], [1, 0, 0]]
    assert metrics.macro_f1(truth, pred, ["AD", "FR", "Other"]) == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)


def test_it_reports_binary_figures() -> None:
    rep = metrics.binary_report([1, 1, 0, 0], np.array([0.9, 0.4, 0.6, 0.1]))
    assert (rep["tp"], rep["fp"], rep["fn"], rep["tn"]) == (1, 1, 1, 1)
    assert rep["f1"] == pytest.approx(0.5)


def test_it_blends_monotonically_and_vectorised() -> None:
    b = Blender(text=1.2, rules=0.4, url=1.0, intercept=-1.0)
    probs = b.score(np.array([-2.0, 0.0, 2.0]), np.array([0.0, 0.0, 0.0]), 0.0, 0.0)
    assert probs.shape == (3,) and np.all(np.diff(probs) > 0)
    assert b.score(0.0, 5.0) > b.score(0.0, 0.0)
    # a clean-looking link never lowers the score; a suspicious one raises it
    assert b.score(0.0, 0.0, -5.0) == pytest.approx(b.score(0.0, 0.0, 0.0))
    assert b.score(0.0, 0.0, 3.0) > b.score(0.0, 0.0, 0.0)
    assert b.score_url(0.9) > b.score_url(0.2)


def test_it_maps_probabilities_to_levels() -> None:
    levels = dict(LEVEL_THRESHOLDS)
    assert level_for(0.99, LEVEL_THRESHOLDS) == "high"
    assert level_for(levels["medium"], LEVEL_THRESHOLDS) == "medium"
    assert level_for(levels["low"], LEVEL_THRESHOLDS) == "low"
    assert level_for(0.0, LEVEL_THRESHOLDS) == "none"


def test_it_loads_the_committed_blender() -> None:
    b = Blender.load()
    names = [n for n, _ in b.thresholds]
    cuts = [c for _, c in b.thresholds]
    assert names == ["high", "medium", "low"] and cuts == sorted(cuts, reverse=True)
    assert b.text > 0


def test_it_makes_the_same_synthetic_urls_for_a_seed() -> None:
    a, la = synthetic_urls(0)
    b, lb = synthetic_urls(0)
    assert a == b and la == lb and set(la) == {0, 1}


def test_it_spreads_every_group_over_the_folds() -> None:
    c = Corpus()
    for i in range(50):
        c.add(f"t{i}", "fbs", "normal" if i % 5 else "gambling", "Other")
    folds = assign_folds(c, seed=0)
    assert set(folds.tolist()) == set(range(FOLDS))
    gambling = folds[[i for i in range(50) if i % 5 == 0]]
    assert sorted(np.bincount(gambling, minlength=FOLDS).tolist()) == [2] * FOLDS


@needs_data
def test_it_builds_a_deduplicated_corpus_from_all_sources() -> None:
    c = build_corpus(Path(DATA), Pipeline.current())
    assert {"fbs", "sms800k", "tf5", "scripts"} == set(c.source)
    assert len(set(c.model_text)) == len(c.model_text)
    assert c.weight[c.mask("fbs")].min() >= 1.0 > c.weight[c.mask("tf5")].max()
    assert c.risky[c.mask("fbs")].sum() > 2000


def test_it_builds_the_ordinary_head_targets_from_fbs_other_and_ordinary_texts() -> None:
    c = Corpus()
    c.add("气象台发布", "fbs", "normal", "Other")
    c.add("全场五折", "fbs", "advertising", "AD")
    c.add("积分兑换", "fbs", "bank_points_phishing", "FR")
    c.add("晚上吃饭", "sms800k", "normal")
    c.add("新品上市", "sms800k", "advertising")
    c.add("冒充公检法", "tf5", "impersonate_authority")
    c.add("积分兑换现金", "scripts", "bank_points_phishing")
    ordinary, weight = ordinary_targets(c)
    assert ordinary.tolist() == [True, False, False, True, False, False, False]
    assert weight[0] == ORDINARY_WEIGHT["fbs_other"] > weight[1] == weight[2] == ORDINARY_WEIGHT["fbs_spam"]
    assert weight[3] == ORDINARY_WEIGHT["normal"] and weight[4] == ORDINARY_WEIGHT["sms800k_ad"]
    assert weight[5] == weight[6] == 0.0  # risky texts of other sources stay out of this head


def test_it_weighs_fbs_fraud_and_illegal_texts_apart_in_the_ordinary_head() -> None:
    c = Corpus()
    c.add("气象台发布", "fbs", "normal", "Other")
    c.add("全场五折", "fbs", "advertising", "AD")
    c.add("积分兑换", "fbs", "bank_points_phishing", "FR")
    c.add("开发票", "fbs", "fake_documents", "IL")
    ordinary, weight = ordinary_targets(c, risky_weight=3.0)
    assert ordinary.tolist() == [True, False, False, False]
    assert weight.tolist() == [ORDINARY_WEIGHT["fbs_other"], ORDINARY_WEIGHT["fbs_spam"], 3.0, 3.0]


def test_it_computes_average_precision_with_ties() -> None:
    assert metrics.average_precision([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]) == pytest.approx((1 + 2 / 3) / 2)
    assert metrics.average_precision([0, 1], [0.5, 0.5]) == pytest.approx(0.5)
    assert metrics.average_precision([True, False], [0.2, 0.1]) == pytest.approx(1.0)
    assert np.isnan(metrics.average_precision([0, 0], [0.1, 0.2]))


def test_it_chooses_the_ordinary_risky_weight_from_the_inner_folds_only() -> None:
    c = Corpus()
    texts = {
        "Other": ["今天夜里阴有阵雨气象台发布", "家长您好今天的数学作业", "快递放在门口值班室了"],
        "AD": ["全场五折欢迎光临本店", "新品上市买一送一", "装修特惠活动进店有礼"],
        "FR": ["您的积分即将清零点击链接兑换现金", "这是我的新号码存一下"],
        "IL": ["代开发票联系电话", "六合彩内部资料必中"],
    }
    codes = {"Other": "normal", "AD": "advertising", "FR": "bank_points_phishing", "IL": "fake_documents"}
    for k in range(4):
        for top, items in texts.items():
            for t in items:
                c.add(f"{t}{k}", "fbs", codes[top], top)
    c.model_text = list(c.text)
    c.fold = np.arange(len(c.text)) % 4
    chosen, found = choose_ordinary_risky_weight(c, seed=0)
    assert chosen in ORDINARY_RISKY_GRID and set(found) == set(ORDINARY_RISKY_GRID)
    assert all(0.0 <= v <= 1.0 for v in found.values())
    assert found[chosen] == max(found.values())
