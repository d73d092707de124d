"""The text model: the committed default model loads and answers without any data present."""

from __future__ import annotations

import numpy as np
import pytest

from fanzha.screening.normalise import normalise
from fanzha.screening.textmodel import TextModel, fit_text_model, softmax
from fanzha.screening.typology import load_typology


@pytest.fixture(scope="module")
def model() -> TextModel:
    return TextModel.load()


def _mt(*texts: str) -> list[str]:
    return [normalise(t).model_text for t in texts]


def test_it_loads_the_committed_model_with_typology_codes(model: TextModel) -> None:
    codes = set(load_typology().codes())
    assert set(model.classes) <= codes
    assert {"normal", "advertising", "bank_points_phishing", "gambling"} <= set(model.classes)


def test_it_predicts_probabilities_per_text(model: TextModel) -> None:
    risk, cats, classes = model.predict(_mt("今天晚上一起吃饭吗", "您的积分即将清零"))
    assert risk.shape == (2,) and cats.shape == (2, len(classes))
    assert np.all((risk >= 0) & (risk <= 1))
    assert np.allclose(cats.sum(axis=1), 1.0)


def test_it_tells_bank_points_phishing_from_ordinary_text(model: TextModel) -> None:
    texts = _mt(
        "尊敬的建行用户您的账户积分已满一万可兑换568元现金请登录 http://ccb-jf.top 查询兑换逾期失效",
        "小偷行窃时被附近市民李先生撞个正着",
    )
    risk, cats, classes = model.predict(texts)
    assert risk[0] > 0.5 > risk[1]
    assert classes[int(np.argmax(cats[0]))] == "bank_points_phishing"


def test_it_handles_an_empty_batch(model: TextModel) -> None:
    risk, cats, classes = model.predict([])
    assert risk.shape == (0,) and cats.shape == (0, len(classes))


def test_it_round_trips_a_fitted_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    texts = ["积分兑换现金点击链接", "积分兑换礼品请登录", "明天开会", "晚上吃饭"] * 5
    codes = ["bank_points_phishing", "bank_points_phishing", "normal", "normal"] * 5
    risky = np.array([c != "normal" for c in codes])
    fitted = fit_text_model(texts, codes, risky, np.ones(len(texts)), epochs=5)
    fitted.save(tmp_path)
    loaded = TextModel.load(tmp_path)
    assert loaded.classes == ("bank_points_phishing", "normal")
    assert np.allclose(loaded.logits(texts), fitted.logits(texts), atol=0.05)
    assert loaded.predict(["积分兑换现金"])[0][0] > loaded.predict(["明天吃饭"])[0][0]


def _ordinary_sample() -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Texts, codes, risky and ordinary masks, and ordinary-head weights (risky texts left out)."""
    texts = [
        "积分兑换现金点击链接",
        "全场五折欢迎光临",
        "今天夜里阴有阵雨气象台发布",
        "家长您好今天的作业",
    ] * 5
    codes = ["bank_points_phishing", "advertising", "normal", "normal"] * 5
    risky = np.array([c == "bank_points_phishing" for c in codes])
    ordinary = np.array([c == "normal" for c in codes])
    return texts, codes, risky, ordinary, np.where(risky, 0.0, 1.0)


def test_it_splits_the_non_risky_mass_with_the_ordinary_head(tmp_path) -> None:  # type: ignore[no-untyped-def]
    texts, codes, risky, ordinary, weight = _ordinary_sample()
    plain = fit_text_model(texts, codes, risky, np.ones(len(texts)), epochs=5)
    fitted = fit_text_model(
        texts, codes, risky, np.ones(len(texts)), epochs=5, ordinary=ordinary, ordinary_weight=weight
    )
    assert fitted.has_ordinary and not plain.has_ordinary
    fitted.save(tmp_path)
    loaded = TextModel.load(tmp_path)
    assert loaded.has_ordinary
    sample = ["全场五折欢迎光临", "今天夜里阴有阵雨气象台发布"]
    _, with_head, classes = loaded.predict(sample)
    _, without, _ = plain.predict(sample)
    n, a = classes.index("normal"), classes.index("advertising")
    assert np.allclose(with_head.sum(axis=1), 1.0)
    assert with_head[0, a] > with_head[0, n] and with_head[1, n] > with_head[1, a]
    # the ordinary head only moves mass between normal and advertising
    z = loaded.logits(sample).astype(np.float64)
    assert z.shape == (2, len(classes) + 2)
    head_free = softmax(z[:, 1 : 1 + len(classes)])
    assert np.allclose(with_head[:, [n, a]].sum(axis=1), head_free[:, [n, a]].sum(axis=1))
    assert without.shape == with_head.shape


def test_it_averages_the_ordinary_head_over_shuffles() -> None:
    texts, codes, risky, ordinary, weight = _ordinary_sample()

    def fit(seeds: int, seed: int = 0) -> TextModel:
        return fit_text_model(
            texts,
            codes,
            risky,
            np.ones(len(texts)),
            epochs=5,
            ordinary=ordinary,
            ordinary_weight=weight,
            ordinary_seeds=seeds,
            seed=seed,
        )

    one, other, both = fit(1), fit(1, seed=1), fit(2)
    assert both.weights.shape == one.weights.shape
    expected = (one.weights[:, -1] + other.weights[:, -1]) / 2  # seeds 0 and 1, averaged
    assert np.allclose(both.weights[:, -1], expected, atol=1e-6)
    assert both.bias[-1] == pytest.approx((one.bias[-1] + other.bias[-1]) / 2, abs=1e-6)
