"""The lexical URL model: is this link phishing or an illegal (gambling, fake bank / tax) site?

Features, all from the URL string alone (no network):
* hashed character 1-5-grams of the URL without scheme and ``www.`` (vectorise.py), and 1-4-grams of
  the host alone in a separate block;
* handcrafted features (``HAND_FEATURES``): lengths, digits, dots, hyphens, IP host, ``@``, punycode,
  suspicious TLDs, brand names outside their own domain, path depth, query length, login/verify words,
  gambling pinyin — the word lists come from the reviewed ``data/url_seeds.toml``.

A logistic regression over both (trained by scikit-learn in train.py) is exported as arrays; inference
needs only numpy and scipy.
"""

from __future__ import annotations

import ipaddress
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from fanzha.screening.textmodel import MODELS_DIR, sigmoid
from fanzha.screening.vectorise import HashedTfidf

WEIGHTS = "url_model.npz"
META = "url_model.json"
SECOND_LEVEL = frozenset({"com", "net", "org", "gov", "edu", "ac", "co"})  # com.cn, co.uk, ...
HAND_FEATURES = (
    "length", "host_length", "path_length", "query_length", "digits", "host_digits", "dots", "hyphens",
    "labels", "path_depth", "ip_host", "at_sign", "punycode", "suspicious_tld", "cn_tld", "brand_elsewhere",
    "login_words", "gambling_tokens", "digit_label", "port", "double_slash", "long_token", "percent",
    "query_params", "php_or_html", "no_path", "host_mostly_digits", "legit_domain",
)  # fmt: skip
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Seeds:
    gambling: tuple[str, ...]
    tlds: frozenset[str]
    brands: dict[str, tuple[str, ...]]
    login: tuple[str, ...]
    legit: frozenset[str]
    fake_words: tuple[str, ...]


@lru_cache(maxsize=1)
def load_seeds() -> Seeds:
    raw = tomllib.loads((resources.files("fanzha.screening") / "data" / "url_seeds.toml").read_text("utf-8"))
    return Seeds(
        gambling=tuple(raw["gambling_tokens"]),
        tlds=frozenset(raw["suspicious_tlds"]),
        brands={k: tuple(v) for k, v in raw["brands"].items()},
        login=tuple(raw["login_words"]),
        legit=frozenset(raw["legit_domains"]),
        fake_words=tuple(raw["fake_words"]),
    )


@dataclass(frozen=True)
class Parts:
    rest: str  # the URL without scheme and leading www.
    host: str
    path: str
    query: str
    domain: str  # registrable domain (approximate: last two labels, three under com.cn-style suffixes)
    full: str  # the whole URL, lower-cased


def split_url(url: str) -> Parts:
    full = url.strip().lower()
    u = _SCHEME.sub("", full)
    if u.startswith("www."):
        u = u[4:]
    hostport, _, rest = u.partition("/")
    if not rest and "?" in hostport:
        hostport, _, q = hostport.partition("?")
        rest = "?" + q
    host = hostport.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    path, _, query = rest.partition("?")
    labels = host.split(".")
    take = 3 if len(labels) >= 3 and labels[-2] in SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return Parts(u, host, path, query, ".".join(labels[-take:]), full)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host.isdigit() and len(host) > 6  # decimal-encoded IPv4
    return True


def _brand_elsewhere(p: Parts, seeds: Seeds) -> float:
    text = p.host + "/" + p.path
    for brand, own in seeds.brands.items():
        if brand not in text or p.domain in own or any(p.host.endswith("." + d) for d in own):
            continue
        if len(brand) >= 5 or re.search(rf"(^|[^a-z0-9]){re.escape(brand)}", text):
            return 1.0
    return 0.0


def hand_features(url: str, seeds: Seeds | None = None) -> list[float]:
    s = seeds or load_seeds()
    p = split_url(url)
    labels = p.host.split(".")
    tld = labels[-1] if labels else ""
    first = p.domain.split(".")[0]
    tokens = _TOKEN.findall(p.rest)
    host_digits = sum(ch.isdigit() for ch in p.host)
    return [
        min(len(p.rest), 200) / 100,
        min(len(p.host), 60) / 30,
        min(len(p.path), 200) / 100,
        min(len(p.query), 200) / 100,
        min(sum(ch.isdigit() for ch in p.rest), 60) / 20,
        min(host_digits, 20) / 10,
        min(p.host.count("."), 8) / 4,
        min(p.host.count("-"), 8) / 4,
        min(len(labels), 8) / 4,
        min(p.path.count("/"), 10) / 5,
        float(_is_ip(p.host)),
        float("@" in p.rest),
        float("xn--" in p.host),
        float(tld in s.tlds),
        float(tld == "cn"),
        _brand_elsewhere(p, s),
        min(sum(w in p.rest for w in s.login), 4) / 2,
        min(sum(t in p.host for t in s.gambling), 4) / 2,
        float(any(ch.isdigit() for ch in first) and any(ch.isalpha() for ch in first)),
        float(":" in p.rest.split("/", 1)[0].rsplit("@", 1)[-1]),
        float("//" in p.path),
        float(max((len(t) for t in tokens), default=0) >= 25),
        float("%" in p.rest),
        min(p.query.count("&") + (1 if p.query else 0), 6) / 3,
        float(p.path.endswith((".php", ".html", ".htm", ".asp", ".aspx"))),
        float(not p.path.strip("/") and not p.query),
        float(host_digits >= max(len(first), 1) * 0.5),
        float(p.domain in s.legit or p.host in s.legit),
    ]


