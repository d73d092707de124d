"""The lexical URL model and its hand features (committed model; no data needed)."""

from __future__ import annotations

import numpy as np
import pytest

from fanzha.screening.urlmodel import HAND_FEATURES, UrlModel, hand_features, load_seeds, split_url


@pytest.fixture(scope="module")
def model() -> UrlModel:
    return UrlModel.load()


def test_it_splits_a_url() -> None:
    p = split_url("HTTPS://www.Example.com.cn:8080/a/b.php?x=1&y=2")
    assert (p.host, p.path, p.query, p.domain) == ("example.com.cn", "a/b.php", "x=1&y=2", "example.com.cn")
    assert split_url("icbc-jf.top").host == "icbc-jf.top"


def test_it_computes_every_hand_feature() -> None:
    assert len(hand_features("http://1.2.3.4/login")) == len(HAND_FEATURES)
    named = dict(zip(HAND_FEATURES, hand_features("http://icbc-jifen.top/login"), strict=True))
    assert named["brand_elsewhere"] == 1.0 and named["suspicious_tld"] == 1.0
    own = dict(zip(HAND_FEATURES, hand_features("https://www.icbc.com.cn/"), strict=True))
    assert own["brand_elsewhere"] == 0.0 and own["legit_domain"] == 1.0
    ip = dict(zip(HAND_FEATURES, hand_features("http://192.168.10.2/a"), strict=True))
    assert ip["ip_host"] == 1.0


def test_it_reads_the_seed_lists() -> None:
    seeds = load_seeds()
    assert "xpj" in seeds.gambling and "top" in seeds.tlds and "icbc.com.cn" in seeds.brands["icbc"]


def test_it_scores_phishing_and_gambling_links_high(model: UrlModel) -> None:
    bad = ["http://icbc-jf.top/login", "https://xpj8866.vip", "http://amjs3377.com/register",
           "http://paypal.com.account-verify.xyz/webscr"]  # fmt: skip
    assert np.all(model.predict(bad) >= 0.5)


def test_it_scores_well_known_sites_low(model: UrlModel) -> None:
    good = [
        "https://www.baidu.com/",
        "https://www.icbc.com.cn/",
        "https://www.gov.cn/zhengce/",
        "https://www.wikipedia.org/",
    ]
    assert np.all(model.predict(good) < 0.5)


def test_it_answers_an_empty_batch(model: UrlModel) -> None:
    assert model.predict([]).shape == (0,)