@dataclass
class UrlFeaturiser:
    full: HashedTfidf
    host: HashedTfidf

    def transform(self, urls: Sequence[str]) -> sp.csr_matrix:
        parts = [split_url(u) for u in urls]
        full = self.full.transform([p.full for p in parts])
        host = self.host.transform([p.host for p in parts])
        seeds = load_seeds()
        hand = sp.csr_matrix(
            np.array([hand_features(u, seeds) for u in urls], dtype=np.float32).reshape(
                -1, len(HAND_FEATURES)
            )
        )
        return sp.hstack([full, host, hand], format="csr")

    def fit_idf(self, urls: Sequence[str]) -> UrlFeaturiser:
        parts = [split_url(u) for u in urls]
        return UrlFeaturiser(
            self.full.fit_idf([p.full for p in parts]), self.host.fit_idf([p.host for p in parts])
        )

    @property
    def width(self) -> int:
        return self.full.n_features + self.host.n_features + len(HAND_FEATURES)


def default_featuriser() -> UrlFeaturiser:
    return UrlFeaturiser(HashedTfidf(5, 1 << 18, True), HashedTfidf(4, 1 << 16, True))


@dataclass
class UrlModel:
    featuriser: UrlFeaturiser
    weights: np.ndarray  # float32 (width,)
    bias: float
    meta: dict[str, Any]

    def logits(self, urls: Sequence[str]) -> np.ndarray:
        if len(urls) == 0:
            return np.zeros(0)
        return (
            np.asarray(self.featuriser.transform([str(u) for u in urls]) @ self.weights, dtype=np.float64)
            + self.bias
        )

    def predict(self, urls: Sequence[str]) -> np.ndarray:
        """Probability per URL that it is a phishing or illegal site."""
        return sigmoid(self.logits(urls))

    @classmethod
    def load(cls, path: Path | str | None = None) -> UrlModel:
        folder = Path(path) if path is not None else MODELS_DIR
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        full, host = meta["full"], meta["host"]
        with np.load(folder / WEIGHTS, allow_pickle=False) as npz:
            width = int(meta["width"])
            weights = np.zeros(width, dtype=np.float32)
            weights[npz["rows"]] = npz["values"].astype(np.float32)
            f = HashedTfidf(
                int(full["n_max"]),
                int(full["n_features"]),
                bool(full["boundaries"]),
                npz["idf_full"].astype(np.float32),
            )
            h = HashedTfidf(
                int(host["n_max"]),
                int(host["n_features"]),
                bool(host["boundaries"]),
                npz["idf_host"].astype(np.float32),
            )
            bias = float(npz["bias"][0])
        return cls(UrlFeaturiser(f, h), weights, bias, meta)

    def save(self, folder: Path | str) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        fz = self.featuriser
        assert fz.full.idf is not None and fz.host.idf is not None
        rows = np.flatnonzero(self.weights.astype(np.float16) != 0).astype(np.int32)
        np.savez_compressed(
            folder / WEIGHTS,
            rows=rows,
            values=self.weights[rows].astype(np.float16),
            idf_full=fz.full.idf.astype(np.float16),
            idf_host=fz.host.idf.astype(np.float16),
            bias=np.array([self.bias], dtype=np.float32),
        )
        meta = {
            **self.meta,
            "full": fz.full.meta(),
            "host": fz.host.meta(),
            "width": fz.width,
            "hand_features": list(HAND_FEATURES),
        }
        (folder / META).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def fit_url_model(
    urls: Sequence[str],
    labels: np.ndarray,
    weight: np.ndarray,
    *,
    c: float = 50.0,
    seed: int = 0,
    meta: dict[str, Any] | None = None,
) -> UrlModel:
    """Fit with scikit-learn (training time only); return the numpy-only model."""
    from sklearn.linear_model import LogisticRegression

    fz = default_featuriser().fit_idf(urls)
    x = fz.transform(urls)
    x.sum_duplicates()
    lr = LogisticRegression(C=c, max_iter=600, tol=1e-4, random_state=seed)
    lr.fit(sp.csr_matrix(x, dtype=np.float64), labels.astype(int), sample_weight=weight)
    return UrlModel(fz, lr.coef_[0].astype(np.float32), float(lr.intercept_[0]), dict(meta or {}))
